"""Deliveries as background jobs (``gk.jobs``, its default thread backend and inline): the host's
request never waits for an endpoint, the log stays honest about slow and dead endpoints, a
retry comes back on its own, and concurrent workers never send one delivery twice. The Celery
backend is tested with real workers in tests/test_jobs_celery.py."""

from __future__ import annotations

import json
import socket
import threading
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, jsonify
from guildkit import GuildKit
from guildkit.testing import Clock, Members, make_app

import guildkit_webhooks
from guildkit_webhooks import DELIVER, DELIVER_DUE, deliver_due
from guildkit_webhooks.admin import create_endpoint, list_deliveries
from guildkit_webhooks.outbox import enqueue_event
from guildkit_webhooks.tables import DELIVERIES
from guildkit_webhooks.testing import Receiver, poll, serve_receiver


@pytest.fixture
def gk_config() -> dict[str, Any]:
    return {
        "GUILDKIT_WEBHOOKS_WORKER": True,
        "GUILDKIT_JOBS_THREADS": 2,
        "GUILDKIT_WEBHOOKS_POLL_SECONDS": 0.2,
        "GUILDKIT_WEBHOOKS_TIMEOUT": 30.0,
        "GUILDKIT_WEBHOOKS_MAX_ATTEMPTS": 2,
    }


def only_row(gk: GuildKit) -> dict[str, Any]:
    items, _ = list_deliveries(gk)
    assert len(items) == 1, items
    return items[0]


def worker_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("guildkit-jobs-")]


def test_the_hosts_request_returns_while_the_endpoint_is_still_blocked(
    gk_app: Flask, gk: GuildKit, gk_members: Members
) -> None:
    with serve_receiver(hang=True) as receiver:
        create_endpoint(gk, receiver.url, ["member_joined"])

        @gk_app.post("/join/<user_id>")
        def join(user_id: str) -> Any:
            gk.join(user_id, name="Ada")
            return jsonify(joined=user_id)

        response = gk_app.test_client().post("/join/ada")
        assert response.status_code == 200 and response.get_json() == {"joined": "ada"}
        # The request is over; the endpoint has the delivery and is still holding it.
        assert receiver.arrived.wait(10)
        assert not receiver.answered.is_set() and not receiver.release.is_set()
        assert only_row(gk)["status"] == "delivering"
        receiver.release.set()
        row = poll(lambda: (r := only_row(gk))["status"] == "succeeded" and r)
        assert (row["attempts"], row["last_status_code"]) == (1, 200)


def test_a_slow_endpoint_is_logged_as_a_timeout_then_failed(
    gk_app: Flask, gk: GuildKit, gk_clock: Clock, gk_members: Members
) -> None:
    gk_app.config["GUILDKIT_WEBHOOKS_TIMEOUT"] = 0.3
    with serve_receiver(hang=True) as receiver:
        create_endpoint(gk, receiver.url, ["member_joined"])
        gk_members("Ada")
        first = poll(lambda: (r := only_row(gk))["status"] == "pending" and r["attempts"] == 1 and r)
        assert first["last_error"] == "timeout: no response within 0.3s" and first["last_status_code"] is None
        assert not receiver.release.is_set(), "the endpoint never answered"
        gk_clock.advance(hours=1)
        guildkit_webhooks.wake_worker()
        final = poll(lambda: (r := only_row(gk))["status"] == "failed" and r)
        assert final["attempts"] == 2 and final["last_error"].startswith("timeout")
        assert len(receiver.requests) == 2


def test_a_closed_port_fails_fast_and_honestly(gk: GuildKit, gk_clock: Clock, gk_members: Members) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    create_endpoint(gk, f"http://127.0.0.1:{port}/", ["member_joined"])
    gk_members("Ada")
    poll(lambda: only_row(gk)["attempts"] == 1 and only_row(gk)["status"] == "pending")
    gk_clock.advance(hours=1)
    guildkit_webhooks.wake_worker()
    row = poll(lambda: (r := only_row(gk))["status"] == "failed" and r)
    assert (row["attempts"], row["last_error"]) == (2, "connection refused")


def test_the_job_threads_start_on_the_first_delivery_and_stop(
    gk_app: Flask, gk: GuildKit, gk_members: Members, receiver: Receiver
) -> None:
    gk_members("Ada")  # no endpoint yet: nothing queued, nothing started
    assert gk.jobs.threads() == [] and worker_threads() == []
    create_endpoint(gk, receiver.url, ["member_joined"])
    gk_members("Bob")
    assert len(gk.jobs.threads()) == 2 and len(worker_threads()) == 2
    [got] = receiver.wait_for(1)
    assert json.loads(got.body)["event"] == "member_joined"
    assert gk.jobs.wait() and only_row(gk)["status"] == "succeeded"
    assert gk.jobs.stop()
    assert gk.jobs.threads() == [] and worker_threads() == []


def test_a_failed_attempt_comes_back_on_its_own_when_its_retry_is_due(
    gk_app: Flask, gk: GuildKit, receiver: Receiver
) -> None:
    gk.clock = lambda: datetime.now(UTC)  # the retry is due by the wall clock, as in production
    gk_app.config["GUILDKIT_WEBHOOKS_BACKOFF_BASE"] = 0.2
    receiver.fail_first = 1
    create_endpoint(gk, receiver.url, ["points_changed"])
    enqueue_event(gk, "points_changed", {"n": 1})
    first, second = receiver.wait_for(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    row = poll(lambda: (r := only_row(gk))["status"] == "succeeded" and r)
    assert (row["attempts"], row["last_status_code"]) == (2, 200)


@pytest.mark.parametrize("gk_backend", ["sqlite"])
def test_on_the_inline_backend_a_delivery_is_sent_before_enqueue_returns(
    gk_app: Flask, gk: GuildKit, gk_clock: Clock, receiver: Receiver
) -> None:
    gk_app.config["GUILDKIT_JOBS_BACKEND"] = "inline"
    receiver.fail_first = 1
    create_endpoint(gk, receiver.url, ["points_changed"])
    enqueue_event(gk, "points_changed", {"n": 1})
    # Sent (and failed) in the caller; the inline backend leaves the delayed retry to the
    # periodic job, which cron runs (`flask guildkit jobs run guildkit_webhooks.deliver_due`).
    assert len(receiver.requests) == 1 and only_row(gk)["status"] == "pending"
    assert gk.jobs.threads() == []
    gk_clock.advance(hours=1)
    assert gk.jobs.run(DELIVER_DUE) == 1
    assert only_row(gk)["status"] == "succeeded" and len(receiver.requests) == 2
    # Running the job for a finished delivery again changes nothing: it is safe to redeliver.
    delivery_id = receiver.requests[0].headers["webhook-id"]
    assert gk.jobs.run(DELIVER, delivery=delivery_id) is None
    assert len(receiver.requests) == 2 and only_row(gk)["attempts"] == 2


@pytest.mark.parametrize("gk_backend", ["sqlite"])
def test_the_jobs_and_the_periodic_drain_are_registered(gk_app: Flask, gk: GuildKit) -> None:
    assert {DELIVER, DELIVER_DUE} <= set(gk.jobs.registered())
    [drain] = [entry for entry in gk.jobs.schedule() if entry.job == DELIVER_DUE]
    assert drain.seconds == 0.2  # GUILDKIT_WEBHOOKS_POLL_SECONDS
    gk_app.config["GUILDKIT_WEBHOOKS_WORKER"] = False  # cron drains instead: nothing scheduled
    assert DELIVER_DUE not in {entry.job for entry in gk.jobs.schedule()}


@pytest.mark.parametrize("workers", [2, 4])
def test_concurrent_workers_never_send_a_delivery_twice(
    gk_app: Flask, gk: GuildKit, receiver: Receiver, workers: int
) -> None:
    gk_app.config["GUILDKIT_WEBHOOKS_WORKER"] = False
    create_endpoint(gk, receiver.url, ["points_changed"])
    for n in range(30):
        enqueue_event(gk, "points_changed", {"n": n})
    start = threading.Barrier(workers)
    made: list[int] = []
    errors: list[BaseException] = []

    def drain() -> None:
        try:
            with gk_app.app_context():
                start.wait(10)
                made.append(deliver_due(gk))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=drain) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(made) == 30
    sent = Counter(r.headers["webhook-id"] for r in receiver.wait_for(30))
    assert len(sent) == 30 and set(sent.values()) == {1}
    with gk.store.engine.connect() as conn:
        states = conn.execute(sa.select(DELIVERIES.c.status, DELIVERIES.c.attempts)).all()
    assert Counter(states) == {("succeeded", 1): 30}


def test_the_plugin_is_inert_until_configured(tmp_path: Any) -> None:
    before = worker_threads()
    with make_app("sqlite", tmp_path, plugins=(guildkit_webhooks,)) as (app, gk):
        gk.join("ada")
        gk.record("x.y", actor="ada", key="k1")
        assert worker_threads() == before == []
        assert list_deliveries(gk)[0] == []
        assert app.config["GUILDKIT_WEBHOOKS_WORKER"] is True
        anonymous = app.test_client().get("/guildkit/webhooks/endpoints")
        assert anonymous.status_code == 401
