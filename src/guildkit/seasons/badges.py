"""The badges seasons define ("Top 10 of Spring 2027"), contributed to the registry like any
plugin's (the plugin's ``guildkit_register_badges``), and the version that makes a season's
change reach every process's registry.

A season that defines its badge stores the slug in ``defined_badge`` (unique). Every change to
a season adds one to its ``revision``; the sum of the revisions only grows, so the plugin adds
it to the stored definitions version (``guildkit_definitions_version``, a hook wrapper around
the admin console's answer): a process whose registry was built before the change rebuilds.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from guildkit.definitions import BadgeDef
from guildkit.i18n import lazy_gettext
from guildkit.models import table_of
from guildkit.seasons.models import Season
from guildkit.seasons.views import award_name

log = logging.getLogger("guildkit")

SEASONS = table_of(Season)
CATEGORY = "seasons"


def badge_def(slug: str, top_n: int, name: str) -> BadgeDef:
    return BadgeDef(
        slug,
        award_name(top_n, name),
        lazy_gettext("Finished in the top %(num)s of the %(season)s season.", num=top_n, season=name),
        category=CATEGORY,
    )


def defined(conn: sa.Connection) -> list[BadgeDef]:
    """The badges the seasons define; none while the table does not exist (before migrating)."""
    if not sa.inspect(conn).has_table(SEASONS.name):
        return []
    rows = conn.execute(
        sa.select(SEASONS.c.defined_badge, SEASONS.c.top_n, SEASONS.c.name)
        .where(SEASONS.c.defined_badge.is_not(None))
        .order_by(SEASONS.c.defined_badge)
    ).all()
    return [badge_def(row.defined_badge, int(row.top_n), row.name) for row in rows]


def read_version(engine: sa.Engine) -> int | None:
    """The sum of the seasons' revisions, or ``None`` while the table does not exist."""
    try:
        with engine.connect() as conn:
            return int(conn.scalar(sa.select(sa.func.coalesce(sa.func.sum(SEASONS.c.revision), 0))) or 0)
    except sa.exc.DBAPIError as exc:
        log.debug("guildkit: seasons version unreadable (%s)", exc.orig)
        return None
