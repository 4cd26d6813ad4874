"""Leaderboards as index reads: the stored week/month points and the score histogram agree with
the ledger, through points, reversals, backdated history, period roll-overs, suspensions,
opt-outs and erasure, on every backend (see guildkit.leaderboards)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import GuildKit, leaderboards
from guildkit.leaderboards import Board
from guildkit.models import Balance, LedgerEntry, Member, ScoreCount
from guildkit.testing import Clock
from tests.plugins import qa_rules


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return (qa_rules,)


@pytest.fixture
def gk_config() -> dict[str, Any]:
    # A zone far from UTC: a ledger row's week and month are local.
    return {"GUILDKIT_TIMEZONE": "Pacific/Auckland"}


def expected(gk: GuildKit, board: Board) -> list[tuple[str, int, int]]:
    """(user, points, rank) for the listed members, computed from the ledger the slow way."""
    session = gk.session
    if board.since is None:
        rows = session.execute(
            sa.select(Member.user_id, Member.id, Balance.balance)
            .join(Balance, Balance.member_id == Member.id)
            .where(Balance.point_type == board.point_type, leaderboards.LISTED)
        ).all()
    else:
        rows = session.execute(
            sa.select(Member.user_id, Member.id, sa.func.sum(LedgerEntry.amount))
            .join(LedgerEntry, LedgerEntry.member_id == Member.id)
            .where(
                LedgerEntry.point_type == board.point_type,
                LedgerEntry.created_at >= board.since,
                leaderboards.LISTED,
            )
            .group_by(Member.user_id, Member.id)
        ).all()
    ordered = sorted(((int(points), member_id, user) for user, member_id, points in rows), key=lambda r: (-r[0], r[1]))
    return [(user, points, 1 + sum(1 for p, _, _ in ordered if p > points)) for points, _, user in ordered]


def shown(gk: GuildKit, board: Board, limit: int = 7) -> list[tuple[str, int, int]]:
    """The whole board, read a page of ``limit`` at a time as the API does."""
    found: list[tuple[str, int, int]] = []
    after = None
    while True:
        page = leaderboards.standings(gk.session, board, limit, after)
        found += [(s.user_id, s.points, s.rank) for s in page[:limit]]
        if len(page) <= limit:
            return found
        after = (page[limit - 1].points, page[limit - 1].member_id)


def histogram(gk: GuildKit) -> set[tuple[Any, ...]]:
    rows = gk.session.execute(sa.select(ScoreCount.__table__).where(ScoreCount.members != 0)).all()
    return {tuple(r) for r in rows}


def check(gk: GuildKit) -> None:
    gk.session.rollback()  # a fresh snapshot
    for point_type in ("reputation", "xp"):
        for period in leaderboards.PERIODS:
            board = Board.of(point_type, period, gk.clock(), gk.state.zone)
            want = expected(gk, board)
            assert shown(gk, board) == want, (point_type, period)
            ranks = {user: rank for user, _, rank in want}
            for member in gk.session.scalars(sa.select(Member)):
                mine = leaderboards.standing_of(gk.session, board, member)
                listed = {user: points for user, points, _ in want}
                if member.user_id in ranks:
                    assert (mine.points, mine.rank) == (listed[member.user_id], ranks[member.user_id])
                else:  # off the board: where they would be among those listed
                    assert mine.rank == 1 + sum(1 for _, points, _ in want if points > mine.points)
    # What the triggers kept is what a rebuild computes from scratch (for the current periods:
    # a rebuild leaves past weeks and months out).
    current = {0, *leaderboards.period_keys(gk.clock(), gk.state.zone)}
    kept = {row for row in histogram(gk) if row[2] in current}
    gk.store.run_write(lambda conn: leaderboards.rebuild(conn, gk.clock(), gk.state.zone))
    gk.session.rollback()
    assert histogram(gk) == kept


def test_boards_and_ranks_follow_the_ledger_through_everything(gk: GuildKit, gk_clock: Clock) -> None:
    rng = random.Random(14)
    users = [f"u{n}" for n in range(24)]
    keys: list[str] = []
    gk_clock.set(datetime(2026, 3, 27, 9, 0, tzinfo=gk.state.zone))  # a Friday, near a month's end
    for step in range(260):
        roll = rng.random()
        actor, target = rng.sample(users, 2)
        key = f"a{step}"
        if roll < 0.45:
            gk.record("answer.upvoted", actor=actor, target=target, subject=f"answer:{step}", key=key)
        elif roll < 0.6:
            gk.record("answer.downvoted", actor=actor, target=target, subject=f"answer:{step}", key=key)
        elif roll < 0.75:
            gk.record("answer.posted", actor=actor, subject=f"answer:{step}", key=key)
        elif roll < 0.8:  # history recorded late: dated up to three weeks back
            back = gk_clock() - timedelta(days=rng.randint(1, 21))
            gk.record("answer.posted", actor=actor, subject=f"answer:{step}", key=key, occurred_at=back)
        elif roll < 0.86 and keys:
            gk.retract(rng.choice(keys), reason="spam")
            continue
        elif roll < 0.9:
            member = rng.choice(users)
            if gk.session.scalar(sa.select(Member.id).where(Member.user_id == member)) is not None:
                status = rng.choice(["active", "suspended", "banned"])
                gk.set_status(member, status, reason="test")
            continue
        elif roll < 0.94:
            gk.privacy.set_leaderboard_opt_out(rng.choice(users), rng.random() < 0.5)
            continue
        else:
            gk_clock.advance(hours=rng.randint(6, 60))  # across days, weeks and the month's end
            continue
        keys.append(key)
        if step % 52 == 51:
            check(gk)
    check(gk)
    erased = next(u for u in users if gk.session.scalar(sa.select(Member.id).where(Member.user_id == u)))
    gk.privacy.erase(erased, confirm=True, reason="asked")
    check(gk)


def test_a_new_week_starts_empty_and_last_weeks_points_stay_all_time(gk: GuildKit, gk_clock: Clock) -> None:
    gk_clock.set(datetime(2026, 6, 7, 20, 0, tzinfo=gk.state.zone))  # a Sunday evening, local
    gk.record("answer.upvoted", actor="v", target="ann", subject="answer:1", key="k1")
    week = Board.of("reputation", "week", gk_clock(), gk.state.zone)
    assert [(s.user_id, s.points, s.rank) for s in leaderboards.standings(gk.session, week, 10, None)] == [
        ("ann", 10, 1)
    ]
    gk_clock.advance(hours=5)  # Monday, 1 a.m. local: a new week (still Sunday in UTC)
    week = Board.of("reputation", "week", gk_clock(), gk.state.zone)
    assert leaderboards.standings(gk.session, week, 10, None) == []
    assert leaderboards.standing_of(gk.session, week, gk.member("ann")).points == 0
    gk.record("answer.upvoted", actor="w", target="bob", subject="answer:2", key="k2")
    gk.retract("k1", reason="mistake")  # the reversal counts in the week it was made
    gk.session.rollback()
    assert [(s.user_id, s.points, s.rank) for s in leaderboards.standings(gk.session, week, 10, None)] == [
        ("bob", 10, 1),
        ("ann", -9, 2),  # reputation's floor is 1: the reversal took back 9
    ]
    everything = Board.of("reputation", "all", gk_clock(), gk.state.zone)
    assert [(s.user_id, s.points) for s in leaderboards.standings(gk.session, everything, 10, None)] == [
        ("bob", 10),
        ("ann", 1),  # the point type's floor
    ]


def test_a_page_and_the_readers_standing_take_three_statements(gk: GuildKit, gk_app: Flask) -> None:
    for n in range(30):
        for vote in range(n % 7):
            gk.record("answer.upvoted", actor=f"v{vote}", target=f"u{n}", subject="answer:1", key=f"up:{n}:{vote}")
    board = Board.of("reputation", "week", gk.clock(), gk.state.zone)
    statements: list[str] = []
    engine = gk.session.get_bind()

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    reader = gk.member("u13")
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        page = leaderboards.standings(gk.session, board, 10, None)
        mine = leaderboards.standing_of(gk.session, board, reader)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    statements = [s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "SAVEPOINT"))]
    assert len(page) == 11 and page[0].points == 60
    assert (mine.points, mine.rank) == (60, 1)
    # the page is two statements (its rows, the counts above its first score), the standing one
    assert len(statements) == 3, statements


def test_the_rebuild_command_recomputes_what_was_edited_by_hand(gk: GuildKit, gk_app: Flask) -> None:
    for n in range(5):
        gk.record("answer.upvoted", actor="v", target=f"u{n}", subject="answer:1", key=f"up:{n}")
    before = histogram(gk)
    with gk.store.engine.begin() as conn:  # a hand edit that bypasses nothing: triggers follow
        conn.execute(sa.delete(ScoreCount.__table__))
    gk.session.rollback()
    assert histogram(gk) == set()
    runner = gk_app.test_cli_runner()
    result = runner.invoke(args=["guildkit", "leaderboards", "rebuild"])
    assert result.exit_code == 0, result.output
    assert '"score_counts"' in result.output
    gk.session.rollback()
    assert histogram(gk) == before
    assert [s.rank for s in leaderboards.standings(gk.session, Board("reputation", "all", 0, None), 10, None)] == [
        1,
        1,
        1,
        1,
        1,
    ]


def test_ranks_across_block_edges_and_below_zero(gk: GuildKit) -> None:
    """Scores on both sides of the histogram's block edges (and negative ones) rank exactly."""
    values = [-2049, -2048, -1025, -1024, -1023, -1, 0, 0, 1, 1023, 1024, 1024, 1025, 2047, 2048, 5000, 1_000_000]
    with gk.store.engine.begin() as conn:
        conn.execute(
            sa.insert(Member.__table__),
            [{"id": 1000 + n, "user_id": f"m{n}", "joined_at": gk.clock()} for n in range(len(values))],
        )
        conn.execute(
            sa.insert(Balance.__table__),
            [
                {"member_id": 1000 + n, "point_type": "xp", "balance": value, "updated_at": gk.clock()}
                for n, value in enumerate(values)
            ],
        )
    board = Board("xp", "all", 0, None)
    assert shown(gk, board, limit=4) == expected(gk, board)
    for n, value in enumerate(values):
        mine = leaderboards.standing_of(gk.session, board, gk.member(f"m{n}"))
        assert (mine.points, mine.rank) == (value, 1 + sum(1 for v in values if v > value))
