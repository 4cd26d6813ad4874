"""What the events service hands back: plain, frozen snapshots of events, RSVPs and attendance.

They are read from the database at the moment of the call (never live ORM objects), so a
caller can keep them after the transaction and the pages and the API shape them freely.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class EventView:
    """An event as a viewer may see it, with its organizers and RSVP counts."""

    id: int
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    online: bool
    location: str
    url: str | None
    capacity: int | None
    visibility: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    #: The revision (iCalendar's ``SEQUENCE``): 0 when created, one more with each change the
    #: calendar file shows.
    sequence: int
    cancelled_at: datetime | None
    cancel_reason: str
    #: Host user ids, the creator first.
    organizers: tuple[str, ...]
    going: int
    maybe: int
    waitlisted: int
    attended: int
    has_checkin_code: bool

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def spots_left(self) -> int | None:
        """Free places (``None``: no limit; never below 0, even after the capacity was lowered)."""
        return None if self.capacity is None else max(0, self.capacity - self.going)

    def is_over(self, now: datetime) -> bool:
        return now >= self.ends_at


@dataclass(frozen=True)
class RsvpView:
    """A member's answer. ``position`` is their place on the waitlist (1 = next in), else ``None``."""

    event_id: int
    user_id: str
    status: str
    position: int | None
    updated_at: datetime


@dataclass(frozen=True)
class AttendanceView:
    """A check-in. ``created`` is false when the member had already been checked in."""

    event_id: int
    user_id: str
    method: str
    checked_in_by: str | None
    checked_in_at: datetime
    created: bool


@dataclass(frozen=True)
class Attendees:
    """Who is coming. ``waitlist`` and ``checked_in`` are shown to organizers (and staff) only."""

    going: tuple[RsvpView, ...]
    maybe: int
    waitlisted: int
    waitlist: tuple[RsvpView, ...] | None
    checked_in: tuple[AttendanceView, ...] | None


@dataclass(frozen=True)
class MemberEvents:
    """A member's events: those they organize, are going to, may go to, wait for, and attended."""

    organizing: tuple[EventView, ...]
    going: tuple[EventView, ...]
    maybe: tuple[EventView, ...]
    waitlisted: tuple[EventView, ...]
    attended: tuple[EventView, ...]


@dataclass(frozen=True)
class EventPage:
    """One page of events and the cursor of the next (``None`` on the last page)."""

    items: tuple[EventView, ...]
    next_cursor: str | None
