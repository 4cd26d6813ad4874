"""Credentials and the order of checks, over every operation.

* Any ``Authorization`` header that is not a valid API token (empty, a bare ``Bearer``, another
  scheme, an unknown token) is ``401``: never a fall back to the session the request also carries.
* The OpenAPI document declares that ``401`` on every operation, and ``403`` on every one not
  open to anyone; every GET really answers ``401`` to a bad token.
* Who may call comes before what they sent: an anonymous caller gets ``401`` and a caller the
  endpoint refuses gets ``403`` for a bad body or query, never a ``422`` that tells them about it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient

from guildkit import GuildKit
from guildkit.errors import NotAllowed
from guildkit.web.auth import current_caller
from guildkit.web.endpoint import Endpoint
from tests.security_world import ADMIN, MEMBER, World, api_rules, database_state, seed, url_for_rule
from tests.webclient import API_PREFIX, PREFIX, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

#: Authorization headers that carry no valid credential.
BAD_CREDENTIALS = ("", "Bearer", "Bearer ", "Bearer gk_unknown", "Basic YWRtaW46YWRtaW4=", "Token abc", "gk_x")
PLACEHOLDER = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")


@pytest.fixture
def world(gk_app: Flask, gk: GuildKit) -> tuple[FlaskClient, World]:
    return mount(gk_app, gk), seed(gk)


def document(client: FlaskClient) -> dict[str, Any]:
    spec: dict[str, Any] = client.get(f"{API_PREFIX}/openapi.json").get_json()
    return spec


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in spec["paths"].items() for method, op in ops.items()]


def test_a_bad_authorization_header_never_falls_back_to_the_session(world: tuple[FlaskClient, World]) -> None:
    client, _ = world
    signed_in = {"X-User": ADMIN}  # the session: who the host says is signed in
    assert client.get(f"{API_PREFIX}/me", headers=signed_in).get_json()["user_id"] == ADMIN
    for header in BAD_CREDENTIALS:
        body = problem(client.get(f"{API_PREFIX}/me", headers={**signed_in, "Authorization": header}), 401)
        assert body["code"] == "invalid_token", header
        response = client.post(
            f"{API_PREFIX}/me/notifications/read", headers={**signed_in, "Authorization": header}, json={}
        )
        problem(response, 401)
        # The pages do not take the session either: the admin console sees nobody signed in.
        assert client.get(f"{PREFIX}/admin", headers={**signed_in, "Authorization": header}).status_code == 401


def test_every_operation_declares_its_401(world: tuple[FlaskClient, World]) -> None:
    client, _ = world
    spec = document(client)
    found = operations(spec)
    assert len(found) >= 100
    for path, method, op in found:
        responses = op["responses"]
        assert "401" in responses, f"{method} {path}"
        if {} not in op["security"]:  # not open to anyone
            assert "403" in responses, f"{method} {path}"
        if method in ("post", "put", "patch", "delete"):
            assert {"400", "415", "422"} <= set(responses), f"{method} {path}"
            assert "application/json" in op["requestBody"]["content"], f"{method} {path}"
    # The review's examples.
    for path in ("/badges", "/guidelines/versions", "/me", "/roles"):
        assert "401" in spec["paths"][API_PREFIX + path]["get"]["responses"]


def test_every_get_answers_a_bad_token_with_401(world: tuple[FlaskClient, World]) -> None:
    client, places = world
    gets = [(path, op) for path, method, op in operations(document(client)) if method == "get"]
    assert len(gets) >= 50
    wrong = []
    for path, _ in gets:
        url = PLACEHOLDER.sub(lambda m: str(places.args[m.group(1)]), path)
        for header in ("Bearer gk_unknown", ""):
            response = client.get(url, headers={"X-User": ADMIN, "Authorization": header})
            if response.status_code != 401 or response.mimetype != "application/problem+json":
                wrong.append(f"GET {url} ({header!r}): {response.status_code}")
    assert not wrong, "\n".join(wrong)


def _refused(gk_app: Flask, gk: GuildKit, url: str, method: str, headers: dict[str, str], spec: Endpoint) -> bool:
    """Whether the endpoint's declared ``allow`` refuses this caller (a service's NotAllowed counts)."""
    with gk_app.test_request_context(url, method=method, headers=headers):
        try:
            return not spec.allow(current_caller(gk), request.view_args or {})
        except NotAllowed:
            return True


def test_who_may_call_comes_before_what_they_sent(
    gk_app: Flask, gk: GuildKit, world: tuple[FlaskClient, World]
) -> None:
    client, places = world
    token = gk.tokens.create(None, "ingest", ["activities.write"])[0]
    callers = {"a plain member": {"X-User": MEMBER}, "a token without the scope": {"Authorization": f"Bearer {token}"}}
    client.get(f"{API_PREFIX}/me", headers=callers["a token without the scope"])  # its first use is recorded
    before = database_state(gk)
    wrong, refused = [], 0
    rules = api_rules(gk_app, methods=("GET", "POST", "PUT", "PATCH", "DELETE"))
    for rule, method in rules:
        spec: Endpoint = gk_app.view_functions[rule.endpoint].guildkit_endpoint
        if method == "GET" and spec.query is None:
            continue  # nothing to send wrong
        url = url_for_rule(places, rule)
        # Wrong in every way a schema can tell: unknown fields, missing ones, a bad limit and dates.
        bad: dict[str, Any] = (
            {"query_string": {"limit": "-1", "start": "soon", "end": "later", "cursor": "!", "bucket": "year"}}
            if method == "GET"
            else {"json": {"__unknown__": [1], "reason": 7, "status": "nope"}}
        )
        if spec.allow.__name__ != "public":
            response = client.open(url, method=method, **bad)
            if response.status_code != 401:
                wrong.append(f"{method} {url} (nobody): {response.status_code}")
        for name, headers in callers.items():
            if not _refused(gk_app, gk, url, method, headers, spec):
                continue
            refused += 1
            response = client.open(url, method=method, headers=headers, **bad)
            if response.status_code != 403:
                wrong.append(f"{method} {url} ({name}): {response.status_code} {response.get_json()}")
    assert not wrong, "\n".join(wrong)
    assert refused >= 100  # staff-only endpoints, the organizers' tools, someone else's mentorship …
    assert database_state(gk) == before


def test_organizer_and_party_checks_come_before_the_body(gk: GuildKit, world: tuple[FlaskClient, World]) -> None:
    """Endpoints open to some members only (an event's organizers, a mentorship's pair, a mediation's
    parties) say so before they look at the body."""
    client, places = world
    outsider = {"X-User": MEMBER}
    event, mentorship, mediation = (places.args[n] for n in ("event_id", "mentorship_id", "mediation_id"))
    for method, path in (
        ("PATCH", f"/events/{event}"),
        ("POST", f"/events/{event}/cancel"),
        ("POST", f"/events/{event}/organizers"),
        ("POST", f"/mentorships/{mentorship}/decline"),
        ("POST", f"/mentorships/{mentorship}/end"),
        ("POST", f"/mentorships/{mentorship}/check-ins"),
        ("POST", f"/mentorships/{mentorship}/feedback"),
        ("POST", f"/mediations/{mediation}/statements"),
        ("POST", f"/mediations/{mediation}/agree"),
    ):
        problem(client.open(API_PREFIX + path, method=method, headers=outsider, json={"title": ""}), 403)
    # Their own organizer still gets the validation error, and an unknown event is still a 404.
    organizer = {"X-User": "bob"}
    problem(client.patch(f"{API_PREFIX}/events/{event}", headers=organizer, json={"title": ""}), 422)
    problem(client.patch(f"{API_PREFIX}/events/999999", headers=organizer, json={"title": ""}), 404)
