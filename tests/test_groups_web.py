"""Groups over HTTP: the API (problems naming why, permissions, the OpenAPI document and its
promises) and the pages (the directory and its search, a group with its goal's progress bar,
join and leave as POST forms with CSRF, the managers' forms reporting every field at once, the
team board, the nav link); switched off, no routes. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from guildkit import GuildKit
from guildkit.testing import Clock, make_app
from guildkit.web import make_blueprint
from tests.plugins import qa_rules
from tests.webclient import API_PREFIX, Api, Site, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

NOW = datetime(2027, 5, 10, 12, tzinfo=UTC)
MAY = datetime(2027, 5, 1, tzinfo=UTC)
JUNE = datetime(2027, 6, 1, tzinfo=UTC)
GOAL = {"name": "May answers", "activity_type": "answer.posted", "target": 3, "starts_at": MAY.isoformat(),
        "ends_at": JUNE.isoformat()}  # fmt: skip


@pytest.fixture
def gk_config() -> dict[str, Any]:
    return {"GUILDKIT_GROUPS_CREATE": "members"}


@pytest.fixture
def world(gk: GuildKit, gk_clock: Clock) -> GuildKit:
    gk_clock.set(NOW)
    for user in ("ann", "bob", "cat", "dan"):
        gk.join(user, name=user.title())
    gk.join("boss", name="Boss")
    gk.award("boss", role="admin", reason="setup")
    return gk


@pytest.fixture
def api(gk_app: Flask, world: GuildKit) -> Api:
    tokens = {
        "manager": world.tokens.create(None, "manager", ["groups.manage"])[0],
        "reader": world.tokens.create(None, "reader", ["members.read_private"])[0],
    }
    return Api(mount(gk_app, world), tokens)


@pytest.fixture
def site(gk_app: Flask, world: GuildKit) -> Site:
    return Site(mount(gk_app, world), world)


def test_the_api_makes_a_group_lets_members_in_and_refuses_clearly(api: Api, world: GuildKit) -> None:
    made = api.ok("POST", "/groups", user="ann", body={"name": "Backend team", "policy": "request", "capacity": 3},
                  status=201)  # fmt: skip
    assert (made["slug"], made["member_count"], made["me"]) == (
        "backend-team",
        1,
        {"state": "member", "role": "owner", "manages": True},
    )
    assert problem(api.call("POST", "/groups/backend-team/join", user="bob"), 403)["code"] == "group_policy"
    assert api.ok("POST", "/groups/backend-team/request", user="bob")["state"] == "requested"
    twice = problem(api.call("POST", "/groups/backend-team/request", user="bob"), 409)
    assert twice["code"] == "membership_refused" and "already asked" in twice["detail"]
    assert (
        problem(api.call("POST", "/groups/backend-team/members/bob/approve", user="cat"), 403)["code"] == "not_allowed"
    )
    assert api.ok("POST", "/groups/backend-team/members/bob/approve", user="ann") == {
        "group": "backend-team", "user_id": "bob", "state": "member", "role": "member",
    }  # fmt: skip
    invited = api.ok("POST", "/groups/backend-team/invitations", user="ann", body={"user_id": "cat"}, status=201)
    assert invited["state"] == "invited"
    assert api.ok("POST", "/groups/backend-team/accept", user="cat")["state"] == "member"
    api.ok("POST", "/groups/backend-team/invitations", user="ann", body={"user_id": "dan"}, status=201)
    full = problem(api.call("POST", "/groups/backend-team/accept", user="dan"), 409)
    assert full["code"] == "group_full"
    assert api.ok("PUT", "/groups/backend-team/members/bob/role", user="ann", body={"role": "maintainer"})[
        "role"
    ] == "maintainer"  # fmt: skip
    members = api.ok("GET", "/groups/backend-team/members")
    assert [(m["user_id"], m["role_name"]) for m in members] == [("ann", "Owner"), ("bob", "Maintainer"),
                                                                  ("cat", "Member")]  # fmt: skip
    assert problem(api.call("GET", "/groups/backend-team/members?state=invited", user="cat"), 403)
    assert [m["user_id"] for m in api.ok("GET", "/groups/backend-team/members?state=invited", user="bob")] == ["dan"]
    assert api.ok("POST", "/groups/backend-team/leave", user="cat")["state"] == "none"
    assert problem(api.call("POST", "/groups/backend-team/leave", user="cat"), 409)["code"] == "membership_refused"
    assert problem(api.call("GET", "/groups/nope"), 404)["code"] == "unknown_group"


def test_bad_input_is_a_problem_naming_the_field_and_writes_nothing(api: Api, world: GuildKit) -> None:
    problem(api.call("POST", "/groups", user="ann", body={"name": "x", "policy": "closed"}), 422, "policy")
    problem(api.call("POST", "/groups", user="ann", body={"name": "x", "capacity": 0}), 422, "capacity")
    problem(api.call("POST", "/groups", user="ann", body={"name": "x", "slug": "Bad Slug"}), 422, "slug")
    assert api.ok("GET", "/groups")["items"] == []
    api.ok("POST", "/groups", user="ann", body={"name": "Team"}, status=201)
    problem(api.call("POST", "/groups/team/goals", user="ann", body=GOAL | {"activity_type": "nope"}), 422,
            "activity_type")  # fmt: skip
    late = problem(api.call("POST", "/groups/team/goals", user="ann", body=GOAL | {"ends_at": MAY.isoformat()}), 422)
    assert "ends_at" in late["errors"]
    problem(api.call("POST", "/groups/team/goals", user="bob", body=GOAL), 403)
    assert api.ok("GET", "/groups/team/goals") == []
    problem(api.call("PUT", "/groups/team/members/ann/role", user="ann", body={"role": "king"}), 422, "role")
    problem(api.call("POST", "/groups", body={"name": "Anon"}), 401)
    problem(api.call("POST", "/groups", token="reader", body={"name": "Reader's"}), 403)


def test_goals_board_and_badges_over_the_api(api: Api, world: GuildKit) -> None:
    api.ok("POST", "/groups", token="manager", body={"name": "Team", "policy": "open"}, status=201)
    for user in ("ann", "bob"):
        api.ok("POST", "/groups/team/join", user=user)
    made = api.ok("POST", "/groups/team/goals", token="manager", body=GOAL, status=201)
    assert (made["what"], made["count"], made["percent"], made["badge_name"]) == (
        "Answer posted 3 times",
        0,
        0,
        "May answers",
    )
    for n, user in enumerate(["ann", "bob", "ann"]):
        world.record("answer.posted", key=f"w{n}", actor=user)
    (goal,) = api.ok("GET", "/groups/team/goals")
    assert (goal["count"], goal["percent"], goal["reached"]) == (3, 100, True)
    assert [b["name"] for b in api.ok("GET", "/groups/team/badges")] == ["May answers"]
    board = api.ok("GET", "/leaderboards/xp/groups?by=average")
    assert [(r["group"], r["total"], r["members"], r["score"]) for r in board] == [("team", 15, 2, 7)]
    problem(api.call("GET", "/leaderboards/nope/groups"), 404)
    mine = api.ok("GET", "/groups/team/leaderboard?point_type=xp&limit=1", user="bob")
    assert [s["user_id"] for s in mine["items"]] == ["ann"] and mine["me"]["rank"] == 2
    rest = api.ok("GET", f"/groups/team/leaderboard?point_type=xp&limit=1&cursor={mine['next_cursor']}")
    assert [s["user_id"] for s in rest["items"]] == ["bob"]


def test_the_openapi_document_has_the_groups_api(api: Api) -> None:
    document = api.client.get(API_PREFIX + "/openapi.json").get_json()
    paths = {path.removeprefix(API_PREFIX): operations for path, operations in document["paths"].items()}
    for path, method in (
        ("/groups", "get"), ("/groups", "post"), ("/leaderboards/{point_type}/groups", "get"),
        ("/groups/{group}", "get"),
        ("/groups/{group}", "patch"), ("/groups/{group}/join", "post"), ("/groups/{group}/leave", "post"),
        ("/groups/{group}/request", "post"), ("/groups/{group}/members/{user_id}/approve", "post"),
        ("/groups/{group}/invitations", "post"), ("/groups/{group}/goals", "post"),
        ("/groups/{group}/goals", "get"), ("/groups/{group}/members/{user_id}/role", "put"),
        ("/groups/{group}/leaderboard", "get"), ("/groups/{group}/badges", "get"),
    ):  # fmt: skip
        assert "groups" in paths[path][method]["tags"], (path, method)
    assert {"Group", "GroupIn", "GroupGoal", "GroupGoalIn", "GroupTeamStanding"} <= set(
        document["components"]["schemas"]
    )


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance]


def test_the_api_keeps_its_promises(gk_clock: Clock, tmp_path: Any) -> None:
    """Every groups operation, fuzzed from its OpenAPI description: never a server error, always
    the documented statuses, content types and shapes."""
    alone = {"GUILDKIT_PLUGINS_DENY": ["guildkit.kudos", "guildkit.nominations", "guildkit.challenges"]}
    with make_app("sqlite", tmp_path, config=alone, plugins=(qa_rules,), clock=gk_clock) as (app, gk):
        gk_clock.set(NOW)
        gk.join("ann", name="Ann")
        gk.join("boss", name="Boss")
        gk.award("boss", role="admin", reason="setup")
        api = Api(mount(app, gk))
        api.ok("POST", "/groups", user="boss", body={"name": "Fuzz", "slug": "fuzz"}, status=201)
        api.ok("POST", "/groups/fuzz/goals", user="boss", body=GOAL, status=201)
        schema = schemathesis.openapi.from_wsgi(API_PREFIX + "/openapi.json", app)
        operations = [r.ok() for r in schema.get_all_operations() if "/groups" in r.ok().path]
        assert len(operations) >= 20
        statuses: list[int] = []
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def run(case: schemathesis.Case) -> None:
                statuses.append(case.call_and_validate(headers={"X-User": "boss"}, checks=CHECKS).status_code)

            run()
    assert any(200 <= s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses)


# -- pages ---------------------------------------------------------------------------------


def test_a_member_finds_a_group_joins_it_and_sees_its_goal(site: Site, world: GuildKit, gk_clock: Clock) -> None:
    group = world.groups.create("ann", name="Backend team", description="We build the API.", policy="open")
    world.groups.create("ann", name="Design guild", policy="invite")
    world.groups.create_goal(None, group.id, **GOAL | {"starts_at": MAY, "ends_at": JUNE})
    directory = site.get("/groups?q=backend", user="bob")
    assert "Backend team" in directory and "Design guild" not in directory
    assert 'href="/community/groups"' in directory  # the nav link
    page = site.get("/groups/backend-team", user="bob")
    assert "Join Backend team" in page and "We build the API." in page
    refused = site.post("/groups/backend-team/join", {"csrf_token": "forged"}, user="bob", csrf=False)
    assert refused.status_code == 400 and world.groups.membership(group.id, "bob") is None
    joined = site.post("/groups/backend-team/join", {}, user="bob")
    assert joined.status_code == 303 and joined.headers["Location"].endswith("done=join")
    again = site.post("/groups/backend-team/join", {}, user="bob")
    assert again.status_code == 409 and "You are already a member of this group." in again.get_data(as_text=True)
    world.record("answer.posted", key="p1", actor="bob")
    page = site.get("/groups/backend-team?done=join", user="bob")
    assert "Welcome: you are a member now." in page and "Leave the group" in page
    assert '<progress max="3" value="1"' in page and "1 of 3 (33%)" in page
    assert 'class="gk-avatar"' in page  # members with the core's avatars
    for n in (2, 3):
        world.record("answer.posted", key=f"p{n}", actor="bob")
    page = site.get("/groups/backend-team", user="bob")
    assert "Reached on" in page and "Badges earned together" in page and "for May answers" in page
    invite_only = site.post("/groups/design-guild/join", {}, user="bob")
    assert invite_only.status_code == 403 and "invitation" in invite_only.get_data(as_text=True)
    left = site.post("/groups/backend-team/leave", {}, user="bob")
    assert left.status_code == 303 and world.groups.membership(group.id, "bob") is None


def test_managers_answer_requests_invite_and_set_goals_with_forms(site: Site, world: GuildKit) -> None:
    group = world.groups.create("ann", name="Cohort", policy="request")
    site.post("/groups/cohort/request", {}, user="bob")
    page = site.get("/groups/cohort", user="ann")
    assert "Requests to join" in page and "/groups/cohort/members/bob/approve" in page
    assert site.post("/groups/cohort/members/bob/approve", {}, user="cat").status_code == 403
    assert site.post("/groups/cohort/members/bob/approve", {}, user="ann").status_code == 303
    assert world.groups.membership(group.id, "bob").state == "member"
    assert site.post("/groups/cohort/invite", {"member": "Cat"}, user="ann").status_code == 303  # by name
    assert world.groups.membership(group.id, "cat").state == "invited"
    assert site.post("/groups/cohort/invite", {"member": "Nobody here"}, user="ann").status_code == 422
    bad = site.post("/groups/cohort/goals/new", {"name": "", "activity_type": "nope", "target": "many",
                                                "starts_at": "soon", "ends_at": "", "min_contribution": "1"},
                    user="ann")  # fmt: skip
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "There is a problem" in text
    for field in ("gk-name", "gk-activity_type", "gk-target", "gk-starts_at", "gk-ends_at"):
        assert f'href="#{field}"' in text, field
    assert world.groups.goals(group.id) == []
    good = site.post("/groups/cohort/goals/new", {"name": "Monthly answers", "activity_type": "answer.posted",
                                                 "target": "50", "starts_at": "2027-05-01T00:00", "ends_at": "",
                                                 "recurring": "1", "min_contribution": "2"}, user="ann")  # fmt: skip
    assert good.status_code == 303
    (made,) = world.groups.goals(group.id)
    assert (made.recurring, made.target, made.min_contribution) == ("monthly", 50, 2)
    edit = site.post("/groups/cohort/edit", {"name": "Cohort 2027", "description": "", "policy": "open",
                                             "capacity": "1"}, user="ann")  # fmt: skip
    assert edit.status_code == 422 and "capacity" in edit.get_data(as_text=True).lower()
    assert site.post("/groups/cohort/edit", {"name": "Cohort 2027", "description": "", "policy": "open",
                                             "capacity": ""}, user="ann").status_code == 303  # fmt: skip
    assert world.groups.get(group.id).name == "Cohort 2027"
    assert site.post("/groups/cohort/members/bob/role", {"role": "maintainer"}, user="ann").status_code == 303
    assert world.groups.membership(group.id, "bob").role == "maintainer"


def test_making_a_group_from_its_page(site: Site, world: GuildKit) -> None:
    form = site.get("/groups/new", user="bob")
    assert 'name="csrf_token"' in form and "Who may join" in form
    bad = site.post("/groups/new", {"name": "", "slug": "", "description": "", "policy": "open", "capacity": "0"},
                    user="bob")  # fmt: skip
    assert bad.status_code == 422 and 'href="#gk-name"' in bad.get_data(as_text=True)
    made = site.post("/groups/new", {"name": "Night owls", "slug": "", "description": "", "policy": "open",
                                     "capacity": ""}, user="bob")  # fmt: skip
    assert made.status_code == 303 and "/groups/night-owls" in made.headers["Location"]
    assert "Your group is made." in site.get("/groups/night-owls?done=created", user="bob")
    site.get("/groups/new", status=401)


def test_the_team_board_and_a_groups_own_leaderboard(site: Site, world: GuildKit) -> None:
    group = world.groups.create("ann", name="Crew", policy="open")
    world.groups.join(group.id, "bob")
    world.record("answer.posted", key="b1", actor="bob")
    board = site.get("/groups/board?point_type=xp&period=week")
    assert "Crew" in board and "<caption" in board
    own = site.get("/groups/crew/leaderboard?point_type=xp", user="bob")
    assert "Bob" in own and "#1 in the group with 5 Experience." in own
    site.get("/groups/crew/leaderboard?point_type=nope", status=404)
    site.get("/groups/nope", status=404)


def test_switched_off_there_are_no_routes(gk_clock: Clock, tmp_path: Any) -> None:
    with make_app("sqlite", tmp_path, config={"GUILDKIT_PLUGINS_DENY": ["guildkit.groups"]}) as (app, _gk):
        app.register_blueprint(make_blueprint(), url_prefix="/community")
        client = app.test_client()
        assert client.get("/community/groups").status_code == 404
        assert client.get(API_PREFIX + "/groups").status_code == 404
        assert 'href="/community/groups"' not in client.get("/community/").get_data(as_text=True)


def test_a_refused_action_on_a_page_names_why(site: Site, world: GuildKit) -> None:
    world.groups.create("ann", name="Tiny", policy="open", capacity=1)
    full = site.post("/groups/tiny/join", {}, user="bob")
    assert full.status_code == 409 and "The group is full" in full.get_data(as_text=True)
    assert site.post("/groups/tiny/join", {}).status_code == 401
    assert "This group is full." in site.get("/groups/tiny", user="bob")
    refused = site.get("/groups/tiny/edit", user="bob", status=403)
    assert "owners and maintainers may do this" in refused
