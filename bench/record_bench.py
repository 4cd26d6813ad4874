"""Benchmark: record() and record_many() against raw baselines in the same database and process.

    .venv/bin/python bench/record_bench.py                      # SQLite
    GUILDKIT_TEST_POSTGRES_URL=postgresql+psycopg://... .venv/bin/python bench/record_bench.py

Set-up: 20 rules (points, count/streak/distinct/points-total badges with levels, roles, levels)
over 10,000 members. Measured:

* ``record()``, one activity per transaction, against a raw-driver baseline inserting one
  ledger-shaped row per commit (sqlite3 / psycopg, same database, same pragmas);
* ``record_many()`` in batches, against a SQLAlchemy Core ``executemany`` of ledger-shaped rows
  in one transaction;
* on SQLite also a "same shape" baseline: the statements one ``record()`` transaction needs
  (find members, insert the activity, read counters, balances, badges and roles, upsert
  counters and balances, insert ledger rows), hand-written for the bare driver. It is the
  floor for any design that keeps all of that in one transaction.

Prints activities (or rows) per second and the ratios. Timings vary by machine and load: run it
on a quiet machine, and compare ratios rather than absolute figures.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from guildkit import (
    BadgeDef,
    BadgeLevel,
    BadgeRule,
    Count,
    Distinct,
    GuildKit,
    Levels,
    PointsRule,
    PointsTotal,
    PointTypeDef,
    RoleDef,
    RoleRule,
    Streak,
)
from guildkit.models import Member
from guildkit.testing import postgres_schema

MEMBERS = 10_000
TYPES = ["answer.upvoted", "question.upvoted", "answer.posted", "question.posted", "answer.accepted", "visit"]

LEDGER_SHAPE = """CREATE TABLE bench_ledger (
    id {pk}, member_id INTEGER NOT NULL, point_type VARCHAR(100) NOT NULL, amount INTEGER NOT NULL,
    balance_after INTEGER NOT NULL, activity_id BIGINT NOT NULL, rule VARCHAR(191) NOT NULL,
    reason TEXT NOT NULL, created_at TIMESTAMP NOT NULL)"""


def define(gk: GuildKit) -> int:
    tiers = (BadgeLevel("bronze"), BadgeLevel("silver"), BadgeLevel("gold"))
    rules: list[Any] = [
        PointsRule("answer-upvoted", "answer.upvoted", 10, "reputation"),
        PointsRule("question-upvoted", "question.upvoted", 5, "reputation"),
        PointsRule("answer-accepted", "answer.accepted", 15, "reputation", capped=False),
        PointsRule("accepter", "answer.accepted", 2, "reputation", to="actor", capped=False),
        PointsRule("answer-xp", "answer.posted", 5, "xp", to="actor"),
        PointsRule("question-xp", "question.posted", 3, "xp", to="actor"),
        PointsRule("visit-xp", "visit", 1, "xp", to="actor", daily_cap=1),
        PointsRule("voter-xp", ("answer.upvoted", "question.upvoted"), 1, "xp", to="actor", daily_cap=30),
        BadgeRule("answerer", "answerer", Count("answer.posted"), (1, 10, 100)),
        BadgeRule("asker", "asker", Count("question.posted"), (1, 10, 100)),
        BadgeRule("enthusiast", "enthusiast", Streak("visit"), (3, 10, 30)),
        BadgeRule("supporter", "supporter", Distinct("answer.upvoted", "actor", "target"), (5, 25, 100)),
        BadgeRule("popular", "popular", Count("answer.upvoted", "target"), (10, 50, 200)),
        BadgeRule("reputable", "reputable", PointsTotal("reputation"), (100, 1000, 10000)),
        BadgeRule("accepted", "accepted", Count("answer.accepted", "target"), (1, 10, 50)),
        BadgeRule("experienced", "experienced", PointsTotal("xp"), (50, 500, 5000)),
        RoleRule("trusted", "trusted", PointsTotal("reputation"), 500),
        RoleRule("regular", "regular", Count("visit"), 20),
        BadgeRule("curious", "curious", Distinct("question.upvoted", "actor", "target"), (5, 25, 100)),
        BadgeRule("voter", "voter", Count("question.upvoted"), (10, 100, 1000)),
        Levels("xp", (10, 100, 1000, 10000)),
    ]
    badges = [BadgeDef(r.badge, r.badge.title(), levels=tiers) for r in rules if isinstance(r, BadgeRule)]
    gk.define(
        point_types=[PointTypeDef("reputation", "Reputation", floor=1, daily_cap=200), PointTypeDef("xp", "XP")],
        badges=badges,
        roles=[RoleDef("trusted", "Trusted"), RoleDef("regular", "Regular")],
        rules=rules,
    )
    return sum(1 for r in rules if not isinstance(r, Levels))


def activities(count: int, seed: int, prefix: str) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    items = []
    for n in range(count):
        kind = rng.choice(TYPES)
        actor = f"u{rng.randrange(MEMBERS)}"
        item: dict[str, Any] = {
            "type": kind,
            "actor": actor,
            "key": f"{prefix}:{n}",
            "occurred_at": start + timedelta(minutes=n),
        }
        if kind in ("answer.upvoted", "question.upvoted", "answer.accepted"):
            item["target"] = f"u{rng.randrange(MEMBERS)}"
            item["subject"] = f"post:{rng.randrange(50_000)}"
        items.append(item)
    return items


@contextmanager
def community(backend: str, workdir: Path) -> Iterator[tuple[Flask, GuildKit, str, dict[str, Any]]]:
    app = Flask("bench", instance_path=str(workdir / "instance"))
    app.config["GUILDKIT_LOAD_ENTRY_POINTS"] = False
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
        app.config["GUILDKIT_DATABASE_URI"] = url
        with _app(app, url, {}) as (gk, options):
            yield app, gk, url, options
    else:
        url = os.environ["GUILDKIT_TEST_POSTGRES_URL"]
        with postgres_schema(url) as options:
            app.config["GUILDKIT_DATABASE_URI"] = url
            app.config["GUILDKIT_ENGINE_OPTIONS"] = options
            with _app(app, url, options) as (gk, _):
                yield app, gk, url, options


@contextmanager
def _app(app: Flask, url: str, options: dict[str, Any]) -> Iterator[tuple[GuildKit, dict[str, Any]]]:
    gk = GuildKit(app)
    with app.app_context():
        gk.create_all()
        yield gk, options
        gk.store.dispose()  # type: ignore[attr-defined]


def seed_members(gk: GuildKit) -> None:
    now = datetime(2025, 12, 1, tzinfo=UTC)
    with gk.store.engine.begin() as conn:
        conn.execute(
            sa.insert(Member), [{"user_id": f"u{n}", "status": "active", "joined_at": now} for n in range(MEMBERS)]
        )


def timed(run: Callable[[], int]) -> float:
    started = time.perf_counter()
    count = run()
    return count / (time.perf_counter() - started)


def raw_single(backend: str, url: str, options: dict[str, Any], rows: int) -> float:
    """One ledger-shaped row per commit, through the bare driver."""
    row = (1, "reputation", 10, 10, 1, "rule", "answer.upvoted on post:1", datetime(2026, 1, 1))
    if backend == "sqlite":
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(LEDGER_SHAPE.format(pk="INTEGER PRIMARY KEY"))
        sql = (
            "INSERT INTO bench_ledger (member_id, point_type, amount, balance_after, activity_id, rule, reason,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        )

        def run() -> int:
            for _ in range(rows):
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(sql, row)
                conn.execute("COMMIT")
            return rows

        rate = timed(run)
        conn.close()
        return rate
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    search_path = options["connect_args"]["options"]
    with psycopg.connect(dsn, options=search_path) as pg:
        pg.execute(LEDGER_SHAPE.format(pk="BIGSERIAL PRIMARY KEY"))
        pg.commit()
        sql = (
            "INSERT INTO bench_ledger (member_id, point_type, amount, balance_after, activity_id, rule, reason,"
            " created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        )

        def run_pg() -> int:
            for _ in range(rows):
                pg.execute(sql, row)
                pg.commit()
            return rows

        return timed(run_pg)


SAME_SHAPE_SCHEMA = """
CREATE TABLE ss_m (id INTEGER PRIMARY KEY, user_id TEXT UNIQUE, status TEXT);
CREATE TABLE ss_a (id INTEGER PRIMARY KEY, key TEXT UNIQUE, type TEXT, actor INT, target INT, payload TEXT, t TEXT);
CREATE TABLE ss_c (member INT, name TEXT, value INT, PRIMARY KEY (member, name));
CREATE TABLE ss_b (member INT, pt TEXT, balance INT, level INT, PRIMARY KEY (member, pt));
CREATE INDEX ss_b_rank ON ss_b (pt, balance DESC, member);
CREATE TABLE ss_l (id INTEGER PRIMARY KEY, member INT, pt TEXT, amount INT, after INT, act INT, rule TEXT,
                   reason TEXT, t TEXT);
CREATE INDEX ss_l1 ON ss_l (member, pt, id);
CREATE INDEX ss_l2 ON ss_l (act);
CREATE INDEX ss_l3 ON ss_l (pt, t);
CREATE TABLE ss_aw (id INTEGER PRIMARY KEY, member INT, slug TEXT, level INT, revoked TEXT);
CREATE TABLE ss_g (id INTEGER PRIMARY KEY, member INT, slug TEXT, revoked TEXT);
"""


def raw_same_shape(url: str, count: int) -> float:
    """One record()-shaped transaction per activity, hand-written for sqlite3 (see the docstring)."""
    conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(SAME_SHAPE_SCHEMA)
    conn.executemany("INSERT INTO ss_m (user_id, status) VALUES (?, 'active')", [(f"u{n}",) for n in range(MEMBERS)])
    rng = random.Random(4)

    def run() -> int:
        for n in range(count):
            actor, target = f"u{rng.randrange(MEMBERS)}", f"u{rng.randrange(MEMBERS)}"
            conn.execute("BEGIN IMMEDIATE")
            ids = dict(conn.execute("SELECT user_id, id FROM ss_m WHERE user_id IN (?, ?)", (actor, target)).fetchall())
            a, t = ids[actor], ids[target]
            activity = conn.execute(
                "INSERT INTO ss_a (key, type, actor, target, payload, t) VALUES (?, 'answer.upvoted', ?, ?, '{}', "
                "'2026-01-01') ON CONFLICT (key) DO NOTHING RETURNING id",
                (f"k{n}", a, t),
            ).fetchone()[0]
            conn.execute(
                "SELECT member, name, value FROM ss_c WHERE member IN (?, ?) AND name IN ('c1', 'c2', 'c3')", (a, t)
            ).fetchall()
            conn.execute("SELECT member, pt, balance, level FROM ss_b WHERE member IN (?, ?)", (a, t)).fetchall()
            conn.execute(
                "SELECT member, id, slug, level FROM ss_aw WHERE member IN (?, ?) AND revoked IS NULL", (a, t)
            ).fetchall()
            conn.execute(
                "SELECT member, id, slug FROM ss_g WHERE member IN (?, ?) AND revoked IS NULL", (a, t)
            ).fetchall()
            conn.executemany(
                "INSERT INTO ss_c VALUES (?, ?, ?) ON CONFLICT (member, name) DO UPDATE SET value = excluded.value",
                [(a, "c1", n), (t, "c2", n)],
            )
            conn.executemany(
                "INSERT INTO ss_b VALUES (?, ?, ?, 0) ON CONFLICT (member, pt) DO UPDATE SET balance = "
                "excluded.balance",
                [(t, "reputation", n), (a, "xp", n)],
            )
            conn.executemany(
                "INSERT INTO ss_l (member, pt, amount, after, act, rule, reason, t) VALUES "
                "(?, ?, 10, ?, ?, 'rule', 'answer.upvoted on post:1', '2026-01-01')",
                [(t, "reputation", n, activity), (a, "xp", n, activity)],
            )
            conn.execute("COMMIT")
        return count

    rate = timed(run)
    conn.close()
    return rate


def core_batch(engine: sa.Engine, rows: int) -> float:
    """Ledger-shaped rows through a Core executemany, in one transaction."""
    metadata = sa.MetaData()
    table = sa.Table(
        "bench_ledger_core",
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
    metadata.create_all(engine)
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

    def run() -> int:
        with engine.begin() as conn:
            conn.execute(table.insert(), data)
        return rows

    return timed(run)


def bench(backend: str, single_n: int, batch_n: int, batch_size: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, community(backend, Path(tmp)) as (_app, gk, url, options):
        rules = define(gk)
        seed_members(gk)
        warm = activities(300, 1, "warm")
        for item in warm:
            gk.record(**item)
        single_items = activities(single_n, 2, "single")

        def run_single() -> int:
            for item in single_items:
                gk.record(**item)
            return single_n

        single = timed(run_single)
        raw = raw_single(backend, url, options, single_n)
        batch_items = activities(batch_n, 3, "batch")

        def run_batch() -> int:
            for start in range(0, batch_n, batch_size):
                gk.record_many(batch_items[start : start + batch_size])
            return batch_n

        batch = timed(run_batch)
        core = core_batch(gk.store.engine, batch_n)
        shape = raw_same_shape(url, single_n) if backend == "sqlite" else None
        with gk.store.engine.connect() as conn:
            ledger_rows = conn.exec_driver_sql("SELECT count(*) FROM guildkit_ledger").scalar_one()
            stored = conn.exec_driver_sql("SELECT count(*) FROM guildkit_activities").scalar_one()
        assert stored == 300 + single_n + batch_n
    return {
        "rules": rules,
        "single": single,
        "raw": raw,
        "batch": batch,
        "core": core,
        "shape": shape,
        "ledger_per_activity": ledger_rows / stored,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--single", type=int, default=3000, help="activities recorded one per transaction")
    parser.add_argument("--batch", type=int, default=20000, help="activities recorded with record_many")
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if os.environ.get("GUILDKIT_TEST_POSTGRES_URL") else [])
    print(
        f"{MEMBERS:,} members; single: {args.single:,} activities; batch: {args.batch:,} in batches of "
        f"{args.batch_size}"
    )
    for backend in backends:
        r = bench(backend, args.single, args.batch, args.batch_size)
        print(f"\n{backend}  ({r['rules']} rules, {r['ledger_per_activity']:.2f} ledger rows per activity)")
        print(
            f"  record()       {r['single']:>9,.0f} activities/s   raw driver, 1 row/commit {r['raw']:>9,.0f} rows/s"
            f"   ratio {r['single'] / r['raw']:.3f}"
        )
        print(
            f"  record_many()  {r['batch']:>9,.0f} activities/s   Core executemany          {r['core']:>9,.0f} rows/s"
            f"   ratio {r['batch'] / r['core']:.3f}"
        )
        if r["shape"]:
            print(
                f"  same transaction shape, bare driver: {r['shape']:,.0f} activities/s"
                f" (ratio to the 1-row baseline {r['shape'] / r['raw']:.3f}); record() reaches"
                f" {r['single'] / r['shape']:.2f} of it"
            )


if __name__ == "__main__":
    main()
