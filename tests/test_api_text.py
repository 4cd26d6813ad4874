"""Text no database can store is refused at the API's door, by field: a NUL (PostgreSQL refuses
it in text and jsonb), a lone surrogate (no driver encodes it), other control characters, and
non-finite numbers. Before, each was a 500 on PostgreSQL or a half-checked write."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from guildkit import GuildKit
from tests.security_world import ADMIN, World, api_rules, database_state, seed, url_for_rule
from tests.webclient import PREFIX, mount, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

#: Raw JSON texts for the bad value (a surrogate must be written as an escape to reach the server).
BAD = {"nul": '"x\\u0000y"', "surrogate": '"x\\ud800"', "escape": '"x\\u001b[31m"'}


@pytest.fixture
def world(gk_app: Flask, gk: GuildKit) -> tuple[FlaskClient, World]:
    client = mount(gk_app, gk)
    return client, seed(gk)


def post(client: FlaskClient, method: str, url: str, body: str, user: str = ADMIN) -> Any:
    return client.open(url, method=method, data=body, content_type="application/json", headers={"X-User": user})


@pytest.mark.parametrize("kind", sorted(BAD))
@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/activities", {"type": "answer.posted", "key": "k1", "actor": "bob", "subject": None}, "subject"),
        ("POST", "/reports", {"subject": "answer:1", "user_id": "bob", "category": "spam", "comment": None}, "comment"),
        ("PUT", "/mentors/admin", {"topics": ["py"], "languages": ["en"], "timezone": "UTC", "pitch": None}, "pitch"),
        ("POST", "/awards", {"user_id": "bob", "points": 5, "point_type": "reputation", "reason": None}, "reason"),
        ("POST", "/guidelines", {"title": "Be kind", "body": None}, "body"),
        ("POST", "/admin/badges/answerer/archive", {"reason": None}, "reason"),
        ("POST", "/admin/roles/moderator/grants", {"user_id": "bob", "reason": None}, "reason"),
    ],
)
def test_the_reviewed_fields_refuse_unstorable_text(
    gk: GuildKit, world: tuple[FlaskClient, World], kind: str, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    client, _ = world
    before = database_state(gk)
    raw = json.dumps(body).replace("null", BAD[kind])
    response = post(client, method, PREFIX + "/api" + path, raw)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert list(response.get_json()["errors"]) == [field]
    assert database_state(gk) == before


def test_every_write_refuses_a_nul_in_any_field_and_writes_nothing(
    gk_app: Flask, gk: GuildKit, world: tuple[FlaskClient, World]
) -> None:
    client, places = world
    before = database_state(gk)
    wrong, checked = [], 0
    for rule, method in api_rules(gk_app):
        spec = getattr(gk_app.view_functions[rule.endpoint], "guildkit_endpoint", None)
        if spec is None or spec.body is None:
            continue
        names = sorted(spec.body().fields)
        raw = "{" + ", ".join(f'"{name}": {BAD["nul"]}' for name in names) + "}"
        if spec.body_many:
            raw = f"[{raw}]"
        response = post(client, method, url_for_rule(places, rule), raw)
        errors = (response.get_json() or {}).get("errors", {})
        if response.status_code == 403:  # refused before the body is read (not the admin's own profile)
            continue
        checked += 1
        if response.status_code != 422 or not set(errors) <= set(names) | {f"[0].{n}" for n in names}:
            wrong.append(f"{method} {rule.rule}: {response.status_code} {errors}")
    assert not wrong, "\n".join(wrong)
    assert checked >= 30
    assert database_state(gk) == before


def test_query_strings_and_non_finite_numbers_are_refused_by_name(world: tuple[FlaskClient, World]) -> None:
    client, _ = world
    response = client.get(PREFIX + "/api/members?q=a%00b", headers={"X-User": ADMIN})
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["q"]
    body = '{"user_id": "bob", "points": NaN, "point_type": "reputation", "reason": "x"}'
    response = post(client, "POST", PREFIX + "/api/awards", body)
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["points"]
