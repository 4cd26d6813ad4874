"""guildkit's own Alembic migrations, one history per part, run programmatically on any engine.

The core and each feature with tables keep their own history (a :class:`Branch`): the core's
scripts live in ``guildkit/migrations/versions``, a feature's in ``guildkit/<feature>/migrations``
(handed over by its plugin, ``guildkit_register_migrations``), each with its own version table
(``guildkit_alembic_version`` for the core, ``guildkit_<feature>_alembic_version``). So a host
without mentorship has no mentorship tables, and switching a feature on later creates them.
All branches share one Alembic environment (``guildkit/migrations/env.py``) and look only at
their own tables: the host's Alembic (or Flask-Migrate) history in the same database is never
read or touched. There is no ini file: each call builds an :class:`alembic.config.Config`.

Databases made by guildkit 0.1, whose single history (revisions ``0001``-``0009``) made every
table, are *adopted* at its last revision, ``0009``: each branch is stamped at its baseline, which
describes exactly the tables 0.1 made (an older 0.1 revision is refused: upgrade it with 0.1
first). A feature's tables that already exist without a version (a feature switched off and on
again) are adopted the same way instead of being created twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from guildkit import schema_0_1
from guildkit.branches import VERSION_TABLE, Branch, feature_branch
from guildkit.errors import ConfigurationError
from guildkit.models import CORE_TABLES, ledger_guard_ddl, score_counts_ddl
from guildkit.plugins import contributions, make_plugin_manager

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

#: The shared Alembic environment (``env.py``, the script template) and the core's scripts.
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: guildkit 0.1's single history: the revision its databases are adopted at, and the ones before it.
LEGACY_HEAD = "0009"
LEGACY_REVISIONS = frozenset(f"{n:04d}" for n in range(1, 10))
#: Every guildkit table name starts with this.
TABLE_PREFIX = "guildkit_"
#: PostgreSQL advisory lock key held while migrating ("guildkit" in ASCII).
ADVISORY_LOCK = 0x6775696C646B6974

_ALEMBIC_LOCK = threading.Lock()

__all__ = [
    "VERSION_TABLE",
    "Branch",
    "branches",
    "current",
    "currents",
    "downgrade",
    "exclude_guildkit",
    "feature_branch",
    "head",
    "heads",
    "revision",
    "upgrade",
]


CORE = Branch("core", MIGRATIONS_DIR / "versions", tuple(t.name for t in CORE_TABLES), "core_0001")


def branches(gk: GuildKit | None = None) -> list[Branch]:
    """The core's branch, then those of ``gk``'s plugins; without ``gk``, those of guildkit's own
    plugins (every first-party feature), asked with ``gk=None``."""
    if gk is not None:
        return [CORE, *gk.migration_branches()]
    found = contributions(make_plugin_manager(), "guildkit_register_migrations", gk=None)
    return [CORE, *(branch for _, contributed in found for branch in contributed or ())]


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic ``include_name`` hook: look at guildkit's tables only, never the host's."""
    if type_ == "table":
        return name is not None and name.startswith(TABLE_PREFIX) and not name.endswith("alembic_version")
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


def make_config(branch: Branch = CORE, connection: sa.Connection | None = None) -> Config:
    """An Alembic config for ``branch``; ``connection`` is what env.py migrates."""
    config = Config()
    # Config values go through ConfigParser interpolation, so a literal "%" must be doubled.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(branch.directory).replace("%", "%%"))
    config.attributes["branch"] = branch
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def script_directory(branch: Branch = CORE) -> ScriptDirectory:
    return ScriptDirectory.from_config(make_config(branch))


def _reinstall_triggers(conn: sa.Connection) -> None:
    """Install the core's triggers that are missing while their tables exist (idempotent DDL)."""
    inspector = sa.inspect(conn)
    tables = set(inspector.get_table_names())
    statements = ledger_guard_ddl(conn.dialect.name) if "guildkit_ledger" in tables else []
    if "guildkit_score_counts" in tables:
        # Before core_0006 there were no excluded roles: the triggers of the schema that is there.
        exclusions = any(c["name"] == "excluded_roles" for c in inspector.get_columns("guildkit_members"))
        statements += score_counts_ddl(conn.dialect.name, exclusions=exclusions)
    for statement in statements:
        conn.exec_driver_sql(statement)


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
            # A rename in the modern mode re-parses every trigger, and the leaderboard triggers
            # name guildkit_members, which a batch rebuild has just dropped: keep the old mode.
            conn.exec_driver_sql("PRAGMA legacy_alter_table=ON")
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
                    # A batch rebuild drops the table's triggers with it: put back any missing.
                    _reinstall_triggers(conn)
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"guildkit migration broke foreign keys: {broken}")
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA legacy_alter_table=OFF")
            if sqlite and fks_were_on:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


def _revision_of(conn: sa.Connection, branch: Branch) -> str | None:
    context = MigrationContext.configure(conn, opts={"version_table": branch.version_table})
    return context.get_current_revision()


def _stamp(conn: sa.Connection, branch: Branch, revision: str) -> None:
    command.stamp(make_config(branch, conn), revision, purge=True)


def _adopt(conn: sa.Connection, wanted: Sequence[Branch]) -> None:
    """Stamp a guildkit 0.1 database's branches at their baselines, and any branch whose tables
    exist without a version: at its baseline when 0.1's tables are what is there, else at its head
    (the tables were made from today's models, by ``create_all`` while the feature was off)."""
    current = _revision_of(conn, CORE)
    if current in LEGACY_REVISIONS - {LEGACY_HEAD}:
        raise ConfigurationError(
            f"this database is at guildkit 0.1's revision {current}: upgrade it to {LEGACY_HEAD} with "
            "guildkit 0.1 first (`flask guildkit db upgrade`), then with this version"
        )
    if current == LEGACY_HEAD:
        _stamp(conn, CORE, CORE.baseline)
    existing = set(sa.inspect(conn).get_table_names())
    for branch in wanted:
        if branch is CORE or _revision_of(conn, branch) is not None:
            continue
        made_by_0_1 = set(schema_0_1.TABLES.get(branch.name, ()))
        if made_by_0_1 and made_by_0_1 <= existing and (current == LEGACY_HEAD or made_by_0_1 - set(branch.tables)):
            _stamp(conn, branch, branch.baseline)
        elif branch.tables and set(branch.tables) <= existing:
            _stamp(conn, branch, "head")


def _run(engine: sa.Engine, action: Callable[[sa.Connection], None]) -> None:
    # Alembic's ``context`` and ``op`` are module-level proxies: one command at a time per process.
    with _ALEMBIC_LOCK, _migrating(engine) as conn:
        action(conn)


def upgrade(engine: sa.Engine, revision: str = "head", *, gk: GuildKit | None = None) -> None:
    """Apply guildkit's migrations: the core's up to ``revision`` (default: the latest), then,
    at ``head``, every feature's of ``gk`` (of every first-party feature without ``gk``)."""
    wanted = branches(gk) if revision == "head" else [CORE]

    def run(conn: sa.Connection) -> None:
        _adopt(conn, wanted)
        command.upgrade(make_config(CORE, conn), revision)
        for branch in wanted[1:]:
            command.upgrade(make_config(branch, conn), "head")

    _run(engine, run)


def downgrade(engine: sa.Engine, revision: str, *, gk: GuildKit | None = None) -> None:
    """Undo the core's migrations down to ``revision``.

    ``"base"`` uninstalls guildkit's schema: every feature's tables first, then the core's, the
    ledger guard, and the (then empty) version tables too.
    """

    def run(conn: sa.Connection) -> None:
        if revision == "base":
            for branch in reversed(branches(gk)[1:]):
                if _revision_of(conn, branch) is not None:
                    command.downgrade(make_config(branch, conn), "base")
                sa.Table(branch.version_table, sa.MetaData()).drop(conn, checkfirst=True)
        command.downgrade(make_config(CORE, conn), revision)
        if revision == "base":
            sa.Table(VERSION_TABLE, sa.MetaData()).drop(conn, checkfirst=True)

    _run(engine, run)


def current(engine: sa.Engine) -> str | None:
    """The applied core revision, or ``None`` when guildkit's migrations never ran."""
    with engine.connect() as conn:
        return _revision_of(conn, CORE)


def currents(engine: sa.Engine, gk: GuildKit | None = None) -> dict[str, str | None]:
    """The applied revision of every branch, by name."""
    with engine.connect() as conn:
        return {branch.name: _revision_of(conn, branch) for branch in branches(gk)}


def head(branch: Branch = CORE) -> str | None:
    """The newest revision of ``branch`` shipped with this version of guildkit."""
    return script_directory(branch).get_current_head()


def heads(gk: GuildKit | None = None) -> dict[str, str | None]:
    return {branch.name: head(branch) for branch in branches(gk)}


def revision(engine: sa.Engine, message: str, *, branch: Branch = CORE, autogenerate: bool = True) -> None:
    """Write a new revision file of ``branch`` (for guildkit developers; see docs/migrations.md).

    ``engine`` must be at head: autogenerate compares it with the branch's tables. Revision ids
    are the branch name and a number (``core_0002``, ``mentorship_0002``), so files sort in the
    order they apply.
    """
    rev_id = f"{branch.name}_{len(list(script_directory(branch).walk_revisions())) + 1:04d}"

    def write(conn: sa.Connection) -> None:
        config = make_config(branch, conn)
        command.revision(config, message=message, autogenerate=autogenerate, rev_id=rev_id)

    _run(engine, write)
