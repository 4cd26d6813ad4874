"""The notifications feature's part of a member's data rights: their choices are in their export
(with the emails sent them: what, when, how it went); erasing them deletes all of it. The
notifications themselves are the core's, exported and erased with the member."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.models import table_of
from guildkit.notifications.dispatch import DELIVERIES
from guildkit.notifications.models import NotificationDigest
from guildkit.notifications.preferences import PREFERENCES
from guildkit.privacy import rows

if TYPE_CHECKING:
    from guildkit.erasure import Erasure
    from guildkit.extension import GuildKit
    from guildkit.models import Member

DIGESTS = table_of(NotificationDigest)


def export(gk: GuildKit, member: Member, conn: sa.Connection) -> dict[str, Any] | None:
    m = member.id
    choices = rows(
        conn,
        sa.select(PREFERENCES.c.kind, PREFERENCES.c.delivery, PREFERENCES.c.updated_at)
        .where(PREFERENCES.c.member_id == m)
        .order_by(PREFERENCES.c.kind),
    )
    emails = rows(
        conn,
        sa.select(
            DELIVERIES.c.notification_id, DELIVERIES.c.kind, DELIVERIES.c.channel, DELIVERIES.c.state,
            DELIVERIES.c.sent_at, DELIVERIES.c.error,
        )
        .where(DELIVERIES.c.member_id == m)
        .order_by(DELIVERIES.c.id),
    )  # fmt: skip
    digests = rows(
        conn,
        sa.select(DIGESTS.c.week, DIGESTS.c.state, DIGESTS.c.sent_at)
        .where(DIGESTS.c.member_id == m)
        .order_by(DIGESTS.c.id),
    )
    if not (choices or emails or digests):
        return None
    return {"preferences": choices, "emails": emails, "digests": digests}


def erase(gk: GuildKit, erasure: Erasure) -> None:
    conn, m = erasure.conn, erasure.member_id
    conn.execute(DELIVERIES.delete().where(DELIVERIES.c.member_id == m))
    conn.execute(DIGESTS.delete().where(DIGESTS.c.member_id == m))
    conn.execute(PREFERENCES.delete().where(PREFERENCES.c.member_id == m))
