"""Leaderboard movement: each row's rank against the board's baseline (last week's or last month's
board as it ended; all time: the start of this week), checked against the ledger the slow way
through a period boundary, new entrants, ties, opt-outs and a rebuild; and as the page and the
JSON API show it (see guildkit.movement.previous_ranks)."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import GuildKit, leaderboards, movement
from guildkit.leaderboards import Board
from guildkit.models import LedgerEntry, Member, ScoreCount
from guildkit.movement import Baseline
from guildkit.testing import Clock
from tests.plugins import qa_rules
from tests.test_pages import rows
from tests.webclient import API_PREFIX, Site, mount


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return (qa_rules,)


@pytest.fixture
def gk_config() -> dict[str, Any]:
    # A zone far from UTC: periods begin at local midnight.
    return {"GUILDKIT_TIMEZONE": "Pacific/Auckland"}


def expected_previous(gk: GuildKit, board: Board, baseline: Baseline) -> dict[str, int]:
    """Every member's rank at the baseline, from the ledger the slow way: the points of the rows
    dated in the previous period (all time: before ``at``), among the members listed today."""
    dated = LedgerEntry.created_at < baseline.at
    if baseline.start is not None:
        dated = sa.and_(dated, LedgerEntry.created_at >= baseline.start)
    rows = gk.session.execute(
        sa.select(
            Member.user_id, sa.func.sum(LedgerEntry.amount), sa.func.max(sa.case((leaderboards.LISTED, 1), else_=0))
        )
        .join(LedgerEntry, LedgerEntry.member_id == Member.id)
        .where(LedgerEntry.point_type == board.point_type, dated)
        .group_by(Member.user_id)
    ).all()
    listed = [int(points) for _, points, on in rows if on]
    return {user: 1 + sum(1 for p in listed if p > int(points)) for user, points, _ in rows}


def check(gk: GuildKit) -> None:
    """The live answers, then the kept ones (the close job run afresh), are the slow way's."""
    for kept in (False, True):
        if kept:
            with gk.store.engine.begin() as conn:
                conn.execute(sa.delete(ScoreCount).where(ScoreCount.period.in_(movement.FINAL.values())))
            gk.jobs.run(movement.CLOSE_JOB)
        gk.session.rollback()
        members = list(gk.session.scalars(sa.select(Member)))
        for point_type in ("reputation", "xp"):
            for period in leaderboards.PERIODS:
                board = Board.of(point_type, period, gk.clock(), gk.state.zone)
                baseline = Baseline.of(board, gk.clock(), gk.state.zone)
                got = movement.previous_ranks(gk.session, board, baseline, [m.id for m in members])
                by_user = {m.user_id: got[m.id] for m in members if m.id in got}
                assert by_user == expected_previous(gk, board, baseline), (kept, point_type, period, gk.clock())
    with gk.store.engine.begin() as conn:  # live again for the next steps
        conn.execute(sa.delete(ScoreCount).where(ScoreCount.period.in_(movement.FINAL.values())))


def test_previous_ranks_follow_the_ledger_through_everything(gk: GuildKit, gk_clock: Clock) -> None:
    rng = random.Random(16)
    users = [f"u{n}" for n in range(20)]
    keys: list[str] = []
    gk_clock.set(datetime(2026, 3, 20, 9, 0, tzinfo=gk.state.zone))  # a Friday, ten days before a month's end
    for step in range(320):
        roll = rng.random()
        actor, target = rng.sample(users, 2)
        key = f"a{step}"
        if roll < 0.45:
            gk.record("answer.upvoted", actor=actor, target=target, subject=f"answer:{step}", key=key)
        elif roll < 0.58:
            gk.record("answer.downvoted", actor=actor, target=target, subject=f"answer:{step}", key=key)
        elif roll < 0.72:
            gk.record("answer.posted", actor=actor, subject=f"answer:{step}", key=key)
        elif roll < 0.77:  # history recorded late: dated up to five weeks back
            back = gk_clock() - timedelta(days=rng.randint(1, 35))
            gk.record("answer.posted", actor=actor, subject=f"answer:{step}", key=key, occurred_at=back)
        elif roll < 0.82 and keys:
            gk.retract(rng.choice(keys), reason="spam")
            continue
        elif roll < 0.86:
            if gk.session.scalar(sa.select(Member.id).where(Member.user_id == target)) is not None:
                gk.set_status(target, rng.choice(["active", "active", "suspended"]), reason="test")
            continue
        elif roll < 0.9:
            gk.privacy.set_leaderboard_opt_out(rng.choice(users), rng.random() < 0.4)
            continue
        else:
            gk_clock.advance(hours=rng.randint(10, 70))  # across days, weeks and the month's end
            continue
        keys.append(key)
        if step % 40 == 39:
            check(gk)
    check(gk)
    # A rebuild zeroes the period keys of those with nothing this period: the same answers.
    gk.store.run_write(lambda conn: leaderboards.rebuild(conn, gk.clock(), gk.state.zone))
    check(gk)


def _week_of_ties(gk: GuildKit, gk_clock: Clock) -> tuple[Board, Baseline]:
    """Last week: ann 30, bob and cy 20 (tied), dee 10; eve, opted out, 50. This week: cy 30,
    dee 20, ann 10, fay (new) 10, bob nothing yet; eve 40."""
    gk_clock.set(datetime(2026, 6, 3, 12, 0, tzinfo=gk.state.zone))  # a Wednesday
    votes = {"ann": 3, "bob": 2, "cy": 2, "dee": 1, "eve": 5}
    for user, n in votes.items():
        for v in range(n):
            gk.record("answer.upvoted", actor=f"v{v}", target=user, subject="answer:1", key=f"w1:{user}:{v}")
    gk.privacy.set_leaderboard_opt_out("eve", True)
    gk_clock.set(datetime(2026, 6, 9, 9, 0, tzinfo=gk.state.zone))  # the next Tuesday
    for user, n in {"cy": 3, "dee": 2, "ann": 1, "fay": 1, "eve": 4}.items():
        for v in range(n):
            gk.record("answer.upvoted", actor=f"v{v}", target=user, subject="answer:2", key=f"w2:{user}:{v}")
    board = Board.of("reputation", "week", gk_clock(), gk.state.zone)
    return board, Baseline.of(board, gk_clock(), gk.state.zone)


def test_a_week_board_against_last_weeks(gk: GuildKit, gk_clock: Clock) -> None:
    board, baseline = _week_of_ties(gk, gk_clock)
    assert baseline.at == datetime(2026, 6, 8, tzinfo=gk.state.zone) and baseline.start == datetime(
        2026, 6, 1, tzinfo=gk.state.zone
    )
    page = leaderboards.standings(gk.session, board, 10, None)
    assert [(s.user_id, s.rank) for s in page] == [("cy", 1), ("dee", 2), ("ann", 3), ("fay", 3)]
    ids = {gk.member(u).id: u for u in ("ann", "bob", "cy", "dee", "eve", "fay")}
    previous = {ids[m]: rank for m, rank in movement.previous_ranks(gk.session, board, baseline, ids).items()}
    # eve (opted out) counts in nobody's rank: ann was first, bob and cy shared second, dee fourth.
    # eve herself is told where she would have been; fay was not on last week's board.
    assert previous == {"ann": 1, "bob": 2, "cy": 2, "dee": 4, "eve": 1}


def test_the_all_time_board_against_the_start_of_the_week(gk: GuildKit, gk_clock: Clock) -> None:
    _week_of_ties(gk, gk_clock)
    everything = Board.of("reputation", "all", gk_clock(), gk.state.zone)
    baseline = Baseline.of(everything, gk_clock(), gk.state.zone)
    assert baseline.at == datetime(2026, 6, 8, tzinfo=gk.state.zone) and baseline.start is None
    page = leaderboards.standings(gk.session, everything, 10, None)
    assert [(s.user_id, s.points, s.rank) for s in page] == [
        ("cy", 50, 1),
        ("ann", 40, 2),
        ("dee", 30, 3),
        ("bob", 20, 4),
        ("fay", 10, 5),
    ]
    ids = {gk.member(u).id: u for u in ("ann", "bob", "cy", "dee", "fay")}
    previous = {ids[m]: rank for m, rank in movement.previous_ranks(gk.session, everything, baseline, ids).items()}
    assert previous == {"ann": 1, "bob": 2, "cy": 2, "dee": 4}  # fay joined the board this week


def test_previous_ranks_live_are_two_statements(gk: GuildKit, gk_clock: Clock) -> None:
    board, baseline = _week_of_ties(gk, gk_clock)
    everything = Board.of("reputation", "all", gk_clock(), gk.state.zone)
    ids = [gk.member(u).id for u in ("ann", "bob", "cy", "dee", "eve", "fay")]
    statements: list[str] = []
    engine = gk.session.get_bind()

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    gk.session.rollback()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        movement.previous_ranks(gk.session, board, baseline, ids)
        movement.previous_ranks(gk.session, everything, Baseline.of(everything, gk_clock(), gk.state.zone), ids)
        assert movement.previous_ranks(gk.session, board, baseline, []) == {}
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    statements = [s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "SAVEPOINT"))]
    assert len(statements) == 4, statements  # for each board: the kept histogram (not there), then live


def previous_by_user(gk: GuildKit, board: Board, users: tuple[str, ...]) -> dict[str, int]:
    ids = {gk.member(u).id: u for u in users}
    baseline = Baseline.of(board, gk.clock(), gk.state.zone)
    gk.session.rollback()
    return {ids[m]: rank for m, rank in movement.previous_ranks(gk.session, board, baseline, ids).items()}


def test_the_close_job_keeps_each_board_as_it_stood_then(gk: GuildKit, gk_clock: Clock) -> None:
    week, _ = _week_of_ties(gk, gk_clock)
    everything = Board.of("reputation", "all", gk_clock(), gk.state.zone)
    users = ("ann", "bob", "cy", "dee", "eve", "fay")
    live = {board.period: previous_by_user(gk, board, users) for board in (week, everything)}
    done = gk.jobs.run(movement.CLOSE_JOB)
    # Last week's board had four listed members (eve was off it), all time five before fay came.
    assert done["reputation/week"] == 4 and done["reputation/all"] == 4
    assert gk.jobs.run(movement.CLOSE_JOB) == {}  # once per period: the next runs find them there
    kept = {board.period: previous_by_user(gk, board, users) for board in (week, everything)}
    assert kept == live
    # A member who leaves the boards stops counting in others' ranks then at the job's next run.
    gk.privacy.set_leaderboard_opt_out("ann", True)
    assert previous_by_user(gk, week, users) == live["week"]  # kept as it was, for now
    again = gk.jobs.run(movement.CLOSE_JOB)
    assert (again["reputation/week"], again["reputation/all"]) == (3, 3)
    assert previous_by_user(gk, week, users) == {"ann": 1, "bob": 1, "cy": 1, "dee": 3, "eve": 1}
    # The next week, the job keeps this week's board instead, and drops last week's.
    gk_clock.advance(days=7)
    gk.jobs.run(movement.CLOSE_JOB)
    gk.session.rollback()
    kept_keys = gk.session.execute(
        sa.select(ScoreCount.period, ScoreCount.period_key).where(ScoreCount.width == 0)
    ).all()
    next_week = Board.of("reputation", "week", gk_clock(), gk.state.zone)
    baseline = Baseline.of(next_week, gk_clock(), gk.state.zone)
    assert ("week-fin", baseline.key) in kept_keys and ("week-fin", week.key - 7) not in kept_keys
    assert previous_by_user(gk, next_week, ("cy", "dee", "fay")) == {"cy": 1, "dee": 2, "fay": 3}


def test_a_kept_board_answers_in_one_statement(gk: GuildKit, gk_clock: Clock) -> None:
    board, baseline = _week_of_ties(gk, gk_clock)
    gk.jobs.run(movement.CLOSE_JOB)
    ids = [gk.member(u).id for u in ("ann", "bob", "cy", "dee", "eve", "fay")]
    statements: list[str] = []
    engine = gk.session.get_bind()

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    gk.session.rollback()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert len(movement.previous_ranks(gk.session, board, baseline, ids)) == 5
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    statements = [s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "SAVEPOINT"))]
    assert len(statements) == 1, statements


def test_a_month_board_against_last_months(gk: GuildKit, gk_clock: Clock) -> None:
    gk_clock.set(datetime(2026, 2, 27, 12, 0, tzinfo=gk.state.zone))
    gk.record("answer.upvoted", actor="v", target="ann", subject="answer:1", key="feb:ann")
    gk.record("answer.accepted", actor="v", target="bob", subject="answer:1", key="feb:bob")
    gk_clock.set(datetime(2026, 3, 2, 12, 0, tzinfo=gk.state.zone))
    gk.record("answer.accepted", actor="v", target="ann", subject="answer:2", key="mar:ann")
    board = Board.of("reputation", "month", gk_clock(), gk.state.zone)
    baseline = Baseline.of(board, gk_clock(), gk.state.zone)
    assert (baseline.start, baseline.at) == (
        datetime(2026, 2, 1, tzinfo=gk.state.zone),
        datetime(2026, 3, 1, tzinfo=gk.state.zone),
    )
    ann, bob = gk.member("ann").id, gk.member("bob").id
    assert movement.previous_ranks(gk.session, board, baseline, [ann, bob]) == {bob: 1, ann: 2}


# -- the page and the API ---------------------------------------------------------------------


@pytest.fixture
def site(gk_app: Flask, gk: GuildKit) -> Site:
    return Site(mount(gk_app, gk), gk)


def test_the_week_board_shows_each_rows_change_in_symbols_and_words(site: Site, gk_clock: Clock) -> None:
    _week_of_ties(site.gk, gk_clock)
    for user in ("ann", "cy", "dee", "fay"):
        site.gk.join(user, name=user.title())
    html = site.get("/leaderboards/reputation?period=week", user="bob")
    assert '<th scope="col" class="gk-shrink gk-move-col">Since last week</th>' in html
    assert rows(html) == [
        "1 ▲ 1 Up 1 place since last week Cy 30",
        "2 ▲ 2 Up 2 places since last week Dee 20",
        "3 ▼ 2 Down 2 places since last week Ann 10",
        "3 new New since last week Fay 10",
    ]
    # The arrow is hidden from screen readers, which read the words; the colour only repeats it.
    assert (
        '<span class="gk-move gk-up" title="Up 1 place since last week"><span aria-hidden="true">▲ 1</span>'
        '<span class="gk-sr">Up 1 place since last week</span></span>'
    ) in html
    assert "/members/eve" not in html  # opted out
    # bob, off this week's board so far, has no row to pin and no raw key anywhere.
    assert "<strong>Your rank:</strong> #5 with 0 Reputation this week." in html
    for raw in ("answer:", "answer.upvoted", "previous_rank", "None"):
        assert raw not in html


def test_the_all_time_board_shows_the_change_this_week_and_the_pinned_row_too(site: Site, gk_clock: Clock) -> None:
    _week_of_ties(site.gk, gk_clock)
    for n in range(50):  # fifty members far above: the viewer's row is pinned below the page
        site.gk.award(f"top{n:02d}", points=1000 + n, point_type="reputation", reason="test")
    html = site.get("/leaderboards/reputation", user="dee")
    assert '<th scope="col" class="gk-shrink gk-move-col">This week</th>' in html
    board = rows(html)
    assert board[0] == "1 new New this week User top49 1,049"
    # dee was fourth when the week began; the fifty new members came in above her.
    assert board[-2:] == ["⋯", "53 ▼ 49 Down 49 places this week User dee (you) 30"]
    same = rows(site.get("/leaderboards/reputation?period=month", user="dee"))
    assert "new New since last month" in same[0]


def test_the_api_gives_previous_rank_and_movement(site: Site, gk_clock: Clock) -> None:
    gk = site.gk
    _week_of_ties(gk, gk_clock)
    body = site.client.get(API_PREFIX + "/leaderboards/reputation?period=week", headers={"X-User": "ann"}).get_json()
    # Compared with last week's board as it ended: when this week began (Monday, midnight local).
    assert body["previous_at"] == body["since"] == "2026-06-08T00:00:00+12:00"
    assert [(i["user_id"], i["rank"], i["previous_rank"], i["movement"]) for i in body["items"]] == [
        ("cy", 1, 2, 1),
        ("dee", 2, 4, 2),
        ("ann", 3, 1, -2),
        ("fay", 3, None, None),
    ]
    assert body["me"] == {
        "rank": 3,
        "user_id": "ann",
        "name": "User ann",
        "points": 10,
        "previous_rank": 1,
        "movement": -2,
    }
    schema = site.client.get(API_PREFIX + "/openapi.json").get_json()["components"]["schemas"]
    assert {"previous_rank", "movement"} <= set(schema["BoardStanding"]["properties"])
    assert "previous_at" in schema["Leaderboard"]["properties"]


def test_a_page_with_its_movement_takes_four_statements(site: Site, gk_clock: Clock) -> None:
    """The page's board: its rows, the ranks of its first score, the reader's standing and every
    previous rank (one statement for the page; two until the close job kept the baseline)."""
    gk = site.gk
    _week_of_ties(gk, gk_clock)
    for n in range(30):
        gk.award(f"m{n}", points=10 + n, point_type="reputation", reason="test")

    def board_statements() -> list[str]:
        statements: list[str] = []

        def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement)

        sa.event.listen(gk.store.engine, "before_cursor_execute", count)
        try:
            page = site.get("/leaderboards/reputation", user="ann")
        finally:
            sa.event.remove(gk.store.engine, "before_cursor_execute", count)
        assert len(rows(page)) == 35
        return [s for s in statements if "guildkit_score_counts" in s or "guildkit_balances" in s]

    assert len(board_statements()) == 5
    gk.jobs.run(movement.CLOSE_JOB)
    kept = board_statements()
    assert len(kept) == 4, kept
    assert not any(re.search(r"\bOVER\b", s) for s in kept)  # no live count of the movers
