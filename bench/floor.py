"""Baselines for the write path, each on the same database as guildkit but in tables of its own.

* :class:`Floor` — the hand-written floor: the transaction ``record()`` performs for one plain
  activity, written for the bare DBAPI driver (``sqlite3`` / psycopg 3) over tables shaped like
  guildkit's (same columns, keys, foreign keys and indexes, prefixed ``floor_``):

  1. ``BEGIN IMMEDIATE`` on SQLite (psycopg opens its transaction by itself);
  2. find the actor and the target (one ``SELECT … WHERE user_id IN``);
  3. insert the activity under its unique key (``ON CONFLICT (key) DO NOTHING RETURNING id``),
     with its payload as JSON and a SHA-256 fingerprint of its content;
  4. read the members' counters and their balances (two ``SELECT``\\ s);
  5. upsert the counters, upsert the balances, insert the ledger rows (one ``executemany``
     each; psycopg 3 pipelines an ``executemany`` in one round trip);
  6. commit.

  It writes one counter per member involved (``count:<type>`` and ``count:<type>:in``) and the
  ledger rows the benchmark's points rules give (:data:`workload.LEDGER_ROWS`, 1.5 on
  average), so it does the least any design that keeps idempotency, counters, balances and
  the ledger in one transaction must do. It takes no row lock: on PostgreSQL ``record()``
  also locks the members (``FOR NO KEY UPDATE``), which this floor leaves out.
* :func:`raw_single` — one ledger-shaped row per commit through the bare driver.
* :func:`core_batch` — ledger-shaped rows through one SQLAlchemy Core ``executemany`` in one
  transaction (what ``record_many()`` is compared with).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from workload import LEDGER_ROWS, MEMBERS, Database

SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS floor_members (
    id INTEGER PRIMARY KEY, user_id VARCHAR(191) NOT NULL UNIQUE, status VARCHAR(16) NOT NULL
    CHECK (status IN ('active', 'suspended', 'banned', 'deleted')), display_name VARCHAR(191),
    joined_at DATETIME NOT NULL, leaderboard_opt_out BOOLEAN NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS floor_activities (
    id INTEGER PRIMARY KEY, key VARCHAR(191) NOT NULL UNIQUE, type VARCHAR(100) NOT NULL,
    actor_id INTEGER REFERENCES floor_members (id), target_id INTEGER REFERENCES floor_members (id),
    subject VARCHAR(191), payload JSON NOT NULL, occurred_at DATETIME NOT NULL, recorded_at DATETIME NOT NULL,
    fingerprint VARCHAR(64) NOT NULL, retracted_at DATETIME, retract_reason TEXT);
CREATE INDEX IF NOT EXISTS ix_floor_activities_actor ON floor_activities (actor_id, occurred_at);
CREATE INDEX IF NOT EXISTS ix_floor_activities_target ON floor_activities (target_id, occurred_at);
CREATE INDEX IF NOT EXISTS ix_floor_activities_type ON floor_activities (type, occurred_at);
CREATE INDEX IF NOT EXISTS ix_floor_activities_subject ON floor_activities (subject);
CREATE TABLE IF NOT EXISTS floor_counters (
    member_id INTEGER NOT NULL REFERENCES floor_members (id), name VARCHAR(191) NOT NULL, value BIGINT NOT NULL,
    PRIMARY KEY (member_id, name));
CREATE TABLE IF NOT EXISTS floor_balances (
    member_id INTEGER NOT NULL REFERENCES floor_members (id), point_type VARCHAR(100) NOT NULL,
    balance INTEGER NOT NULL, level INTEGER NOT NULL, updated_at DATETIME NOT NULL,
    PRIMARY KEY (member_id, point_type));
CREATE INDEX IF NOT EXISTS ix_floor_balances_rank ON floor_balances (point_type, balance DESC, member_id);
CREATE TABLE IF NOT EXISTS floor_ledger (
    id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES floor_members (id),
    point_type VARCHAR(100) NOT NULL, amount INTEGER NOT NULL, balance_after INTEGER NOT NULL,
    activity_id INTEGER NOT NULL REFERENCES floor_activities (id), rule VARCHAR(191) NOT NULL, reason TEXT NOT NULL,
    capped BOOLEAN NOT NULL, reverses_id INTEGER UNIQUE REFERENCES floor_ledger (id), created_at DATETIME NOT NULL);
CREATE INDEX IF NOT EXISTS ix_floor_ledger_member ON floor_ledger (member_id, point_type, id);
CREATE INDEX IF NOT EXISTS ix_floor_ledger_activity ON floor_ledger (activity_id);
CREATE INDEX IF NOT EXISTS ix_floor_ledger_type_time ON floor_ledger (point_type, created_at);
CREATE TABLE IF NOT EXISTS floor_raw (
    id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL, point_type VARCHAR(100) NOT NULL, amount INTEGER NOT NULL,
    balance_after INTEGER NOT NULL, activity_id BIGINT NOT NULL, rule VARCHAR(191) NOT NULL, reason TEXT NOT NULL,
    created_at DATETIME NOT NULL);
"""

POSTGRES_SCHEMA = (
    SQLITE_SCHEMA.replace("id INTEGER PRIMARY KEY", "id BIGSERIAL PRIMARY KEY")
    .replace("DATETIME", "TIMESTAMP")
    .replace("BOOLEAN NOT NULL DEFAULT 0", "BOOLEAN NOT NULL DEFAULT false")
    .replace("reverses_id INTEGER", "reverses_id BIGINT")
    .replace("activity_id INTEGER", "activity_id BIGINT")
)

_MEMBERS_SQL = "SELECT id, user_id, status FROM floor_members WHERE user_id IN ({})"
_ACTIVITY_SQL = (
    "INSERT INTO floor_activities (key, type, actor_id, target_id, subject, payload, occurred_at, recorded_at,"
    " fingerprint) VALUES ({}) ON CONFLICT (key) DO NOTHING RETURNING id"
)
_COUNTERS_SQL = "SELECT member_id, name, value FROM floor_counters WHERE member_id IN ({}) AND name IN ({})"
_BALANCES_SQL = "SELECT member_id, point_type, balance, level FROM floor_balances WHERE member_id IN ({})"
_UPSERT_COUNTER_SQL = (
    "INSERT INTO floor_counters (member_id, name, value) VALUES ({}) ON CONFLICT (member_id, name)"
    " DO UPDATE SET value = excluded.value"
)
_UPSERT_BALANCE_SQL = (
    "INSERT INTO floor_balances (member_id, point_type, balance, level, updated_at) VALUES ({})"
    " ON CONFLICT (member_id, point_type) DO UPDATE SET balance = excluded.balance, level = excluded.level,"
    " updated_at = excluded.updated_at"
)
_LEDGER_SQL = (
    "INSERT INTO floor_ledger (member_id, point_type, amount, balance_after, activity_id, rule, reason, capped,"
    " created_at) VALUES ({})"
)
_RAW_SQL = (
    "INSERT INTO floor_raw (member_id, point_type, amount, balance_after, activity_id, rule, reason, created_at)"
    " VALUES ({})"
)


def _marks(style: str, n: int) -> str:
    return ", ".join([style] * n)


class Floor:
    """The hand-written ``record()`` transaction on one bare-driver connection (see the module doc)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.sqlite = db.backend == "sqlite"
        mark = "?" if self.sqlite else "%s"
        self.mark = mark
        self.sql = {
            "counters": _UPSERT_COUNTER_SQL.format(_marks(mark, 3)),
            "balances": _UPSERT_BALANCE_SQL.format(_marks(mark, 5)),
            "ledger": _LEDGER_SQL.format(_marks(mark, 9)),
            "activity": _ACTIVITY_SQL.format(_marks(mark, 9)),
            "raw": _RAW_SQL.format(_marks(mark, 8)),
        }
        self.conn: Any = self._connect()

    def _connect(self) -> Any:
        if self.sqlite:
            conn = sqlite3.connect(self.db.dsn, isolation_level=None, timeout=30)
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000"):
                conn.execute(f"PRAGMA {pragma}")
            return conn
        import psycopg

        return psycopg.connect(self.db.dsn, options=self.db.pg_options)

    def create(self, members: int = MEMBERS) -> None:
        """The floor's tables, with ``members`` members ``u0`` …."""
        now = _stamp(self.sqlite, datetime.now(UTC))
        rows = [(f"u{n}", "active", now) for n in range(members)]
        insert = f"INSERT INTO floor_members (user_id, status, joined_at) VALUES ({_marks(self.mark, 3)})"
        if self.sqlite:
            self.conn.executescript(SQLITE_SCHEMA)
            self.conn.execute("BEGIN")
            self.conn.executemany(insert, rows)
            self.conn.execute("COMMIT")
        else:
            with self.conn.cursor() as cur:
                for statement in POSTGRES_SCHEMA.split(";"):
                    if statement.strip():
                        cur.execute(statement)
                cur.executemany(insert, rows)
            self.conn.commit()

    def close(self) -> None:
        self.conn.close()

    # -- the floor -------------------------------------------------------------------------

    def record(self, item: dict[str, Any]) -> int:
        """One activity, one transaction. Returns the ledger rows written."""
        conn, sql, sqlite, mark = self.conn, self.sql, self.sqlite, self.mark
        kind, actor, target = item["type"], item["actor"], item.get("target")
        users = [actor] if target is None else [actor, target]
        now = datetime.now(UTC)
        content = {k: item.get(k) for k in ("type", "actor", "target", "subject")} | {"payload": {}}
        fingerprint = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
        cur = conn.cursor()
        if sqlite:
            cur.execute("BEGIN IMMEDIATE")
        cur.execute(_MEMBERS_SQL.format(_marks(mark, len(users))), users)
        ids = {user_id: member_id for member_id, user_id, _status in cur.fetchall()}
        actor_id, target_id = ids[actor], ids.get(target) if target else None
        cur.execute(
            sql["activity"],
            (
                item["key"],
                kind,
                actor_id,
                target_id,
                item.get("subject"),
                "{}",
                _stamp(sqlite, item["occurred_at"]),
                _stamp(sqlite, now),
                fingerprint,
            ),
        )
        found = cur.fetchone()
        if found is None:  # a replay: nothing more to do
            if sqlite:
                cur.execute("COMMIT")
            else:
                conn.commit()
            return 0
        activity_id = found[0]
        member_of = {"actor": actor_id, "target": target_id}
        members = sorted({m for m in member_of.values() if m is not None})
        names = [f"count:{kind}", f"count:{kind}:in"]
        cur.execute(_COUNTERS_SQL.format(_marks(mark, len(members)), _marks(mark, 2)), [*members, *names])
        counters = {(m, n): v for m, n, v in cur.fetchall()}
        cur.execute(_BALANCES_SQL.format(_marks(mark, len(members))), members)
        balances = {(m, t): b for m, t, b, _level in cur.fetchall()}
        counter_rows = [(actor_id, names[0], counters.get((actor_id, names[0]), 0) + 1)]
        if target_id is not None:
            counter_rows.append((target_id, names[1], counters.get((target_id, names[1]), 0) + 1))
        stamp = _stamp(sqlite, now)
        ledger = []
        for role, point_type, amount in LEDGER_ROWS[kind]:
            member = member_of[role]
            if member is None:
                continue
            balance = balances[(member, point_type)] = balances.get((member, point_type), 0) + amount
            ledger.append(
                (
                    member,
                    point_type,
                    amount,
                    balance,
                    activity_id,
                    "rule",
                    f"{kind} on {item.get('subject')}",
                    False,
                    _stamp(sqlite, item["occurred_at"]),
                )
            )
        touched = sorted({(row[0], row[1]) for row in ledger})
        cur.executemany(sql["counters"], counter_rows)
        cur.executemany(sql["balances"], [(m, t, balances[(m, t)], 0, stamp) for m, t in touched])
        cur.executemany(sql["ledger"], ledger)
        if sqlite:
            cur.execute("COMMIT")
        else:
            conn.commit()
        cur.close()
        return len(ledger)

    def run(self, items: list[dict[str, Any]]) -> float:
        """Activities per second over ``items``, one transaction each."""
        started = time.perf_counter()
        for item in items:
            self.record(item)
        return len(items) / (time.perf_counter() - started)

    # -- one row per commit ----------------------------------------------------------------

    def raw_single(self, rows: int) -> float:
        """Rows per second: one ledger-shaped row per commit through the bare driver."""
        row = (1, "reputation", 10, 10, 1, "rule", "answer.upvoted on post:1", _stamp(self.sqlite, datetime.now(UTC)))
        conn, sql = self.conn, self.sql["raw"]
        started = time.perf_counter()
        if self.sqlite:
            for _ in range(rows):
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(sql, row)
                conn.execute("COMMIT")
        else:
            for _ in range(rows):
                conn.execute(sql, row)
                conn.commit()
        return rows / (time.perf_counter() - started)


def _stamp(sqlite: bool, moment: datetime) -> Any:
    # SQLAlchemy stores naive UTC text on SQLite; psycopg adapts datetimes itself.
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ") if sqlite else moment


class CoreBatch:
    """Ledger-shaped rows through a SQLAlchemy Core ``executemany``, in one transaction."""

    def __init__(self, db: Database) -> None:
        self.engine = sa.create_engine(db.url, **db.engine_options)
        metadata = sa.MetaData()
        self.table = sa.Table(
            "floor_core",
            metadata,
            sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
            sa.Column("member_id", sa.Integer, nullable=False),
            sa.Column("point_type", sa.String(100), nullable=False),
            sa.Column("amount", sa.Integer, nullable=False),
            sa.Column("balance_after", sa.Integer, nullable=False),
            sa.Column("activity_id", sa.BigInteger, nullable=False),
            sa.Column("rule", sa.String(191), nullable=False),
            sa.Column("reason", sa.Text, nullable=False),
            sa.Column("created_at", sa.DateTime, nullable=False),
        )
        metadata.create_all(self.engine)

    def run(self, rows: int) -> float:
        data = [
            {
                "member_id": n % MEMBERS,
                "point_type": "reputation",
                "amount": 10,
                "balance_after": n,
                "activity_id": n,
                "rule": "rule",
                "reason": "answer.upvoted on post:1",
                "created_at": datetime(2026, 1, 1),
            }
            for n in range(rows)
        ]
        started = time.perf_counter()
        with self.engine.begin() as conn:
            conn.execute(self.table.insert(), data)
        return rows / (time.perf_counter() - started)

    def close(self) -> None:
        self.engine.dispose()
