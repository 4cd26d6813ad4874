"""Async ingestion (guildkit.ingest): ``gk.record(..., wait=False)`` and ``POST /activities`` with
``Prefer: respond-async`` store the activity in one insert; the drain records it exactly once.

Most tests pause the wake-up (``paused``) so rows stay pending until the test drains them; the
backend tests let the inline and thread backends drain on their own, and the Celery test (slow,
real Redis and worker) lets a worker do it.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import Accepted, AsyncUnavailable, GuildKit, IdempotencyConflict, ValidationError
from guildkit.ingest import inbox
from guildkit.ingest.models import InboxEntry
from guildkit.models import Activity, LedgerEntry
from guildkit.testing import make_app
from tests.plugins import qa_rules
from tests.webclient import API_PREFIX, Api, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

ASYNC = {"Prefer": "respond-async"}


def vote(n: int, target: str = "ann") -> dict[str, Any]:
    return {"actor": f"v{n}", "target": target, "subject": f"answer:{n}"}


@pytest.fixture
def paused(monkeypatch: pytest.MonkeyPatch) -> None:
    """No drain is queued: accepted rows wait until the test drains them."""
    monkeypatch.setattr("guildkit.ingest.wake", lambda gk: None)


@pytest.fixture
def api(gk_app: Flask, gk: GuildKit) -> Api:
    client = mount(gk_app, gk)
    tokens = {
        "ingest": gk.tokens.create(None, "ingest", ["activities.write"])[0],
        "reader": gk.tokens.create(None, "reader", ["members.read_private"])[0],
    }
    return Api(client, tokens)


def reputation(gk: GuildKit, user: str = "ann") -> int:
    gk.session.expire_all()
    return gk.balances_of([user], "reputation").get(user, 0)


def inbox_rows(gk: GuildKit) -> list[Any]:
    with gk.store.engine.connect() as conn:
        return list(conn.execute(sa.select(InboxEntry.key, InboxEntry.status, InboxEntry.error_code)))


def count(gk: GuildKit, model: type[Any]) -> int:
    with gk.store.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(model)).scalar_one())


# -- the Python API ------------------------------------------------------------------------


@pytest.mark.usefixtures("paused")
def test_wait_false_stores_the_activity_and_the_drain_records_it(gk: GuildKit) -> None:
    accepted = gk.record("answer.upvoted", key="up:1", wait=False, **vote(1))
    assert isinstance(accepted, Accepted)
    assert (accepted.key, accepted.status, accepted.pending) == ("up:1", "pending", True)
    assert accepted.accepted_at == gk.clock()
    assert count(gk, Activity) == 0 and reputation(gk) == 0
    assert gk.ingest.counts() == {"pending": 1, "failed": 0}

    assert gk.ingest.drain().out() == {"recorded": 1, "failed": 0, "batches": 1, "more": False}
    status = gk.ingest.status("up:1")
    assert status is not None and status.status == "recorded"
    assert status.result is not None and status.result.points_for("ann") == 10
    assert reputation(gk) == 10
    assert inbox_rows(gk) == []
    assert gk.ingest.status("nope") is None


@pytest.mark.usefixtures("paused")
def test_wait_false_validates_exactly_as_the_synchronous_call(gk: GuildKit) -> None:
    with pytest.raises(ValidationError) as sync_error:
        gk.record("Bad Type", key="x", actor="a")
    with pytest.raises(ValidationError) as async_error:
        gk.record("Bad Type", key="x", actor="a", wait=False)
    assert type(async_error.value) is type(sync_error.value)
    assert str(async_error.value) == str(sync_error.value)
    assert inbox_rows(gk) == []


@pytest.mark.usefixtures("paused")
def test_the_same_key_twice_async_is_one_row_and_a_no_op(gk: GuildKit) -> None:
    first = gk.record("answer.upvoted", key="up:1", wait=False, **vote(1))
    again = gk.record("answer.upvoted", key="up:1", wait=False, **vote(1))
    assert again.status == "pending" and again.accepted_at == first.accepted_at
    assert inbox_rows(gk) == [("up:1", "pending", None)]
    with pytest.raises(IdempotencyConflict) as conflict:
        gk.record("answer.upvoted", key="up:1", wait=False, **vote(1, target="bob"))
    assert conflict.value.differences == ["target"]
    gk.ingest.drain()
    assert reputation(gk) == 10 and reputation(gk, "bob") == 0
    # Once recorded, the same key again answers with the stored result, as a replay.
    replay = gk.record("answer.upvoted", key="up:1", wait=False, **vote(1))
    assert replay.status == "recorded" and replay.result is not None and replay.result.duplicate
    assert inbox_rows(gk) == []


@pytest.mark.usefixtures("paused")
def test_sync_then_async_returns_the_stored_result_and_conflicts_like_sync(gk: GuildKit) -> None:
    recorded = gk.record("answer.upvoted", key="up:1", **vote(1))
    accepted = gk.record("answer.upvoted", key="up:1", wait=False, **vote(1))
    assert accepted.status == "recorded" and accepted.result is not None
    assert accepted.result.activity_id == recorded.activity_id and accepted.result.duplicate
    assert accepted.result.points == recorded.points
    with pytest.raises(IdempotencyConflict):
        gk.record("answer.upvoted", key="up:1", wait=False, **vote(1, target="bob"))
    assert inbox_rows(gk) == [] and reputation(gk) == 10


@pytest.mark.usefixtures("paused")
def test_async_then_sync_records_once(gk: GuildKit) -> None:
    gk.record("answer.upvoted", key="up:1", wait=False, **vote(1))
    recorded = gk.record("answer.upvoted", key="up:1", **vote(1))
    assert recorded.duplicate is False  # the synchronous call records it now
    assert gk.ingest.drain().recorded == 1  # and the drain finds a replay: nothing is given twice
    assert reputation(gk) == 10 and count(gk, LedgerEntry) == 1
    assert inbox_rows(gk) == []


@pytest.mark.usefixtures("paused")
def test_a_row_that_fails_is_marked_failed_and_the_others_are_recorded(gk: GuildKit) -> None:
    for n in range(5):
        gk.record("answer.upvoted", key=f"up:{n}", wait=False, **vote(n))
    # The same key recorded meanwhile with other content: recording the inbox row is a conflict.
    gk.record("answer.upvoted", key="up:2", **vote(2, target="bob"))
    report = gk.ingest.drain()
    assert (report.recorded, report.failed) == (4, 1)
    assert inbox_rows(gk) == [("up:2", "failed", "idempotency_conflict")]
    assert reputation(gk) == 40 and reputation(gk, "bob") == 10
    failed = gk.ingest.status("up:2")
    assert failed is not None and failed.status == "failed" and failed.error_code == "idempotency_conflict"
    assert failed.error is not None and "target" in failed.error
    # Sent again with the same content it stays failed (no second attempt on its own) ...
    assert gk.record("answer.upvoted", key="up:2", wait=False, **vote(2)).status == "failed"
    # ... until it is retried (here it fails again: the conflict is for good).
    assert gk.ingest.retry(["up:2"]) == 1
    assert gk.ingest.drain().failed == 1
    assert gk.ingest.counts() == {"pending": 0, "failed": 1}


class Crash(BaseException):
    """A process dying in the middle of a drain: nothing after it runs, not even except clauses."""


@pytest.mark.usefixtures("paused")
def test_a_drain_that_dies_mid_transaction_leaves_the_rows_pending(
    gk: GuildKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        gk.record("answer.upvoted", key=f"up:{n}", wait=False, **vote(n))

    def die(conn: sa.Connection, ids: list[int]) -> None:
        raise Crash  # after the pipeline recorded the batch, before the rows are removed

    with monkeypatch.context() as patch:
        patch.setattr(inbox, "remove", die)
        with pytest.raises(Crash):
            gk.ingest.drain()
    assert count(gk, Activity) == 0 and count(gk, LedgerEntry) == 0 and reputation(gk) == 0
    assert gk.ingest.counts() == {"pending": 3, "failed": 0}
    assert gk.ingest.drain().recorded == 3
    assert reputation(gk) == 30 and count(gk, LedgerEntry) == 3


@pytest.mark.usefixtures("paused")
def test_hooks_and_signals_fire_after_the_drain_commits(gk: GuildKit) -> None:
    from guildkit import signals

    seen: list[str] = []

    def recorded(sender: GuildKit, activity: Any, result: Any) -> None:
        seen.append(activity.key)

    signals.activity_recorded.connect(recorded)
    try:
        gk.record("answer.upvoted", key="up:1", wait=False, **vote(1))
        assert seen == []
        gk.ingest.drain()
        assert seen == ["up:1"]
    finally:
        signals.activity_recorded.disconnect(recorded)


def test_the_drain_records_in_batches(gk: GuildKit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("guildkit.ingest.wake", lambda gk: None)
    for n in range(7):
        gk.record("answer.upvoted", key=f"up:{n}", wait=False, **vote(n))
    assert gk.ingest.drain(batch_size=3).out() == {"recorded": 7, "failed": 0, "batches": 3, "more": False}
    for n in range(4):
        gk.record("answer.upvoted", key=f"more:{n}", wait=False, **vote(n + 10))
    partial = gk.ingest.drain(batch_size=2, budget=0)
    assert (partial.recorded, partial.more) == (2, True)
    assert gk.ingest.counts()["pending"] == 2


def test_concurrent_drains_record_every_activity_exactly_once(
    gk_app: Flask, gk: GuildKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("guildkit.ingest.wake", lambda gk: None)
    total = 120
    for n in range(total):
        gk.record("answer.upvoted", key=f"up:{n}", wait=False, actor=f"v{n}", target=f"t{n % 6}", subject=f"a:{n}")
    errors: list[BaseException] = []
    reports: list[int] = []
    start = threading.Barrier(4)

    def drainer() -> None:
        try:
            with gk_app.app_context():
                start.wait()
                reports.append(gk.ingest.drain(batch_size=7).recorded)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=drainer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert sum(reports) == total
    assert count(gk, Activity) == total and count(gk, LedgerEntry) == total
    assert sum(reputation(gk, f"t{k}") for k in range(6)) == 10 * total
    assert gk.ingest.counts() == {"pending": 0, "failed": 0}


# -- the job backends ----------------------------------------------------------------------


@pytest.mark.parametrize("gk_config", [{"GUILDKIT_JOBS_BACKEND": "inline"}])
def test_with_the_inline_backend_the_activity_is_recorded_before_the_call_returns(gk: GuildKit) -> None:
    gk.record("answer.upvoted", key="up:1", wait=False, **vote(1))
    assert reputation(gk) == 10 and inbox_rows(gk) == []


@pytest.mark.parametrize("gk_config", [{"GUILDKIT_JOBS_BACKEND": "thread", "GUILDKIT_INGEST_WAKE_SECONDS": 0.02}])
def test_with_the_thread_backend_a_background_drain_records_them(gk: GuildKit) -> None:
    try:
        for n in range(30):
            gk.record("answer.upvoted", key=f"up:{n}", wait=False, actor=f"v{n}", target="ann", subject=f"a:{n}")
        # The drain is queued a few milliseconds ahead: wait for the inbox, not for the queue.
        deadline = time.monotonic() + 30
        while gk.ingest.counts()["pending"] and time.monotonic() < deadline:
            time.sleep(0.01)
        assert gk.jobs.wait(30)
        assert gk.ingest.counts() == {"pending": 0, "failed": 0}
        assert count(gk, LedgerEntry) == 30
    finally:
        gk.jobs.stop()


def test_the_drain_job_is_registered_and_scheduled(gk: GuildKit) -> None:
    assert "guildkit.ingest.drain" in gk.jobs.registered()
    assert "guildkit.ingest.drain" in {p.job for p in gk.jobs.schedule()}


def test_switched_off_wait_false_is_a_clear_error(tmp_path: Path) -> None:
    with make_app("sqlite", tmp_path, config={"GUILDKIT_PLUGINS_DENY": ["guildkit.ingest"]}) as (_, gk):
        with pytest.raises(AsyncUnavailable, match=r"guildkit\.ingest"):
            gk.record("answer.posted", key="p1", actor="ann", wait=False)
        assert gk.record("answer.posted", key="p1", actor="ann").duplicate is False
        assert "guildkit_ingest_inbox" not in sa.inspect(gk.store.engine).get_table_names()


# -- the HTTP API ----------------------------------------------------------------------------


@pytest.mark.usefixtures("paused")
def test_post_with_prefer_respond_async_answers_202_with_a_status_url(api: Api, gk: GuildKit) -> None:
    body = {"type": "answer.upvoted", **vote(1)}
    response = api.call("POST", "/activities", token="ingest", body=body, headers={"Idempotency-Key": "up:1", **ASYNC})
    assert response.status_code == 202, response.get_data(as_text=True)
    assert response.headers["Preference-Applied"] == "respond-async"
    accepted = response.get_json()
    assert accepted["status"] == "pending" and accepted["key"] == "up:1"
    assert accepted["result"] is None and accepted["error"] is None
    assert response.headers["Location"] == accepted["status_url"]
    assert accepted["status_url"].endswith(API_PREFIX + "/activities/up:1")
    status_path = accepted["status_url"].split(API_PREFIX, 1)[1]

    assert api.ok("GET", status_path, token="ingest")["status"] == "pending"
    gk.ingest.drain()
    recorded = api.ok("GET", status_path, token="ingest")
    assert recorded["status"] == "recorded" and recorded["error"] is None
    # The result is what the synchronous call answers.
    sync = api.ok("POST", "/activities", token="ingest", status=201, body={**body, "key": "up:1"})
    assert recorded["result"] == {**sync, "duplicate": False}


@pytest.mark.usefixtures("paused")
def test_status_of_failed_sync_recorded_and_unknown_keys(api: Api, gk: GuildKit) -> None:
    api.ok("POST", "/activities", token="ingest", status=201, body={"type": "answer.upvoted", "key": "s:1", **vote(1)})
    assert api.ok("GET", "/activities/s:1", token="ingest")["status"] == "recorded"
    api.ok(
        "POST",
        "/activities",
        token="ingest",
        status=202,
        body={"type": "answer.upvoted", "key": "c:1", **vote(2)},
        headers=ASYNC,
    )
    gk.record("answer.upvoted", key="c:1", **vote(2, target="bob"))
    gk.ingest.drain()
    failed = api.ok("GET", "/activities/c:1", token="ingest")
    assert failed["status"] == "failed" and failed["error"]["code"] == "idempotency_conflict"
    assert api.problem("GET", "/activities/nope", 404, token="ingest")["code"] == "unknown_activity"
    assert api.problem("GET", "/activities/s:1", 403, token="reader")["code"] == "forbidden"
    assert api.problem("GET", "/activities/s:1", 401)["code"] == "unauthorized"


@pytest.mark.usefixtures("paused")
def test_async_post_conflicts_and_validation_errors_are_the_synchronous_ones(api: Api, gk: GuildKit) -> None:
    body = {"type": "answer.upvoted", "key": "up:1", **vote(1)}
    api.ok("POST", "/activities", token="ingest", status=202, body=body, headers=ASYNC)
    again = api.ok("POST", "/activities", token="ingest", status=202, body=body, headers=ASYNC)
    assert again["status"] == "pending"
    conflict = api.problem("POST", "/activities", 409, token="ingest", body={**body, "target": "bob"}, headers=ASYNC)
    assert conflict["code"] == "idempotency_conflict"
    invalid = api.call(
        "POST", "/activities", token="ingest", body={"type": "answer.upvoted", "key": "x"}, headers=ASYNC
    )
    problem(invalid, 422, "actor")
    assert inbox_rows(gk) == [("up:1", "pending", None)]


def test_prefer_with_other_preferences_and_without_async(
    api: Api, gk: GuildKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("guildkit.ingest.wake", lambda gk: None)
    body = {"type": "answer.upvoted", **vote(1)}
    mixed = {"Prefer": "return=minimal, RESPOND-ASYNC; foo=bar, wait=5"}
    api.ok("POST", "/activities", token="ingest", status=202, body={**body, "key": "a"}, headers=mixed)
    plain = api.call("POST", "/activities", token="ingest", body={**body, "key": "b"}, headers={"Prefer": "wait=5"})
    assert plain.status_code == 201 and "Preference-Applied" not in plain.headers


def test_switched_off_the_api_records_respond_async_requests_at_once(tmp_path: Path) -> None:
    config = {"GUILDKIT_PLUGINS_DENY": ["guildkit.ingest"]}
    with make_app("sqlite", tmp_path, config=config, plugins=(qa_rules,)) as (app, gk):
        api = Api(mount(app, gk), {"ingest": gk.tokens.create(None, "ingest", ["activities.write"])[0]})
        body = {"type": "answer.upvoted", "key": "up:1", **vote(1)}
        response = api.call("POST", "/activities", token="ingest", body=body, headers=ASYNC)
        assert response.status_code == 201 and "Preference-Applied" not in response.headers
        assert response.get_json()["points"][0]["amount"] == 10
        # The status route is the core's: a key recorded synchronously is found there.
        assert api.ok("GET", "/activities/up:1", token="ingest")["status"] == "recorded"


def test_the_openapi_document_declares_the_202_and_the_status_route(api: Api) -> None:
    document = api.client.get(API_PREFIX + "/openapi.json").get_json()
    post = document["paths"][API_PREFIX + "/activities"]["post"]
    assert set(post["responses"]["202"]["headers"]) == {"Location", "Preference-Applied"}
    assert "Prefer" in {p["name"] for p in post["parameters"] if p["in"] == "header"}
    assert "200" in document["paths"][API_PREFIX + "/activities/{key}"]["get"]["responses"]


# -- the hooks -------------------------------------------------------------------------------


def test_guildkit_accept_activity_and_guildkit_lookup_accepted_can_come_from_any_plugin(tmp_path: Path) -> None:
    from guildkit import hookimpl

    taken: dict[str, Accepted] = {}

    class Elsewhere:
        """A plugin that keeps accepted activities somewhere else (a queue of its own)."""

        @hookimpl(tryfirst=True)
        def guildkit_accept_activity(self, gk: GuildKit, activity: Any) -> Accepted:
            taken[activity.key] = Accepted(activity.key, "pending", accepted_at=activity.occurred_at)
            return taken[activity.key]

        @hookimpl(tryfirst=True)
        def guildkit_lookup_accepted(self, gk: GuildKit, key: str) -> Accepted | None:
            return taken.get(key)

    with make_app("sqlite", tmp_path, plugins=(Elsewhere(),)) as (app, gk):
        accepted = gk.record("answer.posted", key="p1", actor="ann", wait=False)
        assert accepted is taken["p1"] and inbox_rows(gk) == []
        api = Api(mount(app, gk), {"ingest": gk.tokens.create(None, "ingest", ["activities.write"])[0]})
        assert api.ok("GET", "/activities/p1", token="ingest")["status"] == "pending"


def test_an_error_in_guildkit_accept_activity_reaches_the_caller(tmp_path: Path) -> None:
    from guildkit import hookimpl

    class Broken:
        @hookimpl(tryfirst=True)
        def guildkit_accept_activity(self, gk: GuildKit, activity: Any) -> Accepted:
            raise RuntimeError("the queue is down")

    with (
        make_app("sqlite", tmp_path, plugins=(Broken(),)) as (_, gk),
        pytest.raises(RuntimeError, match="the queue is down"),
    ):
        gk.record("answer.posted", key="p1", actor="ann", wait=False)


# -- Celery: a real Redis and worker -------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_celery_worker_drains_what_the_web_process_accepted(backend: str, tmp_path: Path) -> None:
    from guildkit_webhooks.testing import poll, serve_receiver

    from tests.test_jobs_celery import PATIENCE, world_for

    with serve_receiver() as slack:
        worlds = world_for(backend, tmp_path, slack, {"GUILDKIT_INGEST_WAKE_SECONDS": 0.02})
        world = next(worlds)
        try:
            gk = world.gk
            world.start("worker")
            for n in range(40):
                gk.record("post.created", key=f"p:{n}", wait=False, actor=f"m{n % 4}")
            # The web process only inserted and queued drains: no job thread, nothing recorded here.
            assert gk.jobs.threads() == []
            poll(lambda: gk.ingest.counts() == {"pending": 0, "failed": 0}, timeout=PATIENCE)
            assert count(gk, Activity) == 40, world.logs()
            status = gk.ingest.status("p:7")
            assert status is not None and status.status == "recorded"
        finally:
            worlds.close()
