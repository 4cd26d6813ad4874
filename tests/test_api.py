"""The JSON API: every endpoint, every kind of caller, pagination, idempotent ingestion, error shapes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask

from guildkit import GuildKit
from guildkit.web.openapi import PATH_ARGUMENT
from tests.webclient import API_PREFIX, Api, Caller, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql


@pytest.fixture
def api(gk_app: Flask, gk: GuildKit) -> Api:
    client = mount(gk_app, gk)
    for n in range(5):
        gk.record("answer.upvoted", actor=f"v{n}", target="ann", subject="answer:1", key=f"up:{n}")
    gk.record("answer.posted", actor="ann", subject="answer:1", key="post:1")
    gk.join("bob", name="Bob")
    gk.award("mo", role="moderator", reason="elected", key="staff:mo")
    gk.award("ad", role="admin", reason="founder", key="staff:ad")
    tokens = {
        "ingest": gk.tokens.create(None, "ingest", ["activities.write"])[0],
        "reader": gk.tokens.create(None, "reader", ["members.read_private"])[0],
        "roles": gk.tokens.create(None, "roles", ["roles.manage"])[0],
    }
    return Api(client, tokens)


CALLERS: dict[str, Caller] = {
    "anonymous": {},
    "self": {"user": "ann"},
    "other": {"user": "bob"},
    "moderator": {"user": "mo"},
    "admin": {"user": "ad"},
    "ingest-token": {"token": "ingest"},
    "reader-token": {"token": "reader"},
}


def is_problem(response: Any, status: int) -> dict[str, Any]:
    body = problem(response, status)
    assert body["status"] == status
    assert body["type"] == f"urn:guildkit:problem:{body['code']}"
    assert body["title"] and body["detail"]
    return body


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(
    "path",
    [
        "/members",
        "/members/ann",
        "/members/ann/badges",
        "/members/ann/roles",
        "/badges",
        "/badges/answerer",
        "/badges/first-answer/holders",
        "/leaderboards/reputation",
        "/roles",
        "/me",
    ],
)
def test_public_reads(api: Api, caller: str, path: str) -> None:
    response = api.call("GET", path, **CALLERS[caller])
    assert response.status_code == 200, response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("caller", "status"),
    [
        ("anonymous", 401),
        ("self", 200),
        ("other", 403),
        ("moderator", 200),
        ("admin", 200),
        ("ingest-token", 403),
        ("reader-token", 200),
    ],
)
@pytest.mark.parametrize("path", ["/members/ann/ledger", "/members/ann/progress"])
def test_private_reads(api: Api, caller: str, status: int, path: str) -> None:
    response = api.call("GET", path, **CALLERS[caller])
    if status == 200:
        assert response.status_code == 200
    else:
        is_problem(response, status)


def test_member_detail_and_ledger_explain_points(api: Api) -> None:
    detail = api.call("GET", "/members/ann").get_json()
    assert detail["user_id"] == "ann" and detail["name"] == "User ann"
    assert {b["point_type"]: b["balance"] for b in detail["balances"]} == {"reputation": 50, "xp": 5}
    assert detail["badge_count"] == 1
    ledger = api.call("GET", "/members/ann/ledger?point_type=reputation", user="ann").get_json()
    assert [row["amount"] for row in ledger["items"]] == [10] * 5
    assert ledger["items"][0]["reason"] == "answer.upvoted on answer:1"
    assert ledger["items"][0]["activity_key"] == "up:4" and ledger["next_cursor"] is None


def test_pages_walk_every_row_once(api: Api) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.call("GET", "/members" + query).get_json()
        seen += [m["user_id"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted({"ann", "bob", "mo", "ad", "v0", "v1", "v2", "v3", "v4"})
    assert len(seen) == len(set(seen))
    body = is_problem(api.call("GET", "/members?cursor=not-a-cursor"), 400)
    assert body["errors"] == {"cursor": ["invalid"]}
    body = is_problem(api.call("GET", "/members?limit=500"), 422)
    assert "limit" in body["errors"]


def test_member_search_and_filter(api: Api) -> None:
    found = api.call("GET", "/members?q=bo").get_json()["items"]
    assert [m["user_id"] for m in found] == ["bob"]
    assert api.call("GET", "/members?status=banned").get_json()["items"] == []
    is_problem(api.call("GET", "/members?status=sleepy"), 422)


def test_badges_catalog_rarity_and_holders(api: Api) -> None:
    badges = {b["slug"]: b for b in api.call("GET", "/badges").get_json()}
    assert "centurion" not in badges  # secret and unheld
    first = badges["first-answer"]
    assert first["holders"] == 1 and first["rarity"] == pytest.approx(100 / 9, abs=0.01)
    assert first["criteria"] == "Answer posted once"  # in words: no activity type declared its own
    holders = api.call("GET", "/badges/first-answer/holders").get_json()
    assert [h["user_id"] for h in holders["items"]] == ["ann"]
    is_problem(api.call("GET", "/badges/centurion"), 404)
    is_problem(api.call("GET", "/badges/nope"), 404)


def test_leaderboard_with_my_rank(api: Api, gk: GuildKit) -> None:
    gk.record("answer.upvoted", actor="ann", target="bob", key="up:bob")
    board = api.call("GET", "/leaderboards/reputation?period=week", user="bob").get_json()
    assert [(s["rank"], s["user_id"], s["points"]) for s in board["items"]] == [(1, "ann", 50), (2, "bob", 10)]
    # Nobody was on last week's board: every row is new on this one.
    assert board["me"] == {
        "rank": 2,
        "user_id": "bob",
        "name": "Bob",
        "points": 10,
        "previous_rank": None,
        "movement": None,
    }
    assert api.call("GET", "/leaderboards/reputation").get_json()["me"] is None
    is_problem(api.call("GET", "/leaderboards/gold"), 404)
    is_problem(api.call("GET", "/leaderboards/reputation?period=decade"), 422)


@pytest.mark.parametrize(
    ("caller", "status"),
    [("anonymous", 401), ("self", 403), ("moderator", 403), ("admin", 201), ("ingest-token", 403)],
)
def test_granting_roles(api: Api, caller: str, status: int) -> None:
    response = api.call("POST", "/members/bob/roles", body={"role": "trusted", "reason": "helpful"}, **CALLERS[caller])
    if status == 201:
        assert response.status_code == 201
        assert response.get_json()["roles"][0]["role"] == "trusted"
        grants = api.call("GET", "/members/bob/roles").get_json()
        assert [(g["role"], g["reason"]) for g in grants] == [("trusted", "helpful")]
        revoked = api.call("DELETE", "/members/bob/roles/trusted", body={"reason": "inactive"}, user="ad")
        assert revoked.status_code == 200 and revoked.get_json()["roles"][0]["granted"] is False
    else:
        is_problem(response, status)


def test_role_token_and_role_errors(api: Api) -> None:
    ok = api.call("POST", "/members/bob/roles", body={"role": "trusted", "reason": "x"}, token="roles")
    assert ok.status_code == 201
    is_problem(api.call("POST", "/members/bob/roles", body={"role": "king", "reason": "x"}, user="ad"), 404)
    is_problem(api.call("DELETE", "/members/bob/roles/moderator", body={"reason": "x"}, user="ad"), 404)
    body = is_problem(api.call("POST", "/members/bob/roles", body={"role": "trusted"}, user="ad"), 422)
    assert body["errors"] == {"reason": ["Missing data for required field."]}


@pytest.mark.parametrize(("caller", "status"), [("anonymous", 401), ("self", 403), ("reader-token", 403)])
def test_ingestion_needs_permission(api: Api, caller: str, status: int) -> None:
    response = api.call("POST", "/activities", body={"type": "visit", "actor": "ann", "key": "v1"}, **CALLERS[caller])
    is_problem(response, status)


def test_ingestion_is_idempotent(api: Api, gk: GuildKit) -> None:
    activity = {"type": "answer.upvoted", "actor": "zed", "target": "bob", "subject": "answer:9"}
    first = api.call("POST", "/activities", body=activity, token="ingest", headers={"Idempotency-Key": "ext-1"})
    assert first.status_code == 201
    assert first.get_json()["duplicate"] is False and first.get_json()["points"][0]["amount"] == 10
    again = api.call("POST", "/activities", body=activity, token="ingest", headers={"Idempotency-Key": "ext-1"})
    assert again.get_json()["duplicate"] is True
    assert gk.balance("bob", "reputation") == 10
    body = is_problem(
        api.call(
            "POST",
            "/activities",
            body=activity | {"subject": "answer:10"},
            token="ingest",
            headers={"Idempotency-Key": "ext-1"},
        ),
        409,
    )
    assert body["code"] == "idempotency_conflict"
    is_problem(api.call("POST", "/activities", body=activity, token="ingest"), 422)  # no key at all
    is_problem(
        api.call("POST", "/activities", body=activity | {"key": "a"}, token="ingest", headers={"Idempotency-Key": "b"}),
        422,
    )


def test_batch_ingestion_and_retract(api: Api, gk: GuildKit) -> None:
    batch = {
        "activities": [{"type": "answer.upvoted", "actor": f"w{n}", "target": "bob", "key": f"b{n}"} for n in range(3)]
    }
    response = api.call("POST", "/activities/batch", body=batch, user="ad")
    assert response.status_code == 201
    assert [r["points"][0]["amount"] for r in response.get_json()["results"]] == [10, 10, 10]
    retracted = api.call("POST", "/activities/b0/retract", body={"reason": "unvote"}, token="ingest")
    assert retracted.get_json()["points"][0]["amount"] == -10
    assert gk.balance("bob", "reputation") == 20
    is_problem(api.call("POST", "/activities/nope/retract", body={"reason": "x"}, token="ingest"), 404)
    body = is_problem(
        api.call("POST", "/activities/batch", body={"activities": [{"type": "visit"}]}, token="ingest"), 422
    )
    assert "activities" in body["errors"]


def test_bad_bodies_name_the_field(api: Api) -> None:
    body = is_problem(
        api.call("POST", "/activities", body={"type": "Bad Type", "key": "k", "actor": "a"}, token="ingest"), 422
    )
    assert "type" in body["errors"]
    body = is_problem(api.call("POST", "/activities", body={"type": "visit", "key": "k"}, token="ingest"), 422)
    assert "actor" in body["errors"]
    response = api.client.post(
        API_PREFIX + "/activities",
        data="type=visit",
        headers={
            "Authorization": f"Bearer {api.tokens['ingest']}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    is_problem(response, 415)
    response = api.client.post(
        API_PREFIX + "/activities",
        data="{not json",
        headers={"Authorization": f"Bearer {api.tokens['ingest']}", "Content-Type": "application/json"},
    )
    is_problem(response, 400)


def test_tokens_must_be_valid_and_live(api: Api, gk: GuildKit) -> None:

    is_problem(api.client.get(API_PREFIX + "/members", headers={"Authorization": "Bearer nope"}), 401)
    is_problem(api.client.get(API_PREFIX + "/members", headers={"Authorization": "Basic abc"}), 401)
    gk.tokens.revoke(None, 1)
    is_problem(api.call("POST", "/activities", body={"type": "visit", "actor": "a", "key": "k"}, token="ingest"), 401)


def test_notifications(api: Api) -> None:
    mine = api.call("GET", "/me/notifications", user="ann").get_json()
    assert [n["text"] for n in mine["items"]] == ["You earned First Answer", "You are now Trusted"]
    me = api.call("GET", "/me", user="ann").get_json()
    assert me["unread_notifications"] == 2 and me["member"]["user_id"] == "ann"
    assert api.call("POST", "/me/notifications/read", user="ann").status_code == 204
    assert api.call("GET", "/me", user="ann").get_json()["unread_notifications"] == 0
    is_problem(api.call("GET", "/me/notifications"), 401)
    assert api.call("GET", "/me/notifications", user="newcomer").get_json() == {"items": [], "next_cursor": None}


def test_staff_permissions_show_in_me(api: Api) -> None:
    assert api.call("GET", "/me", user="mo").get_json()["permissions"] == ["members.manage", "members.read_private"]
    assert api.call("GET", "/me", user="ad").get_json()["permissions"] == ["admin"]
    assert api.call("GET", "/me").get_json() == {
        "user_id": None,
        "member": None,
        "permissions": [],
        "unread_notifications": 0,
    }


def test_suspended_members_lose_member_endpoints(api: Api, gk: GuildKit) -> None:
    import sqlalchemy as sa

    from guildkit.models import Member

    gk.session.execute(sa.update(Member).where(Member.user_id == "ann").values(status="suspended"))
    gk.session.commit()
    is_problem(api.call("GET", "/members/ann/ledger", user="ann"), 403)
    is_problem(api.call("GET", "/me/notifications", user="ann"), 403)


def test_errors_are_problems_only_inside_the_blueprint(api: Api, gk_app: Flask) -> None:
    body = is_problem(api.call("GET", "/no/such/thing"), 404)
    assert body["detail"] == "no API endpoint at /no/such/thing"
    # A key no activity can have is refused by name, inside the blueprint too.
    is_problem(api.call("POST", "/activities/a%0Ab/retract", body={"reason": "x"}, token="ingest"), 422)
    outside = api.client.get("/not-guildkit")
    assert outside.status_code == 404 and outside.mimetype == "text/html"


def test_openapi_document_covers_every_endpoint(api: Api, gk_app: Flask) -> None:
    spec = api.client.get(API_PREFIX + "/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    routed = {
        (PATH_ARGUMENT.sub(r"{\2}", rule.rule), method)
        for rule in gk_app.url_map.iter_rules()
        if rule.endpoint.startswith("guildkit.api.") and rule.endpoint != "guildkit.api.no_such_endpoint"
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert documented == routed
    assert spec["paths"][API_PREFIX + "/members/{user_id}/ledger"]["get"]["description"].startswith("Who may call it")
    assert "Problem" in spec["components"]["schemas"]
    docs = api.client.get(API_PREFIX + "/docs")
    assert docs.status_code == 200 and b"/community/api/members/{user_id}/ledger" in docs.data
    json.dumps(spec)  # serialisable as it is served


def test_recent_awards_feed(api: Api) -> None:
    feed = api.call("GET", "/awards").get_json()
    assert [(a["badge"], a["member"]["user_id"]) for a in feed["items"]] == [("first-answer", "ann")]
    assert feed["items"][0]["tier"] == "bronze" and feed["next_cursor"] is None


@pytest.mark.parametrize(("caller", "status"), [("anonymous", 401), ("self", 403), ("moderator", 403), ("admin", 201)])
def test_manual_awards_need_awards_manage(api: Api, gk: GuildKit, caller: str, status: int) -> None:
    body = {"user_id": "bob", "points": 25, "point_type": "reputation", "badge": "regular", "reason": "meetup talk"}
    response = api.call("POST", "/awards", body=body, **CALLERS[caller])
    if status != 201:
        is_problem(response, status)
        assert gk.balances("bob") == {}
        return
    assert response.status_code == 201
    result = response.get_json()
    assert result["points"][0]["amount"] == 25 and result["badges"][0]["badge"] == "regular"
    revoked = api.call(
        "POST", "/awards/revoke", body={"user_id": "bob", "badge": "regular", "reason": "oops"}, user="ad"
    )
    assert revoked.status_code == 200 and revoked.get_json()["badges"][0]["granted"] is False
    # Earned and taken back before Bob looked: his inbox shows neither (tests/test_notification_churn.py).
    texts = [n["text"] for n in api.call("GET", "/me/notifications", user="bob").get_json()["items"]]
    assert "You earned Regular" not in texts and "Regular was taken back: oops" not in texts
    assert texts == []  # points are not told in the inbox, so nothing is left


def test_manual_award_errors_name_the_field(api: Api) -> None:
    body = is_problem(api.call("POST", "/awards", body={"user_id": "bob", "reason": "x"}, user="ad"), 422)
    assert body["errors"] == {"points": ["give points, a badge or a role to award"]}
    body = is_problem(
        api.call("POST", "/awards", body={"user_id": "bob", "reason": "x", "badge": "nope"}, user="ad"), 404
    )
    assert body["code"] == "unknown_badge"
    is_problem(
        api.call("POST", "/awards/revoke", body={"user_id": "ghost", "role": "trusted", "reason": "x"}, user="ad"),
        404,
    )


def test_member_badges_are_paged(api: Api, gk: GuildKit) -> None:
    for n in range(3):
        gk.record("answer.accepted", actor=f"q{n}", target="ann", key=f"acc:{n}")
    first = api.call("GET", "/members/ann/badges?limit=2").get_json()
    rest = api.call("GET", f"/members/ann/badges?limit=2&cursor={first['next_cursor']}").get_json()
    badges = [a["badge"] for a in first["items"] + rest["items"]]
    assert badges == ["accepted", "accepted", "accepted", "first-answer"]
    assert rest["next_cursor"] is None


@pytest.mark.parametrize(("caller", "status"), [("anonymous", 401), ("other", 403), ("moderator", 200), ("admin", 200)])
def test_setting_a_members_status(api: Api, gk: GuildKit, caller: str, status: int) -> None:
    response = api.call("PUT", "/members/ann/status", body={"status": "suspended", "reason": "spam"}, **CALLERS[caller])
    if status != 200:
        is_problem(response, status)
        assert gk.member("ann").status == "active"
        return
    assert response.get_json()["status"] == "suspended"
    assert gk.record("answer.upvoted", actor="zed", target="ann", key="after").points == ()  # earns nothing
    told = api.call("GET", "/members/ann/ledger", user="ann")
    is_problem(told, 403)  # and loses member endpoints
    back = api.call(
        "PUT", "/members/ann/status", body={"status": "active", "reason": "appeal upheld"}, **CALLERS[caller]
    )
    assert back.get_json()["status"] == "active"
    texts = [n["text"] for n in api.call("GET", "/me/notifications", user="ann").get_json()["items"]]
    assert texts[:2] == ["Your membership is now active: appeal upheld", "Your membership is now suspended: spam"]


def test_status_errors(api: Api) -> None:
    is_problem(api.call("PUT", "/members/mo/status", body={"status": "banned", "reason": "x"}, user="mo"), 403)
    body = is_problem(api.call("PUT", "/members/ann/status", body={"status": "asleep", "reason": "x"}, user="ad"), 422)
    assert "status" in body["errors"]
    is_problem(api.call("PUT", "/members/ghost/status", body={"status": "banned", "reason": "x"}, user="ad"), 404)
