"""Queueing and sending on every backend: signing on the received bytes, retries with backoff
driven by ``gk_clock``, giving up, replay, leases, and payloads of every event."""

from __future__ import annotations

import json
import socket
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from guildkit import (
    BadgeDef,
    BadgeLevel,
    BadgeRule,
    Count,
    GuildKit,
    Levels,
    PointsRule,
    PointTypeDef,
    RoleDef,
    RoleRule,
)
from guildkit.models import HookFailure
from guildkit.testing import Clock, Members

from guildkit_webhooks import EVENTS, deliver_due, verify_signature
from guildkit_webhooks.admin import create_endpoint, delete_endpoint, get_delivery, list_deliveries
from guildkit_webhooks.delivery import claim_next
from guildkit_webhooks.events import FEATURE_FIELDS
from guildkit_webhooks.outbox import replay
from guildkit_webhooks.settings import current
from guildkit_webhooks.testing import Receiver


def define_community(gk: GuildKit) -> None:
    gk.define(
        point_types=[PointTypeDef("rep", "Reputation")],
        badges=[BadgeDef("answerer", "Answerer", levels=(BadgeLevel("bronze"), BadgeLevel("gold", "Gold Answerer")))],
        roles=[RoleDef("trusted", "Trusted")],
        rules=[
            PointsRule("upvote", "answer.upvoted", 10, "rep"),
            BadgeRule("answerer", "answerer", Count("answer.upvoted", "target"), (1, 2)),
            RoleRule("trusted", "trusted", Count("answer.upvoted", "target"), 2),
            Levels("rep", (10, 20), ("Rising", "Veteran")),
        ],
    )


def log(gk: GuildKit, **filters: Any) -> list[dict[str, Any]]:
    items, _ = list_deliveries(gk, limit=100, **filters)
    return items


def test_a_delivery_is_signed_over_the_exact_bytes_received(
    gk: GuildKit, gk_members: Members, receiver: Receiver
) -> None:
    endpoint = create_endpoint(gk, receiver.url, ["member_joined"])
    ada = gk_members("Ada")
    assert deliver_due(gk) == 1
    [got] = receiver.wait_for(1)
    [row] = log(gk)
    assert verify_signature(endpoint["secret"], got.headers, got.body) == row["delivery_id"]
    assert got.headers["webhook-id"] == row["delivery_id"]
    assert got.headers["Guildkit-Event"] == "member_joined"
    assert got.headers["Content-Type"] == "application/json"
    payload = json.loads(got.body)
    assert payload == {
        "id": row["event_id"],
        "event": "member_joined",
        "created_at": "2026-01-05T12:00:00Z",
        "data": {"user_id": ada, "member_id": gk.member(ada).id},
    }
    assert (row["status"], row["attempts"], row["last_status_code"], row["last_error"]) == ("succeeded", 1, 200, None)
    assert row["finished_at"] == "2026-01-05T12:00:00Z"
    with pytest.raises(ValueError, match="no signature matches"):
        verify_signature(endpoint["secret"], got.headers, got.body + b" ")


def test_retries_back_off_exponentially_until_the_endpoint_answers(
    gk: GuildKit, gk_clock: Clock, gk_members: Members, receiver: Receiver
) -> None:
    receiver.fail_first = 2
    endpoint = create_endpoint(gk, receiver.url, ["member_joined"])
    gk_members("Ada")
    start = gk_clock()

    assert deliver_due(gk) == 1
    [row] = log(gk)
    assert (row["status"], row["attempts"], row["last_status_code"]) == ("pending", 1, 500)
    assert row["last_error"] == "HTTP 500: receiver failing on purpose"
    first_wait = datetime.fromisoformat(row["next_attempt_at"]) - start
    assert timedelta(seconds=5) <= first_wait <= timedelta(seconds=10)  # base 10 s, equal jitter

    assert deliver_due(gk) == 0, "not due yet: nothing is sent before its time"
    gk_clock.advance(seconds=10)
    assert deliver_due(gk) == 1
    [row] = log(gk)
    assert (row["status"], row["attempts"]) == ("pending", 2)
    second_wait = datetime.fromisoformat(row["next_attempt_at"]) - gk_clock()
    assert timedelta(seconds=10) <= second_wait <= timedelta(seconds=20)

    gk_clock.advance(seconds=20)
    assert deliver_due(gk) == 1
    [row] = log(gk)
    assert (row["status"], row["attempts"], row["last_status_code"], row["last_error"]) == ("succeeded", 3, 200, None)
    sent = receiver.wait_for(3)
    assert {r.headers["webhook-id"] for r in sent} == {row["delivery_id"]}
    assert all(verify_signature(endpoint["secret"], r.headers, r.body) for r in sent)
    assert len({r.body for r in sent}) == 1, "every retry sends the same body"


def test_after_the_last_attempt_the_delivery_fails_and_replay_sends_a_copy(
    gk: GuildKit, gk_clock: Clock, gk_members: Members, receiver: Receiver
) -> None:
    receiver.fail_first = 4
    create_endpoint(gk, receiver.url, ["*"])
    gk_members("Ada")
    for _ in range(4):
        assert deliver_due(gk) == 1
        gk_clock.advance(hours=1)
    assert deliver_due(gk) == 0
    [row] = log(gk)
    assert (row["status"], row["attempts"], row["last_status_code"]) == ("failed", 4, 500)
    assert row["last_error"].startswith("HTTP 500") and row["finished_at"] is not None
    assert log(gk, status="failed") == [row] and log(gk, status="pending") == []

    copy = replay(gk, row["id"])
    assert (copy["status"], copy["attempts"], copy["replay_of"]) == ("pending", 0, row["id"])
    assert copy["event_id"] == row["event_id"] and copy["delivery_id"] != row["delivery_id"]
    assert copy["payload"] == row["payload"]
    assert deliver_due(gk) == 1
    assert get_delivery(gk, copy["id"])["status"] == "succeeded"
    assert receiver.wait_for(5)[-1].headers["webhook-id"] == copy["delivery_id"]


def test_a_closed_port_is_logged_as_refused(gk: GuildKit, gk_members: Members) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    create_endpoint(gk, f"http://127.0.0.1:{port}/hook", ["member_joined"])
    gk_members("Ada")
    assert deliver_due(gk) == 1
    [row] = log(gk)
    assert (row["status"], row["attempts"], row["last_status_code"]) == ("pending", 1, None)
    assert row["last_error"] == "connection refused"


def test_a_worker_that_died_mid_send_loses_its_lease(
    gk: GuildKit, gk_clock: Clock, gk_members: Members, receiver: Receiver
) -> None:
    create_endpoint(gk, receiver.url, ["member_joined"])
    gk_members("Ada")
    claimed = claim_next(gk, current())  # claimed, then "crashed": never sent, never finished
    assert claimed is not None and claimed.attempts == 1
    assert log(gk)[0]["status"] == "delivering"
    assert deliver_due(gk) == 0, "the lease still holds"
    gk_clock.advance(seconds=current().lease_seconds)
    assert deliver_due(gk) == 1
    [row] = log(gk)
    assert (row["status"], row["attempts"]) == ("succeeded", 2)
    assert len(receiver.wait_for(1)) == 1


def test_deliveries_of_a_deleted_endpoint_fail_without_a_request(
    gk: GuildKit, gk_members: Members, receiver: Receiver
) -> None:
    endpoint = create_endpoint(gk, receiver.url, ["member_joined"])
    gk_members("Ada")
    delete_endpoint(gk, endpoint["id"])
    assert deliver_due(gk) == 1
    [row] = log(gk, endpoint_id=endpoint["id"])
    assert (row["status"], row["last_error"]) == ("failed", "endpoint deleted")
    assert receiver.requests == []


def test_endpoints_get_only_the_events_they_chose(gk: GuildKit, gk_members: Members, receiver: Receiver) -> None:
    define_community(gk)
    badges = create_endpoint(gk, receiver.url, ["badge_awarded"])
    create_endpoint(gk, receiver.url, ["role_granted"], active=False)
    author = gk_members("Ada")
    gk.record("answer.upvoted", actor=gk_members("Vic"), target=author, key="vote:1")
    rows = log(gk)
    assert [(r["endpoint_id"], r["event"]) for r in rows] == [(badges["id"], "badge_awarded")]


def test_no_endpoint_means_no_rows(gk: GuildKit, gk_members: Members) -> None:
    gk_members("Ada")
    assert log(gk) == []


def test_every_supported_event_is_delivered_with_its_data(
    gk: GuildKit, gk_clock: Clock, gk_members: Members, receiver: Receiver
) -> None:
    define_community(gk)
    create_endpoint(gk, receiver.url, ["*"])
    voter, author = gk_members("Vic"), gk_members("Ada")
    gk.record("answer.upvoted", actor=voter, target=author, key="vote:1")
    gk.record("answer.upvoted", actor=voter, target=author, key="vote:2")
    gk.revoke(author, badge="answerer", level=2, reason="test", key="revoke:1")
    gk.revoke(author, role="trusted", reason="test", key="revoke:2")
    event = gk.events.create(
        author,
        title="Meetup",
        starts_at=gk_clock() + timedelta(days=3),
        ends_at=gk_clock() + timedelta(days=3, hours=2),
        timezone="UTC",
        online=True,
    )
    gk.events.rsvp(event.id, voter, "going")
    gk.mentorship.offer(author, topics=["python"], languages=["en"], timezone="UTC")
    gk.mentorship.request(voter, author, goals="learn packaging")

    deliver_due(gk)
    sent = [json.loads(r.body) for r in receiver.requests]
    by_event: dict[str, list[dict[str, Any]]] = {}
    for payload in sent:
        by_event.setdefault(payload["event"], []).append(payload["data"])
    here = set(EVENTS) - set(FEATURE_FIELDS)  # the features' events: test_webhooks_feature_events.py
    assert set(by_event) == here, f"missing: {here - set(by_event)}"
    assert {"user_id": author, "member_id": gk.member(author).id} in by_event["member_joined"]
    assert {
        "user_id": author,
        "point_type": "rep",
        "amount": 10,
        "balance": 20,
        "rule": "upvote",
        "reason": by_event["points_changed"][-1]["reason"],
        "activity_key": "vote:2",
    } == by_event["points_changed"][-1]
    gold = {
        "user_id": author,
        "badge": "answerer",
        "level": 2,
        "rule": "answerer",
        "granted": True,
        "activity_key": "vote:2",
        "badge_name": "Answerer",
        "level_name": "Gold Answerer",
        "tier": "gold",
    }
    assert gold in by_event["badge_awarded"]
    assert by_event["badge_revoked"] == [
        {**gold, "granted": False, "rule": by_event["badge_revoked"][0]["rule"], "activity_key": "revoke:1"}
    ]
    assert by_event["role_granted"][0] | {"rule": "trusted"} == {
        "user_id": author,
        "role": "trusted",
        "rule": "trusted",
        "granted": True,
        "activity_key": "vote:2",
    }
    assert by_event["role_revoked"][0]["granted"] is False
    assert {
        "user_id": author,
        "point_type": "rep",
        "old_level": 1,
        "new_level": 2,
        "name": "Veteran",
        "activity_key": "vote:2",
    } in by_event["level_changed"]
    assert by_event["event_changed"] == [{"event_id": event.id, "title": "Meetup", "change": "created", "by": author}]
    assert {"event_id": event.id, "user_id": voter, "old_status": None, "new_status": "going", "by": voter} in by_event[
        "rsvp_changed"
    ]
    [mentorship] = by_event["mentorship_changed"]
    assert (mentorship["mentor"], mentorship["mentee"], mentorship["new_state"]) == (author, voter, "requested")
    assert all(row["status"] == "succeeded" for row in log(gk))


def test_a_dead_endpoint_never_affects_awards(gk: GuildKit, gk_members: Members) -> None:
    define_community(gk)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    create_endpoint(gk, dead, ["*"])
    author = gk_members("Ada")
    result = gk.record("answer.upvoted", actor=gk_members("Vic"), target=author, key="vote:1")
    assert result.points_for(author) == 10 and gk.balance(author, "rep") == 10
    deliver_due(gk)
    assert gk.balance(author, "rep") == 10
    assert {r["last_error"] for r in log(gk)} == {"connection refused"}


def test_a_broken_queue_is_a_recorded_hook_failure_not_a_lost_award(gk: GuildKit, gk_members: Members) -> None:
    define_community(gk)
    author = gk_members("Ada")
    create_endpoint(gk, "http://127.0.0.1:9/", ["*"])
    with gk.store.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE guildkit_webhooks_deliveries"))
    result = gk.record("answer.upvoted", actor=gk_members("Vic"), target=author, key="vote:1")
    assert result.points_for(author) == 10 and gk.balance(author, "rep") == 10
    failures = gk.session.scalars(sa.select(HookFailure)).all()
    assert failures and {f.plugin for f in failures} == {"guildkit_webhooks"}
