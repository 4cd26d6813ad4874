"""Community events: the event, its organizers, members' RSVPs and their attendance.

The database guards what code alone could get wrong under concurrency: one RSVP and one
attendance per event and member, distinct waitlist positions per event, an end after the
start and a positive capacity. Counting ``going`` RSVPs against the capacity happens with the
event row locked (see :mod:`guildkit.events.rsvp`).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base, utcnow

EVENT_VISIBILITIES = ("public", "members", "unlisted")
RSVP_STATUSES = ("going", "maybe", "not_going", "waitlisted")
CHECKIN_METHODS = ("code", "organizer")


class Event(Base):
    """A community event, online or in person. Times are stored in UTC; ``timezone`` (an IANA
    name) is the zone the pages show them in."""

    __tablename__ = "guildkit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(sa.String(64))
    online: Mapped[bool] = mapped_column(default=False)
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    url: Mapped[str | None] = mapped_column(sa.String(2000))
    #: ``None``: no limit.
    capacity: Mapped[int | None]
    visibility: Mapped[str] = mapped_column(sa.String(16), default="public")
    created_by: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="")
    #: SHA-256 of the current check-in code (the code itself is shown once, to an organizer).
    checkin_code_hash: Mapped[str | None] = mapped_column(sa.String(64))
    #: The revision, iCalendar's ``SEQUENCE``: one more with each change the calendar file shows,
    #: counted by the UPDATE that makes the change (see :mod:`guildkit.events.ical`).
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")

    __table_args__ = (
        sa.CheckConstraint("visibility IN ('public', 'members', 'unlisted')", name="visibility"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        sa.Index("ix_guildkit_events_starts_at", "starts_at", "id"),
    )


class EventOrganizer(Base):
    """A member who runs an event: edits it, checks people in, and is recognized for it."""

    __tablename__ = "guildkit_event_organizers"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_events.id"))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("event_id", "member_id"),
        sa.Index("ix_guildkit_event_organizers_member", "member_id"),
    )


class Rsvp(Base):
    """A member's answer to an event. ``waitlist_position`` orders the waitlist (set only while
    ``waitlisted``; it grows per event, so earlier waiters keep smaller numbers)."""

    __tablename__ = "guildkit_rsvps"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_events.id"))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    status: Mapped[str] = mapped_column(sa.String(16))
    waitlist_position: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("event_id", "member_id"),
        # NULLs are distinct: only waitlisted rows take part.
        sa.UniqueConstraint("event_id", "waitlist_position", name="uq_guildkit_rsvps_waitlist_position"),
        sa.CheckConstraint("status IN ('going', 'maybe', 'not_going', 'waitlisted')", name="status"),
        sa.CheckConstraint(
            "(status = 'waitlisted') = (waitlist_position IS NOT NULL)", name="waitlist_position_when_waitlisted"
        ),
        sa.Index("ix_guildkit_rsvps_event_status", "event_id", "status"),
        sa.Index("ix_guildkit_rsvps_member", "member_id"),
    )


class Attendance(Base):
    """A member was at an event: recorded once, at the first check-in."""

    __tablename__ = "guildkit_attendances"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_events.id"))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    method: Mapped[str] = mapped_column(sa.String(16))
    #: The organizer who checked them in (``None`` for a check-in with the code).
    checked_in_by: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    checked_in_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("event_id", "member_id"),
        sa.CheckConstraint("method IN ('code', 'organizer')", name="method"),
        sa.Index("ix_guildkit_attendances_member", "member_id"),
    )
