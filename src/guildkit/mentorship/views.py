"""What the mentorship service hands out (frozen views, with host user ids), and the queries behind them.

The queries are plain Core ``SELECT``s that work on a read session and on a transaction's
connection alike, so the lifecycle reads the same rows (under its lock) that the pages show.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from guildkit.mentorship.matching import MentorCandidate
from guildkit.mentorship.models import HOLDING_STATES, MentorProfile, Mentorship, MentorshipCheckIn, MentorshipFeedback
from guildkit.models import Member, table_of

MEMBERS = table_of(Member)
PROFILES = table_of(MentorProfile)
MENTORSHIPS = table_of(Mentorship)
CHECKINS = table_of(MentorshipCheckIn)
FEEDBACK = table_of(MentorshipFeedback)

Reader = Session | sa.Connection
#: ``name_of(user_id, display_name)``: the name to show for a member.
NameOf = Callable[[str, "str | None"], str]


@dataclass(frozen=True)
class MentorshipView:
    """A mentorship with its parties as host user ids."""

    id: int
    mentor: str
    mentee: str
    mentor_member_id: int
    mentee_member_id: int
    state: str
    goals: str
    topics: tuple[str, ...]
    language: str | None
    timezone: str | None
    message: str
    requested_at: datetime
    decided_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None
    ended_by: str | None
    mentor_confirmed_at: datetime | None
    mentee_confirmed_at: datetime | None
    retained_at: datetime | None

    def role_of(self, user_id: str | None) -> str | None:
        """``"mentor"``, ``"mentee"`` or ``None`` for someone else."""
        if user_id == self.mentor:
            return "mentor"
        if user_id == self.mentee:
            return "mentee"
        return None

    def other(self, user_id: str | None) -> str:
        """The other party (the mentee for anyone who is not the mentee)."""
        return self.mentor if user_id == self.mentee else self.mentee

    @property
    def waiting_for(self) -> str | None:
        """In ``active``, once one side confirmed completion: the side still to confirm."""
        if self.state != "active" or (self.mentor_confirmed_at is None) == (self.mentee_confirmed_at is None):
            return None
        return "mentee" if self.mentor_confirmed_at else "mentor"

    def confirmed(self, role: str) -> bool:
        return (self.mentor_confirmed_at if role == "mentor" else self.mentee_confirmed_at) is not None


@dataclass(frozen=True)
class CheckInView:
    id: int
    mentorship_id: int
    author: str
    on: date
    notes: str
    created_at: datetime


@dataclass(frozen=True)
class FeedbackView:
    mentorship_id: int
    author: str
    role: str
    rating: int
    comment: str
    created_at: datetime


def _mentorship_select() -> sa.Select[Any]:
    mentor = MEMBERS.alias("mentor")
    mentee = MEMBERS.alias("mentee")
    ender = MEMBERS.alias("ender")
    return (
        sa.select(
            MENTORSHIPS,
            mentor.c.user_id.label("mentor_user"),
            mentee.c.user_id.label("mentee_user"),
            ender.c.user_id.label("ender_user"),
        )
        .join(mentor, mentor.c.id == MENTORSHIPS.c.mentor_id)
        .join(mentee, mentee.c.id == MENTORSHIPS.c.mentee_id)
        .outerjoin(ender, ender.c.id == MENTORSHIPS.c.ended_by)
    )


def _view(row: sa.Row[Any]) -> MentorshipView:
    return MentorshipView(
        id=row.id,
        mentor=row.mentor_user,
        mentee=row.mentee_user,
        mentor_member_id=row.mentor_id,
        mentee_member_id=row.mentee_id,
        state=row.state,
        goals=row.goals,
        topics=tuple(row.topics or ()),
        language=row.language,
        timezone=row.timezone,
        message=row.message,
        requested_at=row.requested_at,
        decided_at=row.decided_at,
        started_at=row.started_at,
        ended_at=row.ended_at,
        end_reason=row.end_reason,
        ended_by=row.ender_user,
        mentor_confirmed_at=row.mentor_confirmed_at,
        mentee_confirmed_at=row.mentee_confirmed_at,
        retained_at=row.retained_at,
    )


def mentorship(reader: Reader, mentorship_id: int) -> MentorshipView | None:
    row = reader.execute(_mentorship_select().where(MENTORSHIPS.c.id == mentorship_id)).first()
    return None if row is None else _view(row)


def mentorships(
    reader: Reader,
    *,
    member_id: int | None = None,
    role: str | None = None,
    states: Sequence[str] | None = None,
    limit: int = 50,
    before: int | None = None,
    oldest_first: bool = False,
) -> list[MentorshipView]:
    """Mentorships of a member (as ``role``, or either side), newest first, in ``states``."""
    query = _mentorship_select()
    if member_id is not None:
        if role == "mentor":
            query = query.where(MENTORSHIPS.c.mentor_id == member_id)
        elif role == "mentee":
            query = query.where(MENTORSHIPS.c.mentee_id == member_id)
        else:
            query = query.where(sa.or_(MENTORSHIPS.c.mentor_id == member_id, MENTORSHIPS.c.mentee_id == member_id))
    if states:
        query = query.where(MENTORSHIPS.c.state.in_(list(states)))
    if before is not None:
        query = query.where(MENTORSHIPS.c.id < before)
    order = MENTORSHIPS.c.id.asc() if oldest_first else MENTORSHIPS.c.id.desc()
    return [_view(row) for row in reader.execute(query.order_by(order).limit(limit))]


def check_ins(reader: Reader, mentorship_id: int, limit: int, before: int | None) -> list[CheckInView]:
    """Newest first."""
    query = (
        sa.select(CHECKINS, MEMBERS.c.user_id)
        .join(MEMBERS, MEMBERS.c.id == CHECKINS.c.author_id)
        .where(CHECKINS.c.mentorship_id == mentorship_id)
    )
    if before is not None:
        query = query.where(CHECKINS.c.id < before)
    rows = reader.execute(query.order_by(CHECKINS.c.id.desc()).limit(limit))
    return [CheckInView(r.id, r.mentorship_id, r.user_id, r.held_on, r.notes, r.created_at) for r in rows]


def feedback(reader: Reader, found: MentorshipView) -> list[FeedbackView]:
    rows = reader.execute(
        sa.select(FEEDBACK, MEMBERS.c.user_id)
        .join(MEMBERS, MEMBERS.c.id == FEEDBACK.c.from_member_id)
        .where(FEEDBACK.c.mentorship_id == found.id)
        .order_by(FEEDBACK.c.id)
    )
    return [
        FeedbackView(found.id, r.user_id, found.role_of(r.user_id) or "", r.rating, r.comment, r.created_at)
        for r in rows
    ]


def member_id(reader: Reader, user_id: str) -> int | None:
    found: int | None = reader.execute(sa.select(MEMBERS.c.id).where(MEMBERS.c.user_id == user_id)).scalar()
    return found


def candidates(
    reader: Reader, name_of: NameOf, *, user_id: str | None = None, only_open: bool = True
) -> list[MentorCandidate]:
    """Mentor profiles of active members (one member's with ``user_id``), with their records."""
    query = sa.select(PROFILES, MEMBERS.c.user_id, MEMBERS.c.display_name).join(
        MEMBERS, MEMBERS.c.id == PROFILES.c.member_id
    )
    if only_open:
        query = query.where(PROFILES.c.open.is_(True), MEMBERS.c.status == "active")
    if user_id is not None:
        query = query.where(MEMBERS.c.user_id == user_id)
    profiles = reader.execute(query.order_by(MEMBERS.c.user_id)).all()
    if not profiles:
        return []
    ids = [p.member_id for p in profiles]
    counts: dict[tuple[int, str], int] = {
        (mentor, state): count
        for mentor, state, count in reader.execute(
            sa.select(MENTORSHIPS.c.mentor_id, MENTORSHIPS.c.state, sa.func.count())
            .where(MENTORSHIPS.c.mentor_id.in_(ids), MENTORSHIPS.c.state.in_(["completed", "ended", *HOLDING_STATES]))
            .group_by(MENTORSHIPS.c.mentor_id, MENTORSHIPS.c.state)
        )
    }
    return [
        MentorCandidate(
            user_id=p.user_id,
            name=name_of(p.user_id, p.display_name),
            topics=tuple(p.topics or ()),
            languages=tuple(p.languages or ()),
            timezone=p.timezone,
            capacity=p.capacity,
            active_count=sum(counts.get((p.member_id, s), 0) for s in HOLDING_STATES),
            completed=counts.get((p.member_id, "completed"), 0),
            ended_early=counts.get((p.member_id, "ended"), 0),
            pitch=p.pitch,
            availability=p.availability,
            open=p.open,
        )
        for p in profiles
    ]
