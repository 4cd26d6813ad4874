"""The headline KPIs, each as one number on a given day, with its name and its unit.

What a community objective sets a target on ("MAU at least 1,200 by 30 June", "median first
response at most 4 h"): :meth:`Analytics.kpis <guildkit.analytics.Analytics.kpis>` lists them,
:meth:`Analytics.kpi_value <guildkit.analytics.Analytics.kpi_value>` reads one as of a local day
of the community's time zone (today: the day so far). Each reads the same KPI as the pages and the
API, over the window that ends with that day, so its number is one the dashboard shows for it.

Units: ``count`` (members), ``percent`` (0 to 100, two decimals: the API's rates times 100) and
``hours`` (two decimals). ``better`` is the way a KPI improves, ``up`` (MAU) or ``down`` (churn):
the direction an objective on it usually takes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from guildkit.analytics.periods import EARLIEST
from guildkit.definitions import Text
from guildkit.errors import ValidationError
from guildkit.i18n import gettext as _
from guildkit.i18n import lazy_gettext

if TYPE_CHECKING:
    from guildkit.analytics import Analytics

UNITS = ("count", "percent", "hours")
#: The window of the KPIs "of the last 30 days", ending with the day read.
WINDOW_DAYS = 30

Read = Callable[["Analytics", date], float | None]


@dataclass(frozen=True)
class Kpi:
    """One headline KPI: its key (stored by objectives), its name and what it counts, in words
    (lazy translations), its unit, and which way is better."""

    key: str
    name: Text
    description: Text
    unit: str
    better: str
    read: Read


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 2)


def _window(day: date) -> tuple[date, date, str]:
    """The 30 days up to ``day``, in (at most two) calendar months."""
    return max(EARLIEST, day - timedelta(days=WINDOW_DAYS - 1)), day, "month"


def _members(analytics: Analytics, day: date) -> float | None:
    return analytics.growth(analytics.range(day, day)).total_members


def _new_members(analytics: Analytics, day: date) -> float | None:
    return analytics.growth(analytics.range(*_window(day))).new_members


def _dau(analytics: Analytics, day: date) -> float | None:
    return analytics.actives(analytics.range(day, day)).dau


def _wau(analytics: Analytics, day: date) -> float | None:
    return analytics.actives(analytics.range(day, day)).wau


def _mau(analytics: Analytics, day: date) -> float | None:
    return analytics.actives(analytics.range(day, day)).mau


def _stickiness(analytics: Analytics, day: date) -> float | None:
    return _percent(analytics.actives(analytics.range(day, day)).stickiness)


def _engagement(analytics: Analytics, day: date) -> float | None:
    rng = analytics.range(day, day)
    members = analytics.growth(rng).total_members
    return round(analytics.actives(rng).mau * 100 / members, 2) if members else None


def _churn_rate(analytics: Analytics, day: date) -> float | None:
    return _percent(analytics.churn(analytics.range(day, day)).churn_rate)


def _at_risk(analytics: Analytics, day: date) -> float | None:
    return analytics.churn(analytics.range(day, day)).at_risk


def _first_response(analytics: Analytics, day: date) -> float | None:
    return analytics.first_response(analytics.range(*_window(day))).median_hours


KPIS: tuple[Kpi, ...] = (
    Kpi("mau", lazy_gettext("Monthly active members (MAU)"),
        lazy_gettext("members active in the 30 days up to the day"), "count", "up", _mau),
    Kpi("wau", lazy_gettext("Weekly active members (WAU)"),
        lazy_gettext("members active in the 7 days up to the day"), "count", "up", _wau),
    Kpi("dau", lazy_gettext("Daily active members (DAU)"),
        lazy_gettext("members active on the day"), "count", "up", _dau),
    Kpi("members", lazy_gettext("Members"),
        lazy_gettext("members at the end of the day"), "count", "up", _members),
    Kpi("new_members", lazy_gettext("New members in the last 30 days"),
        lazy_gettext("members who joined in the 30 days up to the day"), "count", "up", _new_members),
    Kpi("engagement_rate", lazy_gettext("Engagement rate"),
        lazy_gettext("monthly active members as a percentage of all members"), "percent", "up", _engagement),
    Kpi("stickiness", lazy_gettext("Stickiness"),
        lazy_gettext("mean daily active members over the 30 days, as a percentage of MAU"), "percent", "up",
        _stickiness),
    Kpi("churn_rate", lazy_gettext("Churn rate"),
        lazy_gettext("members active 30 to 59 days before who were not active since, as a percentage of them"),
        "percent", "down", _churn_rate),
    Kpi("at_risk", lazy_gettext("Members at risk"),
        lazy_gettext("members active in the last 30 days but idle lately"), "count", "down", _at_risk),
    Kpi("first_response_hours", lazy_gettext("Median time to first response"),
        lazy_gettext("hours from a newcomer's first post to the first reply, for members who joined in the "
                     "30 days up to the day"), "hours", "down", _first_response),
)  # fmt: skip

BY_KEY = {kpi.key: kpi for kpi in KPIS}


def find(key: object) -> Kpi:
    """The KPI ``key``; a :class:`~guildkit.errors.ValidationError` naming ``kpi`` for any other."""
    found = BY_KEY.get(key) if isinstance(key, str) else None
    if found is None:
        raise ValidationError(_("%(field)s must be one of the analytics KPIs", field="kpi"), field="kpi")
    return found


def value(analytics: Analytics, key: str, day: date) -> float | None:
    """KPI ``key`` as of the local ``day``; ``None`` when there is nothing to measure (no members,
    no newcomer answered)."""
    kpi = find(key)
    if not isinstance(day, date):
        raise ValidationError(_("%(field)s must be a date (YYYY-MM-DD)", field="day"), field="day")
    return kpi.read(analytics, day)
