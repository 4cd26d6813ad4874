"""The groups feature's part of a member's data rights.

Their export holds their memberships (asked, invited, member, with their role) and what they
contributed to each goal period. Erasing them ends their memberships (so no group lists them,
and the member counts drop); their contributions stay under their pseudonymised member row,
so every goal's count still adds up, as the ledger does for the boards. A group they made
keeps its other owners; one left with none is managed by ``groups.manage`` holders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.groups.models import Group, GroupGoal, GroupGoalContribution, GroupMembership
from guildkit.models import table_of
from guildkit.privacy import rows

if TYPE_CHECKING:
    from guildkit.erasure import Erasure
    from guildkit.extension import GuildKit
    from guildkit.models import Member

GROUPS = table_of(Group)
MEMBERSHIPS = table_of(GroupMembership)
GOALS = table_of(GroupGoal)
CONTRIBUTIONS = table_of(GroupGoalContribution)


def export(gk: GuildKit, member: Member, conn: sa.Connection) -> dict[str, Any] | None:
    memberships = rows(
        conn,
        sa.select(GROUPS.c.slug.label("group"), GROUPS.c.name, MEMBERSHIPS.c.state, MEMBERSHIPS.c.role,
                  MEMBERSHIPS.c.since)
        .join(GROUPS, GROUPS.c.id == MEMBERSHIPS.c.group_id)
        .where(MEMBERSHIPS.c.member_id == member.id)
        .order_by(GROUPS.c.slug),
    )  # fmt: skip
    contributions = rows(
        conn,
        sa.select(GROUPS.c.slug.label("group"), GOALS.c.name.label("goal"), CONTRIBUTIONS.c.period_start,
                  CONTRIBUTIONS.c.count)
        .join(GOALS, GOALS.c.id == CONTRIBUTIONS.c.goal_id)
        .join(GROUPS, GROUPS.c.id == GOALS.c.group_id)
        .where(CONTRIBUTIONS.c.member_id == member.id)
        .order_by(GROUPS.c.slug, GOALS.c.id, CONTRIBUTIONS.c.period_start),
    )  # fmt: skip
    if not memberships and not contributions:
        return None
    return {"memberships": memberships, "contributions": contributions}


def erase(gk: GuildKit, erasure: Erasure) -> None:
    conn = erasure.conn
    joined = conn.execute(
        sa.select(MEMBERSHIPS.c.group_id).where(MEMBERSHIPS.c.member_id == erasure.member_id,
                                                MEMBERSHIPS.c.state == "member")
    ).scalars().all()  # fmt: skip
    for group_id in sorted(joined):
        conn.execute(GROUPS.update().where(GROUPS.c.id == group_id).values(member_count=GROUPS.c.member_count - 1))
    conn.execute(MEMBERSHIPS.delete().where(MEMBERSHIPS.c.member_id == erasure.member_id))
