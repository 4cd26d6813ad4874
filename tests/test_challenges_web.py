"""Challenges over HTTP: the API (validation names the field, permissions, paging, the OpenAPI
document) and the pages (the list, a challenge with the viewer's progress, joining with CSRF, the
form reporting every field at once); switched off, no routes. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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
from guildkit.web.pagination import encode_cursor
from tests.plugins import qa_rules
from tests.test_challenges import KEYS, Words
from tests.webclient import API_PREFIX, Api, Site, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

START = datetime(2027, 3, 1, 9, tzinfo=UTC)
END = START + timedelta(days=7)
DURING = START + timedelta(days=1)
#: The document as this feature adds to it: the features built beside it name their own schemas.
ALONE = {"GUILDKIT_PLUGINS_DENY": ["guildkit.groups", "guildkit.kudos", "guildkit.nominations"]}
CHALLENGE = {
    "title": "Spring answers",
    "starts_at": START.isoformat(),
    "ends_at": END.isoformat(),
    "steps": [{"activity_type": "answer.posted", "count": 2}, {"activity_type": "visit", "count": 1}],
    "ordered": True,
    "reward_points": 50,
    "reward_point_type": "reputation",
    "award_badge": True,
}


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return (qa_rules, Words())


@pytest.fixture
def world(gk: GuildKit, gk_clock: Clock) -> GuildKit:
    gk_clock.set(START - timedelta(days=1))
    for user in ("ann", "bob", "cat"):
        gk.join(user, name=user.title())
    gk.join("boss", name="Boss")
    gk.award("boss", role="admin", reason="setup")
    return gk


@pytest.fixture
def api(gk_app: Flask, world: GuildKit) -> Api:
    tokens = {
        "reader": world.tokens.create(None, "reader", ["members.read_private"])[0],
        "manager": world.tokens.create(None, "manager", ["challenges.manage"])[0],
    }
    return Api(mount(gk_app, world), tokens)


@pytest.fixture
def site(gk_app: Flask, world: GuildKit) -> Site:
    return Site(mount(gk_app, world), world)


def do(gk: GuildKit, user: str, kind: str, times: int = 1) -> None:
    for _ in range(times):
        gk.record(kind, key=f"{kind}:{user}:{next(KEYS)}", actor=user)


def test_the_api_makes_lists_joins_counts_and_closes_a_challenge(api: Api, world: GuildKit, gk_clock: Clock) -> None:
    made = api.ok("POST", "/challenges", user="boss", body=CHALLENGE, status=201)
    assert (made["state"], made["badge_name"], made["reward_point_type_name"]) == ("upcoming", "Spring answers",
                                                                                   "Reputation")  # fmt: skip
    assert [s["goal"] for s in made["steps"]] == ["Answer 2 questions", "Visit the community"]
    assert made["url"].endswith(f"/community/challenges/{made['id']}")
    path = f"/challenges/{made['id']}"
    joined = api.ok("POST", f"{path}/join", user="ann", body={}, status=201)
    assert [(s["goal"], s["count"], s["target"], s["open"]) for s in joined["steps"]] == [
        ("Answer 2 questions", 0, 2, True), ("Visit the community", 0, 1, False),
    ]  # fmt: skip
    problem(api.call("POST", f"{path}/join", user="ann", body={}), 409)
    gk_clock.set(DURING)
    do(world, "ann", "answer.posted", 2)
    mine = api.ok("GET", path, user="ann")["me"]
    assert [(s["count"], s["done"], s["percent"]) for s in mine[0]["steps"]] == [(2, True, 100), (0, False, 0)]
    assert api.ok("GET", path)["me"] is None
    do(world, "ann", "visit")
    one = api.ok("GET", path, user="ann")
    assert (one["joined"], one["completed"], one["me"][0]["completed_at"] is not None) == (1, 1, True)
    listed = api.ok("GET", "/challenges?state=running")
    assert [c["id"] for c in listed["items"]] == [made["id"]] and listed["next_cursor"] is None
    assert api.ok("GET", "/challenges?state=upcoming")["items"] == []
    people = api.ok("GET", f"{path}/participants")
    assert [(p["user_id"], p["name"], p["steps_done"]) for p in people["items"]] == [("ann", "Ann", 2)]
    closed = api.ok("POST", f"{path}/close", token="manager")
    assert closed["state"] == "finished" and closed["closed_at"] is not None
    problem(api.call("POST", f"{path}/close", user="boss"), 409)
    problem(api.call("POST", f"{path}/join", user="bob", body={}), 409)
    assert [e.action for e in world.audit_log(area="challenges")] == ["challenge.close", "challenge.create"]


def test_pages_of_challenges_are_paged(api: Api, world: GuildKit, gk_clock: Clock) -> None:
    for n in range(3):
        api.ok("POST", "/challenges", user="boss", body=CHALLENGE | {"title": f"Number {n}"}, status=201)
    first = api.ok("GET", "/challenges?limit=2")
    rest = api.ok("GET", f"/challenges?limit=2&cursor={first['next_cursor']}")
    assert [c["title"] for c in first["items"] + rest["items"]] == ["Number 0", "Number 1", "Number 2"]
    assert rest["next_cursor"] is None
    problem(api.call("GET", "/challenges?cursor=bm90LWEtY3Vyc29y"), 400)
    naive = encode_cursor(["2027-03-01T09:00:00", 1])  # a time without its offset
    problem(api.call("GET", f"/challenges?cursor={naive}"), 400)
    problem(api.call("GET", f"/challenges/1/participants?cursor={naive}"), 400)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"steps": []}, "steps"),
        ({"steps": [{"activity_type": "nope.unknown", "count": 1}]}, "steps.0.activity_type"),
        ({"steps": [{"activity_type": "visit", "count": 0}]}, "steps.0.count"),
        ({"ends_at": (START - timedelta(days=1)).isoformat()}, "ends_at"),
        ({"starts_at": "2027-03-01T09:00:00"}, "starts_at"),
        ({"reward_point_type": "nope"}, "reward_point_type"),
        ({"audience": "everyone"}, "audience"),
        ({"steps": [{"activity_type": "visit"}]}, "steps"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(api: Api, change: dict[str, Any], field: str) -> None:
    problem(api.call("POST", "/challenges", user="boss", body=CHALLENGE | change), 422, field)
    assert api.ok("GET", "/challenges")["items"] == []


def test_who_may_make_close_and_join(api: Api) -> None:
    made = api.ok("POST", "/challenges", user="boss", body=CHALLENGE, status=201)
    problem(api.call("POST", "/challenges", user="ann", body=CHALLENGE), 403)
    problem(api.call("POST", "/challenges", token="reader", body=CHALLENGE), 403)
    problem(api.call("POST", "/challenges", body=CHALLENGE), 401)
    problem(api.call("POST", f"/challenges/{made['id']}/close", user="ann"), 403)
    problem(api.call("POST", f"/challenges/{made['id']}/join", body={}), 401)
    problem(api.call("POST", f"/challenges/{made['id']}/join", token="manager", body={}), 403)
    problem(api.call("GET", "/challenges/999"), 404)
    problem(api.call("POST", "/challenges/999/join", user="ann", body={}), 404)


def test_the_openapi_document_has_the_challenges_api(gk_clock: Clock, tmp_path: Any) -> None:
    with make_app("sqlite", tmp_path, config=ALONE, plugins=(qa_rules, Words()), clock=gk_clock) as (app, _):
        app.register_blueprint(make_blueprint(), url_prefix="/community")
        document = app.test_client().get("/community/api/openapi.json").get_json()
    paths = {path.removeprefix(API_PREFIX): operations for path, operations in document["paths"].items()}
    for path, method in (("/challenges", "get"), ("/challenges", "post"), ("/challenges/{challenge_id}", "get"),
                         ("/challenges/{challenge_id}/join", "post"), ("/challenges/{challenge_id}/close", "post"),
                         ("/challenges/{challenge_id}/participants", "get")):  # fmt: skip
        assert "challenges" in paths[path][method]["tags"], (path, method)
    assert {"Challenge", "ChallengeIn", "ChallengeParticipation"} <= set(document["components"]["schemas"])
    (challenge_id,) = paths["/challenges/{challenge_id}"]["get"]["parameters"]
    assert challenge_id["schema"]["type"] == "integer"


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance]


def test_the_api_keeps_its_promises_for_a_manager(gk_clock: Clock, tmp_path: Any) -> None:
    """Every challenges operation, fuzzed from its OpenAPI description: never a server error,
    always the documented statuses, content types and shapes."""
    with make_app("sqlite", tmp_path, config=ALONE, plugins=(qa_rules, Words()), clock=gk_clock) as (app, gk):
        gk_clock.set(START - timedelta(days=1))
        gk.join("ann", name="Ann")
        gk.join("boss", name="Boss")
        gk.award("boss", role="admin", reason="setup")
        api = Api(mount(app, gk))
        for n in range(2):
            made = api.ok("POST", "/challenges", user="boss", body=CHALLENGE | {"title": f"Fuzz {n}"}, status=201)
            gk.challenges.join("ann", made["id"])
        schema = schemathesis.openapi.from_wsgi(API_PREFIX + "/openapi.json", app)
        operations = [r.ok() for r in schema.get_all_operations() if "/challenges" in r.ok().path]
        assert len(operations) == 6
        statuses: list[int] = []
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def run(case: schemathesis.Case) -> None:
                statuses.append(case.call_and_validate(headers={"X-User": "boss"}, checks=CHECKS).status_code)

            run()
    assert any(200 <= s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses)


def test_a_member_sees_the_list_joins_and_sees_their_progress(site: Site, world: GuildKit, gk_clock: Clock) -> None:
    made = world.challenges.create("boss", **CHALLENGE | {"starts_at": START, "ends_at": END})
    gk_clock.set(DURING)
    listing = site.get("/challenges", user="ann")
    assert "Spring answers" in listing and "Running now" in listing and "New challenge" not in listing
    assert "Answer 2 questions · Visit the community" in listing
    assert 'href="/community/challenges"' in site.get("/", user="ann")  # the navigation link
    page = site.get(f"/challenges/{made.id}", user="ann")
    assert "Join this challenge" in page and "answer.posted" not in page and "challenge-" not in page
    assert site.post(f"/challenges/{made.id}/join", {}, user="ann", csrf=False).status_code == 400
    joined = site.post(f"/challenges/{made.id}/join", {}, user="ann")
    assert joined.status_code == 303 and joined.headers["Location"].endswith(f"/challenges/{made.id}?done=joined")
    do(world, "ann", "answer.posted")
    page = site.get(f"/challenges/{made.id}?done=joined", user="ann")
    assert "You are taking part" in page and "Your progress" in page
    assert '<progress max="2" value="1"' in page and "1 of 2" in page and "After the step before" in page
    assert "Join this challenge" not in page
    do(world, "ann", "answer.posted")
    do(world, "ann", "visit")
    page = site.get(f"/challenges/{made.id}", user="ann")
    assert "Completed on" in page and "You earned: 50 Reputation and the badge <strong>Spring answers</strong>" in page
    assert 'class="gk-flag gk-flag-ok">Completed<' in page and "gk-avatar" in page
    again = site.post(f"/challenges/{made.id}/join", {}, user="ann")
    assert again.status_code == 409
    assert site.get(f"/challenges/{made.id}", user="bob").count("Join this challenge") == 1
    assert "Sign in to take part" in site.get(f"/challenges/{made.id}")
    site.get("/challenges/999", status=404)


def test_a_signed_in_user_who_has_not_joined_the_community_yet(site: Site, world: GuildKit) -> None:
    made = world.challenges.create("boss", **CHALLENGE | {"starts_at": START, "ends_at": END})
    assert "Spring answers" in site.get("/challenges", user="newcomer")
    assert "Join this challenge" in site.get(f"/challenges/{made.id}", user="newcomer")
    site.get("/challenges/new", user="newcomer", status=403)
    assert site.post(f"/challenges/{made.id}/join", {}, user="newcomer").status_code == 303
    assert world.challenges.progress(made.id, "newcomer")[0].user_id == "newcomer"


def test_the_form_reports_every_field_at_once_and_makes_a_challenge(site: Site, world: GuildKit) -> None:
    site.get("/challenges/new", user="ann", status=403)
    site.get("/challenges/new", status=401)
    form = site.get("/challenges/new", user="boss")
    assert '<label for="gk-title">' in form and 'name="csrf_token"' in form
    assert '<option value="answer.posted">Answer</option>' in form  # activities in words
    data = {"title": "", "starts_at": "2027-03-01T09:00", "ends_at": "2027-02-01T09:00", "step_1_type": "answer.posted",
            "step_1_count": "0", "step_2_type": "", "step_2_count": "3", "audience": "individual",
            "recurrence": "none", "reward_points": "", "reward_point_type": "reputation"}  # fmt: skip
    refused = site.post("/challenges/new", data, user="boss")
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    for field in ("title", "ends_at", "step_1_count", "step_2_type"):
        assert f'aria-describedby="gk-error-{field}"' in text, field
    assert world.challenges.list() == []
    good = data | {"title": "Spring answers", "ends_at": "2027-03-08T09:00", "step_1_count": "2",
                   "step_2_type": "visit", "step_2_count": "1", "reward_points": "50", "award_badge": "1"}  # fmt: skip
    done = site.post("/challenges/new", good, user="boss")
    assert done.status_code == 303
    [made] = world.challenges.list()
    assert [(s.activity_type, s.count) for s in made.steps] == [("answer.posted", 2), ("visit", 1)]
    assert (made.reward_points, made.badge) == (50, f"challenge-{made.id}")
    assert "Challenge saved." in site.get(f"/challenges/{made.id}?done=saved", user="boss")
    assert "Close Spring answers now" in site.get(f"/challenges/{made.id}", user="boss")
    closed = site.post(f"/challenges/{made.id}/close", {}, user="boss")
    assert closed.status_code == 303 and world.challenges.get(made.id).state == "finished"
    assert site.post(f"/challenges/{made.id}/close", {}, user="ann").status_code == 403


def test_switched_off_there_are_no_routes(gk_clock: Clock, tmp_path: Any) -> None:
    config = {"GUILDKIT_PLUGINS_DENY": ["guildkit.challenges"]}
    with make_app("sqlite", tmp_path, config=config, plugins=(qa_rules, Words()), clock=gk_clock) as (app, gk):
        app.register_blueprint(make_blueprint(), url_prefix="/community")
        assert not [r.rule for r in app.url_map.iter_rules() if "challenge" in r.rule]
        client = app.test_client()
        assert client.get("/community/api/challenges").status_code == 404
        assert "Challenges" not in client.get("/community/").get_data(as_text=True)
        gk.join("ann")
        gk.record("answer.posted", key="a1", actor="ann")  # recording works without it
        with pytest.raises(AttributeError):
            _ = gk.challenges
