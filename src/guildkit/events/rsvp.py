"""RSVPs and the waitlist, inside one write transaction.

Each change runs with the event row locked (``FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN
IMMEDIATE`` serializes every writer), so counting the ``going`` RSVPs and acting on the count
cannot race: an event never has more people going than its capacity, and the waitlist is
first come, first served.

* ``going`` while there is room (and nobody waiting) → ``going``; otherwise ``waitlisted``,
  at the end of the queue.
* Leaving ``going`` (for ``maybe`` or ``not_going``), or a raised capacity, moves the first
  waiting members to ``going`` in the same transaction; each is notified.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from guildkit.errors import InvalidTransition, ValidationError
from guildkit.events.errors import UnknownEvent
from guildkit.events.hookspecs import RsvpChange
from guildkit.events.reading import EVENTS, MEMBERS, RSVPS, check_id, rsvp_view
from guildkit.events.views import RsvpView
from guildkit.i18n import N_
from guildkit.i18n import gettext as _
from guildkit.notes import Said
from guildkit.transaction import Transaction

#: The answers a member may give; ``waitlisted`` is where ``going`` lands when the event is full.
ANSWERS = ("going", "maybe", "not_going")
WHAT = "community event"


def lock_event(tx: Transaction, event_id: int) -> sa.Row[Any]:
    """The event's row, locked for the rest of the transaction."""
    tx.lock(EVENTS, check_id(event_id))
    row = tx.conn.execute(sa.select(EVENTS).where(EVENTS.c.id == event_id)).one_or_none()
    if row is None:
        raise UnknownEvent(event_id)
    return row


def open_for_answers(tx: Transaction, event: sa.Row[Any], action: str) -> None:
    if event.cancelled_at is not None:
        raise InvalidTransition(WHAT, "cancelled", action)
    if tx.now >= event.ends_at:
        raise InvalidTransition(WHAT, "over", action)


def count(tx: Transaction, event_id: int, status: str) -> int:
    query = sa.select(sa.func.count()).where(RSVPS.c.event_id == event_id, RSVPS.c.status == status)
    return tx.conn.execute(query).scalar_one()


def answer(tx: Transaction, event_id: int, user_id: str, status: str) -> RsvpView:
    """Set ``user_id``'s answer to ``status`` (one of :data:`ANSWERS`)."""
    if status not in ANSWERS:
        raise ValidationError(
            _("%(field)s must be one of %(choices)s", field="status", choices=", ".join(ANSWERS)), field="status"
        )
    event = lock_event(tx, event_id)
    open_for_answers(tx, event, "RSVP to")
    member_id = tx.members(user_id)[user_id]
    current = tx.conn.execute(
        sa.select(RSVPS.c.id, RSVPS.c.status).where(RSVPS.c.event_id == event_id, RSVPS.c.member_id == member_id)
    ).one_or_none()
    old = current.status if current is not None else None
    unchanged = old == status or (status == "going" and old == "waitlisted")
    if not unchanged:
        new, position = status, None
        if status == "going" and not has_room(tx, event):
            new, position = "waitlisted", next_position(tx, event_id)
        values = {"status": new, "waitlist_position": position, "updated_at": tx.now}
        if current is None:
            tx.conn.execute(
                sa.insert(RSVPS).values(event_id=event_id, member_id=member_id, created_at=tx.now, **values)
            )
        else:
            tx.conn.execute(sa.update(RSVPS).where(RSVPS.c.id == current.id).values(**values))
        tx.announce("rsvp_changed", change=RsvpChange(event_id, user_id, old, new, by=user_id))
        if old == "going":
            promote(tx, event)
    view = rsvp_view(tx.conn, event_id, member_id)
    assert view is not None
    return view


def has_room(tx: Transaction, event: sa.Row[Any]) -> bool:
    """Room for one more ``going``: under capacity, and nobody already waiting for a place."""
    if event.capacity is None:
        return True
    return count(tx, event.id, "going") < event.capacity and count(tx, event.id, "waitlisted") == 0


def next_position(tx: Transaction, event_id: int) -> int:
    query = sa.select(sa.func.max(RSVPS.c.waitlist_position)).where(RSVPS.c.event_id == event_id)
    return (tx.conn.execute(query).scalar_one() or 0) + 1


def promote(tx: Transaction, event: sa.Row[Any]) -> list[str]:
    """Move the first waiting members into free places; returns their user ids.

    The caller holds the event's lock and passes the row as it is now (its capacity may just
    have been raised).
    """
    if event.capacity is None:
        free = None
    else:
        free = event.capacity - count(tx, event.id, "going")
        if free <= 0:
            return []
    query = (
        sa.select(RSVPS.c.id, RSVPS.c.member_id, MEMBERS.c.user_id)
        .join(MEMBERS, MEMBERS.c.id == RSVPS.c.member_id)
        .where(RSVPS.c.event_id == event.id, RSVPS.c.status == "waitlisted")
        .order_by(RSVPS.c.waitlist_position)
        .limit(free)
    )
    moved = []
    for row in tx.conn.execute(query).all():
        tx.conn.execute(
            sa.update(RSVPS)
            .where(RSVPS.c.id == row.id)
            .values(status="going", waitlist_position=None, updated_at=tx.now)
        )
        said = Said(N_("A place opened up: you are now going to %(event)s."), {"event": event.title})
        tx.tell(row.member_id, "event.promoted", said, event_id=event.id)
        tx.announce("rsvp_changed", change=RsvpChange(event.id, row.user_id, "waitlisted", "going", by=None))
        moved.append(row.user_id)
    return moved


def tell_everyone_coming(tx: Transaction, event_id: int, kind: str, said: Said, *, besides: int | None) -> None:
    """Notify every member going, maybe going or waiting (except ``besides``, who made the change)."""
    query = sa.select(RSVPS.c.member_id).where(
        RSVPS.c.event_id == event_id, RSVPS.c.status.in_(("going", "maybe", "waitlisted"))
    )
    for member_id in tx.conn.execute(query).scalars():
        if member_id != besides:
            tx.tell(member_id, kind, said, event_id=event_id)
