"""A member's data rights in events: their RSVPs, attendance and organizing in the export.

Erasing withdraws their RSVPs to events still to come (their place goes to the first member on
the waitlist, as when anyone leaves) and keeps the rest: past RSVPs and attendance (the events'
history and counts, no text), and the events they made or organize, which are the community's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.events import rsvp
from guildkit.events.reading import ATTENDANCES, EVENTS, ORGANIZERS, RSVPS
from guildkit.privacy import rows

if TYPE_CHECKING:
    from guildkit.erasure import Erasure
    from guildkit.extension import GuildKit
    from guildkit.models import Member


def export(gk: GuildKit, member: Member, conn: sa.Connection) -> dict[str, Any]:
    return {
        "rsvps": rows(
            conn,
            sa.select(
                RSVPS.c.event_id,
                EVENTS.c.title,
                EVENTS.c.starts_at,
                RSVPS.c.status,
                RSVPS.c.waitlist_position,
                RSVPS.c.created_at,
                RSVPS.c.updated_at,
            )
            .join(EVENTS, EVENTS.c.id == RSVPS.c.event_id)
            .where(RSVPS.c.member_id == member.id)
            .order_by(RSVPS.c.id),
        ),
        "attended": rows(
            conn,
            sa.select(ATTENDANCES.c.event_id, EVENTS.c.title, ATTENDANCES.c.method, ATTENDANCES.c.checked_in_at)
            .join(EVENTS, EVENTS.c.id == ATTENDANCES.c.event_id)
            .where(ATTENDANCES.c.member_id == member.id)
            .order_by(ATTENDANCES.c.id),
        ),
        "organizing": rows(
            conn,
            sa.select(ORGANIZERS.c.event_id, EVENTS.c.title, ORGANIZERS.c.added_at)
            .join(EVENTS, EVENTS.c.id == ORGANIZERS.c.event_id)
            .where(ORGANIZERS.c.member_id == member.id)
            .order_by(ORGANIZERS.c.id),
        ),
        "created": rows(
            conn,
            sa.select(EVENTS.c.id.label("event_id"), EVENTS.c.title, EVENTS.c.created_at)
            .where(EVENTS.c.created_by == member.id)
            .order_by(EVENTS.c.id),
        ),
    }


def erase(gk: GuildKit, erasure: Erasure) -> None:
    tx = erasure.tx
    upcoming = tx.conn.execute(
        sa.select(RSVPS.c.event_id)
        .join(EVENTS, EVENTS.c.id == RSVPS.c.event_id)
        .where(RSVPS.c.member_id == erasure.member_id, EVENTS.c.ends_at > tx.now, EVENTS.c.cancelled_at.is_(None))
        .order_by(RSVPS.c.event_id)
    ).scalars()
    for event_id in list(upcoming):
        event = rsvp.lock_event(tx, event_id)
        tx.conn.execute(RSVPS.delete().where(RSVPS.c.event_id == event_id, RSVPS.c.member_id == erasure.member_id))
        rsvp.promote(tx, event)
