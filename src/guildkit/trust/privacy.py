"""A member's data rights in trust: their level in the export; erasing drops their level row.

The history of their level changes is in their activities (``guildkit.trust_level``), which the
core exports and scrubs; staff's reasons on other members' rows are left as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.models import table_of
from guildkit.trust.models import TrustLevel

if TYPE_CHECKING:
    from guildkit.erasure import Erasure
    from guildkit.extension import GuildKit
    from guildkit.models import Member

LEVELS = table_of(TrustLevel)


def export(gk: GuildKit, member: Member, conn: sa.Connection) -> dict[str, Any]:
    row = conn.execute(
        sa.select(LEVELS.c.level, LEVELS.c.locked, LEVELS.c.reason, LEVELS.c.since, LEVELS.c.lapsed_since).where(
            LEVELS.c.member_id == member.id
        )
    ).first()
    if row is None:
        return {"level": 0, "locked": False, "reason": "", "since": None, "lapsed_since": None}
    return dict(row._mapping)


def erase(gk: GuildKit, erasure: Erasure) -> None:
    erasure.conn.execute(LEVELS.delete().where(LEVELS.c.member_id == erasure.member_id))
