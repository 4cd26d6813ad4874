"""Titles (``gk.titles``): a member chooses a badge they hold; refused for a badge not held, revoked
or excluded, with nothing written; a revoked badge stops showing; a tiered badge shows its tier;
the data export and erasure. On every backend."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import GuildKit
from guildkit.errors import ValidationError
from guildkit.models import table_of
from guildkit.titles import TitleChoice
from guildkit.titles.models import MemberTitle
from guildkit.titles.service import shown

TITLES = table_of(MemberTitle)


def stored(gk: GuildKit) -> list[tuple[Any, ...]]:
    with gk.store.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.select(TITLES.c.member_id, TITLES.c.badge))]


@pytest.fixture
def world(gk: GuildKit) -> GuildKit:
    for user in ("ann", "bob"):
        gk.join(user, name=user.title())
    gk.award("ann", badge="first-answer", reason="test")
    gk.award("ann", badge="answerer", level=1, reason="test")
    gk.award("ann", badge="answerer", level=2, reason="test")
    return gk


def test_choosing_and_clearing_a_title(world: GuildKit) -> None:
    titles = world.titles
    assert titles.chosen("ann") is None
    assert titles.choices("ann") == [
        TitleChoice("first-answer", "First Answer"),
        TitleChoice("answerer", "Silver Answerer"),
    ]
    assert titles.choose("ann", "first-answer") == TitleChoice("first-answer", "First Answer")
    assert titles.chosen("ann") == TitleChoice("first-answer", "First Answer")
    assert titles.choose("ann", "answerer") == TitleChoice("answerer", "Silver Answerer")  # the highest tier held
    assert len(stored(world)) == 1
    assert titles.choose("ann", None) is None
    assert titles.chosen("ann") is None and stored(world) == []
    assert titles.choose("bob", None) is None  # nothing to clear: nothing written, no error


@pytest.mark.parametrize("badge", ["regular", "no-such-badge", 42])
def test_a_badge_not_held_is_refused_and_nothing_written(world: GuildKit, badge: Any) -> None:
    world.titles.choose("ann", "first-answer")
    with pytest.raises(ValidationError) as refused:
        world.titles.choose("ann", badge)
    assert refused.value.field == "badge"
    assert [b for _m, b in stored(world)] == ["first-answer"]
    with pytest.raises(ValidationError):
        world.titles.choose("bob", "first-answer")  # Ann's badge, not Bob's
    with pytest.raises(ValidationError):
        world.titles.choose("cat", "first-answer")  # not a member at all
    assert len(stored(world)) == 1


def test_a_revoked_badge_stops_showing_and_cannot_be_chosen(world: GuildKit) -> None:
    world.titles.choose("ann", "first-answer")
    world.revoke("ann", badge="first-answer", reason="test")
    assert world.titles.chosen("ann") is None
    assert shown(world, ["ann"]) == {}
    assert "first-answer" not in [c.badge for c in world.titles.choices("ann")]
    with pytest.raises(ValidationError):
        world.titles.choose("ann", "first-answer")
    world.award("ann", badge="first-answer", reason="earned again")
    assert world.titles.chosen("ann") == TitleChoice("first-answer", "First Answer")  # the choice was kept


def test_a_tiered_title_follows_the_highest_level_held(world: GuildKit) -> None:
    world.titles.choose("ann", "answerer")
    world.award("ann", badge="answerer", level=3, reason="test")
    assert world.titles.chosen("ann") == TitleChoice("answerer", "Gold Answerer")
    world.revoke("ann", badge="answerer", level=3, reason="test")
    assert world.titles.chosen("ann") == TitleChoice("answerer", "Silver Answerer")


@pytest.fixture
def gk_config() -> dict[str, Any]:
    return {"GUILDKIT_TITLES_EXCLUDE": ["regular"]}


def test_an_excluded_badge_may_not_be_a_title(world: GuildKit) -> None:
    world.award("ann", badge="regular", reason="test")
    assert "regular" not in [c.badge for c in world.titles.choices("ann")]
    with pytest.raises(ValidationError):
        world.titles.choose("ann", "regular")
    assert stored(world) == []


def test_the_export_holds_the_title_and_erasure_deletes_it(world: GuildKit, gk_app: Flask) -> None:
    world.titles.choose("ann", "first-answer")
    export = world.privacy.export("ann")
    assert export["plugins"]["titles"]["badge"] == "first-answer"
    world.privacy.erase("ann", confirm=True, reason="asked")
    assert stored(world) == []


def test_titles_of_many_members_take_one_statement(world: GuildKit) -> None:
    for n in range(20):
        world.award(f"m{n}", badge="first-answer", reason="test")
        world.titles.choose(f"m{n}", "first-answer")
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(world.store.engine, "before_cursor_execute", count)
    try:
        found = shown(world, [f"m{n}" for n in range(20)] + ["ann"])
    finally:
        sa.event.remove(world.store.engine, "before_cursor_execute", count)
    assert len(found) == 20 and {f.text for f in found.values()} == {"First Answer"}
    assert len([s for s in statements if "guildkit_member_titles" in s]) == 1
