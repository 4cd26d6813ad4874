"""Awarding a reached goal: the goal's badge to each contributor, and the news to the group.

Runs after the recording transaction that reached the goal has committed (the groups plugin
answers ``guildkit_group_goal_reached`` first), in a transaction of its own, keyed on the
group's badge row: with that row locked and its ``awarded_at`` still empty, every active member
with at least the goal's ``min_contribution`` of the period's activities is given the badge as
an ordinary ``guildkit.award`` activity (key ``groups.goal:<goal>:<period>:<user>``), every
member of the group is told, and ``awarded_at`` is set, all in one commit. A crash before that
commit leaves the award due, and the ``guildkit.groups.upkeep`` job (or the next call) awards it;
the keys make an award already recorded a no-op, so nobody gets a goal's badge twice.

This transaction locks the badge row, then the contributors' member rows; a recording locks
its members, then the goal's counter rows. Neither holds what the other takes first.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from guildkit.builtin.manual import AWARD, award_payload
from guildkit.errors import GuildKitError
from guildkit.groups.models import Group, GroupBadge, GroupGoal, GroupGoalContribution, GroupMembership
from guildkit.i18n import N_
from guildkit.models import Member, table_of
from guildkit.notes import Said

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

GROUPS = table_of(Group)
GOALS = table_of(GroupGoal)
BADGES = table_of(GroupBadge)
CONTRIBUTIONS = table_of(GroupGoalContribution)
MEMBERSHIPS = table_of(GroupMembership)
MEMBERS = table_of(Member)
REACHED = "groups.goal_reached"
log = logging.getLogger("guildkit")


def award_key(goal_id: int, period_start: datetime, user_id: str) -> str:
    return f"groups.goal:{goal_id}:{period_start.strftime('%Y%m%dT%H%M%SZ')}:{user_id}"


def reason(goal_name: str, group_name: str) -> str:
    """What the award says, as written (English), like every award's reason."""
    return N_("Reached the goal “%(goal)s” together with %(group)s") % {"goal": goal_name, "group": group_name}


def award(gk: GuildKit, goal_id: int, period_start: datetime) -> int:
    """Award the goal period's contributors once; returns how many badges this call gave."""
    with gk.store.engine.connect() as conn:
        found = conn.execute(
            sa.select(GOALS.c.name, GOALS.c.badge, GOALS.c.min_contribution, GOALS.c.group_id,
                      GROUPS.c.name.label("group_name"))
            .join(GROUPS, GROUPS.c.id == GOALS.c.group_id)
            .where(GOALS.c.id == goal_id)
        ).first()  # fmt: skip
    if found is None:
        return 0
    if found.badge not in gk.registry.badges:
        gk.reload_definitions()  # a badge a goal defined in another process
    payload = award_payload(gk.registry, reason(found.name, found.group_name), badge=found.badge, level=1)

    def body(tx: Transaction) -> int:
        query = sa.select(BADGES.c.id, BADGES.c.awarded_at).where(
            BADGES.c.goal_id == goal_id, BADGES.c.period_start == period_start
        )
        if tx.dialect == "postgresql":
            query = query.with_for_update()
        row = tx.conn.execute(query).first()
        if row is None or row.awarded_at is not None:
            return 0
        contributors = tx.conn.execute(
            sa.select(MEMBERS.c.user_id)
            .join(CONTRIBUTIONS, CONTRIBUTIONS.c.member_id == MEMBERS.c.id)
            .where(
                CONTRIBUTIONS.c.goal_id == goal_id,
                CONTRIBUTIONS.c.period_start == period_start,
                CONTRIBUTIONS.c.count >= found.min_contribution,
                MEMBERS.c.status == "active",
            )
            .order_by(MEMBERS.c.id)
        ).scalars().all()  # fmt: skip
        given = 0
        for user_id in contributors:
            result = tx.record(AWARD, key=award_key(goal_id, period_start, user_id), target=user_id, payload=payload)
            given += int(not result.duplicate and any(b.granted for b in result.badges))
        members = tx.conn.execute(
            sa.select(MEMBERSHIPS.c.member_id).where(
                MEMBERSHIPS.c.group_id == found.group_id, MEMBERSHIPS.c.state == "member"
            )
        ).scalars().all()  # fmt: skip
        said = Said(N_("%(group)s reached its goal “%(goal)s”."), {"group": found.group_name, "goal": found.name})
        for member_id in members:
            tx.tell(member_id, REACHED, said, subject=f"group:{found.group_id}", badge=found.badge)
        tx.conn.execute(BADGES.update().where(BADGES.c.id == row.id).values(awarded_at=tx.now))
        return given

    given: int = gk.transaction(body)
    return given


def award_due(gk: GuildKit) -> int:
    """Award every goal period reached and not yet awarded (the job); returns the badges given.
    One that cannot be awarded now (its badge gone) stays due and does not stop the others."""
    with gk.store.engine.connect() as conn:
        due = conn.execute(
            sa.select(BADGES.c.goal_id, BADGES.c.period_start)
            .where(BADGES.c.awarded_at.is_(None))
            .order_by(BADGES.c.reached_at, BADGES.c.id)
        ).all()
    given = 0
    for goal_id, period_start in due:
        try:
            given += award(gk, goal_id, period_start)
        except GuildKitError as exc:
            log.warning("guildkit: the badges of goal %s are still due: %s", goal_id, exc)
    return given
