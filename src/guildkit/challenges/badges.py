"""The badges challenges define ("Spring answers"), contributed to the registry like any plugin's
(the plugin's ``guildkit_register_badges``), and the version that makes a new one reach every
process's registry.

A challenge that awards a badge defines it: slug ``challenge-<id>``, stored in ``defined_badge``
(unique) and in ``badge``. The instances of a weekly series share their first instance's badge,
which is then repeatable (earned once a week, shown with how many times). Every change to what
a challenge defines adds one to its ``revision``; the plugin adds the sum to the stored
definitions version (``guildkit_definitions_version``, a hook wrapper), so a process whose
registry was built before the change rebuilds, as the seasons feature does for its badges.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from guildkit.challenges.models import Challenge
from guildkit.definitions import BadgeDef
from guildkit.i18n import lazy_gettext
from guildkit.models import table_of

log = logging.getLogger("guildkit")

CHALLENGES = table_of(Challenge)
CATEGORY = "challenges"


def slug_for(challenge_id: int) -> str:
    return f"challenge-{challenge_id}"


def badge_def(slug: str, title: str, weekly: bool) -> BadgeDef:
    criteria = (
        lazy_gettext("Complete the weekly challenge “%(title)s”.", title=title)
        if weekly
        else lazy_gettext("Complete the challenge “%(title)s”.", title=title)
    )
    return BadgeDef(
        slug,
        title,
        lazy_gettext("Completed the challenge “%(title)s”.", title=title),
        category=CATEGORY,
        repeatable=weekly,
        criteria=criteria,
    )


def defined(conn: sa.Connection) -> list[BadgeDef]:
    """The badges the challenges define; none while the table does not exist (before migrating)."""
    if not sa.inspect(conn).has_table(CHALLENGES.name):
        return []
    rows = conn.execute(
        sa.select(CHALLENGES.c.defined_badge, CHALLENGES.c.title, CHALLENGES.c.recurrence)
        .where(CHALLENGES.c.defined_badge.is_not(None))
        .order_by(CHALLENGES.c.defined_badge)
    ).all()
    return [badge_def(row.defined_badge, row.title, row.recurrence == "weekly") for row in rows]


def read_version(engine: sa.Engine) -> int | None:
    """The sum of the revisions of the challenges that define a badge (a challenge without one
    changes no definition), or ``None`` while the table does not exist."""
    try:
        with engine.connect() as conn:
            total = sa.func.coalesce(sa.func.sum(CHALLENGES.c.revision), 0)
            return int(conn.scalar(sa.select(total).where(CHALLENGES.c.defined_badge.is_not(None))) or 0)
    except sa.exc.DBAPIError as exc:
        log.debug("guildkit: challenges version unreadable (%s)", exc.orig)
        return None
