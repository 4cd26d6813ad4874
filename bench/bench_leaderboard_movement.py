"""Benchmark: a leaderboard page with each row's movement, on a large board with its ledger.

    .venv/bin/python bench/bench_leaderboard_movement.py                  # SQLite (a file)
    (source scripts/postgres.sh; trap guildkit_pg_stop EXIT; guildkit_pg_start
     .venv/bin/python bench/bench_leaderboard_movement.py --backend postgresql)
    .venv/bin/python bench/bench_leaderboard_movement.py --members 20000  # quicker

Data: ``--members`` members (default 200,000; 2% suspended, 3% opted out), each with an old
opening row (a Pareto-drawn balance), 60% with 1 to 6 rows last month, 30% with 1 to 4 rows this
week (``--weekly`` sets the share): about four ledger rows a member. The balances' week and month
points are folded from those rows as the write path folds them, then the histogram is counted.

Measured (``--samples`` calls each, p50 and p95 in ms), for each period: a page of 50 (its
rows, its ranks, the reader's standing) and, apart, its 51 previous ranks
(:func:`guildkit.movement.previous_ranks`), at the top and after the 50,000th row: first
live (no kept histogram yet), then after :func:`guildkit.movement.close_periods` (the
``guildkit.leaderboards.close`` job), which is timed too; and the statements a page takes.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))
from bench_analytics import insert_rows
from bench_leaderboards import CHUNK, NOW, community, percentile, timed

from guildkit import GuildKit, leaderboards, movement
from guildkit.leaderboards import Board
from guildkit.models import Activity, Balance, LedgerEntry, Member, table_of
from guildkit.models.scores import drop_score_counts_ddl, score_counts_ddl
from guildkit.movement import Baseline

LONG_AGO = datetime(2025, 1, 6, tzinfo=UTC)
MONTH_START = datetime(2026, 11, 1, tzinfo=UTC)  # last month: November (NOW is 2 December)
WEEK_START = datetime(2026, 11, 30, tzinfo=UTC)  # this week: from Monday 30 November


def build(gk: GuildKit, members: int, weekly: float, seed: int = 16) -> int:
    rng = random.Random(seed)
    engine = gk.store.engine
    with engine.begin() as conn:
        for statement in drop_score_counts_ddl(engine.dialect.name):
            conn.exec_driver_sql(statement)
    insert_rows(
        engine,
        table_of(Activity),
        [{"id": 1, "key": "bench", "type": "bench.point", "payload": {}, "occurred_at": NOW, "recorded_at": NOW,
          "fingerprint": "0" * 64}],
    )  # fmt: skip
    ledger_id = 0
    for start in range(0, members, CHUNK):
        member_rows, balance_rows, ledger_rows = [], [], []
        for member_id in range(start + 1, min(members, start + CHUNK) + 1):
            member_rows.append(
                {"id": member_id, "user_id": f"user-{member_id}", "joined_at": LONG_AGO, "excluded_roles": 0,
                 "status": "suspended" if rng.random() < 0.02 else "active",
                 "leaderboard_opt_out": rng.random() < 0.03}
            )  # fmt: skip
            dated = [(LONG_AGO, int(rng.paretovariate(1.2) * 3))]
            if rng.random() < 0.6:
                dated += [
                    (MONTH_START + timedelta(days=rng.random() * 29), rng.randint(1, 15))
                    for _ in range(rng.randint(1, 6))
                ]
            if rng.random() < weekly:
                dated += [
                    (WEEK_START + timedelta(days=rng.random() * 2.5), rng.randint(1, 15))
                    for _ in range(rng.randint(1, 4))
                ]
            state, balance = (0, 0, 0, 0), 0
            for when, amount in sorted(dated):
                ledger_id += 1
                balance += amount
                state = leaderboards.fold(state, amount, leaderboards.period_keys(when, UTC))
                ledger_rows.append(
                    {"id": ledger_id, "member_id": member_id, "point_type": "reputation", "amount": amount,
                     "balance_after": balance, "activity_id": 1, "rule": "point", "reason": "", "capped": False,
                     "created_at": when}
                )  # fmt: skip
            balance_rows.append(
                {"member_id": member_id, "point_type": "reputation", "balance": balance, "level": 0, "updated_at": NOW,
                 "week_key": state[0], "week_points": state[1], "month_key": state[2], "month_points": state[3]}
            )  # fmt: skip
        insert_rows(engine, table_of(Member), member_rows)
        insert_rows(engine, table_of(Balance), balance_rows)
        insert_rows(engine, table_of(LedgerEntry), ledger_rows)
    with engine.begin() as conn:
        leaderboards.recount(conn)
        for statement in score_counts_ddl(engine.dialect.name):
            conn.exec_driver_sql(statement)
        conn.exec_driver_sql("ANALYZE")
    return ledger_id


def measure(gk: GuildKit, samples: int, deep_at: int, label: str) -> list[tuple[str, float, float]]:
    session = gk.session
    reader = session.get(Member, 1)
    assert reader is not None
    results = []
    for period in leaderboards.PERIODS:
        board = Board.of("reputation", period, NOW, UTC)
        baseline = Baseline.of(board, NOW, UTC)
        deep = session.execute(
            sa.select(board.points, Balance.member_id)
            .join(Member, Member.id == Balance.member_id)
            .where(board.rows, leaderboards.LISTED)
            .order_by(board.points.desc(), Balance.member_id)
            .offset(deep_at)
            .limit(1)
        ).first()
        for where, after in (("top", None), (f"after {deep_at:,}", (int(deep[0]), int(deep[1])) if deep else None)):
            rows = leaderboards.standings(session, board, 50, after)
            ids = [s.member_id for s in rows[:50]] + [reader.id]

            def page(board: Board = board, after: Any = after) -> None:
                leaderboards.standings(session, board, 50, after)
                leaderboards.standing_of(session, board, reader)

            def previous(board: Board = board, baseline: Baseline = baseline, ids: list[int] = ids) -> None:
                movement.previous_ranks(session, board, baseline, ids)

            cases: list[tuple[str, Callable[[], None]]] = [
                (f"{period}, {where}: page + standing", page),
                (f"{period}, {where}: 51 previous ranks, {label}", previous),
            ]
            if label != "live":
                cases = cases[1:]
            for name, call in cases:
                for _ in range(3):
                    call()
                took = [timed(call) for _ in range(samples)]
                results.append((name, percentile(took, 0.5), percentile(took, 0.95)))
    return results


def statements_per_page(gk: GuildKit) -> int:
    """What the page's board takes: its rows, its ranks, the reader's standing, the previous ranks."""
    session = gk.session
    reader = session.get(Member, 1)
    assert reader is not None
    board = Board.of("reputation", "week", NOW, UTC)
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    sa.event.listen(gk.store.engine, "before_cursor_execute", count)
    try:
        rows = leaderboards.standings(session, board, 50, None)
        leaderboards.standing_of(session, board, reader)
        movement.previous_ranks(session, board, Baseline.of(board, NOW, UTC), [s.member_id for s in rows] + [1])
    finally:
        sa.event.remove(gk.store.engine, "before_cursor_execute", count)
    return len(seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--weekly", type=float, default=0.3, help="the share of members with points this week")
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, community(args.backend, Path(tmp)) as gk:
        rows = build(gk, args.members, args.weekly)
        print(f"{args.backend}: {args.members:,} members, {rows:,} ledger rows, {args.weekly:.0%} earning this week")
        deep = min(50_000, args.members // 4)
        print(f"statements for a page's board with its movement, live: {statements_per_page(gk)}")
        print(f"{'case':<50} {'p50 ms':>8} {'p95 ms':>8}")
        for name, p50, p95 in measure(gk, args.samples, deep, "live"):
            print(f"{name:<50} {p50:8.2f} {p95:8.2f}")
        started = time.perf_counter()
        kept = gk.store.run_write(lambda conn: movement.close_periods(conn, NOW, UTC, ["reputation"]))
        print(f"close_periods (the close job): {time.perf_counter() - started:.2f} s, kept {kept}")
        print(f"statements for a page's board with its movement, kept: {statements_per_page(gk)}")
        for name, p50, p95 in measure(gk, args.samples, deep, "kept"):
            print(f"{name:<50} {p50:8.2f} {p95:8.2f}")


if __name__ == "__main__":
    main()
