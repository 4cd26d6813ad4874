"""The kudos feature's part of a member's data rights (docs/kudos.md, "Data rights").

Export: the kudos they gave and received (the other member, the message, when) and their budget
periods.

Erasing them keeps every kudos row, so the other members' walls, points and Generous badges
still add up, and the member shows as "A former member" (the core pseudonymises their row):

* the messages they **gave** are emptied (their own words), and their idempotency keys replaced;
* the messages they **received**, written by others, are scrubbed of their user id and names
  ("Thanks Erin!" becomes "Thanks A former member!");
* their budget rows are deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.kudos.models import Kudos, KudosBudget
from guildkit.models import Member, table_of
from guildkit.privacy import rows

if TYPE_CHECKING:
    from guildkit.erasure import Erasure
    from guildkit.extension import GuildKit

KUDOS = table_of(Kudos)
BUDGETS = table_of(KudosBudget)
MEMBERS = table_of(Member)


def export(gk: GuildKit, member: Member, conn: sa.Connection) -> dict[str, Any] | None:
    other = MEMBERS.alias("other")

    def kudos(mine: sa.Column[int], theirs: sa.Column[int], label: str) -> list[dict[str, Any]]:
        return rows(
            conn,
            sa.select(KUDOS.c.id, other.c.user_id.label(label), KUDOS.c.message, KUDOS.c.given_at)
            .join(other, other.c.id == theirs)
            .where(mine == member.id)
            .order_by(KUDOS.c.id),
        )

    given = kudos(KUDOS.c.giver_id, KUDOS.c.receiver_id, "to")
    received = kudos(KUDOS.c.receiver_id, KUDOS.c.giver_id, "from")
    budgets = rows(
        conn,
        sa.select(BUDGETS.c.period, BUDGETS.c.used).where(BUDGETS.c.member_id == member.id).order_by(BUDGETS.c.period),
    )
    if not (given or received or budgets):
        return None
    return {"given": given, "received": received, "budgets": budgets}


def erase(gk: GuildKit, erasure: Erasure) -> None:
    conn, member = erasure.conn, erasure.member_id
    conn.execute(
        KUDOS.update()
        .where(KUDOS.c.giver_id == member)
        .values(message="", key=sa.literal("erased:") + sa.cast(KUDOS.c.id, sa.String))
    )
    erasure.scrub_rows(KUDOS, KUDOS.c.receiver_id == member, ("message",))
    conn.execute(BUDGETS.delete().where(BUDGETS.c.member_id == member))
