"""What the objectives service returns: frozen views, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class ObjectiveView:
    """One objective, as stored (see :mod:`.models`); people by their host user id."""

    id: int
    title: str
    notes: str
    kpi: str
    direction: str
    target: float
    starts_on: date
    due_on: date
    baseline: float | None
    baseline_at: datetime | None
    state: str
    outcome: str | None
    final_value: float | None
    decided_at: datetime | None
    owner: str
    created_by: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Any) -> ObjectiveView:
        return cls(
            id=row.id, title=row.title, notes=row.notes, kpi=row.kpi, direction=row.direction,
            target=row.target, starts_on=row.starts_on, due_on=row.due_on, baseline=row.baseline,
            baseline_at=row.baseline_at, state=row.state, outcome=row.outcome, final_value=row.final_value,
            decided_at=row.decided_at, owner=row.owner, created_by=row.creator, created_at=row.created_at,
            updated_at=row.updated_at,
        )  # fmt: skip


@dataclass(frozen=True)
class Upkept:
    """What one run of the due-date job did."""

    #: Objectives whose start date came and whose baseline it captured.
    baselines: int
    met: int
    missed: int

    def out(self) -> dict[str, int]:
        return {"baselines": self.baselines, "met": self.met, "missed": self.missed}
