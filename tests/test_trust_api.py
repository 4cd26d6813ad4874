"""The trust-level and privileges API, and the profile section: who sees what, who may change it."""

from __future__ import annotations

import pytest
from flask import Flask

from guildkit import GuildKit
from guildkit.testing import Members
from tests.webclient import Api, Site, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql


@pytest.fixture
def api(gk_app: Flask, gk: GuildKit) -> Api:
    return Api(mount(gk_app, gk), {"reader": gk.tokens.create(None, "reader", ["members.read_private"])[0]})


def test_member_sees_own_progress_others_do_not(api: Api, gk_members: Members) -> None:
    ann, bob = gk_members(), gk_members()
    own = api.ok("GET", f"/members/{ann}/trust", user=ann)
    assert (own["level"], own["name"], own["locked"], own["criteria_level"]) == (0, "New", False, 1)
    assert own["criteria"][0] == {
        "label": "topics entered",
        "value": 0,
        "threshold": 5,
        "met": False,
        "window_days": None,
    }
    other = api.ok("GET", f"/members/{ann}/trust", user=bob)
    assert (other["level"], other["criteria"]) == (0, None)
    assert api.ok("GET", f"/members/{ann}/trust", token="reader")["criteria"] is not None
    assert api.problem("GET", "/members/nobody/trust", 404)


def test_staff_set_and_lock_not_on_themselves(api: Api, gk: GuildKit, gk_members: Members) -> None:
    ann, mod, bob = gk_members(), gk_members(roles=["moderator"]), gk_members()
    body = {"level": 4, "locked": True, "reason": "runs the meetups"}
    assert api.problem("PUT", f"/members/{ann}/trust", 403, user=bob, body=body)
    assert api.problem("PUT", f"/members/{mod}/trust", 403, user=mod, body=body)
    out = api.ok("PUT", f"/members/{ann}/trust", user=mod, body=body)
    assert (out["level"], out["name"], out["locked"]) == (4, "Leader", True)
    assert gk.trust.level(ann) == 4
    out = api.ok("PUT", f"/members/{ann}/trust", user=mod, body={"locked": False, "reason": "done"})
    assert (out["level"], out["locked"]) == (4, False)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"level": 5, "reason": "x"}, "level"),
        ({"level": 1}, "reason"),
        ({"reason": "nothing to do"}, "level"),
        ({"level": "2", "reason": "x"}, "level"),
    ],
)
def test_put_names_the_bad_field(api: Api, gk_members: Members, body: dict[str, object], field: str) -> None:
    ann, mod = gk_members(), gk_members(roles=["moderator"])
    problem(api.call("PUT", f"/members/{ann}/trust", user=mod, body=body), 422, field)


def test_my_privileges(api: Api, gk: GuildKit, gk_members: Members) -> None:
    ann = gk_members()
    assert api.problem("GET", "/me/privileges", 401)
    listed = {p["name"]: p for p in api.ok("GET", "/me/privileges", user=ann)}
    assert listed["flag"] == {
        "name": "flag",
        "label": "Flag posts",
        "description": "Point moderators to posts that break the guidelines.",
        "has": False,
        "requirement": "trust level 1 (Basic)",
        "progress": "trust level 0 of 1",
    }
    gk.trust.set_level(ann, 1, reason="test")
    assert api.ok("GET", "/me/privileges", user=ann)[0]["has"] is True


def test_profile_shows_trust_and_privileges_to_the_member_only(
    gk_app: Flask, gk: GuildKit, gk_members: Members
) -> None:
    site = Site(mount(gk_app, gk), gk)
    ann, mod = gk_members(), gk_members(roles=["moderator"])
    own = site.get(f"/members/{ann}", user=ann)
    assert "Trust level and privileges" in own
    assert "trust level 0: New" in own
    assert "<strong>Flag posts</strong>" in own and "Unlocks with trust level 1 (Basic)" in own
    assert "<strong>flag</strong>" not in own  # the privilege in words, never its key
    assert "Trust level and privileges" not in site.get(f"/members/{ann}", user=mod)
