"""Where guildkit's tables live, and how it writes to them safely.

Two stores share one interface:

* :class:`HostStore` uses the host's flask-sqlalchemy ``db``: the same engine, so guildkit's
  tables sit in the host's database (all named ``guildkit_*``).
* :class:`OwnStore` is used when the host passes no ``db``: guildkit opens its own SQLite
  database (``GUILDKIT_DATABASE_URI``, by default ``guildkit.db`` in the instance folder) in WAL
  mode.

Writes go through :meth:`Store.write`, which opens a *separate* connection so guildkit never
commits (or rolls back) the host's own pending work. On SQLite that transaction starts with
``BEGIN IMMEDIATE``, taking the write lock before the first read, so read-then-write logic
cannot race; on PostgreSQL the pipeline locks the member rows it touches (``FOR UPDATE``).
Lock timeouts and deadlocks are retried a few times before they surface.

Reads that may trail the primary by a replication delay (leaderboards, analytics) go through
:attr:`Store.read_session`: on a read replica when ``GUILDKIT_READ_DATABASE_URI`` names one
(:class:`ReadReplica`), otherwise the same session as every other read.

The write path's hot statements are :class:`Prepared`: Core statements compiled once per dialect
and run on the bare DBAPI cursor of the transaction's connection (:func:`fetch`,
:func:`execute_many`). SQLAlchemy's per-execution work (cache key, parameter processing, result
set-up) costs more than SQLite itself takes for these statements; they use the same SQL and the
same bind processors SQLAlchemy would. Lists go in as one parameter (:func:`in_list`), so the SQL
text never changes with their length. On PostgreSQL, :func:`pipelined` sends what runs inside it
in one round trip (psycopg's pipeline mode).
"""

from __future__ import annotations

import functools
import itertools
import logging
import os
import time
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, scoped_session, sessionmaker
from sqlalchemy.sql.compiler import SQLCompiler

from guildkit.errors import ConfigurationError, HostTransactionOpen
from guildkit.models import CORE_TABLES, Base, ledger_guard_ddl

log = logging.getLogger("guildkit")

#: How often a write transaction is retried after a deadlock or a lock timeout.
WRITE_ATTEMPTS = 6
T = TypeVar("T")
#: A new number for each write transaction guildkit commits in this process (never one seen
#: before): what :func:`kept` keeps is good while the last one stays the same.
_WRITE_NUMBERS = itertools.count(1)
_last_write = 0
#: Where :func:`kept` keeps its answers, in ``Session.info``.
KEPT = "guildkit.kept"


def kept(session: Session, area: str, key: Hashable, read: Callable[[], T]) -> T:
    """``read()``, kept in ``session`` until guildkit next commits a write in this process: for
    what a page reads from several places (a member's roles: their permissions, the nav, the
    profile; a mute: every privilege asks). Sessions end with the app context (each request), so
    nothing is kept longer than a request; a write elsewhere is seen as any read would see it."""
    last = _last_write  # read before ``read()``: a write committed meanwhile makes it stale at once
    found = session.info.get(KEPT)
    if found is None or found[0] != last:
        found = session.info[KEPT] = (last, {})
    answers: dict[tuple[str, Hashable], Any] = found[1]
    if (area, key) not in answers:
        answers[(area, key)] = read()
    return answers[(area, key)]  # type: ignore[no-any-return]


def _is_retryable(error: BaseException | None) -> bool:
    text = str(error).lower()
    return any(marker in text for marker in ("database is locked", "deadlock detected", "could not serialize", "busy"))


class Store:
    """The database guildkit works in. Subclasses provide the engine and the read session."""

    #: Where reads that may lag go (``GUILDKIT_READ_DATABASE_URI``); ``None``: the primary.
    replica: ReadReplica | None = None

    @property
    def engine(self) -> sa.Engine:
        raise NotImplementedError  # pragma: no cover - abstract

    @property
    def session(self) -> Session:
        """A session for reads (and simple admin writes) bound to guildkit's engine."""
        raise NotImplementedError  # pragma: no cover - abstract

    @property
    def read_session(self) -> Session:
        """A session for reads that may trail the primary by the replication delay: leaderboards
        and analytics. On the read replica when one is configured, else :attr:`session`. Never
        for a member's own writes read back, the status of a key, or anything that then writes."""
        return self.replica.session if self.replica is not None else self.session

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """One write transaction on its own connection; commits on success.

        The body may run more than once: on a lock timeout or a deadlock the transaction is
        rolled back and retried, so the body must not have side effects outside the database.
        Use :func:`run_write` for that retry loop.
        """
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
        global _last_write
        _last_write = next(_WRITE_NUMBERS)  # what sessions kept (``kept``) may be out of date now

    def run_write(self, body: Any) -> Any:
        """Run ``body(conn)`` in :meth:`write`, retrying on lock timeouts and deadlocks."""
        # The hot path runs on the bare cursor (Prepared), whose errors are the driver's own,
        # not wrapped in SQLAlchemy's DBAPIError: a deadlock there must be retried all the same.
        driver_error: type[Exception] = self.engine.dialect.loaded_dbapi.Error
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self.write() as conn:
                    return body(conn)
            except (sa.exc.DBAPIError, driver_error) as exc:
                orig = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
                if attempt == WRITE_ATTEMPTS or not _is_retryable(orig):
                    raise
                log.info("guildkit write retried after %s (attempt %d)", orig, attempt)
                time.sleep(0.01 * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def create_all(self) -> None:
        """Create guildkit's core tables directly (tests and demos; production uses migrations).

        Features' tables come from their plugins: see :meth:`guildkit.GuildKit.create_all`.
        """
        Base.metadata.create_all(self.engine, tables=list(CORE_TABLES))

    def drop_all(self) -> None:
        Base.metadata.drop_all(self.engine)

    def install_ledger_guard(self, conn: sa.Connection) -> None:
        for statement in ledger_guard_ddl(conn.dialect.name):
            conn.exec_driver_sql(statement)

    def remove_session(self) -> None:
        """Called when the app context ends."""
        if self.replica is not None:
            self.replica.remove()


class HostStore(Store):
    """guildkit's tables in the host's flask-sqlalchemy database."""

    def __init__(self, db: SQLAlchemy) -> None:
        self.db = db

    @property
    def engine(self) -> sa.Engine:
        return self.db.engine

    @property
    def session(self) -> Session:
        return self.db.session()

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        if self.dialect == "sqlite":
            self._check_host_not_writing()
        with super().write() as conn:
            yield conn

    def _check_host_not_writing(self) -> None:
        # Waiting for the host's own lock would only time out: fail at once, and say why.
        session = self.db.session()
        if not session.in_transaction():
            return
        dbapi = session.connection().connection.dbapi_connection
        if getattr(dbapi, "in_transaction", False):
            raise HostTransactionOpen()

    def remove_session(self) -> None:
        # flask-sqlalchemy removes its session at teardown too; doing it here as well lets
        # guildkit release connections before it disposes of an engine (tests, CLI).
        self.db.session.remove()
        super().remove_session()


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class OwnStore(Store):
    """guildkit's own database, for hosts that do not use flask-sqlalchemy."""

    def __init__(self, uri: str, engine_options: dict[str, Any] | None = None) -> None:
        options = dict(engine_options or {})
        if uri.startswith("sqlite"):
            options.setdefault("connect_args", {}).setdefault("timeout", 30)
        self._engine = sa.create_engine(uri, **options)
        if self._engine.dialect.name == "sqlite":
            event.listen(self._engine, "connect", _sqlite_pragmas)
        self._sessions = scoped_session(sessionmaker(bind=self._engine))

    @property
    def engine(self) -> sa.Engine:
        return self._engine

    @property
    def session(self) -> Session:
        return self._sessions()

    def remove_session(self) -> None:
        self._sessions.remove()
        super().remove_session()

    def dispose(self) -> None:
        self._sessions.remove()
        self._engine.dispose()
        if self.replica is not None:
            self.replica.dispose()


def default_database_uri(app: Flask) -> str:
    os.makedirs(app.instance_path, exist_ok=True)
    return "sqlite:///" + os.path.join(app.instance_path, "guildkit.db")


def make_store(app: Flask, db: SQLAlchemy | None) -> Store:
    store: Store
    if db is not None:
        if app.config.get("GUILDKIT_DATABASE_URI"):
            raise ConfigurationError("GUILDKIT_DATABASE_URI is set but a flask-sqlalchemy db was given: use one")
        store = HostStore(db)
    else:
        store = OwnStore(
            app.config.get("GUILDKIT_DATABASE_URI") or default_database_uri(app),
            app.config.get("GUILDKIT_ENGINE_OPTIONS"),
        )
    replica_uri = app.config.get("GUILDKIT_READ_DATABASE_URI")
    if replica_uri:
        store.replica = ReadReplica(replica_uri, app.config.get("GUILDKIT_READ_ENGINE_OPTIONS"))
    return store


class ReadReplica:
    """A read-only engine and session on a replica of guildkit's database.

    Every connection is made read-only on the database side (``default_transaction_read_only``
    on PostgreSQL, ``query_only`` on SQLite), so a write sent here by mistake fails loudly
    instead of landing on a server that replication would overwrite. The engine is created
    lazily: an app that never reads a leaderboard opens no connection to the replica.
    """

    def __init__(self, uri: str, engine_options: dict[str, Any] | None = None) -> None:
        self.uri = uri
        self.options = dict(engine_options or {})
        self._engine: sa.Engine | None = None
        self._sessions: scoped_session[Session] | None = None

    @property
    def engine(self) -> sa.Engine:
        if self._engine is None:
            engine = sa.create_engine(self.uri, **self.options)
            event.listen(engine, "connect", _read_only)
            self._engine = engine
            self._sessions = scoped_session(sessionmaker(bind=engine))
        return self._engine

    @property
    def session(self) -> Session:
        self.engine  # noqa: B018 - creates the engine and the session factory on first use
        assert self._sessions is not None
        return self._sessions()

    def remove(self) -> None:
        if self._sessions is not None:
            self._sessions.remove()

    def dispose(self) -> None:
        self.remove()
        if self._engine is not None:
            self._engine.dispose()


def _read_only(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor.execute("PRAGMA query_only = ON")
        cursor.close()
        return
    cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    cursor.close()
    dbapi_connection.commit()  # the SET opened a transaction: end it, the pool expects an idle connection


@functools.lru_cache(maxsize=64)
def upsert(
    dialect: str,
    table: sa.Table,
    keys: tuple[str, ...],
    update: tuple[str, ...] = (),
    returning: tuple[str, ...] = (),
) -> sa.Insert:
    """``INSERT … ON CONFLICT (keys) DO UPDATE SET update = excluded.update`` (or DO NOTHING).

    Statements are immutable, so each shape is built once and reused: building one costs more
    than executing it on a hot path.
    """
    base = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    if update:
        stmt = base.on_conflict_do_update(index_elements=list(keys), set_={n: base.excluded[n] for n in update})
    else:
        stmt = base.on_conflict_do_nothing(index_elements=list(keys))
    return stmt.returning(*(table.c[name] for name in returning)) if returning else stmt


# -- the hot path: prepared statements on the bare cursor ---------------------------------------


def in_list(column: sa.ColumnElement[Any], name: str, dialect: str) -> sa.ColumnElement[bool]:
    """``column IN (<the list bound as name>)`` with one parameter whatever the list's length:
    ``= ANY(array)`` on PostgreSQL, ``IN (SELECT value FROM json_each(?))`` on SQLite."""
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam(name, type_=postgresql.ARRAY(column.type)))
    values: sa.Select[Any] = sa.select(sa.literal_column("value")).select_from(
        sa.func.json_each(sa.bindparam(name, type_=sa.JSON))
    )
    return column.in_(values)


def tag(letter: str) -> sa.ColumnElement[str]:
    """A constant text column, inlined (a bound parameter would be one more to pass): it tells
    apart the kinds of rows a ``UNION ALL`` of several reads returns."""
    return sa.literal_column(f"'{letter}'", sa.String)


class Prepared:
    """A statement built and compiled once per dialect, run on the DBAPI cursor.

    ``build(dialect_name)`` makes the Core statement; its parameters are all named bind
    parameters (no expanding ``IN``: use :func:`in_list`). An insert also takes the scalar
    defaults of the columns not given (SQLAlchemy adds them to every insert it compiles).
    """

    def __init__(self, build: Callable[[str], sa.ClauseElement]) -> None:
        self.build = build
        self._compiled: dict[str, _Compiled] = {}

    def compiled(self, dialect: sa.Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            statement = self.build(dialect.name)
            # for_executemany: no implicit RETURNING of the primary key, which nothing here reads.
            compiled = statement.compile(dialect=dialect, for_executemany=True)
            assert isinstance(compiled, SQLCompiler)
            # Literal values in the statement (``mode != 'threshold'``) are bound parameters too.
            defaults: dict[str, Any] = {
                name: bind.value
                for name, bind in compiled.binds.items()
                if not bind.required and bind.value is not None
            }
            table = getattr(statement, "table", None)
            if isinstance(statement, sa.Insert) and isinstance(table, sa.Table):
                for column in table.c:
                    if column.name in compiled.binds and column.default is not None and column.default.is_scalar:
                        defaults[column.name] = column.default.arg
            names = compiled.positiontup or list(compiled.binds)
            slots = tuple(
                (
                    name,
                    compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect),
                    defaults.get(name, _REQUIRED),
                )
                for name in names
            )
            found = self._compiled[dialect.name] = _Compiled(compiled.string, bool(compiled.positiontup), slots)
        return found

    def parameters(self, dialect: sa.Dialect, values: Mapping[str, Any]) -> Any:
        """The DBAPI parameters for ``values``: a tuple for SQLite's ``?``, a dict for psycopg."""
        compiled = self.compiled(dialect)
        out = []
        for name, process, default in compiled.slots:
            value = values[name] if default is _REQUIRED else values.get(name, default)
            out.append(value if process is None else process(value))
        if compiled.positional:
            return tuple(out)
        return dict(zip([slot[0] for slot in compiled.slots], out, strict=True))


_REQUIRED = object()


@dataclass(frozen=True)
class _Compiled:
    sql: str
    #: SQLite's ``?`` (a tuple of values in the order of ``slots``), else psycopg's named parameters
    positional: bool
    #: (name, bind processor or None, default or _REQUIRED) of each parameter
    slots: tuple[tuple[str, Callable[[Any], Any] | None, Any], ...]


def _cursor(conn: sa.Connection) -> Any:
    # SQLAlchemy must know the transaction is open, or Connection.commit() would do nothing.
    if not conn.in_transaction():
        conn.begin()
    driver: Any = conn.connection.driver_connection
    return driver.cursor()


def submit(conn: sa.Connection, statement: Prepared, values: Mapping[str, Any]) -> Any:
    """Run ``statement`` on a bare cursor and return the cursor; read it with :func:`rows`.

    Inside :func:`pipelined` the statement is only queued: submitting several before reading
    any sends them together.
    """
    cursor = _cursor(conn)
    cursor.execute(statement.compiled(conn.dialect).sql, statement.parameters(conn.dialect, values))
    return cursor


def rows(cursor: Any) -> list[Any]:
    """The rows of a submitted statement as tuples, as the driver gives them (integers and
    strings; nothing here reads dates or JSON this way); closes the cursor."""
    try:
        return list(cursor.fetchall())
    finally:
        cursor.close()


def fetch(conn: sa.Connection, statement: Prepared, values: Mapping[str, Any]) -> list[Any]:
    """:func:`submit` then :func:`rows`."""
    return rows(submit(conn, statement, values))


def execute_many(conn: sa.Connection, statement: Prepared, rows: Sequence[Mapping[str, Any]]) -> None:
    """Run ``statement`` once per row (one ``executemany``) on the bare cursor."""
    if not rows:
        return
    sql = statement.compiled(conn.dialect).sql
    cursor = _cursor(conn)
    try:
        cursor.executemany(sql, [statement.parameters(conn.dialect, row) for row in rows])
    finally:
        cursor.close()


@contextmanager
def pipelined(conn: sa.Connection) -> Iterator[None]:
    """On PostgreSQL (psycopg 3), send the statements run inside in one round trip; elsewhere nothing.

    Results are fetched when asked for (which sends what is queued) or at the end of the block.
    """
    driver = conn.connection.driver_connection
    pipeline = getattr(driver, "pipeline", None)
    if conn.dialect.name != "postgresql" or pipeline is None:
        yield
        return
    if not conn.in_transaction():
        conn.begin()
    with pipeline():
        yield
