"""The admin JSON API: who may call it, endpoint CRUD with validation, the log, replay."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from guildkit import GuildKit
from guildkit.testing import Members, require_backend

from guildkit_webhooks import deliver_due
from guildkit_webhooks.testing import Receiver

PREFIX = "/guildkit/webhooks"


@pytest.fixture(params=["sqlite", "postgresql"])
def gk_backend(request: pytest.FixtureRequest) -> str:
    return require_backend(str(request.param))


@pytest.fixture
def client(gk_app: Flask, gk: GuildKit) -> FlaskClient:
    @gk.current_user_loader
    def who() -> str | None:
        return request.headers.get("X-User")

    return gk_app.test_client()


@pytest.fixture
def admin(gk_members: Members) -> dict[str, str]:
    return {"X-User": gk_members("Root", roles=["admin"])}


def created(client: FlaskClient, admin: dict[str, str], url: str, **fields: Any) -> dict[str, Any]:
    body = {"url": url, "events": ["member_joined"], **fields}
    response = client.post(f"{PREFIX}/endpoints", json=body, headers=admin)
    assert response.status_code == 201, response.get_json()
    shown: dict[str, Any] = response.get_json()
    return shown


def test_anonymous_is_401_members_403_admins_and_admin_tokens_200(
    client: FlaskClient, gk: GuildKit, gk_members: Members, admin: dict[str, str]
) -> None:
    member = gk_members("Ann", roles=["moderator"])
    for path in ("/endpoints", "/deliveries"):
        anonymous = client.get(PREFIX + path)
        assert anonymous.status_code == 401 and anonymous.get_json()["code"] == "unauthorized"
        assert client.get(PREFIX + path, headers={"X-User": member}).status_code == 403
        assert client.get(PREFIX + path, headers=admin).status_code == 200
    new = {"url": "https://x.test/", "events": ["*"]}
    writes = client.post(f"{PREFIX}/endpoints", json=new, headers={"X-User": member})
    assert writes.status_code == 403 and writes.get_json()["error"] == "only admins may manage webhooks"

    admin_token, _ = gk.tokens.create(None, "ops", ["admin"])
    writer_token, _ = gk.tokens.create(None, "sync", ["activities.write"])
    assert client.get(f"{PREFIX}/endpoints", headers={"Authorization": f"Bearer {admin_token}"}).status_code == 200
    assert client.get(f"{PREFIX}/endpoints", headers={"Authorization": f"Bearer {writer_token}"}).status_code == 403
    bad = client.get(f"{PREFIX}/endpoints", headers={"Authorization": "Bearer gk_nope"})
    assert bad.status_code == 401 and bad.get_json()["code"] == "invalid_token"


def test_create_shows_the_secret_once_then_never(client: FlaskClient, admin: dict[str, str]) -> None:
    endpoint = created(client, admin, "https://hooks.example.org/in", description="CRM")
    assert endpoint["secret"].startswith("whsec_") and len(endpoint["secret"]) == 50
    assert endpoint["events"] == ["member_joined"] and endpoint["active"] is True
    assert (endpoint["signing"], endpoint["previous_secret_until"]) == ("standard-webhooks", None)
    assert endpoint["created_by"] == admin["X-User"]
    shown = client.get(f"{PREFIX}/endpoints/{endpoint['id']}", headers=admin).get_json()
    assert "secret" not in shown and shown["description"] == "CRM" and shown["signing"] == "standard-webhooks"
    assert ["secret" in e for e in client.get(f"{PREFIX}/endpoints", headers=admin).get_json()["items"]] == [False]
    whsec = "whsec_" + base64.b64encode(b"k" * 24).decode()
    assert created(client, admin, "https://hooks.example.org/b", secret=whsec)["secret"] == whsec
    legacy = created(client, admin, "https://hooks.example.org/c", secret="k" * 40, signing="guildkit-v1")
    assert (legacy["secret"], legacy["signing"]) == ("k" * 40, "guildkit-v1")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"events": ["member_joined"]}, "url"),
        ({"url": "ftp://x.test/", "events": ["member_joined"]}, "url"),
        ({"url": "https://user:pw@x.test/", "events": ["member_joined"]}, "url"),
        ({"url": "https://x.test:99999/", "events": ["member_joined"]}, "url"),
        ({"url": "https://x.test/"}, "events"),
        ({"url": "https://x.test/", "events": []}, "events"),
        ({"url": "https://x.test/", "events": "member_joined"}, "events"),
        ({"url": "https://x.test/", "events": ["member_left"]}, "events"),
        ({"url": "https://x.test/", "events": ["*"], "secret": "short"}, "secret"),
        ({"url": "https://x.test/", "events": ["*"], "secret": "k" * 40}, "secret"),
        ({"url": "https://x.test/", "events": ["*"], "secret": "whsec_" + "A" * 20}, "secret"),
        ({"url": "https://x.test/", "events": ["*"], "secret": "whsec_not-base64-at-all!"}, "secret"),
        ({"url": "https://x.test/", "events": ["*"], "secret": "short", "signing": "guildkit-v1"}, "secret"),
        ({"url": "https://x.test/", "events": ["*"], "signing": "hmac"}, "signing"),
        ({"url": "https://x.test/", "events": ["*"], "active": "yes"}, "active"),
        ({"url": "https://x.test/", "events": ["*"], "colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    client: FlaskClient, admin: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = client.post(f"{PREFIX}/endpoints", json=body, headers=admin)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["field"] == field


def test_writes_must_be_json(client: FlaskClient, admin: dict[str, str]) -> None:
    """Every write rule is checked over the URL map in test_webhooks_cross_site.py."""
    form = client.post(f"{PREFIX}/endpoints", data={"url": "https://x.test/"}, headers=admin)
    assert form.status_code == 415 and form.get_json()["code"] == "unsupported_media_type"
    array = client.post(f"{PREFIX}/endpoints", json=["x"], headers=admin)
    assert array.status_code == 400


def test_update_rotate_and_delete(client: FlaskClient, admin: dict[str, str]) -> None:
    endpoint = created(client, admin, "https://x.test/a")
    path = f"{PREFIX}/endpoints/{endpoint['id']}"
    changed = client.patch(path, json={"active": False, "events": ["badge_awarded", "*"]}, headers=admin).get_json()
    assert (changed["active"], changed["events"], "secret" in changed) == (False, ["*", "badge_awarded"], False)
    rotated = client.patch(path, json={"secret": None}, headers=admin).get_json()
    assert rotated["secret"] != endpoint["secret"] and rotated["secret"].startswith("whsec_")
    assert rotated["previous_secret_until"] is not None
    legacy = client.patch(path, json={"signing": "guildkit-v1"}, headers=admin).get_json()
    assert (legacy["signing"], "secret" in legacy) == ("guildkit-v1", False), "a whsec_ secret suits guildkit-v1"
    back = client.patch(path, json={"signing": "standard-webhooks", "secret": "k" * 40}, headers=admin)
    assert back.status_code == 422 and back.get_json()["field"] == "secret"
    bad = client.patch(path, json={"signing": "rot13"}, headers=admin)
    assert bad.status_code == 422 and bad.get_json()["field"] == "signing"
    bad = client.patch(path, json={"url": "javascript:alert(1)"}, headers=admin)
    assert bad.status_code == 422 and bad.get_json()["field"] == "url"
    assert client.patch(path, json={"id": 9}, headers=admin).get_json()["field"] == "id"
    assert client.delete(path, headers=admin, json={}).status_code == 204
    gone = client.get(path, headers=admin)
    assert gone.status_code == 404 and gone.get_json()["code"] == "unknown_endpoint"
    assert client.delete(path, headers=admin, json={}).status_code == 404
    assert client.patch(path, json={"active": True}, headers=admin).status_code == 404


def test_the_log_filters_pages_and_replays(
    client: FlaskClient, gk: GuildKit, gk_members: Members, admin: dict[str, str], receiver: Receiver
) -> None:
    receiver.fail_first = 100
    one = created(client, admin, receiver.url)
    two = created(client, admin, receiver.url)
    for n in range(3):
        gk_members(f"Member {n}")
    deliver_due(gk)
    page = client.get(f"{PREFIX}/deliveries?limit=4", headers=admin).get_json()
    assert len(page["items"]) == 4 and page["next_before"] == page["items"][-1]["id"]
    rest = client.get(f"{PREFIX}/deliveries?limit=4&before={page['next_before']}", headers=admin).get_json()
    ids = [d["id"] for d in page["items"] + rest["items"]]
    assert rest["next_before"] is None and ids == sorted(ids, reverse=True) and len(ids) == 6
    mine = client.get(f"{PREFIX}/deliveries?endpoint_id={one['id']}&status=pending", headers=admin).get_json()
    assert {d["endpoint_id"] for d in mine["items"]} == {one["id"]} and len(mine["items"]) == 3
    assert client.get(f"{PREFIX}/deliveries?status=done", headers=admin).get_json()["field"] == "status"
    assert client.get(f"{PREFIX}/deliveries?limit=0", headers=admin).get_json()["field"] == "limit"
    assert client.get(f"{PREFIX}/deliveries?before=x", headers=admin).get_json()["field"] == "before"

    first = mine["items"][-1]
    shown = client.get(f"{PREFIX}/deliveries/{first['id']}", headers=admin).get_json()
    assert shown["last_error"].startswith("HTTP 500") and "_url" not in shown
    copy = client.post(f"{PREFIX}/deliveries/{first['id']}/replay", headers=admin, json={})
    assert copy.status_code == 201
    body = copy.get_json()
    assert (body["replay_of"], body["event_id"], body["status"]) == (first["id"], first["event_id"], "pending")
    assert client.post(f"{PREFIX}/deliveries/999999/replay", headers=admin, json={}).status_code == 404
    assert two["id"] != one["id"]
