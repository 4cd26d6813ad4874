"""The definitions version: how a console edit in one process reaches the registries of all the others.

Every console change to a badge or a role bumps ``guildkit_definitions_version`` in the same
transaction. A process remembers the version its registry was built from; ``gk.registry``
compares it with the stored one at most every ``GUILDKIT_DEFINITIONS_CHECK_SECONDS`` (one
primary-key read) and rebuilds when they differ. The process that made the change rebuilds at
once, without waiting.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from guildkit.admin.models import DefinitionsVersion
from guildkit.models import table_of

log = logging.getLogger("guildkit")

VERSIONS = table_of(DefinitionsVersion)
_READ = sa.select(VERSIONS.c.version).where(VERSIONS.c.id == 1)


def read_version(engine: sa.Engine) -> int | None:
    """The stored version (0 before any change), or ``None`` while the table does not exist yet
    (before ``flask guildkit db upgrade``): then there are no console definitions to follow."""
    try:
        with engine.connect() as conn:
            return int(conn.scalar(_READ) or 0)
    except sa.exc.DBAPIError as exc:
        log.debug("guildkit: definitions version unreadable (%s)", exc.orig)
        return None


def bump_version(conn: sa.Connection) -> None:
    """Add one to the version, in the caller's transaction (creating the row the first time)."""
    insert = postgresql.insert(VERSIONS) if conn.dialect.name == "postgresql" else sqlite.insert(VERSIONS)
    conn.execute(
        insert.values(id=1, version=1).on_conflict_do_update(
            index_elements=["id"], set_={"version": VERSIONS.c.version + 1}
        )
    )
