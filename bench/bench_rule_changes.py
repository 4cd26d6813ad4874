"""Benchmark: previewing and applying a rule change over a long history, against a plain read of it.

    .venv/bin/python bench/bench_rule_changes.py                          # SQLite, 1,000,000 activities
    .venv/bin/python bench/bench_rule_changes.py --activities 100000      # quicker
    GUILDKIT_BENCH_POSTGRES_URL=postgresql+psycopg://... .venv/bin/python bench/bench_rule_changes.py \
        --backend postgresql

Set-up (once, not timed): ``--members`` members (10,000) and ``--activities`` activities of four
types over two years, recorded through ``gk.record_many`` under rules *v1* (points per upvote,
a three-level answer badge, a role at 50 points, an XP level scale). Then the rules change to
*v2* (cheaper upvotes, other thresholds, a new badge, points for accepted answers).

Measured, each in a fresh process so its peak memory is its own (``ru_maxrss``), interleaved
A B C A B C … ``--runs`` times (medians reported):

* **select**: a plain ``SELECT`` streaming every row of ``guildkit_activities`` (the floor: the
  history read once);
* **preview**: ``gk.rules.preview(v2)`` — replay under v2 and compare with the live database;
* **apply**: ``gk.rules.apply()`` with v2 in force, on a copy of the database made before each
  run (SQLite: a file copy; PostgreSQL: ``CREATE DATABASE … TEMPLATE``), so every run does the
  whole job.

Printed: seconds and peak RSS per run, medians, and the ratios preview/select and apply/select.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
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
    EventBadgeRule,
    GuildKit,
    Levels,
    PointsRule,
    PointsTotal,
    PointTypeDef,
    RoleDef,
    RoleRule,
)
from guildkit.rules.ruleset import RuleSet

START = datetime(2024, 1, 1, tzinfo=UTC)
TYPES = ("answer.posted", "answer.posted", "answer.upvoted", "answer.upvoted", "answer.upvoted", "answer.accepted")


def rules(version: int) -> RuleSet:
    badges = [
        BadgeDef("answerer", "Answerer", levels=(BadgeLevel("bronze"), BadgeLevel("silver"), BadgeLevel("gold"))),
        BadgeDef("accepted", "Accepted", repeatable=True),
        BadgeDef("prolific", "Prolific"),
    ]
    common = [
        PointsRule("answer-xp", "answer.posted", 5, "xp", to="actor"),
        EventBadgeRule("accepted", "accepted", "answer.accepted", to="target"),
    ]
    if version == 1:
        changing = [
            PointsRule("upvote", "answer.upvoted", 10, "rep"),
            BadgeRule("answerer", "answerer", Count("answer.posted"), (10, 50, 100)),
            RoleRule("trusted", "trusted", PointsTotal("rep"), 500),
            Levels("xp", (50, 250, 500)),
        ]
    else:
        changing = [
            PointsRule("upvote", "answer.upvoted", 7, "rep"),
            PointsRule("accepted-rep", "answer.accepted", 15, "rep"),
            BadgeRule("answerer", "answerer", Count("answer.posted"), (20, 40, 80)),
            BadgeRule("prolific", "prolific", Count("answer.posted"), (120,)),
            RoleRule("trusted", "trusted", PointsTotal("rep"), 800),
            Levels("xp", (100, 200, 400)),
        ]
    return RuleSet(
        point_types=[PointTypeDef("rep", "Reputation"), PointTypeDef("xp", "Experience")],
        badges=badges,
        roles=[RoleDef("trusted", "Trusted")],
        rules=common + changing,
    )


def make_app(url: str, version: int) -> tuple[Flask, GuildKit]:
    app = Flask("bench_rule_changes")
    app.config.update(GUILDKIT_LOAD_ENTRY_POINTS=False, GUILDKIT_BATCH_LIMIT=100_000, GUILDKIT_JOBS_BACKEND="inline")
    if url.startswith("sqlite"):
        app.config["GUILDKIT_DATABASE_URI"] = url
        gk = GuildKit(app, plugins=[rules(version)])
    else:
        from flask_sqlalchemy import SQLAlchemy

        app.config["SQLALCHEMY_DATABASE_URI"] = url
        db = SQLAlchemy()
        db.init_app(app)
        gk = GuildKit(app, db=db, plugins=[rules(version)])
    return app, gk


def build(url: str, activities: int, members: int) -> None:
    app, gk = make_app(url, 1)
    rnd = random.Random(42)
    step = timedelta(days=730) / activities
    with app.app_context():
        gk.create_all()
        started = time.monotonic()
        for start in range(0, activities, 10_000):
            batch = []
            for n in range(start, min(activities, start + 10_000)):
                kind = rnd.choice(TYPES)
                actor, target = rnd.sample(range(members), 2)
                item: dict[str, Any] = {"type": kind, "key": f"b{n}", "occurred_at": START + step * n}
                item["actor"] = f"m{actor}"
                if kind != "answer.posted":
                    item["target"] = f"m{target}"
                batch.append(item)
            gk.record_many(batch)
            if start % 100_000 == 0:
                print(f"  built {start + len(batch):,} in {time.monotonic() - started:.0f} s", file=sys.stderr)
        gk.store.engine.dispose()


def measure(url: str, what: str) -> dict[str, float]:
    """One run, in this process: seconds and peak RSS (MB)."""
    app, gk = make_app(url, 2 if what == "apply" else 1)
    with app.app_context():
        started = time.monotonic()
        if what == "select":
            with gk.store.engine.connect() as conn:
                rows = conn.execution_options(stream_results=True, yield_per=5000).execute(
                    sa.text("SELECT * FROM guildkit_activities")
                )
                count = sum(1 for _ in rows)
            detail = {"rows": count}
        elif what == "preview":
            found = gk.rules.preview(rules(2))
            detail = {"members": found.totals.members, "activities": found.activities}
        else:
            done = gk.rules.apply(notify="nobody")
            detail = {"members": done.members, "ledger_rows": done.ledger_rows, "activities": done.activities}
        seconds = time.monotonic() - started
        gk.store.engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_rss_mb": peak, **detail}


def _copy(backend: str, source: str, target: str) -> str:
    if backend == "sqlite":
        shutil.copyfile(source.removeprefix("sqlite:///"), target.removeprefix("sqlite:///"))
        return target
    base = sa.engine.make_url(source)
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = sa.engine.make_url(target).database
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{base.database}"')
    admin.dispose()
    return target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--measure", choices=["select", "preview", "apply"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.url, args.measure)))
        return
    work = Path(tempfile.mkdtemp(prefix="gk-bench-rules-"))
    if args.backend == "sqlite":
        base, scratch = f"sqlite:///{work / 'history.db'}", f"sqlite:///{work / 'apply.db'}"
    else:
        server = os.environ["GUILDKIT_BENCH_POSTGRES_URL"]
        base = str(sa.engine.make_url(server).set(database="gk_bench_rules"))
        scratch = str(sa.engine.make_url(server).set(database="gk_bench_rules_apply"))
        _copy_empty(server, "gk_bench_rules")
    print(f"building {args.activities:,} activities among {args.members:,} members …", file=sys.stderr)
    build(base, args.activities, args.members)
    results: dict[str, list[dict[str, float]]] = {"select": [], "preview": [], "apply": []}
    for run in range(args.runs):
        for what in results:
            url = _copy(args.backend, base, scratch) if what == "apply" else base
            out = subprocess.run(
                [sys.executable, __file__, "--measure", what, "--url", url], capture_output=True, text=True
            )
            if out.returncode:
                sys.exit(f"{what} failed:\n{out.stderr}")
            figure = json.loads(out.stdout.strip().splitlines()[-1])
            results[what].append(figure)
            print(f"run {run + 1} {what}: {figure}", file=sys.stderr)
    summary: dict[str, Any] = {"backend": args.backend, "activities": args.activities, "members": args.members}
    for what, figures in results.items():
        summary[what] = {
            "seconds": statistics.median(f["seconds"] for f in figures),
            "peak_rss_mb": statistics.median(f["peak_rss_mb"] for f in figures),
        }
    for what in ("preview", "apply"):
        summary[f"{what}/select time"] = summary[what]["seconds"] / summary["select"]["seconds"]
        summary[f"{what}/select peak RSS"] = summary[what]["peak_rss_mb"] / summary["select"]["peak_rss_mb"]
    print(json.dumps(summary, indent=2))
    shutil.rmtree(work, ignore_errors=True)


def _copy_empty(server: str, name: str) -> None:
    admin = sa.create_engine(sa.engine.make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()


if __name__ == "__main__":
    main()
