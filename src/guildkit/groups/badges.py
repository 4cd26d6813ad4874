"""The badges goals define (``group-goal-<id>``, named after the goal), contributed to the
registry like any plugin's (the plugin's ``guildkit_register_badges``), and the version that
makes a new goal's badge reach every process's registry.

Every change to a goal that a badge shows (its making, its group's new name) adds one to its
``revision``; their sum only grows, so the plugin adds it to the stored definitions version
(``guildkit_definitions_version``, a hook wrapper): a process whose registry was built before
the change rebuilds. A goal on a recurring period defines a repeatable badge: its contributors
earn it again each month they reach it.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from guildkit.definitions import BadgeDef
from guildkit.groups.models import Group, GroupGoal
from guildkit.i18n import lazy_gettext
from guildkit.models import table_of

log = logging.getLogger("guildkit")

GOALS = table_of(GroupGoal)
GROUPS = table_of(Group)
CATEGORY = "groups"


def defined(conn: sa.Connection) -> list[BadgeDef]:
    """The badges the goals define; none while the table does not exist (before migrating)."""
    if not sa.inspect(conn).has_table(GOALS.name):
        return []
    rows = conn.execute(
        sa.select(GOALS.c.defined_badge, GOALS.c.name, GOALS.c.recurring, GROUPS.c.name.label("group_name"))
        .join(GROUPS, GROUPS.c.id == GOALS.c.group_id)
        .where(GOALS.c.defined_badge.is_not(None))
        .order_by(GOALS.c.defined_badge)
    ).all()
    return [
        BadgeDef(
            row.defined_badge,
            row.name,
            lazy_gettext("Reached the goal “%(goal)s” together with %(group)s.", goal=row.name, group=row.group_name),
            category=CATEGORY,
            repeatable=row.recurring is not None,
        )
        for row in rows
    ]


def read_version(engine: sa.Engine) -> int | None:
    """The sum of the goals' revisions, or ``None`` while the table does not exist."""
    try:
        with engine.connect() as conn:
            return int(conn.scalar(sa.select(sa.func.coalesce(sa.func.sum(GOALS.c.revision), 0))) or 0)
    except sa.exc.DBAPIError as exc:
        log.debug("guildkit: group goals version unreadable (%s)", exc.orig)
        return None
