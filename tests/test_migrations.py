"""guildkit's own Alembic migrations, on SQLite and PostgreSQL.

The first two tests keep migrations and models in step: after ``upgrade head`` Alembic's
autogenerate finds nothing to do, and the schema is the one ``create_all`` builds (which also
covers what autogenerate cannot compare: check constraints, partial and DESC indexes, triggers).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask

from guildkit import ConfigurationError, GuildKit, PointsRule, PointTypeDef, migrate, schema_0_1
from guildkit.models import CORE_TABLES, Base
from guildkit.store import OwnStore
from guildkit.testing import postgres_schema, postgres_url, require_backend

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
#: The core's branch and every first-party feature's (building them imports every model).
BRANCHES = migrate.branches(GuildKit())
GUILDKIT_TABLES = {t.name for t in CORE_TABLES} | {name for branch in BRANCHES for name in branch.tables}
VERSION_TABLES = {branch.version_table for branch in BRANCHES}
MEMBERS = Base.metadata.tables["guildkit_members"]
POINT_TYPES = Base.metadata.tables["guildkit_point_types"]
ACTIVITIES = Base.metadata.tables["guildkit_activities"]
LEDGER = Base.metadata.tables["guildkit_ledger"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return require_backend(str(request.param))


@contextmanager
def database(backend: str, tmp_path: Path, name: str = "gk") -> Iterator[tuple[str, dict[str, Any]]]:
    """An empty database: a SQLite file, or a throwaway PostgreSQL schema (via search_path)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / f'{name}.db'}", {}
        return
    url = postgres_url()
    assert url is not None
    with postgres_schema(url) as options:
        yield url, options


@contextmanager
def engine_for_url(url: str, options: dict[str, Any]) -> Iterator[sa.Engine]:
    # OwnStore's engine: on SQLite that is WAL with foreign keys enforced, as in production.
    store = OwnStore(url, options)
    try:
        yield store.engine
    finally:
        store.dispose()


@contextmanager
def engine_for(backend: str, tmp_path: Path, name: str = "gk") -> Iterator[sa.Engine]:
    with database(backend, tmp_path, name) as (url, options), engine_for_url(url, options) as engine:
        yield engine


@pytest.fixture
def engine(backend: str, tmp_path: Path) -> Iterator[sa.Engine]:
    with engine_for(backend, tmp_path) as engine:
        yield engine


def table_names(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def model_diffs(conn: sa.Connection, metadata: sa.MetaData, **opts: Any) -> list[Any]:
    context = MigrationContext.configure(conn, opts={"compare_type": True, **opts})
    return list(compare_metadata(context, metadata))


def guildkit_diffs(conn: sa.Connection) -> list[Any]:
    """What autogenerate would put in a new guildkit revision: the filters env.py uses."""
    return model_diffs(
        conn,
        Base.metadata,
        include_name=migrate.include_name,
        include_object=migrate.include_object_for(conn.dialect.name),
    )


# -- (a) the migrations build exactly what the models declare ---------------------------------


def test_upgrade_head_leaves_nothing_for_autogenerate(engine: sa.Engine) -> None:
    assert migrate.current(engine) is None
    migrate.upgrade(engine)
    # Each branch at its head; revisions are named after their branch, numbered in order.
    assert migrate.currents(engine) == migrate.heads()
    for branch in BRANCHES:
        count = len(list(migrate.script_directory(branch).walk_revisions()))
        assert migrate.head(branch) == f"{branch.name}_{count:04d}"
    assert table_names(engine) >= GUILDKIT_TABLES | VERSION_TABLES
    with engine.connect() as conn:
        assert guildkit_diffs(conn) == []


def _schema(engine: sa.Engine) -> dict[str, Any]:
    """Everything about guildkit's tables that matters, in a form independent of DDL order."""
    inspector = sa.inspect(engine)
    tables: dict[str, Any] = {}
    for table in sorted(GUILDKIT_TABLES):
        tables[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("default")) for c in inspector.get_columns(table)
            ],
            "pk": inspector.get_pk_constraint(table),
            "fks": sorted(inspector.get_foreign_keys(table), key=lambda fk: str(fk["name"])),
            "uniques": sorted(inspector.get_unique_constraints(table), key=lambda uq: str(uq["name"])),
            "checks": sorted(
                (str(c["name"]), " ".join(str(c["sqltext"]).split())) for c in inspector.get_check_constraints(table)
            ),
        }
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            # Indexes and triggers exactly as SQLite stores them (WHERE, DESC and all).
            rows = conn.exec_driver_sql(
                "SELECT type, name, tbl_name, sql FROM sqlite_master "
                "WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
            )
        else:
            rows = conn.exec_driver_sql(
                "SELECT 'index', indexname, tablename, indexdef FROM pg_indexes "
                "WHERE schemaname = current_schema() "
                "UNION ALL SELECT 'trigger', t.tgname, c.relname, pg_get_triggerdef(t.oid) "
                "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace "
                "UNION ALL SELECT 'function', p.proname, '', pg_get_functiondef(p.oid) "
                "FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace "
            )
        schema = inspector.default_schema_name
        objects = sorted(
            # PostgreSQL qualifies names with the (throwaway, per-database) schema.
            tuple(str(value).replace(f"{schema}.", "<schema>.") for value in row)
            for row in rows
            if row[2] in GUILDKIT_TABLES or not row[2]
        )
    return {"tables": tables, "objects": objects}


def test_upgrade_builds_the_same_schema_as_create_all(backend: str, tmp_path: Path) -> None:
    with engine_for(backend, tmp_path, "migrated") as migrated, engine_for(backend, tmp_path, "created") as created:
        migrate.upgrade(migrated)
        Base.metadata.create_all(created)
        expected = _schema(created)
        assert [o[1] for o in expected["objects"] if o[0] != "index"]  # the guard is there
        assert any("DESC" in str(o[3]) for o in expected["objects"])
        assert _schema(migrated) == expected


# -- (b) guildkit's version table; the host's history and tables are left alone ---------------

HOST = sa.MetaData()
POSTS = sa.Table(
    "posts",
    HOST,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(100), nullable=False),
)
#: The host's own Alembic version table, as its Alembic would create it.
HOST_VERSION = sa.Table(
    "alembic_version",
    sa.MetaData(),
    sa.Column("version_num", sa.String(32), primary_key=True),
)


def test_own_version_table_leaves_the_hosts_alembic_history_alone(engine: sa.Engine) -> None:
    # The host already runs its own Alembic history in this database.
    with engine.begin() as conn:
        HOST.create_all(conn)
        conn.execute(POSTS.insert().values(id=1, title="hello"))
        HOST_VERSION.create(conn)
        conn.execute(HOST_VERSION.insert().values(version_num="host0042"))

    migrate.upgrade(engine)

    names = table_names(engine)
    assert "guildkit_alembic_version" in names
    assert {"alembic_version", "posts"} <= names
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM guildkit_alembic_version").all() == [(migrate.head(),)]
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").all() == [("host0042",)]
        assert MigrationContext.configure(conn).get_current_revision() == "host0042"
        assert conn.execute(sa.select(POSTS)).all() == [(1, "hello")]
        # guildkit's autogenerate ignores the host's tables...
        assert guildkit_diffs(conn) == []
        # ...and, with exclude_guildkit, the host's autogenerate ignores guildkit's.
        assert model_diffs(conn, HOST, include_name=migrate.exclude_guildkit) == []
        without_filter = model_diffs(conn, HOST)
        assert {d[1].name for d in without_filter if d[0] == "remove_table"} == GUILDKIT_TABLES | VERSION_TABLES

    migrate.downgrade(engine, "base")
    assert table_names(engine) == {"alembic_version", "posts"}
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "host0042"
        assert conn.execute(sa.select(POSTS)).all() == [(1, "hello")]


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_engine_with_a_search_path_migrates_its_own_schema(engine: sa.Engine) -> None:
    migrate.upgrade(engine)
    inspector = sa.inspect(engine)
    schema = inspector.default_schema_name
    assert schema is not None
    assert schema.startswith("gk_")
    assert not {t for t in inspector.get_table_names(schema="public") if t.startswith("guildkit_")}
    assert set(inspector.get_table_names()) == GUILDKIT_TABLES | VERSION_TABLES


# -- (c) the ledger is append-only after upgrade ----------------------------------------------


def test_ledger_guard_triggers_exist_after_upgrade(engine: sa.Engine) -> None:
    migrate.upgrade(engine)
    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(sa.insert(MEMBERS).values(id=1, user_id="ann"))
        conn.execute(sa.insert(POINT_TYPES).values(slug="xp", name="XP"))
        conn.execute(
            sa.insert(ACTIVITIES).values(id=1, key="k1", type="a.b", actor_id=1, occurred_at=now, fingerprint="f")
        )
        conn.execute(
            sa.insert(LEDGER).values(
                id=1,
                member_id=1,
                point_type="xp",
                amount=5,
                balance_after=5,
                activity_id=1,
                rule="r",
            )
        )
    for statement in (
        sa.update(LEDGER).where(LEDGER.c.id == 1).values(amount=500),
        sa.delete(LEDGER).where(LEDGER.c.id == 1),
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(statement)
    with engine.connect() as conn:
        assert conn.execute(sa.select(LEDGER.c.amount)).scalars().all() == [5]


# -- (d) downgrade to base uninstalls; upgrade again works -------------------------------------


def test_downgrade_to_base_removes_every_guildkit_table(engine: sa.Engine) -> None:
    migrate.upgrade(engine)
    migrate.upgrade(engine)  # already at head: nothing to do
    migrate.downgrade(engine, "base")
    assert not {t for t in table_names(engine) if t.startswith("guildkit_")}
    assert migrate.current(engine) is None
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE name LIKE :prefix"
        else:
            # This schema's functions only: other tests (another pytest process) have their own.
            query = (
                "SELECT proname FROM pg_proc WHERE proname LIKE :prefix"
                " AND pronamespace = current_schema()::regnamespace"
            )
        leftover = conn.execute(sa.text(query), {"prefix": "guildkit%"}).all()
        assert leftover == []
    # A clean round trip: the schema comes back whole.
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    with engine.connect() as conn:
        assert guildkit_diffs(conn) == []


def test_a_failed_upgrade_leaves_nothing_behind(engine: sa.Engine) -> None:
    # A host table in the way makes CREATE TABLE fail halfway through revision 0001.
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE guildkit_roles (slug VARCHAR(10) PRIMARY KEY)")
    with pytest.raises(sa.exc.DBAPIError, match="guildkit_roles"):
        migrate.upgrade(engine)
    assert table_names(engine) == {"guildkit_roles"}  # earlier CREATE TABLEs rolled back
    assert migrate.current(engine) is None


UPGRADE_WORKER = """
import json, sys
import sqlalchemy as sa
from guildkit import migrate
engine = sa.create_engine(sys.argv[1], **json.loads(sys.argv[2]))
print("ready", flush=True)
sys.stdin.readline()  # all start together
migrate.upgrade(engine)
engine.dispose()
"""


def test_concurrent_upgrades_wait_for_each_other(backend: str, tmp_path: Path) -> None:
    """Several workers starting at once each run ``upgrade``: one migrates, the rest wait."""
    with database(backend, tmp_path) as (url, options):
        if backend == "sqlite":
            options = {"connect_args": {"timeout": 30}}
        workers = [
            subprocess.Popen(
                [sys.executable, "-W", "error", "-c", UPGRADE_WORKER, url, json.dumps(options)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        try:
            for worker in workers:
                assert worker.stdout is not None
                assert worker.stdout.readline() == "ready\n"
            for worker in workers:
                assert worker.stdin is not None
                worker.stdin.write("go\n")
                worker.stdin.flush()
            outcomes = [worker.communicate(timeout=120)[1] for worker in workers]
        finally:
            for worker in workers:
                if worker.poll() is None:  # hung: don't leave it holding database locks
                    worker.kill()
                    worker.communicate()
        assert outcomes == [""] * 4
        assert [worker.returncode for worker in workers] == [0] * 4
        with engine_for_url(url, options) as engine:
            assert migrate.current(engine) == migrate.head()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_sqlite_migrations_run_without_foreign_key_enforcement(engine: sa.Engine) -> None:
    """Batch mode rebuilds a table by copy, drop and rename: SQLite needs foreign_keys=OFF."""
    from alembic.operations import Operations

    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(MEMBERS).values(id=1, user_id="ann"))
        conn.execute(
            sa.insert(ACTIVITIES).values(
                id=1,
                key="k1",
                type="a.b",
                actor_id=1,
                occurred_at=datetime.now(UTC),
                fingerprint="f",
            )
        )
    with migrate._migrating(engine) as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
        operations = Operations(MigrationContext.configure(conn))
        # Rebuilding guildkit_members drops a table that guildkit_activities refers to.
        with operations.batch_alter_table("guildkit_members", recreate="always") as batch:
            batch.alter_column("display_name", type_=sa.String(300))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # restored
        assert conn.execute(sa.select(ACTIVITIES.c.actor_id)).scalars().all() == [1]
        # The rebuild dropped the leaderboard trigger on guildkit_members with the old table;
        # the migration put it back.
        triggers = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars().all()
        assert "guildkit_scores_member" in triggers


# -- (e) flask guildkit db upgrade --------------------------------------------------------------


def test_flask_guildkit_db_upgrade_then_record(backend: str, tmp_path: Path) -> None:
    with database(backend, tmp_path) as (url, options):
        app = Flask("guildkit_cli_test", instance_path=str(tmp_path / "instance"))
        app.config.update(
            TESTING=True,
            GUILDKIT_DATABASE_URI=url,
            GUILDKIT_ENGINE_OPTIONS=options,
            GUILDKIT_LOAD_ENTRY_POINTS=False,
        )
        gk = GuildKit(app)
        gk.define(
            point_types=[PointTypeDef("xp", "XP")],
            rules=[PointsRule("p", "a.b", 1, "xp", to="actor")],
        )
        runner = app.test_cli_runner()
        try:
            before = runner.invoke(args=["guildkit", "db", "current"])
            assert before.exit_code == 0, before.output
            assert before.output.strip() == "(none)"

            result = runner.invoke(args=["guildkit", "db", "upgrade"])
            assert result.exit_code == 0, result.output
            assert "guildkit database upgraded to head" in result.output
            again = runner.invoke(args=["guildkit", "db", "upgrade"])
            assert again.exit_code == 0, again.output

            after = runner.invoke(args=["guildkit", "db", "current"])
            assert after.output.strip() == migrate.head()

            with app.app_context():
                recorded = gk.record("a.b", actor="ann", key="k1")
                assert recorded.points_for("ann", "xp") == 1
                assert gk.balance("ann", "xp") == 1
                assert "guildkit_alembic_version" in table_names(gk.store.engine)
        finally:
            with app.app_context():
                store = gk.store
                assert isinstance(store, OwnStore)
                store.dispose()


# -- (f) branches: guildkit 0.1's databases are adopted; features come and go ----------------

CHECK_CHOICE = re.compile(r"(\w+) IN \('([^']+)'")


def _fill(conn: sa.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """A row in every guildkit table of the database as it stands (two members), as its checks
    allow; returns every table's rows."""
    metadata = sa.MetaData()
    metadata.reflect(conn, only=lambda name, _: name.startswith("guildkit_") and not name.endswith("alembic_version"))
    choices = {
        (table.name, m.group(1)): m.group(2)
        for table in Base.metadata.tables.values()
        for check in table.constraints
        if isinstance(check, sa.CheckConstraint)
        for m in CHECK_CHOICE.finditer(str(check.sqltext))
    }
    start = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    keys: dict[str, dict[str, Any]] = {}
    for table in metadata.sorted_tables:
        rows = 2 if table.name == "guildkit_members" else 1
        for n in range(1, rows + 1):
            row: dict[str, Any] = {}
            members_seen = 0
            for index, column in enumerate(table.columns):
                fk = next(iter(column.foreign_keys), None)
                if fk is not None:
                    target = fk.column.table.name
                    if (table.name, column.name) == ("guildkit_appeals", "case_id") or target == table.name:
                        continue  # an appeal is about a sanction or a case, not both; no row reverses itself
                    if target == "guildkit_members":
                        members_seen += 1
                    row[column.name] = (
                        2 if target == "guildkit_members" and members_seen == 2 else keys[target][fk.column.name]
                    )
                elif (table.name, column.name) in choices:
                    row[column.name] = choices[(table.name, column.name)]
                elif column.nullable:
                    continue
                elif isinstance(column.type, sa.DateTime):
                    row[column.name] = (start + timedelta(minutes=index)).replace(tzinfo=None)
                elif isinstance(column.type, sa.Date):
                    row[column.name] = start.date()
                elif isinstance(column.type, sa.Boolean):
                    row[column.name] = False
                elif isinstance(column.type, sa.Integer | sa.Numeric):
                    row[column.name] = n
                elif isinstance(column.type, sa.JSON):
                    row[column.name] = {}
                elif isinstance(column.type, sa.LargeBinary):
                    row[column.name] = b"x"
                else:
                    row[column.name] = f"{column.name}-{n}"
            conn.execute(table.insert().values(**row))
            keys.setdefault(table.name, row)
    return {table.name: sorted(conn.execute(sa.select(table)).all(), key=repr) for table in metadata.sorted_tables}


def as_guildkit_0_1_left_it(conn: sa.Connection) -> None:
    """0.1's schema at 0009: every branch's baseline (each restates what 0.1 made, exactly), with
    0.1's single version row instead of the branches' own."""
    from alembic import command

    for branch in BRANCHES:
        if branch is not migrate.CORE and branch.name not in schema_0_1.TABLES:
            continue  # a feature added since 0.1 (ingest): 0.1 made none of its tables
        command.upgrade(migrate.make_config(branch, conn), branch.baseline)
        if branch is not migrate.CORE:
            sa.Table(branch.version_table, sa.MetaData()).drop(conn)
    conn.execute(sa.text("UPDATE guildkit_alembic_version SET version_num = '0009'"))


def test_an_older_guildkit_0_1_revision_is_refused(engine: sa.Engine) -> None:
    with migrate._migrating(engine) as conn:
        as_guildkit_0_1_left_it(conn)
        conn.execute(sa.text("UPDATE guildkit_alembic_version SET version_num = '0008'"))
    with pytest.raises(ConfigurationError, match=r"upgrade it to 0009 with guildkit 0\.1 first"):
        migrate.upgrade(engine)
    assert migrate.current(engine) == "0008"


def test_a_guildkit_0_1_database_upgrades_and_keeps_every_row(backend: str, tmp_path: Path) -> None:
    """A database made by 0.1's single history (at its last revision, 0009), with a row in every
    table, is adopted: every branch at its head, every row kept (the two audit tables' rows moved
    into one log)."""
    with engine_for(backend, tmp_path) as engine:
        with migrate._migrating(engine) as conn:
            as_guildkit_0_1_left_it(conn)
            before = _fill(conn)
        assert migrate.current(engine) == "0009"
        assert len(before) == 40 and all(len(rows) >= 1 for rows in before.values())
        migrate.upgrade(engine)
        assert migrate.currents(engine) == migrate.heads()
        moved = {"guildkit_admin_audit", "guildkit_moderation_audit"}
        with engine.connect() as conn:
            for table, rows in before.items():
                if table in moved:
                    continue
                reflected = sa.Table(table, sa.MetaData(), autoload_with=conn)
                # Columns added since 0.1 come last, with their defaults: compare 0.1's own.
                width = len(rows[0])
                after = [tuple(row)[:width] for row in conn.execute(sa.select(reflected))]
                assert sorted(after, key=repr) == [tuple(row) for row in rows], table
            opted_out = conn.execute(sa.text("SELECT leaderboard_opt_out FROM guildkit_members")).scalars().all()
            assert opted_out == [False, False]  # core_0003's default for every member already there
            log = conn.execute(sa.text("SELECT area, action, target, subject FROM guildkit_audit ORDER BY area")).all()
            assert [(area, action) for area, action, _, _ in log] == [
                ("admin", "action-1"),
                ("moderation", "action-1"),
            ]
            assert log[1][2:] == ("member:user_id-2", "case:1")
            assert not moved & table_names(engine)
            assert guildkit_diffs(conn) == []


def guildkit_without(tmp_path: Path, *features: str) -> GuildKit:
    """A GuildKit set up (on an app of its own) with ``features`` switched off."""
    app = Flask("partial", instance_path=str(tmp_path / "instance"))
    app.config.update(GUILDKIT_LOAD_ENTRY_POINTS=False, GUILDKIT_PLUGINS_DENY=list(features))
    return GuildKit(app)


def test_a_feature_switched_off_gets_no_tables_and_on_again_gets_them(engine: sa.Engine, tmp_path: Path) -> None:
    mentorship = next(branch for branch in BRANCHES if branch.name == "mentorship")
    migrate.upgrade(engine, gk=guildkit_without(tmp_path, "guildkit.mentorship"))
    assert not set(mentorship.tables) & table_names(engine)
    assert mentorship.version_table not in table_names(engine)
    assert "mentorship" not in migrate.currents(engine, guildkit_without(tmp_path, "guildkit.mentorship"))
    migrate.upgrade(engine)  # every feature on
    assert set(mentorship.tables) <= table_names(engine)
    assert migrate.currents(engine) == migrate.heads()


def test_feature_tables_that_exist_without_a_version_are_adopted(engine: sa.Engine, tmp_path: Path) -> None:
    events = next(branch for branch in BRANCHES if branch.name == "events")
    migrate.upgrade(engine, gk=guildkit_without(tmp_path, "guildkit.events"))
    # Made outside the migrations (create_all while the feature was off), with a row in them.
    Base.metadata.create_all(engine, tables=[Base.metadata.tables[name] for name in events.tables])
    with engine.begin() as conn:
        conn.execute(sa.insert(MEMBERS).values(id=1, user_id="ann"))
    migrate.upgrade(engine)
    assert migrate.currents(engine) == migrate.heads()
    with engine.connect() as conn:
        assert guildkit_diffs(conn) == []
        assert conn.execute(sa.select(MEMBERS.c.user_id)).scalars().all() == ["ann"]


@pytest.mark.parametrize("feature", ["admin", "moderation"])
def test_tables_of_todays_models_without_a_version_are_adopted_at_head(
    engine: sa.Engine, tmp_path: Path, feature: str
) -> None:
    """A feature whose history moved on since 0.1 (its audit rows now live in guildkit_audit):
    tables made from today's models while it was off are stamped at its head, not its baseline."""
    branch = next(branch for branch in BRANCHES if branch.name == feature)
    migrate.upgrade(engine, gk=guildkit_without(tmp_path, f"guildkit.{feature}"))
    Base.metadata.create_all(engine, tables=[Base.metadata.tables[name] for name in branch.tables])
    migrate.upgrade(engine)
    assert migrate.currents(engine) == migrate.heads()
    with engine.connect() as conn:
        assert guildkit_diffs(conn) == []
