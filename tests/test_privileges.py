"""Privileges: gk.can for each kind of requirement, any-of lists, staff, inactive members and the
guildkit_can hook; gk.privileges with requirement and progress texts."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from guildkit import GuildKit, hookimpl
from guildkit.errors import ConfigurationError, ValidationError
from guildkit.models import HookFailure
from guildkit.testing import Activities, Members
from guildkit.trust.privileges import PrivilegeStatus, parse_privileges

PRIVILEGES = {
    "flag": {"trust_level": 1},
    "upvote": {"points": {"reputation": 15}},
    "moderate": {"role": "moderator"},
    "review": {"badge": "supporter"},
    "edit_others": [{"trust_level": 3}, {"points": {"reputation": 20}}],
}


@pytest.fixture
def gk_config() -> dict[str, Any]:
    return {"GUILDKIT_PRIVILEGES": PRIVILEGES}


def test_trust_level(gk: GuildKit, gk_members: Members) -> None:
    ann = gk_members()
    assert not gk.can(ann, "flag")
    gk.trust.set_level(ann, 1, reason="test")
    assert gk.can(ann, "flag")


def test_points_badge_and_any_of(gk: GuildKit, gk_members: Members, gk_activities: Activities) -> None:
    ann, voter = gk_members(), gk_members()
    assert not gk.can(ann, "upvote") and not gk.can(ann, "edit_others")
    gk.award(ann, points=14, point_type="reputation", reason="test")
    assert not gk.can(ann, "upvote")
    gk.award(ann, points=1, point_type="reputation", reason="test")
    assert gk.can(ann, "upvote") and not gk.can(ann, "edit_others")
    gk.award(ann, points=5, point_type="reputation", reason="test")
    assert gk.can(ann, "edit_others")  # the second option of the list
    bob = gk_members()
    gk.trust.set_level(bob, 3, reason="test")
    assert gk.can(bob, "edit_others") and not gk.can(bob, "upvote")  # the first option
    assert not gk.can(voter, "review")
    gk.award(voter, badge="supporter", reason="test")
    assert gk.can(voter, "review")


def test_role_and_admin(gk: GuildKit, gk_members: Members) -> None:
    mod, admin, ann = gk_members(roles=["moderator"]), gk_members(roles=["admin"]), gk_members()
    assert gk.can(mod, "moderate") and not gk.can(mod, "upvote")
    assert all(gk.can(admin, name) for name in PRIVILEGES)
    assert not gk.can(ann, "moderate")
    assert not gk.can("not-a-member", "flag")


def test_inactive_members_can_nothing(gk: GuildKit, gk_members: Members) -> None:
    admin = gk_members(roles=["admin"])
    gk.set_status(admin, "suspended", reason="test")
    assert not any(gk.can(admin, name) for name in PRIVILEGES)
    assert not any(p.has for p in gk.privileges(admin))


def test_unknown_privilege(gk: GuildKit, gk_members: Members) -> None:
    with pytest.raises(ValidationError) as error:
        gk.can(gk_members(), "fly")
    assert error.value.field == "privilege"


def test_guildkit_can_denies_and_grants(gk: GuildKit, gk_members: Members) -> None:
    ann, muted = gk_members(), gk_members()
    gk.trust.set_level(muted, 1, reason="test")

    class Mute:
        @hookimpl
        def guildkit_can(self, gk: GuildKit, user_id: str, privilege: str, granted: bool) -> bool | None:
            if user_id == muted and privilege == "flag":
                return False
            if user_id == ann and privilege == "upvote":
                return True
            return None

    gk.register(Mute())
    assert not gk.can(muted, "flag")
    assert gk.can(ann, "upvote")
    assert not gk.can(ann, "flag")  # no opinion: the built-in answer
    assert [p.has for p in gk.privileges(ann) if p.name == "upvote"] == [True]


@pytest.mark.parametrize("answer", [RuntimeError("down"), "yes"])
def test_guildkit_can_failure_is_contained(gk: GuildKit, gk_members: Members, answer: object) -> None:
    ann = gk_members()
    gk.trust.set_level(ann, 1, reason="test")

    class Broken:
        @hookimpl
        def guildkit_can(self, gk: GuildKit, user_id: str, privilege: str, granted: bool) -> object:
            if isinstance(answer, Exception):
                raise answer
            return answer

    gk.register(Broken(), name="broken")
    assert gk.can(ann, "flag") and not gk.can(ann, "upvote")
    failures = gk.session.scalars(sa.select(HookFailure)).all()
    assert [(f.plugin, f.hook) for f in failures] == [("broken", "guildkit_can")] * 2


def test_privileges_list_requirements_and_progress(gk: GuildKit, gk_members: Members) -> None:
    ann = gk_members()
    gk.award(ann, points=12, point_type="reputation", reason="test")
    listed = {p.name: p for p in gk.privileges(ann)}
    # guildkit adds content.visible (everyone, until trusted spam reports hide a member: docs/moderation.md).
    assert list(listed) == [*PRIVILEGES, "content.visible"]
    assert listed["flag"] == PrivilegeStatus(
        "flag", False, "trust level 1 (Basic)", "trust level 0 of 1",
        "Flag posts", "Point moderators to posts that break the guidelines.",
    )  # fmt: skip
    assert listed["upvote"] == PrivilegeStatus("upvote", False, "15 Reputation", "12 of 15 Reputation", "Upvote")
    assert listed["content.visible"].label == "Your posts are shown"
    assert listed["moderate"].requirement == "the Moderator role"
    assert listed["moderate"].progress == "role not held"
    assert listed["review"].requirement == "the Supporter badge"
    assert listed["edit_others"].requirement == "trust level 3 (Regular) or 20 Reputation"
    assert listed["edit_others"].progress == "trust level 0 of 3; 12 of 20 Reputation"


@pytest.mark.parametrize(
    "privileges",
    [
        [],
        {"x": []},
        {"x": {"trust_level": 5}},
        {"x": {"points": {"reputation": 0}}},
        {"x": {"points": {"a": 1, "b": 2}}},
        {"x": {"role": ""}},
        {"x": {"trust_level": 1, "role": "moderator"}},
        {"x": {"karma": 1}},
        {"x": {"label": "X", "requires": {"karma": 1}}},
        {"x": {"label": 5, "requires": {"trust_level": 1}}},
        {"x": {"label": "X", "lable": "Y", "requires": {"trust_level": 1}}},
    ],
)
def test_malformed_privileges_are_refused(privileges: object) -> None:
    with pytest.raises(ConfigurationError):
        parse_privileges(privileges)


def test_a_privilege_may_be_worded_for_members(gk_app: Any, gk: GuildKit, gk_members: Members) -> None:
    gk_app.config["GUILDKIT_PRIVILEGES"] = {
        **gk_app.config["GUILDKIT_PRIVILEGES"],
        "close": {"label": "Close questions", "description": "Close duplicates.", "requires": [{"trust_level": 2}]},
    }
    ann = gk_members()
    close = {p.name: p for p in gk.privileges(ann)}["close"]
    assert (close.label, close.description, close.requirement) == ("Close questions", "Close duplicates.",
                                                                   "trust level 2 (Member)")  # fmt: skip
    assert not gk.can(ann, "close")
    gk.trust.set_level(ann, 2, reason="test")
    assert gk.can(ann, "close")
