"""Benchmark: the activity table's size per million activities before and after compaction.

    .venv/bin/python bench/bench_retention.py                                # SQLite, 1,000,000 rows
    GUILDKIT_BENCH_POSTGRES_URL=postgresql+psycopg://... .venv/bin/python bench/bench_retention.py
    .venv/bin/python bench/bench_retention.py --rows 200000 --only sqlite    # quicker

Set-up: ``--members`` members (10,000) and ``--rows`` activities over the two years before
"now", of eight types, written with the driver's ``executemany`` (SQLite) or ``COPY``
(PostgreSQL), then ``ANALYZE``d. Each row is what ``gk.record`` stores: a key like
``answer.posted:4711:9f3c…`` (~40 bytes), a 64-character fingerprint, a subject on most types,
actor and (on votes) target, and a JSON payload of 100-300 bytes (a title of random words, a
count, tags, a client and a country code).

Measured on each database (``--only`` picks one):

* **size**: the table with every index (and TOAST), in bytes: SQLite sums ``pgsize`` of the
  ``dbstat`` virtual table over the table and its indexes; PostgreSQL asks
  ``pg_total_relation_size``. Before, and right after compaction (``GUILDKIT_RETENTION_DAYS =
  30``: every row is due, so the figure is the size of a compacted row); then the live content,
  which is what new rows fill before the file grows again (SQLite: ``dbstat``'s ``pgsize -
  unused``, freed cells are reused in place; PostgreSQL: the size after ``VACUUM FULL``, once a
  plain ``VACUUM`` has made the old row versions' space reusable), and the file once rewritten
  (SQLite ``VACUUM``, PostgreSQL ``VACUUM FULL``).
* **rate**: compaction through ``guildkit.retention.compaction.compact`` with the default batch
  (1,000 rows per transaction), in rows per second; then a second run, which finds nothing due,
  in seconds per million rows (what the daily job costs once the table is compacted).

Sizes are scaled to "per 1,000,000 activities" from ``--rows``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import string
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from guildkit.models import CORE_TABLES, Activity, Base, Member, table_of
from guildkit.retention.compaction import compact
from guildkit.retention.policy import Policy
from guildkit.store import OwnStore

ACTIVITIES = table_of(Activity)
MEMBERS = table_of(Member)
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
TYPES = (
    ("answer.posted", True, False),  # (type, has a subject, has a target)
    ("question.posted", True, False),
    ("comment.posted", True, True),
    ("answer.upvoted", True, True),
    ("answer.accepted", True, True),
    ("post.read", True, False),
    ("visit", False, False),
    ("topic.entered", True, False),
)
WORDS = [
    "".join(random.Random(i).choices(string.ascii_lowercase, k=random.Random(i).randint(3, 9))) for i in range(2000)
]


def payload(rng: random.Random) -> dict[str, Any]:
    """100-300 bytes of JSON, the shape hosts send: a title, a count, tags, where it came from."""
    title = " ".join(rng.choices(WORDS, k=rng.randint(6, 30)))
    return {
        "title": title,
        "words": rng.randint(5, 2000),
        "tags": rng.sample(WORDS[:50], rng.randint(0, 4)),
        "client": rng.choice(("web", "ios", "android", "api")),
        "country": rng.choice(("DE", "US", "FR", "BR", "IN", "JP")),
    }


def rows(count: int, members: int, seed: int = 7) -> Iterator[tuple[Any, ...]]:
    """Activities as (key, type, actor_id, target_id, subject, payload, occurred_at, recorded_at,
    fingerprint), naive UTC times; ids are given by the database."""
    rng = random.Random(seed)
    span = timedelta(days=700).total_seconds()
    for n in range(count):
        type_, has_subject, has_target = TYPES[n % len(TYPES)]
        actor = rng.randint(1, members)
        target = rng.randint(1, members) if has_target else None
        subject = f"{type_.split('.')[0]}:{rng.randint(1, 5_000_000)}" if has_subject else None
        occurred = (NOW - timedelta(days=31) - timedelta(seconds=rng.random() * span)).replace(tzinfo=None)
        yield (
            f"{type_}:{actor}:{rng.getrandbits(64):016x}",
            type_,
            actor,
            target,
            subject,
            json.dumps(payload(rng), separators=(",", ":")),
            occurred,
            occurred + timedelta(seconds=rng.randint(0, 5)),
            f"{rng.getrandbits(256):064x}",
        )


COLUMNS = ("key", "type", "actor_id", "target_id", "subject", "payload", "occurred_at", "recorded_at", "fingerprint")


def build(engine: sa.Engine, count: int, members: int) -> float:
    """Create guildkit's core tables and fill them; returns the seconds it took."""
    started = time.perf_counter()
    Base.metadata.create_all(engine, tables=list(CORE_TABLES))
    with engine.begin() as conn:
        conn.execute(
            sa.insert(MEMBERS),
            [
                {"user_id": f"user-{i}", "status": "active", "joined_at": NOW - timedelta(days=800)}
                for i in range(members)
            ],
        )
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        chunk: list[tuple[Any, ...]] = []
        if engine.dialect.name == "postgresql":
            with cursor.copy(f"COPY guildkit_activities ({', '.join(COLUMNS)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows(count, members):
                    copy.write_row(row)
        else:
            insert = f"INSERT INTO guildkit_activities ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
            for row in rows(count, members):
                # The text SQLAlchemy's SQLite DateTime stores, so the rows read back as guildkit's.
                chunk.append((*row[:6], *(t.strftime("%Y-%m-%d %H:%M:%S.%f") for t in row[6:8]), row[8]))
                if len(chunk) == 50_000:
                    cursor.executemany(insert, chunk)
                    chunk.clear()
            if chunk:
                cursor.executemany(insert, chunk)
        raw.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


def size(engine: sa.Engine) -> tuple[int, int]:
    """(bytes on disk of the activity table with its indexes, bytes of live row content)."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            total = conn.scalar(sa.text("SELECT pg_total_relation_size('guildkit_activities')"))
            return int(total), int(total)  # live content: see the VACUUM FULL figure
        names = [ACTIVITIES.name] + [
            name
            for (name,) in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'guildkit_activities'"
            )
        ]
        marks = ", ".join("?" * len(names))
        total, content = conn.exec_driver_sql(
            f"SELECT SUM(pgsize), SUM(pgsize - unused) FROM dbstat WHERE name IN ({marks})", tuple(names)
        ).one()
        return int(total), int(content)


def maintain(engine: sa.Engine, statement: str) -> float:
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(statement)
    return time.perf_counter() - started


@contextmanager
def database(kind: str, keep: Path) -> Iterator[OwnStore]:
    if kind == "sqlite":
        path = keep / "retention.db"
        path.unlink(missing_ok=True)
        store = OwnStore(f"sqlite:///{path}")
        try:
            yield store
        finally:
            store.dispose()
        return
    url = os.environ.get("GUILDKIT_BENCH_POSTGRES_URL") or os.environ.get("GUILDKIT_TEST_POSTGRES_URL")
    if not url:
        raise SystemExit("set GUILDKIT_BENCH_POSTGRES_URL (or GUILDKIT_TEST_POSTGRES_URL) for PostgreSQL")
    schema = "gk_bench_retention"
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    store = OwnStore(url, {"connect_args": {"options": f"-csearch_path={schema}"}})
    try:
        yield store
    finally:
        store.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def run(kind: str, count: int, members: int, keep: Path) -> dict[str, Any]:
    per_million = 1_000_000 / count
    with database(kind, keep) as store:
        engine = store.engine
        built = build(engine, count, members)
        before, before_content = size(engine)
        policy = Policy(days=30)
        done = compact(store, policy, NOW)
        assert done.compacted == count, done.out()
        compacted, compacted_content = size(engine)
        again = compact(store, policy, NOW)
        assert again.compacted == 0
        # PostgreSQL: a plain VACUUM makes the old row versions' space reusable (the file keeps its size).
        vacuum = maintain(engine, "VACUUM guildkit_activities") if kind == "postgresql" else 0.0
        rewrite = maintain(engine, "VACUUM FULL guildkit_activities" if kind == "postgresql" else "VACUUM")
        rewritten, rewritten_content = size(engine)
        if kind == "postgresql":  # what a rewrite keeps is the live content
            before_content, compacted_content = before, rewritten_content
        return {
            "database": kind,
            "rows": count,
            "build_seconds": round(built, 1),
            "bytes_per_1m": {
                "before": round(before * per_million),
                "before_content": round(before_content * per_million),
                "after_compaction": round(compacted * per_million),
                "after_compaction_content": round(compacted_content * per_million),
                "after_rewrite": round(rewritten * per_million),
            },
            "compaction_rows_per_second": round(count / done.seconds),
            "compaction_seconds": round(done.seconds, 1),
            "batches": done.batches,
            "rerun_seconds_per_1m": round(again.seconds * per_million, 2),
            "vacuum_seconds": round(vacuum, 1),
            "rewrite_seconds": round(rewrite, 1),
        }


def mib(value: int) -> str:
    return f"{value / 2**20:,.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--keep", type=Path, default=None, help="folder for the SQLite file (default: a temp dir)")
    args = parser.parse_args()
    kinds = [args.only] if args.only else ["sqlite", "postgresql"]
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        results = [run(kind, args.rows, args.members, folder) for kind in kinds]
    print(json.dumps(results, indent=2))
    print()
    print("| database | before (file) | after compaction (file) | live content after | after rewrite | rate | rerun |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        b = r["bytes_per_1m"]
        print(
            f"| {r['database']} | {mib(b['before'])} | {mib(b['after_compaction'])} "
            f"| {mib(b['after_compaction_content'])} | {mib(b['after_rewrite'])} "
            f"| {r['compaction_rows_per_second']:,} rows/s | {r['rerun_seconds_per_1m']} s |"
        )


if __name__ == "__main__":
    main()
