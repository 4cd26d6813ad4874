"""Community health analytics: ``gk.analytics`` (``docs/analytics.md``).

Every KPI is computed from the same tables the rules write (the activity log, the ledger, badge
awards, mentorships, events, moderation), with plain SQLAlchemy Core aggregations that run the
same on SQLite and PostgreSQL. A KPI reads a :class:`~.periods.Range` (local dates in the
community's ``GUILDKIT_TIMEZONE``, cut into day, week or month buckets) and returns a result with
``out()`` (the JSON) and ``table()`` (the same numbers as rows, for pages and CSV).

One module per concept: :mod:`.periods` (ranges and buckets), :mod:`.membership` (growth,
active members, engagement, contributors, volume), :mod:`.cohorts` (retention, churn, time to
first response), :mod:`.engagement` (Orbit-style levels), :mod:`.recognition` (points, badges,
mentorship, events, moderation), :mod:`.surveys` (CSAT and NPS), :mod:`.gauges` (the headline
KPIs as one number on a day, for community objectives).

The slow KPIs read rollups per member and local day (:mod:`.rollup` keeps them, :mod:`.rolled`
reads them): each KPI call first brings them up to date (a few index probes when nothing changed)
and reads the raw tables, as the modules above do, only when PostgreSQL writers kept it from
doing so.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import TYPE_CHECKING

from flask import current_app

from guildkit.analytics import cohorts, engagement, gauges, membership, rolled, rollup
from guildkit.analytics import recognition as recognition_kpis
from guildkit.analytics.hookspecs import Measure
from guildkit.analytics.periods import BUCKETS, Range, local_date, make_range
from guildkit.analytics.settings import Settings
from guildkit.analytics.surveys import Surveys
from guildkit.errors import ValidationError
from guildkit.plugins import contributions

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

#: The permission to read analytics (``admin`` has every permission).
VIEW = "analytics.view"

__all__ = ["BUCKETS", "VIEW", "Analytics", "Range", "Surveys"]


def _check_range(rng: object) -> None:
    if not isinstance(rng, Range):
        raise ValidationError("rng must be a Range from gk.analytics.range(start, end, bucket)", field="rng")


class Analytics:
    """The KPIs of one :class:`~guildkit.GuildKit`, read in the current app."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    @functools.cached_property
    def surveys(self) -> Surveys:
        """Satisfaction surveys (CSAT, NPS): open, close, answer, results."""
        return Surveys(self.gk)

    @property
    def settings(self) -> Settings:
        return Settings.from_config(current_app.config)

    def today(self) -> date:
        """Today's date in the community's time zone (by ``gk.clock``)."""
        return local_date(self.gk.clock(), self.gk.state.zone)

    def range(self, start: date | None = None, end: date | None = None, bucket: str = "day") -> Range:
        """A validated range in the community's time zone; see :func:`.periods.make_range`."""
        return make_range(start, end, bucket, self.gk.state.zone, self.today())

    def growth(self, rng: Range) -> membership.Growth:
        _check_range(rng)
        return membership.growth(self.gk.session, rng)

    def refresh(self, *, rebuild: bool = False) -> rollup.Refreshed:
        """Bring the KPI rollups up to date (or ``rebuild`` them); what a job or
        ``flask guildkit analytics rollup`` runs. Idempotent."""
        return rollup.refresh(self.gk, self.settings, rebuild=rebuild)

    def _rolled_up(self) -> bool:
        """Refresh before a read; False when the rollups could not be brought up to date."""
        return self.refresh().current

    def activity(self, rng: Range) -> membership.ActivityReport:
        _check_range(rng)
        if self._rolled_up():
            return rolled.activity(self.gk.session, rng)
        return membership.activity(self.gk.session, rng, self.settings.content_types)

    def actives(self, rng: Range) -> membership.Actives:
        _check_range(rng)
        if self._rolled_up():
            return rolled.actives(self.gk.session, rng)
        return membership.actives(self.gk.session, rng)

    def retention(self, rng: Range) -> cohorts.Retention:
        _check_range(rng)
        if self._rolled_up():
            return rolled.retention(self.gk.session, rng)
        return cohorts.retention(self.gk.session, rng)

    def churn(self, rng: Range) -> cohorts.Churn:
        _check_range(rng)
        idle_days = self.settings.at_risk_idle_days
        if self._rolled_up():
            return rolled.churn(self.gk.session, rng, idle_days)
        return cohorts.churn(self.gk.session, rng, idle_days)

    def first_response(self, rng: Range) -> cohorts.FirstResponse:
        _check_range(rng)
        if self._rolled_up():
            return rolled.first_response(self.gk.session, rng)
        settings = self.settings
        return cohorts.first_response(self.gk.session, rng, settings.content_types, settings.reply_types)

    def levels(self, rng: Range) -> engagement.Levels:
        _check_range(rng)
        weights = self.settings.weights
        if self._rolled_up():
            return rolled.levels(self.gk.session, rng, weights)
        return engagement.levels(self.gk.session, rng, weights)

    def recognition(self, rng: Range) -> recognition_kpis.Recognition:
        _check_range(rng)
        if self._rolled_up():
            return rolled.recognition_kpi(self.gk.session, rng)
        return recognition_kpis.recognition(self.gk.session, rng)

    def programmes(self, rng: Range) -> recognition_kpis.Programmes:
        """The measures other features contribute (``guildkit_register_analytics_measures``), per period."""
        _check_range(rng)
        return recognition_kpis.programmes(self.gk.session, rng, self.measures())

    def kpis(self) -> list[gauges.Kpi]:
        """The headline KPIs, each one number as of a day, with its name and unit: what a
        community objective sets its target on (:mod:`.gauges`)."""
        return list(gauges.KPIS)

    def kpi_value(self, key: str, day: date) -> float | None:
        """KPI ``key`` (one of :meth:`kpis`) as of the local ``day``, in its unit; ``None`` when
        there is nothing to measure. An unknown key is a ``ValidationError`` naming ``kpi``."""
        return gauges.value(self, key, day)

    def measures(self) -> list[Measure]:
        found = contributions(self.gk.pm, "guildkit_register_analytics_measures", gk=self.gk)
        return [Measure(*measure) for _, measures in found for measure in measures or ()]
