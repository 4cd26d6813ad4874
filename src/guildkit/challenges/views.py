"""What the challenges service returns: frozen views, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: Before its start, between its start and end (and not closed), after its end or closed early.
STATES = ("upcoming", "running", "finished")


def state_of(starts_at: datetime, ends_at: datetime, closed_at: datetime | None, now: datetime) -> str:
    if closed_at is not None or now >= ends_at:
        return "finished"
    return "upcoming" if now < starts_at else "running"


@dataclass(frozen=True)
class StepView:
    position: int
    activity_type: str
    count: int


@dataclass(frozen=True)
class ChallengeView:
    id: int
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    audience: str
    group_id: int | None
    ordered: bool
    reward_points: int | None
    reward_point_type: str | None
    badge: str | None
    #: The challenge defines ``badge`` (the first of a weekly series), rather than sharing it.
    defines_badge: bool
    recurrence: str
    #: The first instance of its weekly series (``None``: this is the first, or it does not recur).
    series_id: int | None
    previous_id: int | None
    created_by: str | None
    created_at: datetime
    closed_at: datetime | None
    steps: tuple[StepView, ...]
    joined: int
    completed: int
    #: ``upcoming``, ``running`` or ``finished`` (:data:`STATES`), as of when it was read.
    state: str

    @classmethod
    def of(cls, row: Any, steps: tuple[StepView, ...], joined: int, completed: int, now: datetime) -> ChallengeView:
        return cls(
            id=row.id,
            title=row.title,
            description=row.description,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            audience=row.audience,
            group_id=row.group_id,
            ordered=bool(row.ordered),
            reward_points=row.reward_points,
            reward_point_type=row.reward_point_type,
            badge=row.badge,
            defines_badge=row.defined_badge is not None,
            recurrence=row.recurrence,
            series_id=row.series_id,
            previous_id=row.previous_id,
            created_by=row.creator,
            created_at=row.created_at,
            closed_at=row.closed_at,
            steps=steps,
            joined=joined,
            completed=completed,
            state=state_of(row.starts_at, row.ends_at, row.closed_at, now),
        )


@dataclass(frozen=True)
class StepProgress:
    """A participant's count on one step; ``open``: it counts now (in order, only the first unfinished)."""

    position: int
    activity_type: str
    count: int
    target: int
    open: bool

    @property
    def done(self) -> bool:
        return self.count >= self.target


@dataclass(frozen=True)
class ParticipantView:
    """A member or a group taking part (one of ``user_id`` and ``group_id`` is set)."""

    id: int
    challenge_id: int
    user_id: str | None
    name: str | None
    group_id: int | None
    joined_by: str
    joined_at: datetime
    steps_done: int
    steps_total: int
    completed_at: datetime | None
    awarded_at: datetime | None
    steps: tuple[StepProgress, ...] = ()

    @property
    def completed(self) -> bool:
        return self.completed_at is not None
