"""The analytics pages' words and formatting: buckets and periods, and each KPI's table as a
person reads it, in the reader's language.

The KPIs hand out their numbers as a :class:`~guildkit.analytics.tables.Table` whose columns are
the CSV's and the JSON's keys (``new_members``) and whose cells are plain values (ISO period
labels, dates, numbers): the download and the API stay the same in every language.
:func:`readable` turns one into what a page shows under a chart: headings in words, dates and
numbers as the reader's locale writes them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from guildkit.analytics.periods import Period
from guildkit.analytics.tables import Table
from guildkit.i18n import format_date, format_number, pgettext
from guildkit.i18n import gettext as _

#: Period labels: a day (or the Monday of a week), ``2026-01-05``; a month, ``2026-01``.
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"\d{4}-\d{2}")
#: The columns that hold a period's label.
_PERIOD_COLUMNS = ("period", "cohort", "day")


def bucket_name(bucket: str) -> str:
    """A bucket as a noun after "per" or "by": "day", "week", "month"."""
    names: dict[str, str] = {
        "day": pgettext("bucket", "day"),
        "week": pgettext("bucket", "week"),
        "month": pgettext("bucket", "month"),
    }
    return names.get(bucket, bucket)


def bucket_title(bucket: str) -> str:
    """A bucket as an axis or column title: "Day", "Week", "Month"."""
    titles: dict[str, str] = {
        "day": pgettext("bucket", "Day"),
        "week": pgettext("bucket", "Week"),
        "month": pgettext("bucket", "Month"),
    }
    return titles.get(bucket, bucket)


def period_name(label: str) -> str:
    """A period's label (``2026-01-05``, ``2026-01``) as the reader's locale writes that day or month."""
    if _DAY.fullmatch(label):
        return format_date(date.fromisoformat(label))
    if _MONTH.fullmatch(label):
        return format_date(date.fromisoformat(label + "-01"), "MMM y")
    return label


def period_names(periods: tuple[Period, ...]) -> list[str]:
    return [period_name(p.label) for p in periods]


def _headings() -> dict[str, str]:
    return {
        "period": _("Period"),
        "start": _("First day"),
        "end": _("Last day"),
        "day": pgettext("bucket", "Day"),
        "cohort": _("Joined in the week of"),
        "new_members": _("New members"),
        "total_members": _("Total members"),
        "active_members": _("Active members"),
        "engagement_rate": _("Engagement rate"),
        "contributing_members": _("Contributing members"),
        "contributing_rate": _("Contributing rate"),
        "activities": _("Activities"),
        "members": _("Members"),
        "newcomers": _("Newcomers"),
        "posted": _("Posted"),
        "answered": _("Answered"),
        "median_hours": _("Median hours"),
        "mean_hours": _("Mean hours"),
        "level": _("Level"),
        "name": _("Name"),
        "share": _("Share"),
        "min_score": _("Lowest score"),
        "badge_awards": _("Badge awards"),
        "badge": _("Badge"),
        "holders": _("Holders"),
    }


def heading(column: str, labels: Mapping[str, str]) -> str:
    """A column's heading: from ``labels`` (a feature's measures), else in words by its key."""
    if column in labels:
        return labels[column]
    known = _headings()
    if column in known:
        return known[column]
    kind, colon, what = column.partition(":")
    if colon and kind == "type":
        return what  # an activity type's key, as the activity table shows types everywhere
    if colon and kind == "issued":
        return str(_("%(point_type)s issued", point_type=what))
    if colon and kind == "reversed":
        return str(_("%(point_type)s reversed", point_type=what))
    week = column.removeprefix("week_")
    if week != column and week.isdigit():
        return str(_("Week %(number)s", number=week))
    return column


def _cell(value: Any, period: bool) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if period and isinstance(value, str):
        return period_name(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, int | float):
        return format_number(value)
    return value


def readable(table: Table, labels: Mapping[str, str] | None = None) -> Table:
    """``table`` as a page shows it: headings in words (``labels`` names columns the KPI takes
    from features), periods, dates and numbers in the reader's locale; ``None`` stays empty."""
    named = labels or {}
    periods = [name in _PERIOD_COLUMNS for name in table.columns]
    return Table(
        [heading(name, named) for name in table.columns],
        [[_cell(value, periods[i]) for i, value in enumerate(row)] for row in table.rows],
    )
