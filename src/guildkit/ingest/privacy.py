"""The ingest feature's part of a member's data rights: the activities naming them that wait in
the inbox (pending, or failed) are in their export, and erasing them deletes those rows: an
activity recorded after the erasure would make the erased user a member again."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.ingest.inbox import INBOX
from guildkit.privacy import rows

if TYPE_CHECKING:
    from guildkit.erasure import Erasure
    from guildkit.extension import GuildKit
    from guildkit.models import Member


def _theirs(user_id: str) -> sa.ColumnElement[bool]:
    return sa.or_(INBOX.c.actor == user_id, INBOX.c.target == user_id)


def export(gk: GuildKit, member: Member, conn: sa.Connection) -> list[dict[str, Any]] | None:
    query = sa.select(
        INBOX.c.key,
        INBOX.c.type,
        INBOX.c.actor,
        INBOX.c.target,
        INBOX.c.subject,
        INBOX.c.payload,
        INBOX.c.occurred_at,
        INBOX.c.accepted_at,
        INBOX.c.status,
        INBOX.c.error,
    ).where(_theirs(member.user_id))
    found = rows(conn, query.order_by(INBOX.c.id))
    return found or None


def erase(gk: GuildKit, erasure: Erasure) -> None:
    erasure.conn.execute(sa.delete(INBOX).where(_theirs(erasure.user_id)))
