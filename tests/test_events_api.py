"""The events API: every endpoint for anonymous callers, members, organizers and moderators;
error statuses naming the field; pagination; and a property-based run over the events operations
as a signed-in member (the shared schemathesis test calls with a token, which events mostly refuse)."""

from __future__ import annotations

from datetime import timedelta
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
from guildkit.testing import Clock
from tests.events_helpers import make_event
from tests.webclient import API_PREFIX, Api, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql


@pytest.fixture
def api(gk_app: Flask, gk: GuildKit) -> Api:
    client = mount(gk_app, gk)
    gk.join("ann", name="Ann")
    gk.join("bob", name="Bob")
    gk.award("mo", role="moderator", reason="elected", key="staff:mo")
    return Api(client, {"reader": gk.tokens.create(None, "reader", ["members.read_private"])[0]})


def new_event(gk: GuildKit, **fields: Any) -> dict[str, Any]:
    now = gk.clock()
    body = {
        "title": "Hack night",
        "starts_at": (now + timedelta(days=1)).isoformat(),
        "ends_at": (now + timedelta(days=1, hours=3)).isoformat(),
        "timezone": "Europe/Berlin",
        "location": "Room 1",
    }
    body.update(fields)
    return body


def test_create_needs_a_person_and_valid_fields(api: Api, gk: GuildKit) -> None:
    problem(api.call("POST", "/events", body=new_event(gk)), 401)
    problem(api.call("POST", "/events", body=new_event(gk), token="reader"), 403)
    created = api.call("POST", "/events", user="ann", body=new_event(gk, capacity=2, visibility="members"))
    assert created.status_code == 201, created.get_data(as_text=True)
    event = created.get_json()
    assert event["organizers"] == [{"user_id": "ann", "name": "Ann"}]
    assert event["can_manage"] is True and event["my_rsvp"] is None
    assert event["ics_url"] == f"/community/events/{event['id']}.ics"
    assert event["page_url"] == f"/community/events/{event['id']}"
    assert event["starts_at"].endswith("+00:00")
    for body, field in [
        (new_event(gk, ends_at=gk.clock().isoformat()), "ends_at"),
        (new_event(gk, timezone="Nowhere/Land"), "timezone"),
        (new_event(gk, url="javascript:alert(1)"), "url"),
        (new_event(gk, capacity=0), "capacity"),
        (new_event(gk, title=""), "title"),
        (new_event(gk, starts_at="2026-01-06T12:00:00"), "starts_at"),
        ({"title": "x"}, "starts_at"),
        (new_event(gk, visibility="hidden"), "visibility"),
    ]:
        problem(api.call("POST", "/events", user="ann", body=body), 422, field)


def test_create_permission(api: Api, gk: GuildKit, gk_app: Flask) -> None:
    gk_app.config["GUILDKIT_EVENT_CREATE_PERMISSION"] = "events.create"
    body = problem(api.call("POST", "/events", user="ann", body=new_event(gk)), 403)
    assert "events.create" in body["detail"]


@pytest.mark.parametrize(
    ("caller", "public", "members", "unlisted"),
    [(None, 200, 404, 200), ("bob", 200, 200, 200), ("ann", 200, 200, 200), ("mo", 200, 200, 200)],
)
def test_reading_respects_visibility(
    api: Api, gk: GuildKit, caller: str | None, public: int, members: int, unlisted: int
) -> None:
    ids = {v: make_event(gk, by="ann", title=v, visibility=v).id for v in ("public", "members", "unlisted")}
    for visibility, status in (("public", public), ("members", members), ("unlisted", unlisted)):
        assert api.call("GET", f"/events/{ids[visibility]}", user=caller).status_code == status
        assert api.call("GET", f"/events/{ids[visibility]}/attendees", user=caller).status_code == status
    listed = [e["title"] for e in api.call("GET", "/events", user=caller).get_json()["items"]]
    assert listed == (["public"] if caller is None else ["public", "members"])


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/events/999", "unknown_event"),
        ("/events/0", "unknown_event"),
        ("/events/2147483647", "unknown_event"),
        # Not an id at all: no route matches, and the API's catch-all answers.
        ("/events/abc", "not_found"),
        ("/events/2147483648", "not_found"),
        ("/events/99999999999999999999", "not_found"),
    ],
)
def test_unknown_events_are_404(api: Api, path: str, code: str) -> None:
    body = problem(api.call("GET", path), 404)
    assert body["code"] == code
    problem(api.call("PUT", path + "/rsvp", user="ann", body={"status": "going"}), 404)


def test_pagination_and_past(api: Api, gk: GuildKit, gk_clock: Clock) -> None:
    for n in range(5):
        make_event(
            gk,
            title=f"E{n}",
            starts_at=gk_clock.now + timedelta(hours=n + 1),
            ends_at=gk_clock.now + timedelta(hours=n + 2),
        )
    titles: list[str] = []
    path = "/events?limit=2"
    while path:
        page = api.call("GET", path).get_json()
        titles += [e["title"] for e in page["items"]]
        path = f"/events?limit=2&cursor={page['next_cursor']}" if page["next_cursor"] else ""
    assert titles == ["E0", "E1", "E2", "E3", "E4"]
    gk_clock.advance(hours=10)
    assert [e["title"] for e in api.call("GET", "/events?past=true&limit=3").get_json()["items"]] == ["E4", "E3", "E2"]
    problem(api.call("GET", "/events?cursor=forged"), 400)
    problem(api.call("GET", "/events?limit=0"), 422, "limit")


def test_rsvp_waitlist_and_attendees(api: Api, gk: GuildKit) -> None:
    event = make_event(gk, by="ann", capacity=1)
    problem(api.call("PUT", f"/events/{event.id}/rsvp", body={"status": "going"}), 401)
    going = api.call("PUT", f"/events/{event.id}/rsvp", user="bob", body={"status": "going"}).get_json()
    assert going["status"] == "going" and going["member"] == {"user_id": "bob", "name": "Bob"}
    waiting = api.call("PUT", f"/events/{event.id}/rsvp", user="cy", body={"status": "going"}).get_json()
    assert (waiting["status"], waiting["position"]) == ("waitlisted", 1)
    problem(api.call("PUT", f"/events/{event.id}/rsvp", user="cy", body={"status": "waitlisted"}), 422, "status")
    problem(api.call("PUT", f"/events/{event.id}/rsvp", user="cy", body={}), 422, "status")
    detail = api.call("GET", f"/events/{event.id}", user="cy").get_json()
    assert detail["my_rsvp"]["status"] == "waitlisted" and detail["spots_left"] == 0 and not detail["can_manage"]
    public = api.call("GET", f"/events/{event.id}/attendees").get_json()
    assert [r["member"]["user_id"] for r in public["going"]] == ["bob"]
    assert public["waitlist"] is None and public["checked_in"] is None and public["waitlisted"] == 1
    organizer = api.call("GET", f"/events/{event.id}/attendees", user="ann").get_json()
    assert [r["member"]["user_id"] for r in organizer["waitlist"]] == ["cy"]
    assert organizer["checked_in"] == []
    api.call("PUT", f"/events/{event.id}/rsvp", user="bob", body={"status": "not_going"})
    assert api.call("GET", f"/events/{event.id}", user="cy").get_json()["my_rsvp"]["status"] == "going"
    mine = api.call("GET", "/me/events", user="cy").get_json()
    assert [e["id"] for e in mine["going"]] == [event.id]
    problem(api.call("GET", "/me/events"), 401)


@pytest.mark.parametrize(("caller", "status"), [(None, 401), ("bob", 403), ("ann", 200), ("mo", 200)])
def test_managing_needs_an_organizer_or_moderator(api: Api, gk: GuildKit, caller: str | None, status: int) -> None:
    event = make_event(gk, by="ann")
    path = f"/events/{event.id}"
    assert api.call("PATCH", path, user=caller, body={"title": "New"}).status_code == status
    assert api.call("POST", path + "/organizers", user=caller, body={"user_id": "dee"}).status_code == status
    if status == 200:
        assert api.call("DELETE", path + "/organizers/dee", user=caller).status_code == 200
    else:
        assert api.call("DELETE", path + "/organizers/ann", user=caller).status_code == status
    assert api.call("POST", path + "/check-in-code", user=caller).status_code == (201 if status == 200 else status)
    assert api.call("POST", path + "/cancel", user=caller, body={"reason": "r"}).status_code == status


def test_patch_cancel_and_conflicts(api: Api, gk: GuildKit) -> None:
    event = make_event(gk, by="ann")
    path = f"/events/{event.id}"
    problem(api.call("PATCH", path, user="ann", body={"ends_at": event.starts_at.isoformat()}), 422, "ends_at")
    problem(api.call("PATCH", path, user="ann", body={"capacity": -1}), 422, "capacity")
    problem(api.call("PATCH", path, user="ann", body={"colour": "red"}), 422, "colour")
    changed = api.call("PATCH", path, user="ann", body={"capacity": 10, "url": None}).get_json()
    assert changed["capacity"] == 10
    problem(api.call("DELETE", path + "/organizers/ann", user="ann"), 422, "user_id")
    cancelled = api.call("POST", path + "/cancel", user="ann", body={"reason": "Rain"}).get_json()
    assert cancelled["cancelled"] is True and cancelled["cancel_reason"] == "Rain"
    assert problem(api.call("POST", path + "/cancel", user="ann", body={}), 409)["code"] == "invalid_transition"
    problem(api.call("PUT", path + "/rsvp", user="bob", body={"status": "going"}), 409)
    problem(api.call("PATCH", path, user="ann", body={"title": "Back"}), 409)


def test_check_in_by_code_and_by_organizer(api: Api, gk: GuildKit, gk_clock: Clock) -> None:
    event = make_event(gk, by="ann")
    path = f"/events/{event.id}"
    made = api.call("POST", path + "/check-in-code", user="ann").get_json()
    assert len(made["code"]) == 8 and made["opens_at"] < event.starts_at.isoformat()
    problem(api.call("POST", path + "/check-in", user="bob", body={"code": made["code"]}), 403)  # too early
    gk_clock.set(event.starts_at)
    problem(api.call("POST", path + "/check-in", user="bob", body={"code": "NOPE2345"}), 422, "code")
    problem(api.call("POST", path + "/check-in", user="bob", body={}), 422, "code")
    problem(api.call("POST", path + "/check-in", body={"code": made["code"]}), 401)
    done = api.call("POST", path + "/check-in", user="bob", body={"code": made["code"]}).get_json()
    assert (done["created"], done["method"], done["member"]["user_id"]) == (True, "code", "bob")
    again = api.call("POST", path + "/check-in", user="bob", body={"code": made["code"]}).get_json()
    assert again["created"] is False
    problem(api.call("POST", path + "/check-in", user="bob", body={"user_id": "cy"}), 403)
    by_organizer = api.call("POST", path + "/check-in", user="ann", body={"user_id": "cy"}).get_json()
    assert (by_organizer["method"], by_organizer["checked_in_by"]) == ("organizer", "ann")
    checked = api.call("GET", path + "/attendees", user="mo").get_json()["checked_in"]
    assert [a["member"]["user_id"] for a in checked] == ["bob", "cy"]
    assert gk.balance("bob", "participation") == 5 and gk.balance("ann", "participation") == 20


def test_the_ics_link_serves_text_calendar(api: Api, gk: GuildKit) -> None:
    event = make_event(gk, by="ann", visibility="members")
    ics_url = api.call("GET", f"/events/{event.id}", user="bob").get_json()["ics_url"]
    response = api.client.get(ics_url, headers={"X-User": "bob"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.get_data(as_text=True).startswith("BEGIN:VCALENDAR\r\n")
    assert api.client.get(ics_url).status_code == 404  # members only


def test_openapi_documents_the_events_operations(api: Api) -> None:
    spec = api.client.get(API_PREFIX + "/openapi.json").get_json()
    operations = {(p, m) for p, ops in spec["paths"].items() if "/events" in p for m in ops}
    assert len(operations) == 12
    assert spec["paths"][API_PREFIX + "/events/{event_id}/rsvp"]["put"]["tags"] == ["events"]
    (event_id,) = spec["paths"][API_PREFIX + "/events/{event_id}"]["get"]["parameters"]
    assert event_id["schema"] == {"type": "integer", "minimum": 0, "maximum": 2147483647}


# -- property-based run, as a signed-in member -----------------------------------------------


@pytest.fixture
def member_schema(api: Api, gk: GuildKit, gk_app: Flask) -> schemathesis.BaseSchema:
    for n in range(3):
        event = make_event(gk, by="ann", title=f"Fuzz {n}", capacity=2)
        gk.events.rsvp(event.id, "bob", "going")
    return schemathesis.openapi.from_wsgi(API_PREFIX + "/openapi.json", gk_app)


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance]


@pytest.mark.parametrize("gk_backend", ["sqlite"], indirect=True)
def test_events_api_keeps_its_promises_for_members(member_schema: schemathesis.BaseSchema) -> None:
    operations = [result.ok() for result in member_schema.get_all_operations() if "/events" in result.ok().path]
    assert len(operations) == 12
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: schemathesis.Case) -> None:
            response = case.call_and_validate(headers={"X-User": "ann"}, checks=CHECKS)
            statuses.append(response.status_code)

        run()
    assert len(statuses) > 200
    assert any(200 <= s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses)
