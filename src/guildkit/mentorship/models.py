"""Mentorship: mentor profiles, mentorships (requested → … → completed / ended), check-ins and feedback.

Capacity is guarded in the database as well as in code: ``guildkit_mentor_profiles.taken`` counts
the mentor's accepted and active mentorships, and accepting raises it with a conditional
``UPDATE … WHERE taken < capacity`` that two writers cannot both pass. A partial unique index
allows one open (requested, accepted or active) mentorship per mentor and mentee.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models.base import Base, utcnow

MENTORSHIP_STATES = ("requested", "accepted", "declined", "expired", "withdrawn", "active", "completed", "ended")
#: States that hold one of the mentor's slots.
HOLDING_STATES = ("accepted", "active")
#: States in which a mentor and mentee may not open a second mentorship together.
OPEN_STATES = ("requested", "accepted", "active")

_OPEN = sa.text("state IN ('requested', 'accepted', 'active')")


class MentorProfile(Base):
    """A member's offer to mentor: what they know, when they are around, how many mentees at once."""

    __tablename__ = "guildkit_mentor_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"), unique=True)
    topics: Mapped[list[Any]] = mapped_column(default=list)
    languages: Mapped[list[Any]] = mapped_column(default=list)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    availability: Mapped[str] = mapped_column(sa.Text, default="")
    capacity: Mapped[int] = mapped_column(default=1)
    #: The mentor's mentorships in ``accepted`` or ``active`` (kept with each transition).
    taken: Mapped[int] = mapped_column(default=0)
    pitch: Mapped[str] = mapped_column(sa.Text, default="")
    #: ``False``: opted out (no new requests; running mentorships go on).
    open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint("taken >= 0", name="taken_non_negative"),
    )


class Mentorship(Base):
    """One mentor and one mentee, from the request to its end. See ``docs/mentorship.md``."""

    __tablename__ = "guildkit_mentorships"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    mentee_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    state: Mapped[str] = mapped_column(sa.String(16), default="requested")
    goals: Mapped[str] = mapped_column(sa.Text)
    topics: Mapped[list[Any]] = mapped_column(default=list)
    language: Mapped[str | None] = mapped_column(sa.String(16))
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    message: Mapped[str] = mapped_column(sa.Text, default="")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the mentor accepted or declined (or the request was withdrawn or expired).
    decided_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(sa.Text)
    ended_by: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    mentor_confirmed_at: Mapped[datetime | None]
    mentee_confirmed_at: Mapped[datetime | None]
    #: When the sweep found the mentee still active long after completion (recorded once).
    retained_at: Mapped[datetime | None]

    __table_args__ = (
        sa.CheckConstraint(
            "state IN ('requested', 'accepted', 'declined', 'expired', 'withdrawn', 'active', 'completed', 'ended')",
            name="state",
        ),
        sa.CheckConstraint("mentor_id <> mentee_id", name="not_self"),
        sa.Index(
            "uq_guildkit_mentorships_open_pair",
            "mentor_id",
            "mentee_id",
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
        sa.Index("ix_guildkit_mentorships_mentor", "mentor_id", "state"),
        sa.Index("ix_guildkit_mentorships_mentee", "mentee_id", "state"),
        sa.Index("ix_guildkit_mentorships_state", "state", "requested_at"),
    )


class MentorshipCheckIn(Base):
    """A meeting or update, with notes only the pair and moderators may read."""

    __tablename__ = "guildkit_mentorship_checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_mentorships.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    held_on: Mapped[date] = mapped_column(sa.Date)
    notes: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.Index("ix_guildkit_mentorship_checkins_mentorship", "mentorship_id", "id"),)


class MentorshipFeedback(Base):
    """What one side thought of the mentorship once it was over: a rating (1-5) and a comment."""

    __tablename__ = "guildkit_mentorship_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_mentorships.id"))
    from_member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("mentorship_id", "from_member_id"),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )
