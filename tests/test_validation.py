"""Bad input to every public function raises a guildkit error naming the problem, and writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from guildkit import (
    BadgeDef,
    BadgeLevel,
    BadgeRule,
    Count,
    GuildKit,
    GuildKitError,
    Levels,
    PointsRule,
    PointTypeDef,
    RoleDef,
    RoleRule,
    UnknownBadge,
    UnknownMember,
    UnknownPointType,
    UnknownRole,
    ValidationError,
)
from guildkit.models import Activity, Member


def nothing_written(gk: GuildKit) -> bool:
    session = gk.session
    return not session.scalar(sa.select(sa.func.count()).select_from(Activity)) and not session.scalar(
        sa.select(sa.func.count()).select_from(Member)
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"type": "Bad Type!", "key": "k", "actor": "a"}, "type"),
        ({"type": "", "key": "k", "actor": "a"}, "type"),
        ({"type": "a.b", "key": "", "actor": "a"}, "key"),
        ({"type": "a.b", "key": "k" * 192, "actor": "a"}, "key"),
        ({"type": "a.b", "key": 5, "actor": "a"}, "key"),
        ({"type": "a.b", "key": "k"}, "actor"),
        ({"type": "a.b", "key": "k", "actor": True}, "actor"),
        ({"type": "a.b", "key": "k", "actor": 1.5}, "actor"),
        ({"type": "a.b", "key": "k", "actor": "a", "target": ""}, "target"),
        ({"type": "a.b", "key": "k", "actor": "a", "subject": ""}, "subject"),
        ({"type": "a.b", "key": "k", "actor": "a", "payload": [1, 2]}, "payload"),
        ({"type": "a.b", "key": "k", "actor": "a", "payload": {"x": object()}}, "payload.x"),
        ({"type": "a.b", "key": "k", "actor": "a", "payload": {"x": float("nan")}}, "payload.x"),
        ({"type": "a.b", "key": "k", "actor": "a", "payload": {"x": [1, 10**30]}}, "payload.x[1]"),
        ({"type": "a.b", "key": "k", "actor": "a", "payload": {"x": "nul\x00"}}, "payload.x"),
        ({"type": "a.b", "key": "k", "actor": "a", "payload": {"nul\x00": 1}}, "payload"),
        ({"type": "a.b", "key": "k", "actor": "a", "subject": "answer:\x00"}, "subject"),
        ({"type": "a.b", "key": "k", "actor": "a", "subject": "answer:\ud800"}, "subject"),
        ({"type": "a.b", "key": "k", "actor": "a", "subject": "answer:\x1b[31m"}, "subject"),
        ({"type": "a.b", "key": "k\x00", "actor": "a"}, "key"),
        ({"type": "a.b", "key": "k", "actor": "a\ud800"}, "actor"),
        ({"type": "a.b", "key": "k", "actor": object()}, "actor"),
        ({"type": "a.b", "key": "k", "actor": "a", "occurred_at": datetime(9999, 12, 31, tzinfo=UTC)}, "occurred_at"),
        ({"type": "a.b", "key": "k", "actor": "a", "occurred_at": datetime(1969, 12, 31, tzinfo=UTC)}, "occurred_at"),
        ({"type": "a.b", "key": "k", "actor": "a", "payload": {"x": "y" * 70000}}, "payload"),
        ({"type": "a.b", "key": "k", "actor": "a", "occurred_at": datetime(2026, 1, 1)}, "occurred_at"),
        ({"type": "a.b", "key": "k", "actor": "a", "occurred_at": "2026-01-01"}, "occurred_at"),
    ],
)
def test_record_rejects_bad_input(gk: GuildKit, kwargs: dict[str, Any], field: str) -> None:
    args = dict(kwargs)
    activity_type = args.pop("type")
    with pytest.raises(ValidationError) as info:
        gk.record(activity_type, **args)
    assert info.value.field == field
    assert isinstance(info.value, ValueError)
    assert nothing_written(gk)


def test_record_many_rejects_the_whole_batch(gk: GuildKit) -> None:
    good = {"type": "answer.upvoted", "actor": "b", "target": "a", "key": "k1"}
    with pytest.raises(ValidationError) as info:
        gk.record_many([good, {"type": "answer.upvoted", "actor": "b", "key": ""}])
    assert info.value.field == "activities[1].key"
    with pytest.raises(ValidationError, match="unknown fields"):
        gk.record_many([good | {"colour": "red"}])
    with pytest.raises(ValidationError, match="must be a mapping"):
        gk.record_many([good, "nope"])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="needs 'type' and 'key'"):
        gk.record_many([{"actor": "b"}])
    assert nothing_written(gk)
    assert gk.record_many([]) == []


def test_record_many_respects_the_batch_limit(gk_app: Any, gk: GuildKit) -> None:
    gk_app.config["GUILDKIT_BATCH_LIMIT"] = 2
    items = [{"type": "visit", "actor": "a", "key": f"v{n}"} for n in range(3)]
    with pytest.raises(ValidationError, match="at most 2"):
        gk.record_many(items)
    assert nothing_written(gk)


def test_retract_rejects_bad_input(gk: GuildKit) -> None:
    with pytest.raises(ValidationError) as info:
        gk.retract("")
    assert info.value.field == "key"
    with pytest.raises(ValidationError) as info:
        gk.retract("k", reason=None)  # type: ignore[arg-type]
    assert info.value.field == "reason"


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"reason": ""}, ValidationError, "reason"),
        ({"reason": "x"}, ValidationError, "points"),
        ({"reason": "x", "points": 0, "point_type": "reputation"}, ValidationError, "points"),
        ({"reason": "x", "points": True, "point_type": "reputation"}, ValidationError, "points"),
        ({"reason": "x", "points": 5}, ValidationError, "point_type"),
        ({"reason": "x", "points": 5, "point_type": "gold"}, UnknownPointType, None),
        ({"reason": "x", "badge": "nope"}, UnknownBadge, None),
        ({"reason": "x", "badge": "answerer", "level": 4}, ValidationError, "level"),
        ({"reason": "x", "role": "king"}, UnknownRole, None),
    ],
)
def test_award_rejects_bad_input(
    gk: GuildKit, kwargs: dict[str, Any], error: type[Exception], field: str | None
) -> None:
    with pytest.raises(error) as info:
        gk.award("ann", **kwargs)
    assert isinstance(info.value, GuildKitError)
    assert getattr(info.value, "field", None) == field
    assert nothing_written(gk)


def test_revoke_rejects_bad_input(gk: GuildKit) -> None:
    with pytest.raises(ValidationError, match="name a badge or a role"):
        gk.revoke("ann", reason="x")
    with pytest.raises(UnknownBadge):
        gk.revoke("ann", reason="x", badge="nope")
    with pytest.raises(UnknownRole):
        gk.revoke("ann", reason="x", role="nope")
    with pytest.raises(ValidationError):
        gk.revoke("ann", reason="", badge="answerer")
    assert nothing_written(gk)


def test_lookups_of_unknown_things(gk: GuildKit) -> None:
    with pytest.raises(UnknownMember) as info:
        gk.member("ghost")
    assert info.value.user_id == "ghost"
    with pytest.raises(UnknownMember):
        gk.balances("ghost")
    gk.join("ann")
    with pytest.raises(UnknownPointType):
        gk.balance("ann", "gold")
    assert gk.balance("ann", "reputation") == 0
    assert gk.has_permission("ghost", "edit") is False
    for bad in (0, 1001, "10", True):
        with pytest.raises(ValidationError) as info:
            gk.ledger("ann", limit=bad)  # type: ignore[arg-type]
        assert info.value.field == "limit"
    with pytest.raises(ValidationError):
        gk.ledger("ann", before="x")  # type: ignore[arg-type]


def test_ledger_pages_with_before(gk: GuildKit) -> None:
    for n in range(5):
        gk.record("answer.upvoted", actor=f"v{n}", target="ann", key=f"u{n}")
    first = gk.ledger("ann", limit=2)
    second = gk.ledger("ann", limit=2, before=first[-1].id)
    rest = gk.ledger("ann", limit=2, before=second[-1].id)
    assert [e.balance_after for e in first + second + rest] == [50, 40, 30, 20, 10]


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: PointTypeDef("Bad Slug", "X"), "slug"),
        (lambda: PointTypeDef("ok", ""), "name"),
        (lambda: PointTypeDef("ok", "X", daily_cap=-1), "daily_cap"),
        (lambda: BadgeDef("ok", "X", levels=()), "levels"),
        (lambda: BadgeLevel("platinum"), "tier"),
        (lambda: RoleDef("", "X"), "slug"),
        (lambda: PointsRule("r", "a.b", "10", "xp"), "points"),  # type: ignore[arg-type]
        (lambda: PointsRule("r", (), 10, "xp"), "on"),
        (lambda: PointsRule("r", "a.b", 10, "xp", to="everyone"), "to"),  # type: ignore[arg-type]
        (lambda: BadgeRule("r", "b", Count("a.b"), (5, 1)), "thresholds"),
        (lambda: BadgeRule("r", "b", Count("a.b"), (0,)), "thresholds"),
        (lambda: RoleRule("r", "role", Count("a.b"), 0), "threshold"),
        (lambda: Levels("xp", (10, 5)), "thresholds"),
        (lambda: Levels("xp", (1, 5), ("one",)), "names"),
    ],
)
def test_definitions_validate_when_built(build: Any, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        build()
    assert info.value.field == field


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([PointsRule("r", "a.b", 1, "gold")], "unknown point type 'gold'"),
        ([BadgeRule("r", "nope", Count("a.b"), (1,))], "unknown badge 'nope'"),
        ([BadgeRule("r", "answerer", Count("a.b"), (1,))], "3 levels"),
        ([RoleRule("r", "king", Count("a.b"), 1)], "unknown role 'king'"),
        ([Levels("gold", (1,))], "unknown point type 'gold'"),
    ],
)
def test_rules_are_checked_against_definitions(gk: GuildKit, rules: list[Any], message: str) -> None:
    from guildkit import ConfigurationError

    gk.define(rules=rules)
    with pytest.raises(ConfigurationError, match=message):
        _ = gk.registry


# -- what the outside review found (issue 13, finding 5) ---------------------------------------


@pytest.mark.parametrize("level", [["x"], [], 1.0, {"a": 1}, 0, 4, True, "1"])
def test_revoke_refuses_a_level_the_badge_does_not_have(gk: GuildKit, level: object) -> None:
    gk.award("ann", badge="answerer", reason="setup")
    before = gk.session.scalar(sa.select(sa.func.count()).select_from(Activity))
    with pytest.raises(ValidationError) as info:
        gk.revoke("ann", badge="answerer", level=level, reason="x")  # type: ignore[arg-type]
    assert info.value.field == "level"
    assert gk.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == before
    assert [a.badge_slug for a in gk.badges("ann")] == ["answerer"]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda gk: gk.award("ann", badge=["answerer"], reason="x"), "badge"),
        (lambda gk: gk.award("ann", role={"mod": 1}, reason="x"), "role"),
        (lambda gk: gk.award("ann", points=5, point_type=["reputation"], reason="x"), "point_type"),
        (lambda gk: gk.award("ann", points=10**30, point_type="reputation", reason="x"), "points"),
        (lambda gk: gk.award("ann", points=5, point_type="reputation", reason="bad\x07bell"), "reason"),
        (lambda gk: gk.award("ann", points=5, point_type="reputation", reason="nul\x00"), "reason"),
        (lambda gk: gk.award("ann", points=5, point_type="reputation", reason="\udc80"), "reason"),
        (lambda gk: gk.award("ann", points=5, point_type="reputation", reason="x", colour="red"), "colour"),
        (lambda gk: gk.award(object(), points=5, point_type="reputation", reason="x"), "target"),
        (lambda gk: gk.balance("100", ["reputation"]), "point_type"),
        (lambda gk: gk.balance(["100"], "reputation"), "user_id"),
        (lambda gk: gk.join(object()), "user_id"),
        (lambda gk: gk.join("ann\x00"), "user_id"),
        (lambda gk: gk.join("ann", name="Ann\nSmith"), "name"),
        (lambda gk: gk.join("ann", occurred_at=datetime(9999, 12, 31, tzinfo=UTC)), "occurred_at"),
        (lambda gk: gk.record("visit", key="k", actor="ann", payload={"x": float("nan")}), "payload.x"),
        (lambda gk: gk.retract("k\x00"), "key"),
        (lambda gk: gk.retract("k", occurred_at=datetime(2026, 1, 1)), "occurred_at"),
        (lambda gk: gk.set_status("ann", ["banned"], reason="x"), "status"),
        (lambda gk: gk.ledger("ann", point_type=["reputation"]), "point_type"),
        (lambda gk: gk.has_permission("ann", ["edit"]), "permission"),
        (lambda gk: gk.leaderboard("reputation", period="year"), "period"),
        (lambda gk: gk.leaderboard("reputation", limit=0), "limit"),
        (lambda gk: gk.notifications("ann", limit="5"), "limit"),
        (lambda gk: gk.mark_read("ann", up_to="all"), "up_to"),
    ],
)
def test_every_public_function_refuses_bad_arguments_from_the_error_tree(gk: GuildKit, call: Any, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        call(gk)
    assert info.value.field == field
    assert nothing_written(gk)
