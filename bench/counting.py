"""Counting what a call sends to the database: statements, commits and (PostgreSQL) round trips.

Three vantage points, so nothing that bypasses SQLAlchemy goes unseen:

* **SQLAlchemy**: a ``before_cursor_execute`` listener on every :class:`sqlalchemy.Engine` (an
  ``executemany`` fires it once).
* **DBAPI**: the connections guildkit opens get a counting class through its public engine
  options (``GUILDKIT_ENGINE_OPTIONS["connect_args"]``): a ``sqlite3.Connection`` subclass
  (``factory=``) whose cursors count ``execute``/``executemany`` and whose ``commit`` counts
  commits, or a psycopg ``cursor_factory``. Every statement SQLAlchemy runs passes here too, so
  ``dbapi - sqlalchemy`` is what went to the driver directly. Transaction control
  (``BEGIN``/``COMMIT``/``ROLLBACK``) is counted apart from the statements.
* **The wire** (PostgreSQL): libpq's protocol trace of each connection (``pgconn.trace``); a
  round trip is a run of client messages followed by the server's answer, so an implicit
  ``BEGIN``, a pipelined ``executemany`` (one round trip) and the ``COMMIT`` each count as
  what they cost. Commits there are the ``COMMIT`` messages sent.

Use :func:`engine_options` for the app being counted, then :meth:`Counter.call` around each call.
"""

from __future__ import annotations

import contextlib
import sqlite3
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "END")


@dataclass
class Tally:
    sqlalchemy: int = 0
    dbapi: int = 0
    control: int = 0
    commits: int = 0

    def reset(self) -> None:
        self.sqlalchemy = self.dbapi = self.control = self.commits = 0


TALLY = Tally()


def _count(sql: Any) -> None:
    text = (sql if isinstance(sql, str) else bytes(sql).decode() if isinstance(sql, bytes) else str(sql)).lstrip()
    head = text[:10].upper()
    if head.startswith(_CONTROL):
        TALLY.control += 1
        if head.startswith(("COMMIT", "END")):
            TALLY.commits += 1
    else:
        TALLY.dbapi += 1


# -- SQLite ---------------------------------------------------------------------------------


class CountingSqliteCursor(sqlite3.Cursor):
    def execute(self, sql: str, parameters: Any = (), /) -> Any:  # type: ignore[override]
        _count(sql)
        return super().execute(sql, parameters)

    def executemany(self, sql: str, seq: Any, /) -> Any:  # type: ignore[override]
        _count(sql)
        return super().executemany(sql, seq)

    def executescript(self, script: str, /) -> Any:  # type: ignore[override]
        _count(script)
        return super().executescript(script)


class CountingSqliteConnection(sqlite3.Connection):
    def cursor(self, factory: Any = CountingSqliteCursor) -> Any:  # type: ignore[override]
        return super().cursor(factory)

    def commit(self) -> None:
        if self.in_transaction:
            TALLY.control += 1
            TALLY.commits += 1
        super().commit()

    def rollback(self) -> None:
        if self.in_transaction:
            TALLY.control += 1
        super().rollback()


# -- PostgreSQL -----------------------------------------------------------------------------


class Wire:
    """libpq protocol traces of the counted connections, while :attr:`on`."""

    def __init__(self) -> None:
        self.on = False
        self.dir = Path(tempfile.mkdtemp(prefix="gk-wire-"))
        self.traced: list[tuple[Any, Any, Path]] = []
        self.seq = 0

    def attach(self, conn: Any) -> None:
        if not self.on or any(c is conn for c, _, _ in self.traced):
            return
        import psycopg

        self.seq += 1
        path = self.dir / f"trace-{self.seq}.txt"
        stream = path.open("w")
        conn.pgconn.trace(stream.fileno())
        conn.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS | psycopg.pq.Trace.REGRESS_MODE)
        self.traced.append((conn, stream, path))

    def collect(self) -> tuple[int, int]:
        """Stop tracing; (round trips, commits) seen since tracing started."""
        trips = commits = 0
        for conn, stream, path in self.traced:
            # untrace() flushes libpq's buffer; a connection closed meanwhile may lose its last lines
            with contextlib.suppress(Exception):
                conn.pgconn.untrace()
            stream.close()
            previous = ""
            for line in path.read_text().splitlines():
                side = line[:1]
                if side == "B" and previous == "F":
                    trips += 1
                if side == "F" and ('"COMMIT"' in line.upper()) and ("\tQuery\t" in line or "\tParse\t" in line):
                    commits += 1
                if side in ("F", "B"):
                    previous = side
            path.unlink()
        self.traced.clear()
        return trips, commits


WIRE = Wire()


def _pg_cursor_class() -> type:
    import psycopg

    class CountingPgCursor(psycopg.Cursor):  # type: ignore[type-arg]
        def __init__(self, connection: Any, *args: Any, **kwargs: Any) -> None:
            super().__init__(connection, *args, **kwargs)
            WIRE.attach(connection)

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            _count(query)
            return super().execute(query, params, **kwargs)

        def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> Any:
            _count(query)
            return super().executemany(query, params_seq, **kwargs)

    return CountingPgCursor


def engine_options(backend: str) -> dict[str, Any]:
    """``GUILDKIT_ENGINE_OPTIONS`` additions that make guildkit's connections counted."""
    if backend == "sqlite":
        return {"connect_args": {"factory": CountingSqliteConnection}}
    return {"connect_args": {"cursor_factory": _pg_cursor_class()}}


def _seen_by_sqlalchemy(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
    if type(cursor).__name__.startswith("Counting"):
        TALLY.sqlalchemy += 0 if statement.lstrip()[:10].upper().startswith(_CONTROL) else 1


sa.event.listen(sa.Engine, "before_cursor_execute", _seen_by_sqlalchemy)


@dataclass
class Counts:
    """Per call: statements seen by SQLAlchemy and at the DBAPI, transaction control, commits."""

    sqlalchemy: list[int] = field(default_factory=list)
    dbapi: list[int] = field(default_factory=list)
    control: list[int] = field(default_factory=list)
    commits: list[int] = field(default_factory=list)
    #: PostgreSQL: totals over the calls, from the wire
    round_trips: int | None = None
    wire_commits: int | None = None

    @property
    def calls(self) -> int:
        return len(self.dbapi)

    def summary(self) -> dict[str, float]:
        out = {
            "calls": self.calls,
            "statements": statistics.mean(self.dbapi),
            "statements_max": max(self.dbapi),
            "via_sqlalchemy": statistics.mean(self.sqlalchemy),
            "bypassing_sqlalchemy": statistics.mean(self.dbapi) - statistics.mean(self.sqlalchemy),
            "transaction_control": statistics.mean(self.control),
            "commits": statistics.mean(self.commits),
        }
        if self.round_trips is not None:
            out["round_trips"] = self.round_trips / self.calls
            out["commits"] = (self.wire_commits or 0) / self.calls
        return out


def count_calls(backend: str, calls: list[Callable[[], Any]]) -> Counts:
    """Run each call and count what it sent (see the module doc)."""
    counts = Counts()
    WIRE.on = backend == "postgresql"
    try:
        for call in calls:
            TALLY.reset()
            call()
            counts.sqlalchemy.append(TALLY.sqlalchemy)
            counts.dbapi.append(TALLY.dbapi)
            counts.control.append(TALLY.control)
            counts.commits.append(TALLY.commits)
    finally:
        WIRE.on = False
    if backend == "postgresql":
        counts.round_trips, counts.wire_commits = WIRE.collect()
    return counts
