"""What ``gk.streaks`` returns: a member's streaks, freezes and absences, as plain records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class StreakView:
    """One of a member's streaks, as of today in their time zone."""

    activity_type: str
    role: str
    #: The activity type's label, in the reader's language ("Visit").
    label: str
    #: Days in a row now (0 when the run broke: a day missed that nothing covers).
    current: int
    best: int
    #: The last day with such an activity (the member's own day), if any.
    last_day: date | None
    #: The run lives on only if the member is active today (or it is kept by freezes).
    at_risk: bool
    #: The freezes it would take to keep the run when the member is back today.
    freezes_needed: int
    #: The last day a freeze covered for this streak.
    last_frozen: date | None


@dataclass(frozen=True)
class FreezeEntry:
    """A freeze earned, granted or used."""

    id: int
    kind: str
    count: int
    activity_type: str | None
    label: str | None
    day: date | None
    at: datetime
    reason: str
    by: str | None


@dataclass(frozen=True)
class AbsenceView:
    id: int
    starts_on: date
    ends_on: date
    declared_at: datetime
    #: Whether it has not started yet (so it may be cancelled).
    cancellable: bool


@dataclass(frozen=True)
class Overview:
    """Everything the member's streak page and ``GET /me/streaks`` show."""

    user_id: str
    today: date
    streaks: list[StreakView]
    held: int
    history: list[FreezeEntry]
    absences: list[AbsenceView]
