"""Point expiry (guildkit.expiry, docs/rules.md#point-expiry): ledger rows, oldest points first,
idempotent, never counted by balances or boards, shown to members, reproduced by a replay."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from guildkit import GuildKit, PointsRule, PointTypeDef
from guildkit.errors import RuleFileError, ValidationError
from guildkit.expiry import EXPIRE, Expiring, sweep
from guildkit.models import LedgerEntry
from guildkit.rules.loader import load_rule_file
from guildkit.rules.ruleset import RuleSet
from guildkit.testing import Clock, make_app, require_backend

START = datetime(2026, 3, 2, 12, tzinfo=UTC)  # a Monday


def rules(days: int = 30) -> RuleSet:
    return RuleSet(
        point_types=[PointTypeDef("xp", "Experience", expires_after_days=days), PointTypeDef("rep", "Reputation")],
        rules=[
            PointsRule("post-xp", "post", 10, "xp", to="actor"),
            PointsRule("small-xp", "comment", 3, "xp", to="actor"),
            PointsRule("flagged", "flagged", -4, "xp", to="target"),
            PointsRule("post-rep", "post", 1, "rep", to="actor"),
        ],
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    clock = Clock(START)
    with make_app(require_backend(str(request.param)), tmp_path, plugins=(rules(),), clock=clock) as (_, gk):
        yield gk, clock


def _expiries(gk: GuildKit) -> list[tuple[int, str]]:
    rows = gk.session.execute(
        sa.select(LedgerEntry.amount, LedgerEntry.reason).where(LedgerEntry.rule == EXPIRE).order_by(LedgerEntry.id)
    ).all()
    gk.session.rollback()
    return [(a, r) for a, r in rows]


def test_points_expire_n_days_after_they_were_earned_as_ledger_rows(world: Any) -> None:
    gk, clock = world
    gk.record("post", key="p1", actor="ann")
    clock.advance(days=10)
    gk.record("comment", key="c1", actor="ann")
    clock.set(START + timedelta(days=29))
    assert sweep(gk)[0].members == 0
    assert gk.balance("ann", "xp") == 13
    clock.set(START + timedelta(days=30))
    [swept] = sweep(gk)
    assert (swept.point_type, swept.members, swept.points) == ("xp", 1, 10)
    assert gk.balance("ann", "xp") == 3 and gk.balance("ann", "rep") == 1  # rep does not expire
    assert _expiries(gk) == [(-10, "expired: earned before 2026-03-03")]
    assert sweep(gk)[0].members == 0  # the same day again: nothing more
    assert len(_expiries(gk)) == 1
    clock.set(START + timedelta(days=40))
    sweep(gk)
    assert gk.balance("ann", "xp") == 0
    assert [a for a, _ in _expiries(gk)] == [-10, -3]
    # Nothing was deleted: every row is still in the ledger, earned then expired.
    assert [e.amount for e in reversed(gk.ledger("ann", point_type="xp"))] == [10, 3, -10, -3]


def test_points_are_spent_oldest_first(world: Any) -> None:
    gk, clock = world
    gk.record("post", key="p1", actor="ann")  # +10, day 0
    clock.advance(days=5)
    gk.record("flagged", key="f1", actor="bob", target="ann")  # -4: spent from the oldest
    clock.advance(days=15)
    gk.record("comment", key="c1", actor="ann")  # +3, day 20
    assert gk.expiring("ann") == [
        Expiring("xp", 6, date(2026, 4, 1)),
        Expiring("xp", 3, date(2026, 4, 21)),
    ]
    clock.set(START + timedelta(days=30))
    sweep(gk)
    assert gk.balance("ann", "xp") == 3
    assert gk.expiring("ann") == [Expiring("xp", 3, date(2026, 4, 21))]


def test_a_retracted_recent_gain_does_not_keep_old_points_alive(world: Any) -> None:
    gk, clock = world
    gk.record("post", key="old", actor="ann")
    clock.advance(days=20)
    gk.record("post", key="new", actor="ann")
    clock.advance(days=1)
    gk.retract("new", reason="spam")
    clock.set(START + timedelta(days=30))
    sweep(gk)
    assert gk.balance("ann", "xp") == 0


def test_boards_and_balances_never_count_expired_points(world: Any) -> None:
    gk, clock = world
    gk.record("post", key="p1", actor="ann")
    gk.record("comment", key="c1", actor="bob")
    clock.set(START + timedelta(days=35))  # a Monday-based week later; nobody ran the sweep
    gk.record("comment", key="c2", actor="ann")
    board = gk.leaderboard("xp")
    assert [(s.user_id, s.points) for s in board.standings] == [("ann", 3), ("bob", 0)]  # 10 and 3 expired
    week = gk.leaderboard("xp", period="week")
    assert [(s.user_id, s.points) for s in week.standings] == [("ann", 3)]  # this week's gains stay whole
    assert gk.balance("bob", "xp") == 0
    assert len(_expiries(gk)) == 2


def test_a_replay_expires_what_the_history_expired(world: Any) -> None:
    gk, clock = world
    gk.record("post", key="p1", actor="ann")
    clock.advance(days=12)
    gk.record("post", key="p2", actor="ann")
    clock.set(START + timedelta(days=31))
    sweep(gk)
    assert gk.balance("ann", "xp") == 10
    same = gk.rules.preview(RuleSet())
    assert same.members == [] and same.counters_only == 0
    # Posts worth 6: what expired was 6, what is left is 6; the preview says 10 → 6.
    cheaper = gk.rules.preview(RuleSet(rules=[PointsRule("post-xp", "post", 6, "xp", to="actor")]))
    [change] = cheaper.members
    assert change.points["xp"] == (10, 6)


def test_expiry_is_set_in_code_or_a_rule_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as bad:
        PointTypeDef("xp", "XP", expires_after_days=0)
    assert bad.value.field == "expires_after_days"
    path = tmp_path / "rules.toml"
    path.write_text("[[point_types]]\nslug = 'xp'\nname = 'XP'\nexpires_after_days = 365\n")
    assert load_rule_file(path).point_types[0].expires_after_days == 365
    path.write_text("[[point_types]]\nslug = 'xp'\nname = 'XP'\nexpires_after_days = 'soon'\n")
    with pytest.raises(RuleFileError, match="expires_after_days"):
        load_rule_file(path)


def test_members_see_what_expires_when_and_others_do_not(world: Any) -> None:
    gk, clock = world
    from flask import current_app

    from tests.webclient import Api, Site, mount

    client = mount(current_app._get_current_object(), gk)  # type: ignore[attr-defined]
    gk.record("post", key="p1", actor="ann")
    clock.advance(days=3)
    gk.record("comment", key="c1", actor="ann")
    mine = Api(client).ok("GET", "/members/ann", user="ann")
    [xp] = [b for b in mine["balances"] if b["point_type"] == "xp"]
    assert xp["expires"] == [{"points": 10, "on": "2026-04-01"}, {"points": 3, "on": "2026-04-04"}]
    theirs = Api(client).ok("GET", "/members/ann", user="bob")
    assert all(b["expires"] == [] for b in theirs["balances"])
    page = Site(client, gk).get("/members/ann", user="ann")
    assert '10 expire on <time datetime="2026-04-01">Apr 1, 2026</time>' in page
    assert "expire on" not in Site(client, gk).get("/members/ann", user="bob")


def test_expiring_points_leave_a_seasons_standings_as_they_were(world: Any) -> None:
    gk, clock = world
    gk.seasons.create(
        None, slug="spring", name="Spring", point_type="xp", starts_at=START - timedelta(days=1),
        ends_at=START + timedelta(days=90),
    )  # fmt: skip
    gk.record("post", key="p1", actor="ann")
    assert [(s.user_id, s.points) for s in gk.seasons.leaderboard("spring").standings] == [("ann", 10)]
    clock.set(START + timedelta(days=31))
    sweep(gk)
    assert gk.balance("ann", "xp") == 0
    gk.seasons.refresh("spring")
    assert [(s.user_id, s.points) for s in gk.seasons.leaderboard("spring").standings] == [("ann", 10)]
