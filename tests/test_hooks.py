"""Every hook in hookspecs.py: contributing, deciding and being told, plus failure containment.

Each test that exercises a hook names it in a ``hooks`` marker-free way: the meta-test in
test_docs.py greps this file for every hook name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from guildkit import (
    ActivityResult,
    ActivityView,
    AwardPoints,
    BadgeChange,
    GuildKit,
    LevelChange,
    MemberJoined,
    PointsChange,
    PointsRule,
    PointTypeDef,
    RoleChange,
    Veto,
    hookimpl,
    signals,
)
from guildkit.errors import DuplicateDefinition, PluginError
from guildkit.models import HookFailure
from guildkit.rules.base import AwardBadge, Outcome


class Recorder:
    """Implements every 'being told' hook and remembers the calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    @hookimpl
    def guildkit_activity_recorded(self, gk: GuildKit, activity: ActivityView, result: ActivityResult) -> None:
        self.calls.append(("activity_recorded", (activity.key, result.points_for(activity.target_user_id or ""))))

    @hookimpl
    def guildkit_activity_retracted(self, gk: GuildKit, activity: ActivityView, result: ActivityResult) -> None:
        self.calls.append(("activity_retracted", (activity.key, result.retracted)))

    @hookimpl
    def guildkit_member_joined(self, gk: GuildKit, member: MemberJoined) -> None:
        self.calls.append(("member_joined", member.user_id))

    @hookimpl
    def guildkit_points_changed(self, gk: GuildKit, change: PointsChange, activity_key: str) -> None:
        self.calls.append(("points_changed", (change.user_id, change.amount, change.balance, activity_key)))

    @hookimpl
    def guildkit_badge_awarded(self, gk: GuildKit, change: BadgeChange, activity_key: str) -> None:
        self.calls.append(("badge_awarded", (change.user_id, change.badge, change.level)))

    @hookimpl
    def guildkit_badge_revoked(self, gk: GuildKit, change: BadgeChange, activity_key: str) -> None:
        self.calls.append(("badge_revoked", (change.user_id, change.badge, change.level)))

    @hookimpl
    def guildkit_role_granted(self, gk: GuildKit, change: RoleChange, activity_key: str) -> None:
        self.calls.append(("role_granted", (change.user_id, change.role)))

    @hookimpl
    def guildkit_role_revoked(self, gk: GuildKit, change: RoleChange, activity_key: str) -> None:
        self.calls.append(("role_revoked", (change.user_id, change.role)))

    @hookimpl
    def guildkit_level_changed(self, gk: GuildKit, change: LevelChange, activity_key: str) -> None:
        self.calls.append(("level_changed", (change.user_id, change.old_level, change.new_level)))

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


@pytest.fixture
def recorder(gk: GuildKit) -> Recorder:
    rec = Recorder()
    gk.register(rec)
    return rec


def failures(gk: GuildKit) -> list[HookFailure]:
    return list(gk.session.scalars(sa.select(HookFailure).order_by(HookFailure.id)))


def test_told_about_everything_after_commit(gk: GuildKit, recorder: Recorder) -> None:
    gk.record("answer.posted", actor="ann", key="p1")
    assert recorder.calls == [
        ("member_joined", "ann"),
        ("points_changed", ("ann", 5, 5, "p1")),
        ("badge_awarded", ("ann", "first-answer", 1)),
        ("activity_recorded", ("p1", 0)),
    ]
    recorder.calls.clear()
    gk.record("answer.posted", actor="ann", key="p2")
    assert recorder.names() == ["points_changed", "badge_awarded", "level_changed", "activity_recorded"]
    assert ("level_changed", ("ann", 0, 1)) in recorder.calls


def test_told_about_roles_and_retraction(gk: GuildKit, recorder: Recorder) -> None:
    for n in range(5):
        gk.record("answer.upvoted", actor=f"v{n}", target="ann", key=f"u{n}")
    assert ("role_granted", ("ann", "trusted")) in recorder.calls
    recorder.calls.clear()
    gk.retract("u0", reason="unvote")
    assert recorder.calls == [
        ("points_changed", ("ann", -10, 40, "u0")),
        ("role_revoked", ("ann", "trusted")),
        ("activity_retracted", ("u0", True)),
    ]
    recorder.calls.clear()
    gk.record("answer.posted", actor="ann", key="p1")
    gk.retract("p1")
    assert ("badge_revoked", ("ann", "first-answer", 1)) in recorder.calls


def test_replays_tell_nobody(gk: GuildKit, recorder: Recorder) -> None:
    gk.record("answer.upvoted", actor="b", target="ann", key="u")
    recorder.calls.clear()
    gk.record("answer.upvoted", actor="b", target="ann", key="u")
    gk.retract("u")
    recorder.calls.clear()
    gk.retract("u")
    assert recorder.calls == []


def test_hooks_run_after_commit(gk: GuildKit) -> None:
    seen: list[int] = []

    class Peek:
        @hookimpl
        def guildkit_points_changed(self, gk: GuildKit, change: PointsChange, activity_key: str) -> None:
            # a fresh connection sees the committed balance
            with gk.store.engine.connect() as conn:
                seen.append(conn.exec_driver_sql("SELECT balance FROM guildkit_balances").scalar_one())

    gk.register(Peek())
    gk.record("answer.upvoted", actor="b", target="ann", key="u")
    assert seen == [10]


def test_failing_notification_is_recorded_and_others_still_told(gk: GuildKit, recorder: Recorder) -> None:
    class Broken:
        @hookimpl
        def guildkit_points_changed(self, gk: GuildKit, change: PointsChange, activity_key: str) -> None:
            raise RuntimeError("webhook down")

    gk.register(Broken(), name="broken")
    result = gk.record("answer.upvoted", actor="b", target="ann", key="u")
    assert result.points_for("ann") == 10
    assert gk.balance("ann", "reputation") == 10
    assert "points_changed" in recorder.names()
    (failure,) = failures(gk)
    assert (failure.plugin, failure.hook, failure.activity_key) == ("broken", "guildkit_points_changed", "u")
    assert "webhook down" in failure.error


def test_failing_signal_receiver_is_contained(gk: GuildKit) -> None:
    def explode(sender: GuildKit, **kwargs: object) -> None:
        raise ValueError("receiver bug")

    signals.badge_awarded.connect(explode, sender=gk)
    try:
        result = gk.record("answer.posted", actor="ann", key="p")
    finally:
        signals.badge_awarded.disconnect(explode, sender=gk)
    assert [b.badge for b in result.badges] == ["first-answer"]
    (failure,) = failures(gk)
    assert failure.hook == "signal:badge_awarded" and "receiver bug" in failure.error


def test_signals_carry_the_hook_arguments(gk: GuildKit) -> None:
    got: list[dict[str, Any]] = []

    def receive(sender: GuildKit, **kwargs: Any) -> None:
        assert sender is gk
        got.append(kwargs)

    signals.points_changed.connect(receive, sender=gk)
    try:
        gk.record("answer.upvoted", actor="b", target="ann", key="u")
    finally:
        signals.points_changed.disconnect(receive, sender=gk)
    assert got == [
        {"change": PointsChange("ann", "reputation", 10, 10, "answer-upvoted", "answer.upvoted"), "activity_key": "u"}
    ]


def test_guildkit_review_award_vetoes(gk: GuildKit) -> None:
    class NoVotesFromBob:
        @hookimpl
        def guildkit_review_award(self, activity: ActivityView, rule: str, outcome: Outcome) -> Veto | None:
            if activity.actor_user_id == "bob" and isinstance(outcome, AwardPoints):
                return Veto("bob is a sock puppet")
            return None

    gk.register(NoVotesFromBob())
    assert gk.record("answer.upvoted", actor="bob", target="ann", key="u1").points == ()
    assert gk.record("answer.upvoted", actor="cat", target="ann", key="u2").points_for("ann") == 10


def test_guildkit_review_award_adjusts(gk: GuildKit) -> None:
    class Halve:
        @hookimpl
        def guildkit_review_award(self, activity: ActivityView, rule: str, outcome: Outcome) -> Outcome | None:
            if isinstance(outcome, AwardPoints):
                return AwardPoints(outcome.member_id, outcome.point_type, outcome.amount // 2, "halved")
            return None

    gk.register(Halve())
    result = gk.record("answer.upvoted", actor="bob", target="ann", key="u1")
    assert [(p.amount, p.reason) for p in result.points] == [(5, "halved")]


def test_review_returning_the_wrong_kind_is_ignored_and_recorded(gk: GuildKit) -> None:
    class Confused:
        @hookimpl
        def guildkit_review_award(self, activity: ActivityView, rule: str, outcome: Outcome) -> Outcome | None:
            return AwardBadge(outcome.member_id, "regular")

    gk.register(Confused())
    assert gk.record("answer.upvoted", actor="bob", target="ann", key="u1").points_for("ann") == 10
    assert [f.hook for f in failures(gk)] == ["guildkit_review_award"]


def test_guildkit_compute_points(gk: GuildKit) -> None:
    class Bounty:
        @hookimpl
        def guildkit_compute_points(self, activity: ActivityView, rule: str, award: AwardPoints) -> int | None:
            if rule == "answer-accepted" and "bounty" in activity.payload:
                return award.amount + int(activity.payload["bounty"])
            return None

    gk.register(Bounty())
    result = gk.record("answer.accepted", actor="q", target="ann", key="a1", payload={"bounty": 50})
    assert result.points_for("ann") == 65


def test_failing_deciding_hook_counts_as_no_opinion(gk: GuildKit) -> None:
    class Crashes:
        @hookimpl
        def guildkit_compute_points(self, activity: ActivityView, rule: str, award: AwardPoints) -> int | None:
            raise KeyError("oops")

    gk.register(Crashes(), name="crashes")
    assert gk.record("answer.upvoted", actor="bob", target="ann", key="u1").points_for("ann") == 10
    (failure,) = failures(gk)
    assert (failure.plugin, failure.hook) == ("crashes", "guildkit_compute_points")


def test_failing_rule_is_skipped_and_recorded(gk: GuildKit) -> None:
    class BadRule:
        name = "bad-rule"
        triggers = frozenset({"answer.upvoted"})
        metrics = ()

        def evaluate(self, ctx: object) -> Iterator[Outcome]:
            raise ZeroDivisionError("bug")

        def describe(self) -> str:
            return "crashes"

    gk.define(rules=[BadRule()])
    assert gk.record("answer.upvoted", actor="bob", target="ann", key="u1").points_for("ann") == 10
    (failure,) = failures(gk)
    assert (failure.plugin, failure.hook) == ("rule:bad-rule", "evaluate")


def test_guildkit_register_point_types_badges_roles_rules(gk: GuildKit) -> None:
    registry = gk.registry
    assert set(registry.point_types) == {"reputation", "xp", "participation", "kudos-points"}  # the last two built in
    assert registry.origin[("point type", "participation")] == "guildkit.participation"
    assert registry.origin[("point type", "kudos-points")] == "guildkit.kudos"
    assert "answerer" in registry.badges
    assert registry.roles["trusted"].permissions == ("edit", "close")
    assert "guildkit.manual" in registry.rules and "answer-upvoted" in registry.rules
    assert registry.origin[("badge", "answerer")] == "tests.plugins.qa_rules"
    assert registry.levels["xp"].names == ("Novice", "Adept", "Expert")


def test_registering_later_rebuilds_and_syncs(gk: GuildKit) -> None:
    from guildkit import PointsRule

    gk.define(
        point_types=[PointTypeDef("karma", "Karma")], rules=[PointsRule("karma-visit", "visit", 1, "karma", to="actor")]
    )
    assert gk.record("visit", actor="ann", key="v").points_for("ann", "karma") == 1


def test_duplicate_definitions_name_both_plugins(gk: GuildKit) -> None:
    gk.define(point_types=[PointTypeDef("reputation", "Again")])
    with pytest.raises(DuplicateDefinition, match=re.escape("tests.plugins.qa_rules and by guildkit.define:1")):
        _ = gk.registry


def test_wrong_registration_type_is_a_plugin_error(gk: GuildKit) -> None:
    class Wrong:
        @hookimpl
        def guildkit_register_badges(self, gk: GuildKit) -> list[str]:
            return ["not a badge"]

    gk.register(Wrong(), name="wrong")
    with pytest.raises(PluginError, match="wrong returned 'not a badge'"):
        _ = gk.registry


def test_misspelled_hook_is_an_error(gk: GuildKit) -> None:
    from pluggy import PluginValidationError

    class Typo:
        @hookimpl
        def guildkit_points_chaged(self, change: PointsChange) -> None:
            pass

    with pytest.raises(PluginValidationError, match="guildkit_points_chaged"):
        gk.register(Typo())


def test_one_plugin_manager_per_instance() -> None:
    first, second = GuildKit(), GuildKit()
    assert first.pm is not second.pm
    first.register(Recorder(), name="only-here")
    assert second.pm.get_plugin("only-here") is None


def test_each_contributing_hook_from_a_plugin_class(gk: GuildKit) -> None:
    from guildkit import BadgeDef, BadgeRule, Count, RoleDef, RoleRule

    class Guild:
        @hookimpl
        def guildkit_register_point_types(self) -> list[PointTypeDef]:
            return [PointTypeDef("stars", "Stars")]

        @hookimpl
        def guildkit_register_badges(self, gk: GuildKit) -> list[BadgeDef]:
            return [BadgeDef("star-gazer", "Star Gazer")]

        @hookimpl
        def guildkit_register_roles(self, gk: GuildKit) -> list[RoleDef]:
            return [RoleDef("astronomer", "Astronomer", permissions=("telescope",))]

        @hookimpl
        def guildkit_register_rules(self, gk: GuildKit) -> list[object]:
            return [
                PointsRule("star-given", "star.given", 1, "stars"),
                BadgeRule("star-gazer", "star-gazer", Count("star.given"), (2,)),
                RoleRule("astronomer", "astronomer", Count("star.given", "target"), 3),
            ]

    gk.register(Guild(), name="guild")
    for n in range(3):
        gk.record("star.given", actor="ann", target="bob", key=f"s{n}")
    assert gk.balance("bob", "stars") == 3
    assert [a.badge_slug for a in gk.badges("ann")] == ["star-gazer"]
    assert gk.has_permission("bob", "telescope")
    assert gk.registry.origin[("role", "astronomer")] == "guild"


def test_guildkit_member_joined_by_join_sees_the_name_already_stored(gk: GuildKit) -> None:
    class Greeter:
        def __init__(self) -> None:
            self.greetings: list[str] = []

        @hookimpl
        def guildkit_member_joined(self, gk: GuildKit, member: MemberJoined) -> None:
            self.greetings.append(f"Welcome, {gk.member(member.user_id).display_name}!")

    greeter = Greeter()
    gk.register(greeter)
    joined = gk.join("zoe", name="Zoe")
    assert joined.display_name == "Zoe"
    assert greeter.greetings == ["Welcome, Zoe!"]
    gk.join("zoe", name="Zoe Z.")  # joining again renames, and is not a second welcome
    assert gk.member("zoe").display_name == "Zoe Z." and greeter.greetings == ["Welcome, Zoe!"]
