"""The rule engine's guard rails: weekly caps, per actor→target pair caps, exemptions, room given back."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from guildkit import GuildKit, PointsRule, PointTypeDef
from guildkit.errors import ValidationError
from guildkit.models import Counter
from guildkit.rules.loader import load_rule_file
from guildkit.testing import Clock

# The test clock starts on Monday 2026-01-05, 12:00 UTC.


def helpful(gk: GuildKit, key: str, actor: str = "bob", target: str = "ann") -> int:
    return gk.record("post.helpful", actor=actor, target=target, key=key).points_for(target, "karma")


def reasons(gk: GuildKit, user: str = "ann") -> list[str]:
    return [e.reason for e in reversed(gk.ledger(user))]


def test_weekly_cap_per_point_type_resets_on_monday(gk: GuildKit, gk_clock: Clock) -> None:
    gk.define(
        point_types=[PointTypeDef("karma", "Karma", weekly_cap=25)],
        rules=[PointsRule("helpful", "post.helpful", 10, "karma")],
    )
    amounts = []
    for n in range(4):  # Monday to Thursday: 10 + 10 + 5 + 0
        amounts.append(helpful(gk, f"h{n}", actor=f"v{n}"))
        gk_clock.advance(days=1)
    assert amounts == [10, 10, 5, 0]
    assert reasons(gk)[2:] == ["post.helpful (weekly cap reached)", "post.helpful (weekly cap reached)"]
    gk_clock.set(datetime(2026, 1, 11, 23, 0, tzinfo=UTC))  # still Sunday
    assert helpful(gk, "sun", actor="v9") == 0
    gk_clock.set(datetime(2026, 1, 12, 0, 0, tzinfo=UTC))  # Monday: a new week
    assert helpful(gk, "mon", actor="v9") == 10
    assert gk.balance("ann", "karma") == 35


def test_the_week_begins_at_the_community_s_monday(gk: GuildKit, gk_clock: Clock) -> None:
    from flask import current_app

    current_app.extensions["guildkit"].zone = ZoneInfo("Europe/Berlin")
    gk.define(
        point_types=[PointTypeDef("karma", "Karma", weekly_cap=10)],
        rules=[PointsRule("helpful", "post.helpful", 10, "karma")],
    )
    gk_clock.set(datetime(2026, 1, 11, 22, 30, tzinfo=UTC))  # Sunday 23:30 in Berlin
    assert helpful(gk, "a", actor="v1") == 10
    gk_clock.set(datetime(2026, 1, 11, 23, 30, tzinfo=UTC))  # Monday 00:30 in Berlin, Sunday in UTC
    assert helpful(gk, "b", actor="v2") == 10


def test_pair_cap_limits_what_one_actor_gives_one_target(gk: GuildKit, gk_clock: Clock) -> None:
    gk.define(
        point_types=[PointTypeDef("kudos", "Kudos", pair_weekly_cap=20)],
        rules=[PointsRule("thanks", "post.thanked", 10, "kudos")],
    )

    def thank(key: str, actor: str, target: str = "ann") -> int:
        return gk.record("post.thanked", actor=actor, target=target, key=key).points_for(target, "kudos")

    assert [thank(f"b{n}", "bob") for n in range(3)] == [10, 10, 0]
    assert reasons(gk)[-1] == "post.thanked (weekly cap from one member reached)"
    assert thank("c0", "carol") == 10  # another actor has room of their own
    assert thank("b-other", "bob", target="dan") == 10  # and so has another target
    gk_clock.advance(days=7)
    assert thank("b-next", "bob") == 10
    assert gk.balance("ann", "kudos") == 40


def test_rule_weekly_and_pair_caps(gk: GuildKit, gk_clock: Clock) -> None:
    gk.define(
        point_types=[PointTypeDef("karma", "Karma")],
        rules=[PointsRule("helpful", "post.helpful", 10, "karma", weekly_cap=35, pair_weekly_cap=15)],
    )
    got = [helpful(gk, "b1"), helpful(gk, "b2"), helpful(gk, "c1", actor="carol"), helpful(gk, "d1", actor="dan")]
    assert got == [10, 5, 10, 10]
    assert helpful(gk, "e1", actor="eve") == 0
    assert reasons(gk)[1] == "post.helpful (rule's weekly cap from one member reached)"
    assert reasons(gk)[-1] == "post.helpful (rule's weekly cap reached)"


def test_capped_false_exempts_from_the_type_caps_but_not_the_rule_s_own(gk: GuildKit) -> None:
    gk.define(
        point_types=[PointTypeDef("karma", "Karma", weekly_cap=10, pair_weekly_cap=10)],
        rules=[
            PointsRule("helpful", "post.helpful", 10, "karma"),
            PointsRule("bounty", "bounty.awarded", 50, "karma", capped=False, weekly_cap=60),
        ],
    )
    assert helpful(gk, "h1") == 10
    assert helpful(gk, "h2", actor="carol") == 0
    bounties = [gk.record("bounty.awarded", actor="bob", target="ann", key=f"b{n}") for n in range(2)]
    assert [b.points_for("ann", "karma") for b in bounties] == [50, 10]
    assert gk.balance("ann", "karma") == 70


def test_the_tightest_cap_wins_and_every_cap_counts_only_what_was_given(gk: GuildKit) -> None:
    gk.define(
        point_types=[PointTypeDef("karma", "Karma", daily_cap=30)],
        rules=[
            PointsRule("helpful", "post.helpful", 10, "karma", daily_cap=15),
            PointsRule("praised", "post.praised", 10, "karma"),
        ],
    )
    assert [helpful(gk, "h1"), helpful(gk, "h2", actor="c")] == [10, 5]
    ann = gk.member("ann").id
    counters = {c.name: c.value for c in gk.session.query(Counter).filter_by(member_id=ann)}
    day = datetime(2026, 1, 5).toordinal()
    assert counters[f"cap:karma:{day}"] == 15 and counters[f"rulecap:helpful:{day}"] == 15
    # 15 of the day's 30 are left for other rules on the type.
    praised = [gk.record("post.praised", actor=f"p{n}", target="ann", key=f"p{n}") for n in range(2)]
    assert [p.points_for("ann", "karma") for p in praised] == [10, 5]


def test_retracting_gives_weekly_and_pair_room_back(gk: GuildKit, gk_clock: Clock) -> None:
    gk.define(
        point_types=[PointTypeDef("karma", "Karma", weekly_cap=20, pair_weekly_cap=10)],
        rules=[PointsRule("helpful", "post.helpful", 10, "karma", weekly_cap=20)],
    )
    assert [helpful(gk, "h1"), helpful(gk, "h2")] == [10, 0]  # bob's pair room is used up
    gk_clock.advance(days=2)  # a retraction later in the week gives back the room of the gain's week
    gk.retract("h1", reason="unvoted")
    assert helpful(gk, "h3") == 10
    assert helpful(gk, "h4", actor="carol") == 10
    assert helpful(gk, "h5", actor="dan") == 0
    assert gk.balance("ann", "karma") == 20


def test_caps_are_validated() -> None:
    with pytest.raises(ValidationError) as caught:
        PointTypeDef("karma", "Karma", weekly_cap=-1)
    assert caught.value.field == "weekly_cap"
    with pytest.raises(ValidationError) as caught:
        PointsRule("r", "x.y", 1, "karma", pair_weekly_cap=True)  # type: ignore[arg-type]
    assert caught.value.field == "pair_weekly_cap"


def test_rule_files_take_the_caps(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        """
[[point_types]]
slug = "karma"
name = "Karma"
weekly_cap = 100
pair_weekly_cap = 30

[[points]]
name = "helpful"
on = "post.helpful"
points = 10
point_type = "karma"
weekly_cap = 50
pair_weekly_cap = 20
"""
    )
    ruleset = load_rule_file(path)
    (karma,) = ruleset.point_types
    assert (karma.weekly_cap, karma.pair_weekly_cap) == (100, 30)
    (rule,) = ruleset.rules
    assert isinstance(rule, PointsRule) and (rule.weekly_cap, rule.pair_weekly_cap) == (50, 20)
    assert (
        rule.describe()
        == "+10 karma to the target on post.helpful (at most 50 a week, at most 20 a week from one member)"
    )
