"""Reading events back: rows to :mod:`.views`, who may see what, and the list cursors.

Every function takes a ``sa.Connection`` (inside a write transaction) or a ``Session`` (for
reads) and selects columns, never ORM objects, so what it returns is what is stored now.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from guildkit.errors import ValidationError
from guildkit.events.errors import UnknownEvent
from guildkit.events.models import Attendance, Event, EventOrganizer, Rsvp
from guildkit.events.views import AttendanceView, EventView, RsvpView
from guildkit.models import Member, table_of
from guildkit.text import is_row_id

EVENTS = table_of(Event)
ORGANIZERS = table_of(EventOrganizer)
RSVPS = table_of(Rsvp)
ATTENDANCES = table_of(Attendance)
MEMBERS = table_of(Member)

#: Ids beyond a 32-bit INTEGER cannot exist; asking for one is simply "no such event".

Db = sa.Connection | Session


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a host user id (``None``: anonymous), whether they may take part, and
    whether they are staff (``members.manage`` or ``admin``: they see and manage every event)."""

    user_id: str | None = None
    member_id: int | None = None
    active: bool = False
    staff: bool = False

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None and self.active


def check_id(event_id: object) -> int:
    if not is_row_id(event_id):
        raise UnknownEvent(event_id)  # type: ignore[arg-type]
    return event_id


def event_row(db: Db, event_id: int) -> sa.Row[Any]:
    row = db.execute(sa.select(EVENTS).where(EVENTS.c.id == check_id(event_id))).one_or_none()
    if row is None:
        raise UnknownEvent(event_id)
    return row


def member_id_of(db: Db, user_id: str) -> int | None:
    return db.execute(sa.select(MEMBERS.c.id).where(MEMBERS.c.user_id == user_id)).scalar_one_or_none()


def organizer_ids(db: Db, event_id: int) -> list[int]:
    """Member ids of the event's organizers, in the order they were added."""
    query = sa.select(ORGANIZERS.c.member_id).where(ORGANIZERS.c.event_id == event_id).order_by(ORGANIZERS.c.id)
    return list(db.execute(query).scalars())


def can_see(row: sa.Row[Any], viewer: Viewer, organizers: Iterable[int]) -> bool:
    if row.visibility in ("public", "unlisted") or viewer.staff:
        return True
    return viewer.signed_in or (viewer.member_id is not None and viewer.member_id in set(organizers))


def listed_for(viewer: Viewer) -> sa.ColumnElement[bool]:
    """Events a list shows this viewer: public ones, and members-only ones to signed-in members."""
    if viewer.signed_in:
        return EVENTS.c.visibility.in_(("public", "members"))
    return EVENTS.c.visibility == "public"


def views(db: Db, rows: Sequence[sa.Row[Any]]) -> list[EventView]:
    """Event rows as views, with organizers and counts (four queries, whatever the number of rows)."""
    ids = [row.id for row in rows]
    if not ids:
        return []
    organizers: dict[int, list[str]] = {}
    for event_id, user_id in db.execute(
        sa.select(ORGANIZERS.c.event_id, MEMBERS.c.user_id)
        .join(MEMBERS, MEMBERS.c.id == ORGANIZERS.c.member_id)
        .where(ORGANIZERS.c.event_id.in_(ids))
        .order_by(ORGANIZERS.c.id)
    ):
        organizers.setdefault(event_id, []).append(user_id)
    counts: dict[tuple[int, str], int] = {
        (event_id, status): count
        for event_id, status, count in db.execute(
            sa.select(RSVPS.c.event_id, RSVPS.c.status, sa.func.count())
            .where(RSVPS.c.event_id.in_(ids))
            .group_by(RSVPS.c.event_id, RSVPS.c.status)
        )
    }
    attended: dict[int, int] = dict(
        db.execute(
            sa.select(ATTENDANCES.c.event_id, sa.func.count())
            .where(ATTENDANCES.c.event_id.in_(ids))
            .group_by(ATTENDANCES.c.event_id)
        ).all()
    )
    creators = dict(
        db.execute(
            sa.select(MEMBERS.c.id, MEMBERS.c.user_id).where(MEMBERS.c.id.in_({row.created_by for row in rows}))
        ).all()
    )
    return [
        EventView(
            id=row.id,
            title=row.title,
            description=row.description,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            timezone=row.timezone,
            online=row.online,
            location=row.location,
            url=row.url,
            capacity=row.capacity,
            visibility=row.visibility,
            created_by=creators[row.created_by],
            created_at=row.created_at,
            updated_at=row.updated_at,
            sequence=row.sequence,
            cancelled_at=row.cancelled_at,
            cancel_reason=row.cancel_reason,
            organizers=tuple(organizers.get(row.id, ())),
            going=counts.get((row.id, "going"), 0),
            maybe=counts.get((row.id, "maybe"), 0),
            waitlisted=counts.get((row.id, "waitlisted"), 0),
            attended=attended.get(row.id, 0),
            has_checkin_code=row.checkin_code_hash is not None,
        )
        for row in rows
    ]


def event_view(db: Db, event_id: int) -> EventView:
    return views(db, [event_row(db, event_id)])[0]


def rsvp_views(db: Db, event_id: int, *, status: str | None = None, member_id: int | None = None) -> list[RsvpView]:
    """RSVPs of an event (the waitlist in order, the others in the order they answered)."""
    query = (
        sa.select(RSVPS, MEMBERS.c.user_id)
        .join(MEMBERS, MEMBERS.c.id == RSVPS.c.member_id)
        .where(RSVPS.c.event_id == event_id)
        .order_by(RSVPS.c.updated_at, RSVPS.c.id)
    )
    if status is not None:
        query = query.where(RSVPS.c.status == status)
    if member_id is not None:
        query = query.where(RSVPS.c.member_id == member_id)
    rows = db.execute(query).all()
    if member_id is not None:
        return [RsvpView(event_id, row.user_id, row.status, _rank(db, row), row.updated_at) for row in rows]
    waiting = sorted((row.waitlist_position, row.id) for row in rows if row.waitlist_position is not None)
    ranks = {row_id: rank for rank, (_, row_id) in enumerate(waiting, 1)}
    if status == "waitlisted":
        rows = sorted(rows, key=lambda row: ranks[row.id])
    return [RsvpView(event_id, row.user_id, row.status, ranks.get(row.id), row.updated_at) for row in rows]


def _rank(db: Db, row: sa.Row[Any]) -> int | None:
    """The 1-based place on the waitlist: how many waiting members have a position up to this one."""
    if row.waitlist_position is None:
        return None
    return db.execute(
        sa.select(sa.func.count()).where(
            RSVPS.c.event_id == row.event_id,
            RSVPS.c.status == "waitlisted",
            RSVPS.c.waitlist_position <= row.waitlist_position,
        )
    ).scalar_one()


def rsvp_view(db: Db, event_id: int, member_id: int) -> RsvpView | None:
    found = rsvp_views(db, event_id, member_id=member_id)
    return found[0] if found else None


def attendance_views(db: Db, event_id: int, *, member_id: int | None = None) -> list[AttendanceView]:
    organizer = sa.orm.aliased(Member)
    query = (
        sa.select(ATTENDANCES, MEMBERS.c.user_id, organizer.user_id.label("by_user_id"))
        .join(MEMBERS, MEMBERS.c.id == ATTENDANCES.c.member_id)
        .outerjoin(organizer, organizer.id == ATTENDANCES.c.checked_in_by)
        .where(ATTENDANCES.c.event_id == event_id)
        .order_by(ATTENDANCES.c.checked_in_at, ATTENDANCES.c.id)
    )
    if member_id is not None:
        query = query.where(ATTENDANCES.c.member_id == member_id)
    return [
        AttendanceView(event_id, row.user_id, row.method, row.by_user_id, row.checked_in_at, created=False)
        for row in db.execute(query)
    ]


# -- cursors -------------------------------------------------------------------------------


def encode_cursor(starts_at: datetime, event_id: int) -> str:
    raw = json.dumps([starts_at.isoformat(), event_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        starts_at, event_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        moment = datetime.fromisoformat(starts_at)
        if moment.tzinfo is None or not isinstance(event_id, int):
            raise ValueError(cursor)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise ValidationError("cursor is not one this API gave out", field="cursor") from None
    return moment, event_id
