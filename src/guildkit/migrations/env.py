"""Alembic environment for guildkit's migrations.

Run through :mod:`guildkit.migrate` (or ``flask guildkit db upgrade``), which passes the
connection to migrate in ``config.attributes["connection"]``. guildkit keeps its own version
table and only looks at ``guildkit_*`` tables, so a host's Alembic history is left alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from guildkit.migrate import VERSION_TABLE, include_name, include_object_for
from guildkit.models import Base


def run_migrations() -> None:
    if context.is_offline_mode():
        raise RuntimeError("guildkit's migrations run online only: use guildkit.migrate")
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, sa.Connection):
        raise RuntimeError(
            "guildkit's migrations need a connection: run them with "
            "guildkit.migrate.upgrade(engine) or `flask guildkit db upgrade`"
        )
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        include_name=include_name,
        include_object=include_object_for(connection.dialect.name),
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
