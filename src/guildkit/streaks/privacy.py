"""The streaks feature's part of a member's data rights (docs/streaks.md, "Data rights").

Export: the freezes they hold, the log of freezes earned, granted and used, and their absences.
Erasing them deletes all of it (nothing of it is anyone else's); their streak counters are the
core's, erased with their other counters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.privacy import rows
from guildkit.streaks.freezes import ABSENCES, FREEZES, LOG

if TYPE_CHECKING:
    from guildkit.erasure import Erasure
    from guildkit.extension import GuildKit
    from guildkit.models import Member


def export(gk: GuildKit, member: Member, conn: sa.Connection) -> dict[str, Any] | None:
    held = conn.scalar(sa.select(FREEZES.c.held).where(FREEZES.c.member_id == member.id))
    log = rows(
        conn,
        sa.select(LOG.c.kind, LOG.c.count, LOG.c.streak, LOG.c.day, LOG.c.at, LOG.c.reason)
        .where(LOG.c.member_id == member.id)
        .order_by(LOG.c.at, LOG.c.id),
    )
    absences = rows(
        conn,
        sa.select(ABSENCES.c.starts_on, ABSENCES.c.ends_on, ABSENCES.c.declared_at)
        .where(ABSENCES.c.member_id == member.id)
        .order_by(ABSENCES.c.starts_on),
    )
    if held is None and not log and not absences:
        return None
    return {"freezes_held": int(held or 0), "freezes": log, "absences": absences}


def erase(gk: GuildKit, erasure: Erasure) -> None:
    conn, member = erasure.conn, erasure.member_id
    for table in (LOG, ABSENCES, FREEZES):
        conn.execute(table.delete().where(table.c.member_id == member))
