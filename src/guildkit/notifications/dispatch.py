"""Finding the notifications owed an email, and queueing each once.

Notifications are rows the core and the features write in their own transactions (they know
nothing of email). The dispatcher reads the new ones and, for each whose member wants it by
email (at once, or in the digest) and that is still unread once ``GUILDKIT_NOTIFICATIONS_EMAIL_DELAY``
has passed, inserts a delivery row. ``notification_id`` is unique there and the insert is
``ON CONFLICT DO NOTHING``: two dispatchers at once, or one run twice, queue a notification once.

It reads from a **watermark**: every notification up to ``last_id`` was looked at. Ids are given
out as rows are inserted but become visible when their transaction commits, so a slow transaction
can commit an id below one already seen; the watermark therefore trails the clock by
:data:`SETTLE` and never passes a notification that is not due yet, and the rows between it and
now are looked at again on each run (the unique key makes that harmless). A notification older
than :data:`STALE` when first seen (the jobs did not run for a day) is not emailed: a flood of
old news helps nobody.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from guildkit.models import Notification, table_of
from guildkit.notifications.hookspecs import NotificationKind
from guildkit.notifications.models import ALL_KINDS, NotificationDelivery, NotificationWatermark
from guildkit.notifications.preferences import BY_EMAIL, PREFERENCES, delivery_of
from guildkit.store import upsert

NOTIFICATIONS = table_of(Notification)
DELIVERIES = table_of(NotificationDelivery)
WATERMARKS = table_of(NotificationWatermark)
#: How long a transaction may take between writing a notification and committing it.
SETTLE = timedelta(minutes=10)
#: Notifications older than this when the dispatcher first sees them are not emailed.
STALE = timedelta(days=1)
WATERMARK = "dispatch"


def _candidates(kinds: Mapping[str, NotificationKind], mark: int, due: datetime, stale: datetime) -> sa.Select[Any]:
    chosen = PREFERENCES.alias("chosen")
    no_email = PREFERENCES.alias("no_email")
    delivery = delivery_of(kinds, NOTIFICATIONS.c.kind, chosen.c.delivery)
    n = NOTIFICATIONS.c
    return (
        sa.select(n.id, n.member_id, n.kind, n.created_at, delivery.label("delivery"))
        .select_from(
            NOTIFICATIONS.outerjoin(chosen, sa.and_(chosen.c.member_id == n.member_id, chosen.c.kind == n.kind))
            .outerjoin(no_email, sa.and_(no_email.c.member_id == n.member_id, no_email.c.kind == ALL_KINDS))
            .outerjoin(DELIVERIES, DELIVERIES.c.notification_id == n.id)
        )
        .where(
            n.id > mark,
            n.created_at <= due,
            n.created_at >= stale,
            n.read_at.is_(None),
            no_email.c.member_id.is_(None),
            DELIVERIES.c.id.is_(None),
            delivery.in_(sorted(BY_EMAIL)),
        )
        .order_by(n.id)
    )


def dispatch(conn: sa.Connection, kinds: Mapping[str, NotificationKind], now: datetime, delay: timedelta) -> int:
    """Queue every due notification owed an email; move the watermark on. Returns how many were queued."""
    conn.execute(upsert(conn.dialect.name, WATERMARKS, ("name",)), {"name": WATERMARK, "last_id": 0, "updated_at": now})
    mark = int(conn.scalar(sa.select(WATERMARKS.c.last_id).where(WATERMARKS.c.name == WATERMARK)) or 0)
    due = now - delay
    rows = [
        {
            "notification_id": row.id,
            "member_id": row.member_id,
            "kind": row.kind,
            "channel": row.delivery,
            "state": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "noted_at": row.created_at,
            "created_at": now,
        }
        for row in conn.execute(_candidates(kinds, mark, due, now - STALE))
    ]
    if rows:
        conn.execute(upsert(conn.dialect.name, DELIVERIES, ("notification_id",)), rows)
    _advance(conn, mark, min(due, now - SETTLE), now)
    return len(rows)


def _advance(conn: sa.Connection, mark: int, limit: datetime, now: datetime) -> None:
    """Move the watermark to the last id before the first notification made after ``limit``."""
    n = NOTIFICATIONS.c
    first_undue = conn.scalar(sa.select(sa.func.min(n.id)).where(n.id > mark, n.created_at > limit))
    last = sa.select(sa.func.max(n.id)).where(n.id > mark, n.created_at <= limit)
    if first_undue is not None:
        last = last.where(n.id < first_undue)
    new = conn.scalar(last)
    if new is not None:
        conn.execute(
            sa.update(WATERMARKS)
            .where(WATERMARKS.c.name == WATERMARK, WATERMARKS.c.last_id < new)
            .values(last_id=new, updated_at=now)
        )
