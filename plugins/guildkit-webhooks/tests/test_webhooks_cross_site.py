"""Cross-site writes: every state-changing route of the plugin takes JSON only.

A signed-in admin's browser sends the session cookie with any request another site makes it
send; an HTML form can post form encoding, multipart or ``text/plain``, and a "simple"
``fetch`` can post with no content type at all. None of them can send JSON without a CORS
preflight. So every write rule the plugin registers (read from the URL map, so a route added
tomorrow is checked too) answers each of them with 415 and a problem document, and changes no
row of any table; sent as JSON, the same request goes through.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, session
from flask.testing import FlaskClient
from guildkit import GuildKit
from guildkit.testing import Members, require_backend
from werkzeug.routing import Rule

PREFIX = "/guildkit/webhooks"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

#: What a cross-site form or a no-preflight fetch can send: (name, request keyword arguments).
NOT_JSON: tuple[tuple[str, dict[str, Any]], ...] = (
    ("form", {"data": {"url": "https://evil.test/", "events": "*"}}),
    ("multipart", {"data": {"url": "https://evil.test/"}, "content_type": "multipart/form-data"}),
    ("text/plain", {"data": '{"url": "https://evil.test/", "events": ["*"]}', "content_type": "text/plain"}),
    ("no type, no body", {}),
    ("no type, a body", {"data": b'{"url": "https://evil.test/", "events": ["*"]}'}),
)


@pytest.fixture(params=["sqlite", "postgresql"])
def gk_backend(request: pytest.FixtureRequest) -> str:
    return require_backend(str(request.param))


@pytest.fixture
def admin(gk: GuildKit, gk_members: Members) -> str:
    """An admin, signed in through the host's session cookie (as a browser would be)."""

    @gk.current_user_loader
    def who() -> str | None:
        user: str | None = session.get("user")
        return user

    return gk_members("Root", roles=["admin"])


def signed_in(app: Flask, user: str) -> FlaskClient:
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["user"] = user
    return client


def write_rules(app: Flask) -> list[tuple[Rule, str]]:
    """Every (rule, method) of the plugin's blueprint that may change something."""
    return [
        (rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("guildkit_webhooks.")
        for method in sorted((rule.methods or set()) & WRITE_METHODS)
    ]


def database_state(gk: GuildKit) -> dict[str, list[str]]:
    """Every row of every table, so a test can tell that nothing changed at all."""
    state = {}
    with gk.store.engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            rows = conn.execute(sa.text(f'SELECT * FROM "{table}"')).all()
            state[table] = sorted(repr(tuple(row)) for row in rows)
    return state


def seed(client: FlaskClient, gk: GuildKit, gk_members: Members) -> dict[str, int]:
    """An endpoint and a delivery to it: values for every argument of the plugin's rules."""
    created = client.post(f"{PREFIX}/endpoints", json={"url": "https://hooks.example.org/in", "events": ["*"]})
    assert created.status_code == 201, created.get_json()
    gk_members("Ann")
    deliveries = client.get(f"{PREFIX}/deliveries").get_json()["items"]
    assert deliveries, "joining queued a delivery"
    return {"endpoint_id": created.get_json()["id"], "row_id": deliveries[0]["id"]}


def url_of(app: Flask, rule: Rule, method: str, ids: dict[str, int]) -> str:
    unknown = set(rule.arguments) - set(ids)
    assert not unknown, f"{rule.rule}: give the test a value for {unknown}"
    return app.url_map.bind("localhost").build(rule.endpoint, {name: ids[name] for name in rule.arguments}, method)


def test_every_write_refuses_anything_but_json_and_changes_nothing(
    gk_app: Flask, gk: GuildKit, gk_members: Members, admin: str
) -> None:
    client = signed_in(gk_app, admin)
    ids = seed(client, gk, gk_members)
    token = gk.tokens.create(None, "ops", ["admin"])[0]
    writes = write_rules(gk_app)
    assert {(rule.endpoint.split(".", 1)[1], method) for rule, method in writes} >= {
        ("endpoints_create", "POST"),
        ("endpoints_update", "PATCH"),
        ("endpoints_delete", "DELETE"),
        ("deliveries_replay", "POST"),
    }
    before = database_state(gk)
    wrong = []
    for rule, method in writes:
        url = url_of(gk_app, rule, method, ids)
        for name, sent in NOT_JSON:
            # The signed-in admin's cookie (what a forged request carries) and an admin token alike.
            for who, headers in (("session", {}), ("token", {"Authorization": f"Bearer {token}"})):
                response = client.open(url, method=method, headers=headers, **sent)
                body = response.get_json(silent=True) or {}
                if (response.status_code, response.mimetype) != (415, "application/problem+json"):
                    wrong.append(f"{method} {url} ({name}, {who}): {response.status_code} {body}")
                elif (body.get("type"), body.get("status"), body.get("code")) != (
                    "urn:guildkit:problem:unsupported_media_type",
                    415,
                    "unsupported_media_type",
                ):
                    wrong.append(f"{method} {url} ({name}, {who}): {body}")
    assert not wrong, "\n".join(wrong)
    assert database_state(gk) == before


def test_the_same_writes_go_through_as_json(gk_app: Flask, gk: GuildKit, gk_members: Members, admin: str) -> None:
    """The content type is the only thing that stopped them: JSON, even with no body, is let in."""
    client = signed_in(gk_app, admin)
    ids = seed(client, gk, gk_members)
    path = f"{PREFIX}/endpoints/{ids['endpoint_id']}"
    replay = f"{PREFIX}/deliveries/{ids['row_id']}/replay"
    assert client.post(replay, data={"go": "1"}).status_code == 415
    assert client.post(replay, content_type="application/json").status_code == 201
    assert client.post(replay, json={}).status_code == 201
    assert client.patch(path, json={"description": "CRM"}).get_json()["description"] == "CRM"
    assert client.delete(path).status_code == 415
    assert client.get(path).status_code == 200, "the refused DELETE removed nothing"
    assert client.delete(path, content_type="application/json").status_code == 204
    assert client.get(path).status_code == 404


def test_reads_need_no_content_type_and_errors_keep_their_01_members(gk_app: Flask, gk: GuildKit, admin: str) -> None:
    client = signed_in(gk_app, admin)
    assert client.get(f"{PREFIX}/endpoints", data="x=1", content_type="text/plain").status_code == 200
    bad = client.post(f"{PREFIX}/endpoints", json={"url": "ftp://x.test/", "events": ["*"]})
    assert (bad.status_code, bad.mimetype) == (422, "application/problem+json")
    body = bad.get_json()
    assert body["type"] == "urn:guildkit:problem:validation_error" and body["errors"] == {"url": [body["detail"]]}
    assert (body["error"], body["field"]) == (body["detail"], "url")
    anonymous = gk_app.test_client().get(f"{PREFIX}/endpoints").get_json()
    assert (anonymous["status"], anonymous["code"], anonymous["field"]) == (401, "unauthorized", None)
