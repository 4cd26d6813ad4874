"""guildkit's own Alembic migrations, run programmatically on any SQLAlchemy engine.

The scripts live in ``guildkit/migrations`` and record their state in their own version table,
``guildkit_alembic_version``, and only ever look at ``guildkit_*`` tables: the host's Alembic
(or Flask-Migrate) history in the same database is never read or touched. There is no ini
file: each call builds an :class:`alembic.config.Config` and hands env.py the connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

#: The table holding guildkit's applied revision (the host's ``alembic_version`` stays theirs).
VERSION_TABLE = "guildkit_alembic_version"
#: Where the migration scripts live (``env.py``, ``versions/``), inside the installed package.
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Every guildkit table name starts with this.
TABLE_PREFIX = "guildkit_"
#: PostgreSQL advisory lock key held while migrating ("guildkit" in ASCII).
ADVISORY_LOCK = 0x6775696C646B6974

_ALEMBIC_LOCK = threading.Lock()


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic ``include_name`` hook: look at guildkit's tables only, never the host's."""
    if type_ == "table":
        return name is not None and name.startswith(TABLE_PREFIX) and name != VERSION_TABLE
    return True


def _is_expression_index(item: object) -> bool:
    if not isinstance(item, sa.Index):
        return False
    return not all(isinstance(expression, sa.Column) for expression in item.expressions)


def include_object_for(dialect: str) -> Callable[[object, str | None, str, bool, object], bool]:
    """Alembic ``include_object`` hook for ``dialect``.

    SQLite reflection loses an index's DESC, so autogenerate would report the leaderboard index
    (``ix_guildkit_balances_rank``) as changed on every run there; indexes with expressions are
    compared on PostgreSQL only (tests/test_migrations.py checks their exact SQL on both).
    """

    def include_object(item: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
        if dialect == "sqlite" and type_ == "index":
            return not (_is_expression_index(item) or _is_expression_index(compare_to))
        return True

    return include_object


def exclude_guildkit(name: str | None, type_: str, parent_names: object) -> bool:
    """``include_name`` hook for the *host's* Alembic env: ignore guildkit's tables.

    Without it, the host's autogenerate sees ``guildkit_*`` tables that are not in its own
    metadata and proposes dropping them. With Flask-Migrate:
    ``Migrate(app, db, include_name=exclude_guildkit)``.
    """
    return type_ != "table" or not (name or "").startswith(TABLE_PREFIX)


def make_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic config for guildkit's migrations; ``connection`` is what env.py migrates."""
    config = Config()
    # Config values go through ConfigParser interpolation, so a literal "%" must be doubled.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(make_config())


@contextmanager
def _migrating(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One connection, in one transaction, ready for migrations.

    The whole run commits or rolls back at once, and concurrent runs (several workers starting
    up) wait for each other: PostgreSQL takes an advisory lock, SQLite ``BEGIN IMMEDIATE``.
    On SQLite, foreign key enforcement is off while migrating (it cannot change inside a
    transaction), as batch mode rebuilds tables by copy, drop and rename; the foreign keys are
    checked before commit and the previous setting is restored.
    """
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        fks_were_on = False
        if sqlite:
            fks_were_on = bool(conn.exec_driver_sql("PRAGMA foreign_keys").scalar())
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            with conn.begin():
                if sqlite:
                    # pysqlite only opens transactions before DML; this makes the DDL atomic.
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                elif conn.dialect.name == "postgresql":
                    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(ADVISORY_LOCK)))
                yield conn
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"guildkit migration broke foreign keys: {broken}")
        finally:
            if sqlite and fks_were_on:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


def _run(engine: sa.Engine, action: Callable[[Config], None]) -> None:
    # Alembic's ``context`` and ``op`` are module-level proxies: one command at a time per process.
    with _ALEMBIC_LOCK, _migrating(engine) as conn:
        action(make_config(conn))


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Apply guildkit's migrations up to ``revision`` (default: the latest)."""
    _run(engine, lambda config: command.upgrade(config, revision))


def downgrade(engine: sa.Engine, revision: str) -> None:
    """Undo guildkit's migrations down to ``revision``.

    ``"base"`` uninstalls guildkit's schema: every ``guildkit_*`` table, the ledger guard, and
    the (then empty) version table too.
    """

    def run(config: Config) -> None:
        command.downgrade(config, revision)
        if revision == "base":
            connection: sa.Connection = config.attributes["connection"]
            sa.Table(VERSION_TABLE, sa.MetaData()).drop(connection, checkfirst=True)

    _run(engine, run)


def current(engine: sa.Engine) -> str | None:
    """The applied guildkit revision, or ``None`` when guildkit's migrations never ran."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def head() -> str | None:
    """The newest revision shipped with this version of guildkit."""
    return script_directory().get_current_head()


def revision(engine: sa.Engine, message: str, *, autogenerate: bool = True) -> None:
    """Write a new revision file (for guildkit developers; see docs/migrations.md).

    ``engine`` must be at head: autogenerate compares it with the models. Revision ids are
    numbered (``0002``, ``0003``, ...), so files sort in the order they apply.
    """
    rev_id = f"{len(list(script_directory().walk_revisions())) + 1:04d}"

    def write(config: Config) -> None:
        command.revision(config, message=message, autogenerate=autogenerate, rev_id=rev_id)

    _run(engine, write)
