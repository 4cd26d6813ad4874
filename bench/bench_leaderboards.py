"""Benchmark: leaderboards at a million members, through the functions the API and pages call.

    .venv/bin/python bench/bench_leaderboards.py                     # SQLite (a file)
    (source scripts/postgres.sh; trap guildkit_pg_stop EXIT; guildkit_pg_start
     .venv/bin/python bench/bench_leaderboards.py --backend postgresql)
    .venv/bin/python bench/bench_leaderboards.py --members 100000    # quicker

Data: ``--members`` members (default 1,000,000), 2% of them suspended, 3% opted out and 0.1%
holding ``staff``, a role in ``GUILDKIT_LEADERBOARD_EXCLUDED_ROLES`` (a live grant each), each
with a ``reputation`` balance drawn from a Pareto distribution (most have a few points, a few
have hundreds of thousands); 30% have points this week and 60% this month. Rows are bulk
loaded with the histogram triggers off, then :func:`guildkit.leaderboards.recount` builds the
histogram and the triggers go back on (a live community gets there through its writes).

Measured, in turns with a baseline (A B A B …, ``--samples`` calls each, p50 and p95): the
baseline is a member looked up by primary key, the cheapest index read there is. Then:

* a page: the top 50 of each period (``standings``), and a page deep in the board (after the
  100,000th member);
* a rank: ``standing_of`` for random members of each period;
* statements per page with the reader's standing (target ≤ 3);
* the write path, in turns: ``record()`` of one point with the histogram's triggers as
  ``core_0005`` installed them (no excluded roles) and as today (``core_0006``), and granting
  then revoking a role by hand, an excluded one (the member's scores leave and come back) and
  an ordinary one.

Targets (issue 14): top 50 and any rank ≤ 5 ms p95 on both databases.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

sys.path.insert(0, str(Path(__file__).parent))
from bench_analytics import insert_rows

from guildkit import GuildKit, PointsRule, PointTypeDef, RoleDef, leaderboards
from guildkit.leaderboards import Board
from guildkit.models import Balance, Member, RoleGrant, table_of
from guildkit.models.scores import drop_score_counts_ddl, score_counts_ddl
from guildkit.testing import postgres_schema

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # a Wednesday
CHUNK = 100_000


@contextmanager
def community(backend: str, workdir: Path) -> Iterator[GuildKit]:
    app = Flask("bench", instance_path=str(workdir / "instance"))
    app.config.update(
        GUILDKIT_LOAD_ENTRY_POINTS=False, GUILDKIT_TIMEZONE="UTC", GUILDKIT_LEADERBOARD_EXCLUDED_ROLES=["staff"]
    )
    if backend == "sqlite":
        app.config["GUILDKIT_DATABASE_URI"] = f"sqlite:///{workdir / 'boards.db'}"
        with _app(app) as gk:
            yield gk
        return
    url = os.environ["GUILDKIT_TEST_POSTGRES_URL"]
    app.config["GUILDKIT_DATABASE_URI"] = url
    with postgres_schema(url) as options:
        app.config["GUILDKIT_ENGINE_OPTIONS"] = options
        with _app(app) as gk:
            yield gk


@contextmanager
def _app(app: Flask) -> Iterator[GuildKit]:
    gk = GuildKit(app)
    gk.clock = lambda: NOW
    gk.define(
        point_types=[PointTypeDef("reputation", "Reputation")],
        roles=[RoleDef("staff", "Staff"), RoleDef("helper", "Helper")],
        rules=[PointsRule("point", "bench.point", 1, "reputation", to="actor")],
    )
    with app.app_context():
        gk.create_all()
        yield gk
        gk.store.dispose()  # type: ignore[attr-defined]


def build(gk: GuildKit, members: int, seed: int = 14) -> float:
    rng = random.Random(seed)
    engine = gk.store.engine
    week, month = leaderboards.period_keys(NOW, UTC)
    started = time.perf_counter()
    with engine.begin() as conn:
        for statement in drop_score_counts_ddl(engine.dialect.name):
            conn.exec_driver_sql(statement)
    for start in range(0, members, CHUNK):
        ids = range(start + 1, min(members, start + CHUNK) + 1)
        member_rows = []
        balance_rows = []
        grant_rows = []
        for member_id in ids:
            status = "suspended" if rng.random() < 0.02 else "active"
            staff = rng.random() < 0.001
            if staff:
                grant = {"member_id": member_id, "role_slug": "staff", "rule": "manual", "mode": "manual", "reason": ""}
                grant_rows.append(grant | {"granted_at": NOW})
            member_rows.append(
                {
                    "id": member_id,
                    "user_id": f"user-{member_id}",
                    "status": status,
                    "joined_at": NOW,
                    "leaderboard_opt_out": rng.random() < 0.03,
                    "excluded_roles": int(staff),  # "staff" is flagged: the app synced at create_all
                }
            )
            points = int(rng.paretovariate(1.2) * 3) - 3
            in_month = rng.random() < 0.6
            in_week = in_month and rng.random() < 0.5
            month_points = min(points, int(rng.paretovariate(1.5) * 2)) if in_month else 0
            week_points = min(month_points, int(rng.paretovariate(1.8) * 2)) if in_week else 0
            balance_rows.append(
                {
                    "member_id": member_id,
                    "point_type": "reputation",
                    "balance": points,
                    "level": 0,
                    "updated_at": NOW,
                    "week_key": week if in_week else week - 7,
                    "week_points": week_points if in_week else 3,
                    "month_key": month if in_month else month - 30,
                    "month_points": month_points if in_month else 5,
                }
            )
        insert_rows(engine, table_of(Member), member_rows)
        insert_rows(engine, table_of(Balance), balance_rows)
        insert_rows(engine, table_of(RoleGrant), grant_rows)
    with engine.begin() as conn:
        leaderboards.recount(conn)
        for statement in score_counts_ddl(engine.dialect.name):
            conn.exec_driver_sql(statement)
        conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


def timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(gk: GuildKit, members: int, samples: int, seed: int = 3) -> list[tuple[str, float, float, float]]:
    rng = random.Random(seed)
    session = gk.session
    boards = {period: Board.of("reputation", period, NOW, UTC) for period in leaderboards.PERIODS}
    member_ids = [rng.randint(1, members) for _ in range(samples)]
    by_id = {m.id: m for m in session.scalars(sa.select(Member).where(Member.id.in_(set(member_ids))))}
    deep = {}
    for period, board in boards.items():
        # The cursor of the 100,000th row (or the middle of the board when smaller).
        row = session.execute(
            sa.select(board.points, Balance.member_id)
            .join(Member, Member.id == Balance.member_id)
            .where(board.rows, leaderboards.LISTED)
            .order_by(board.points.desc(), Balance.member_id)
            .offset(min(100_000, members // 2))
            .limit(1)
        ).first()
        deep[period] = (int(row[0]), int(row[1])) if row else None

    def baseline() -> None:
        session.get(Member, rng.randint(1, members))
        session.expunge_all()

    cases: dict[str, Callable[[], Any]] = {}
    for period, board in boards.items():
        cases[f"top 50, {period}"] = lambda board=board: leaderboards.standings(session, board, 50, None)
        cases[f"page after 100k, {period}"] = lambda board=board, period=period: leaderboards.standings(
            session, board, 50, deep[period]
        )
        cases[f"rank, {period}"] = lambda board=board: leaderboards.standing_of(
            session, board, by_id[rng.choice(member_ids)]
        )
    results = []
    for name, case in cases.items():
        for _ in range(10):  # warm the caches and the statement cache first
            case()
        base: list[float] = []
        took: list[float] = []
        for _ in range(samples):
            base.append(timed(baseline))
            took.append(timed(case))
        results.append(
            (name, percentile(took, 0.5), percentile(took, 0.95), statistics.median(took) / statistics.median(base))
        )
    return results


def statements_per_page(gk: GuildKit) -> int:
    session = gk.session
    member = session.get(Member, 1)
    assert member is not None
    board = Board.of("reputation", "week", NOW, UTC)
    seen: list[str] = []
    engine = gk.store.engine

    def count(*args: Any) -> None:
        seen.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        leaderboards.standings(session, board, 50, None)
        leaderboards.standing_of(session, board, member)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def _triggers(gk: GuildKit, exclusions: bool) -> None:
    with gk.store.engine.begin() as conn:
        for statement in drop_score_counts_ddl(conn.dialect.name) + score_counts_ddl(
            conn.dialect.name, exclusions=exclusions
        ):
            conn.exec_driver_sql(statement)


def write_path(gk: GuildKit, members: int, samples: int, seed: int = 5) -> list[tuple[str, float, float]]:
    """ms per call (p50, p95), in turns of 10: record() under core_0005's and today's triggers;
    a grant and revocation of an excluded role and of an ordinary one (core_0006)."""
    rng = random.Random(seed)
    listed = gk.session.scalars(
        sa.select(Member.user_id).where(leaderboards.LISTED).order_by(Member.id).limit(members // 10)
    ).all()
    gk.session.rollback()  # its snapshot's table locks would hold up the trigger DDL on PostgreSQL
    took: dict[str, list[float]] = {}
    counter = iter(range(10**9))

    def record() -> None:
        gk.record("bench.point", actor=rng.choice(listed), key=f"r{next(counter)}")

    def grant(role: str) -> Callable[[], None]:
        def call() -> None:
            user = rng.choice(listed)
            gk.award(user, role=role, reason="bench")
            gk.revoke(user, role=role, reason="bench")

        return call

    record()  # the first use syncs the definitions
    cases: list[tuple[str, bool, Callable[[], None]]] = [
        ("record(), core_0005 triggers", False, record),
        ("record(), core_0006 triggers", True, record),
        ("grant+revoke, excluded role", True, grant("staff")),
        ("grant+revoke, ordinary role", True, grant("helper")),
    ]
    for _ in range(max(1, samples // 10)):
        for name, exclusions, call in cases:
            _triggers(gk, exclusions)
            call()  # warm after the DDL
            took.setdefault(name, []).extend(timed(call) for _ in range(10))
    _triggers(gk, True)
    return [(name, percentile(values, 0.5), percentile(values, 0.95)) for name, values in took.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, community(args.backend, Path(tmp)) as gk:
        seconds = build(gk, args.members)
        print(f"{args.backend}: {args.members:,} members built in {seconds:.0f} s")
        print(f"statements for a page and the reader's standing: {statements_per_page(gk)}")
        print(f"{'case':<28} {'p50 ms':>8} {'p95 ms':>8} {'÷ PK lookup':>12}")
        for name, p50, p95, ratio in measure(gk, args.members, args.samples):
            print(f"{name:<28} {p50:8.2f} {p95:8.2f} {ratio:12.1f}")
        for name, p50, p95 in write_path(gk, args.members, args.samples):
            print(f"{name:<32} {p50:8.2f} {p95:8.2f}")


if __name__ == "__main__":
    main()
