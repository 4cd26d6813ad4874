"""Check-in codes and attendance.

Organizers make (and remake) an event's check-in code: 8 characters from an alphabet without
look-alikes (no ``0/O``, ``1/I/L``). Only its SHA-256 is stored, and a code is compared in
constant time. It works from ``GUILDKIT_CHECKIN_WINDOW_MINUTES`` before the start to as long
after the end. Organizers can also check a member in themselves (from the window's opening on,
also after the event, to record who came).

Attendance is recorded once per member and event (a unique constraint): the first check-in
records the activity ``event.attended``; the event's first attendance also records
``event.organized`` for each organizer. A second check-in changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from guildkit.errors import InvalidTransition, NotAllowed, ValidationError
from guildkit.events.hookspecs import RsvpChange
from guildkit.events.reading import ATTENDANCES, MEMBERS, ORGANIZERS, RSVPS, attendance_views, organizer_ids
from guildkit.events.rsvp import WHAT, lock_event
from guildkit.events.views import AttendanceView
from guildkit.events.when import event_time
from guildkit.i18n import gettext as _
from guildkit.transaction import Transaction

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))


def normalize(code: str) -> str:
    """What people type: any case, with spaces or dashes between groups."""
    return "".join(code.split()).replace("-", "").upper()


def code_hash(event_id: int, code: str) -> str:
    return hashlib.sha256(f"guildkit-event:{event_id}:{normalize(code)}".encode()).hexdigest()


def window(event: Any, minutes: int) -> tuple[datetime, datetime]:
    """When the check-in code works: ``minutes`` before the start to ``minutes`` after the end."""
    margin = timedelta(minutes=minutes)
    return event.starts_at - margin, event.ends_at + margin


def organized_activity(tx: Transaction, event_id: int, user_id: str) -> None:
    tx.record(
        "event.organized",
        key=f"event.organized:{event_id}:{user_id}",
        actor=user_id,
        subject=f"event:{event_id}",
        payload={"event_id": event_id},
    )


def has_attendance(tx: Transaction, event_id: int) -> bool:
    query = sa.select(ATTENDANCES.c.id).where(ATTENDANCES.c.event_id == event_id).limit(1)
    return tx.conn.execute(query).first() is not None


def check_code(tx: Transaction, event: Any, code: str, minutes: int) -> None:
    opens, closes = window(event, minutes)
    if not opens <= tx.now <= closes:
        raise NotAllowed(
            _(
                "check-in with a code is open from %(opens)s to %(closes)s (%(zone)s)",
                opens=event_time(opens, event.timezone),
                closes=event_time(closes, event.timezone),
                zone=event.timezone,
            ),
            opens=opens,
            closes=closes,
        )
    if event.checkin_code_hash is None:
        raise NotAllowed(_("the organizers have not made a check-in code for this event yet"))
    if not hmac.compare_digest(code_hash(event.id, code), event.checkin_code_hash):
        raise ValidationError(_("that is not this event's check-in code"), field="code")


def check_in(
    tx: Transaction,
    event_id: int,
    user_id: str,
    *,
    code: str | None,
    by: str | None,
    staff: bool,
    minutes: int,
) -> AttendanceView:
    """Record that ``user_id`` came. With ``code`` (and no other ``by``) it is a self check-in;
    otherwise ``by`` checks them in: an organizer of the event, or ``staff``."""
    event = lock_event(tx, event_id)
    if event.cancelled_at is not None:
        raise InvalidTransition(WHAT, "cancelled", "check in to")
    by_member: int | None = None
    if code is not None and by in (None, user_id):
        method = "code"
        check_code(tx, event, code, minutes)
    elif by is None:
        raise ValidationError(_("enter the event's check-in code"), field="code")
    else:
        by_member = tx.members(by)[by]
        if not staff and by_member not in organizer_ids(tx.conn, event_id):
            raise NotAllowed(_("only the event's organizers can check members in without the code"))
        opens = window(event, minutes)[0]
        if tx.now < opens:
            raise NotAllowed(
                _("check-in opens %(opens)s (%(zone)s)", opens=event_time(opens, event.timezone), zone=event.timezone),
                opens=opens,
            )
        method = "organizer"
    member_id = tx.members(user_id)[user_id]
    existing = attendance_views(tx.conn, event_id, member_id=member_id)
    if existing:
        return existing[0]
    first = not has_attendance(tx, event_id)
    tx.conn.execute(
        sa.insert(ATTENDANCES).values(
            event_id=event_id, member_id=member_id, method=method, checked_in_by=by_member, checked_in_at=tx.now
        )
    )
    tx.record(
        "event.attended",
        key=f"event.attended:{event_id}:{user_id}",
        actor=user_id,
        subject=f"event:{event_id}",
        payload={"event_id": event_id, "method": method},
    )
    if first:
        organizers = tx.conn.execute(
            sa.select(MEMBERS.c.user_id)
            .join(ORGANIZERS, ORGANIZERS.c.member_id == MEMBERS.c.id)
            .where(ORGANIZERS.c.event_id == event_id)
            .order_by(ORGANIZERS.c.id)
        ).scalars()
        for organizer_user in list(organizers):
            organized_activity(tx, event_id, organizer_user)
    rsvp = tx.conn.execute(
        sa.select(RSVPS.c.status).where(RSVPS.c.event_id == event_id, RSVPS.c.member_id == member_id)
    ).scalar_one_or_none()
    tx.announce("rsvp_changed", change=RsvpChange(event_id, user_id, rsvp, "attended", by=by or user_id))
    return AttendanceView(event_id, user_id, method, by if by_member is not None else None, tx.now, created=True)
