"""The KPI readings behind the objectives' trends, and where each objective stands.

A past day's reading is read from analytics once (``gk.analytics.kpi_value``) and kept in
``guildkit_objective_readings``, shared by every objective on that KPI: a trend of 13 weekly
points then costs one query, not 13 KPI computations. Today's value is read live, once per KPI
per :class:`Reader`. A reading is what analytics said when it was taken, like a baseline captured
then: a later backfill or erasure changes the dashboard's past numbers, not the stored readings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa

from guildkit.models import table_of
from guildkit.objectives import progress
from guildkit.objectives.config import Settings
from guildkit.objectives.models import ObjectiveReading
from guildkit.objectives.progress import Standing
from guildkit.objectives.views import ObjectiveView
from guildkit.store import upsert

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

READINGS = table_of(ObjectiveReading)


class Reader:
    """Reads KPI values for one request or job run: each ``(kpi, day)`` at most once."""

    def __init__(self, gk: GuildKit, today: date) -> None:
        self.gk = gk
        self.today = today
        self._known: dict[tuple[str, date], float | None] = {}
        self._units: dict[str, str] | None = None

    def unit(self, kpi: str) -> str:
        """The unit KPI ``kpi`` declares."""
        if self._units is None:
            self._units = {found.key: found.unit for found in self.gk.analytics.kpis()}
        return self._units.get(kpi, "count")

    def live(self, kpi: str, day: date) -> float | None:
        """The KPI on ``day`` read from analytics now (not stored)."""
        if (kpi, day) not in self._known:
            self._known[kpi, day] = self.gk.analytics.kpi_value(kpi, day)
        return self._known[kpi, day]

    def values(self, kpi: str, days: Iterable[date]) -> dict[date, float | None]:
        """The KPI on each of ``days`` (none after today): past days from the stored readings,
        those missing read now and stored; today live."""
        wanted = sorted({day for day in days if day <= self.today})
        past = [day for day in wanted if day < self.today and (kpi, day) not in self._known]
        if past:
            with self.gk.store.engine.connect() as conn:
                stored = conn.execute(
                    sa.select(READINGS.c.day, READINGS.c.value).where(READINGS.c.kpi == kpi, READINGS.c.day.in_(past))
                ).all()
            self._known.update({(kpi, day): value for day, value in stored})
            missing = [day for day in past if (kpi, day) not in self._known]
            if missing:
                self._store(kpi, {day: self.live(kpi, day) for day in missing})
        return {day: self.live(kpi, day) if day == self.today else self._known[kpi, day] for day in wanted}

    def _store(self, kpi: str, values: dict[date, float | None]) -> None:
        now = self.gk.clock()
        rows = [{"kpi": kpi, "day": day, "value": value, "taken_at": now} for day, value in values.items()]
        statement = upsert(self.gk.store.engine.dialect.name, READINGS, ("kpi", "day"))
        # Two readers at once store the same value once: the first row stays.
        self.gk.store.run_write(lambda conn: conn.execute(statement, rows))

    def standing(self, objective: ObjectiveView, settings: Settings) -> Standing:
        """Where ``objective`` stands today (see :mod:`.progress` for the rule)."""
        decided = objective.outcome is not None and objective.decided_at is not None
        until = objective.due_on if decided else min(self.today, objective.due_on)
        days = progress.reading_days(objective.starts_on, until, settings.reading_days)
        if decided:
            # The due date's value is the one the decision read, whatever the stored reading says.
            values = self.values(objective.kpi, days[:-1]) | {objective.due_on: objective.final_value}
        else:
            values = self.values(objective.kpi, days)
        trend = tuple((day, values[day]) for day in days)
        current, as_of = (trend[-1][1], trend[-1][0]) if trend else (None, self.today)
        projected: float | None = None
        if objective.state == "archived":
            outlook = "archived"
        elif decided:
            outlook = objective.outcome or "missed"
        elif objective.starts_on > self.today:
            outlook = "not_started"
        else:
            most = 100.0 if self.unit(objective.kpi) == "percent" else None
            outlook, projected = progress.outlook(
                objective.direction, objective.target, objective.due_on, trend, settings.min_readings, most
            )
        return Standing(
            current=current,
            as_of=as_of,
            progress=progress.progress(objective.direction, objective.baseline, objective.target, current),
            reached=progress.meets(objective.direction, objective.target, current),
            projected=projected,
            outlook=outlook,
            trend=trend,
        )


def standings(gk: GuildKit, today: date, objectives: Sequence[ObjectiveView]) -> dict[int, Standing]:
    """Where each objective stands today, reading each KPI once."""
    reader = Reader(gk, today)
    settings = Settings.current()
    return {objective.id: reader.standing(objective, settings) for objective in objectives}
