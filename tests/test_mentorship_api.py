"""The mentorship JSON API: every endpoint, who may call it, validation, conflicts and pagination."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from guildkit import GuildKit
from tests.webclient import API_PREFIX, Api, mount, sqlite_and_postgresql

PROFILE = {"topics": ["python", "flask"], "languages": ["en"], "timezone": "Europe/Berlin", "capacity": 2}

gk_backend = sqlite_and_postgresql


@pytest.fixture
def api(gk_app: Flask, gk: GuildKit) -> Api:
    client = mount(gk_app, gk)
    gk.join("ada", name="Ada")
    gk.join("bob", name="Bob")
    gk.join("eve", name="Eve")
    gk.award("mo", role="moderator", reason="elected", key="staff:mo")
    return Api(client)


def requested(api: Api) -> int:
    api.ok("PUT", "/mentors/ada", user="ada", body=PROFILE)
    body = {"mentor": "ada", "goals": "ship a library", "topics": ["python"], "language": "en"}
    return api.ok("POST", "/mentorships", user="bob", body=body, status=201)["id"]  # type: ignore[no-any-return]


def test_offer_and_read_a_profile(api: Api) -> None:
    api.problem("PUT", "/mentors/ada", 401, body=PROFILE)
    api.problem("PUT", "/mentors/ada", 403, user="bob", body=PROFILE)
    mine = api.ok("PUT", "/mentors/ada", user="ada", body=PROFILE | {"pitch": "Ask me anything"})
    assert mine == {
        "user_id": "ada",
        "name": "Ada",
        "topics": ["python", "flask"],
        "languages": ["en"],
        "timezone": "Europe/Berlin",
        "availability": "",
        "pitch": "Ask me anything",
        "capacity": 2,
        "active_count": 0,
        "free": 2,
        "completed": 0,
        "ended_early": 0,
        "open": True,
    }
    assert api.ok("GET", "/mentors/ada") == mine
    api.ok("PUT", "/mentors/ada", user="ada", body=PROFILE | {"open": False})
    assert api.problem("GET", "/mentors/ada", 404, user="bob")["code"] == "unknown_mentor"
    assert api.ok("GET", "/mentors/ada", user="ada")["open"] is False
    api.problem("GET", "/mentors/bob", 404)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"timezone": "Mars/Base"}, "timezone"),
        ({"capacity": 11}, "capacity"),
        ({"capacity": 0}, "capacity"),
        ({"topics": []}, "topics"),
        ({"languages": ["not a code"]}, "languages"),
        ({"pitch": "x" * 1001}, "pitch"),
    ],
)
def test_profile_validation_names_the_field(api: Api, changes: dict[str, Any], field: str) -> None:
    body = api.problem("PUT", "/mentors/ada", 422, user="ada", body=PROFILE | changes)
    assert field in str(body["errors"])
    api.problem("GET", "/mentors/ada", 404)


def test_eligibility_is_a_403_saying_what_is_missing(api: Api, gk_app: Flask) -> None:
    gk_app.config["GUILDKIT_MENTOR_MIN_POINTS"] = {"reputation": 50}
    body = api.problem("PUT", "/mentors/ada", 403, user="ada", body=PROFILE)
    assert body["detail"] == "to offer mentoring you need 50 reputation (you have 0)"


def test_suggestions_with_reasons(api: Api) -> None:
    api.ok("PUT", "/mentors/ada", user="ada", body=PROFILE)
    api.ok("PUT", "/mentors/eve", user="eve", body=PROFILE | {"topics": ["rust"], "timezone": "Asia/Tokyo"})
    found = api.ok("GET", "/mentors?topics=Python,%20flask&language=en&timezone=Europe/Paris")
    assert [s["mentor"]["user_id"] for s in found] == ["ada", "eve"]
    assert found[0]["score"]["reasons"][:3] == ["2 shared topics (python, flask)", "speaks English", "same time zone"]
    assert set(found[0]["score"]["parts"]) == {"topics", "language", "timezone", "capacity", "record"}
    assert [s["mentor"]["user_id"] for s in api.ok("GET", "/mentors", user="ada")] == ["eve"]  # not to oneself
    assert len(api.ok("GET", "/mentors?limit=1")) == 1
    assert "timezone" in api.problem("GET", "/mentors?timezone=Nowhere", 422)["errors"]
    assert "language" in api.problem("GET", "/mentors?language=!!", 422)["errors"]


def test_request_and_read_a_mentorship(api: Api) -> None:
    api.ok("PUT", "/mentors/ada", user="ada", body=PROFILE)
    api.problem("POST", "/mentorships", 401, body={"mentor": "ada", "goals": "x"})
    assert "goals" in api.problem("POST", "/mentorships", 422, user="bob", body={"mentor": "ada"})["errors"]
    assert (
        "timezone"
        in api.problem(
            "POST", "/mentorships", 422, user="bob", body={"mentor": "ada", "goals": "x", "timezone": "X/Y"}
        )["errors"]
    )
    assert (
        api.problem("POST", "/mentorships", 404, user="bob", body={"mentor": "nobody", "goals": "x"})["code"]
        == "unknown_mentor"
    )
    assert (
        "mentor" in api.problem("POST", "/mentorships", 422, user="ada", body={"mentor": "ada", "goals": "x"})["errors"]
    )
    made = api.ok("POST", "/mentorships", user="bob", body={"mentor": "ada", "goals": "learn"}, status=201)
    assert (made["state"], made["mentor"], made["mentee"], made["waiting_for"]) == ("requested", "ada", "bob", None)
    for viewer in ("ada", "bob", "mo"):
        assert api.ok("GET", f"/mentorships/{made['id']}", user=viewer)["feedback"] == []
    api.problem("GET", f"/mentorships/{made['id']}", 401)
    api.problem("GET", f"/mentorships/{made['id']}", 403, user="eve")
    for missing in ("999", "0", "abc", "99999999999999999999"):
        api.problem("GET", f"/mentorships/{missing}", 404, user="ada")


def test_lifecycle_through_the_api(api: Api) -> None:
    mentorship_id = requested(api)
    path = f"/mentorships/{mentorship_id}"
    api.problem("POST", f"{path}/accept", 401)
    api.problem("POST", f"{path}/accept", 403, user="bob")
    api.problem("POST", f"{path}/accept", 403, user="eve")
    assert api.ok("POST", f"{path}/accept", user="ada")["state"] == "accepted"
    assert api.problem("POST", f"{path}/accept", 409, user="ada")["code"] == "invalid_transition"
    assert api.problem("POST", f"{path}/decline", 422, user="ada", body={})["errors"] == {
        "reason": ["Missing data for required field."]
    }
    assert api.ok("POST", f"{path}/start", user="bob")["state"] == "active"
    assert api.ok("POST", f"{path}/complete", user="bob")["waiting_for"] == "mentor"
    assert api.ok("POST", f"{path}/complete", user="ada")["state"] == "completed"
    given = api.ok("POST", f"{path}/feedback", user="bob", body={"rating": 5, "comment": "great"}, status=201)
    assert (given["author"], given["role"], given["rating"]) == ("bob", "mentee", 5)
    assert "rating" in api.problem("POST", f"{path}/feedback", 422, user="ada", body={"rating": 9})["errors"]
    api.problem("POST", f"{path}/feedback", 409, user="bob", body={"rating": 4})
    api.problem("POST", f"{path}/feedback", 403, user="eve", body={"rating": 4})
    assert [f["rating"] for f in api.ok("GET", path, user="ada")["feedback"]] == [5]


def test_decline_withdraw_and_end(api: Api) -> None:
    first = requested(api)
    assert api.ok("POST", f"/mentorships/{first}/decline", user="ada", body={"reason": "full"})["end_reason"] == "full"
    second = api.ok("POST", "/mentorships", user="bob", body={"mentor": "ada", "goals": "again"}, status=201)["id"]
    api.problem("POST", f"/mentorships/{second}/withdraw", 403, user="ada")
    assert api.ok("POST", f"/mentorships/{second}/withdraw", user="bob")["state"] == "withdrawn"
    third = api.ok("POST", "/mentorships", user="bob", body={"mentor": "ada", "goals": "third"}, status=201)["id"]
    api.ok("POST", f"/mentorships/{third}/accept", user="ada")
    api.problem("POST", f"/mentorships/{third}/end", 403, user="eve", body={"reason": "meddling"})
    ended = api.ok("POST", f"/mentorships/{third}/end", user="mo", body={"reason": "conduct"})
    assert (ended["state"], ended["ended_by"], ended["end_reason"]) == ("ended", "mo", "conduct")


def test_capacity_is_a_409(api: Api) -> None:
    api.ok("PUT", "/mentors/ada", user="ada", body=PROFILE | {"capacity": 1})
    one = api.ok("POST", "/mentorships", user="bob", body={"mentor": "ada", "goals": "x"}, status=201)["id"]
    two = api.ok("POST", "/mentorships", user="eve", body={"mentor": "ada", "goals": "y"}, status=201)["id"]
    api.ok("POST", f"/mentorships/{one}/accept", user="ada")
    assert api.problem("POST", f"/mentorships/{two}/accept", 409, user="ada")["code"] == "capacity_reached"
    assert (
        api.problem("POST", "/mentorships", 409, user="mo", body={"mentor": "ada", "goals": "z"})["code"]
        == "capacity_reached"
    )


def test_check_ins_are_private_to_the_pair_and_moderators(api: Api) -> None:
    mentorship_id = requested(api)
    path = f"/mentorships/{mentorship_id}/check-ins"
    api.ok("POST", f"/mentorships/{mentorship_id}/accept", user="ada")
    api.problem("POST", path, 403, user="eve", body={"on": "2026-01-05", "notes": "snooping"})
    assert "on" in api.problem("POST", path, 422, user="bob", body={"on": "2026-02-01", "notes": "future"})["errors"]
    assert "on" in api.problem("POST", path, 422, user="bob", body={"on": "soon", "notes": "x"})["errors"]
    for n in range(3):
        made = api.ok(
            "POST", path, user="bob" if n % 2 else "ada", body={"on": f"2026-01-0{n + 1}", "notes": f"n{n}"}, status=201
        )
        assert made["notes"] == f"n{n}"
    assert api.ok("GET", f"/mentorships/{mentorship_id}", user="bob")["state"] == "active"  # the first one started it
    for viewer in ("ada", "bob", "mo"):
        first = api.ok("GET", f"{path}?limit=2", user=viewer)
        assert [c["notes"] for c in first["items"]] == ["n2", "n1"]
        rest = api.ok("GET", f"{path}?limit=2&cursor={first['next_cursor']}", user=viewer)
        assert ([c["notes"] for c in rest["items"]], rest["next_cursor"]) == (["n0"], None)
    api.problem("GET", path, 403, user="eve")
    api.problem("GET", path, 401)
    api.problem("GET", f"{path}?cursor=bm90LWEtY3Vyc29y", 400, user="ada")


def test_my_mentorships_are_paged_and_filtered(api: Api) -> None:
    api.ok("PUT", "/mentors/ada", user="ada", body=PROFILE | {"capacity": 5})
    api.ok("PUT", "/mentors/eve", user="eve", body=PROFILE)
    ids = [
        api.ok("POST", "/mentorships", user=m, body={"mentor": "ada", "goals": "x"}, status=201)["id"]
        for m in ("bob", "mo")
    ]
    mine = api.ok("POST", "/mentorships", user="ada", body={"mentor": "eve", "goals": "y"}, status=201)["id"]
    api.ok("POST", f"/mentorships/{ids[0]}/accept", user="ada")
    page = api.ok("GET", "/mentorships?limit=2", user="ada")
    assert [m["id"] for m in page["items"]] == [mine, ids[1]]
    page = api.ok("GET", f"/mentorships?limit=2&cursor={page['next_cursor']}", user="ada")
    assert ([m["id"] for m in page["items"]], page["next_cursor"]) == ([ids[0]], None)
    assert [m["id"] for m in api.ok("GET", "/mentorships?role=mentee", user="ada")["items"]] == [mine]
    assert [m["id"] for m in api.ok("GET", "/mentorships?state=accepted", user="ada")["items"]] == [ids[0]]
    assert api.ok("GET", "/mentorships", user="newcomer")["items"] == []
    api.problem("GET", "/mentorships", 401)
    assert "role" in api.problem("GET", "/mentorships?role=boss", 422, user="ada")["errors"]


def test_suspended_people_get_403(api: Api, gk: GuildKit) -> None:
    mentorship_id = requested(api)
    gk.set_status("ada", "suspended", reason="spam")
    api.problem("POST", f"/mentorships/{mentorship_id}/accept", 403, user="ada")
    api.problem("PUT", "/mentors/ada", 403, user="ada", body=PROFILE)
    assert api.ok("GET", f"/mentorships/{mentorship_id}", user="bob")["state"] == "requested"


def test_every_mentorship_route_is_in_the_openapi_document(api: Api) -> None:
    spec = api.client.get(API_PREFIX + "/openapi.json").get_json()
    paths = {p.removeprefix(API_PREFIX): set(ops) for p, ops in spec["paths"].items() if "mentor" in p}
    actions = {
        f"/mentorships/{{mentorship_id}}/{a}": {"post"}
        for a in ("accept", "decline", "withdraw", "start", "complete", "end")
    }
    assert paths == {
        "/mentors": {"get"},
        "/mentors/{user_id}": {"get", "put"},
        "/mentorships": {"get", "post"},
        "/mentorships/{mentorship_id}": {"get"},
        "/mentorships/{mentorship_id}/check-ins": {"get", "post"},
        "/mentorships/{mentorship_id}/feedback": {"post"},
        **actions,
    }
    assert all(op["tags"] == ["mentorship"] for p, ops in spec["paths"].items() if "mentor" in p for op in ops.values())


def test_fuzzed_as_a_signed_in_person(api: Api, gk: GuildKit, gk_app: Flask) -> None:
    """schemathesis over the mentorship operations, signed in as a mentor with real mentorships: no 5xx,
    every response as documented (the suite-wide run uses an API token, which these endpoints refuse)."""
    if gk.store.dialect != "sqlite":
        pytest.skip("one backend is enough for fuzzing")
    mentorship_id = requested(api)
    api.ok("POST", f"/mentorships/{mentorship_id}/accept", user="ada")
    schema = schemathesis.openapi.from_wsgi(API_PREFIX + "/openapi.json", gk_app)
    operations = [r.ok() for r in schema.get_all_operations() if "/mentor" in r.ok().path]
    assert len(operations) == 15
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: schemathesis.Case) -> None:
            checks = [not_a_server_error, response_schema_conformance, status_code_conformance]
            response = case.call_and_validate(headers={"X-User": "ada"}, checks=checks)
            statuses.append(response.status_code)

        run()
    assert any(200 <= s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses)
