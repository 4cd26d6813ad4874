"""Alembic environment for guildkit's migrations: one environment for every branch.

Run through :mod:`guildkit.migrate` (or ``flask guildkit db upgrade``), which passes the
connection to migrate in ``config.attributes["connection"]`` and the :class:`~guildkit.migrate.Branch`
in ``config.attributes["branch"]``: its version table, and the tables it owns (all autogenerate
looks at). A host's Alembic history and tables are left alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from guildkit.branches import Branch
from guildkit.migrate import include_name, include_object_for
from guildkit.models import Base


def run_migrations() -> None:
    if context.is_offline_mode():
        raise RuntimeError("guildkit's migrations run online only: use guildkit.migrate")
    connection = context.config.attributes.get("connection")
    branch = context.config.attributes.get("branch")
    if not isinstance(connection, sa.Connection) or not isinstance(branch, Branch):
        raise RuntimeError(
            "guildkit's migrations need a connection: run them with "
            "guildkit.migrate.upgrade(engine) or `flask guildkit db upgrade`"
        )
    owned = set(branch.tables)

    def include_branch(name: str | None, type_: str, parent_names: object) -> bool:
        if type_ == "table" and owned:
            return name in owned
        return include_name(name, type_, parent_names)

    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=branch.version_table,
        include_name=include_branch,
        include_object=include_object_for(connection.dialect.name),
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
