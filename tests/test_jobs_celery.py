"""The Celery backend with real parts: a real redis-server (scripts/redis.sh exports
``GUILDKIT_TEST_REDIS_URL``), real worker and beat processes (``celery -A tests.jobs_celery_app
worker``, ``flask --app tests.jobs_celery_app guildkit worker|beat``), and real HTTP receivers on
127.0.0.1. The test and the workers share one database (SQLite file, or a PostgreSQL schema).

* a webhook and a chat message queued by the web process are sent by a worker;
* a worker killed with SIGKILL in the middle of a delivery loses nothing: restarted, it gets
  the message back from Redis (``acks_late``) and the delivery succeeds once, under one id;
* beat sends a periodic sweep, and a worker runs it.

Each test has its own queue and its own Redis key prefix, so nothing leaks between them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import guildkit_chat
import guildkit_webhooks
import pytest
import sqlalchemy as sa
from flask import Flask
from guildkit_webhooks import verify_signature
from guildkit_webhooks.admin import create_endpoint, list_deliveries
from guildkit_webhooks.testing import Receiver, poll, serve_receiver

from guildkit import GuildKit
from guildkit.testing import make_app, require_backend
from guildkit.trust.models import TrustSweep

ROOT = Path(__file__).parent.parent
REDIS_URL_ENV = "GUILDKIT_TEST_REDIS_URL"
#: Where tests/jobs_celery_app.py reads its config.
ENV = "GUILDKIT_TEST_JOBS_APP"
#: How long a worker may take to start and do what a test waits for.
PATIENCE = 45.0

pytestmark = pytest.mark.slow


def redis_url() -> str:
    url = os.environ.get(REDIS_URL_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{REDIS_URL_ENV} must be set in CI: run ./scripts/test.sh")
        pytest.skip(f"{REDIS_URL_ENV} is not set (scripts/redis.sh starts a server)")
    return url


class Process:
    """A worker or beat process in a session of its own, so SIGKILL reaches its pool too."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.popen = subprocess.Popen(
                args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def kill(self) -> None:
        """``kill -9`` the process and its children: no shutdown, no acknowledgement."""
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(30)


@dataclass
class World:
    """The web side (``app``, ``gk``) and a way to start worker processes on the same database."""

    app: Flask
    gk: GuildKit
    env: dict[str, str]
    tmp_path: Path
    prefix: str
    processes: list[Process]

    def start(self, *command: str) -> Process:
        python = str(Path(sys.executable))
        if command[0] == "celery":
            args = [python, "-m", "celery", "-A", "tests.jobs_celery_app:celery", *command[1:]]
        else:
            args = [python, "-m", "flask", "--app", "tests.jobs_celery_app", "guildkit", *command]
        if "worker" in command:
            args += ["--loglevel=INFO", "--concurrency=1", "--without-gossip", "--without-mingle"]
            args += ["--without-heartbeat", f"--hostname={uuid.uuid4().hex[:8]}@%h"]
        verb = "worker" if "worker" in command else "beat"
        process = Process(args, self.env, self.tmp_path / f"{verb}-{len(self.processes)}.log")
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(p.log.read_text(errors="replace")[-3000:] for p in self.processes)

    def redis(self) -> Any:
        import redis

        return redis.Redis.from_url(self.app.config["GUILDKIT_JOBS_BROKER_URL"])


@pytest.fixture
def slack() -> Iterator[Receiver]:
    with serve_receiver() as receiver:
        yield receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serve_receiver() as found:
        yield found


def celery_config(name: str) -> tuple[str, dict[str, Any]]:
    """A queue of its own (its name is also the Redis key prefix, plus ":") and the jobs settings
    for Celery workers that redeliver quickly what a dead worker held."""
    queue = f"guildkit-{name}-{uuid.uuid4().hex[:8]}"
    return queue, {
        "GUILDKIT_JOBS_BACKEND": "celery",
        "GUILDKIT_JOBS_BROKER_URL": redis_url(),
        "GUILDKIT_JOBS_CELERY": {
            "task_default_queue": queue,
            "broker_transport_options": {
                "global_keyprefix": f"{queue}:",
                # A message a dead worker held is handed out again after 2 s, looked for every second
                # (production keeps Redis's hour: the outbox rows, the periodic jobs cover the gap).
                "visibility_timeout": 2,
                "unacked_restore_interval": 1,
                "unacked_restore_throttle": 1,
            },
        },
    }


def world_for(backend: str, tmp_path: Path, slack: Receiver, extra: dict[str, Any]) -> Iterator[World]:
    require_backend(backend)
    queue, jobs = celery_config("test")
    prefix = f"{queue}:"
    config: dict[str, Any] = {
        **jobs,
        "GUILDKIT_WEBHOOKS_TIMEOUT": 2.0,
        "GUILDKIT_WEBHOOKS_LEASE_SECONDS": 3.0,
        "GUILDKIT_WEBHOOKS_BACKOFF_BASE": 0.5,
        "GUILDKIT_WEBHOOKS_POLL_SECONDS": 30.0,
        "GUILDKIT_CHAT_TARGETS": [{"platform": "slack", "url": slack.url, "events": ["member_joined"]}],
        **extra,
    }
    with make_app(backend, tmp_path, config=config, plugins=(guildkit_webhooks, guildkit_chat)) as (app, gk):
        shared = {k: app.config[k] for k in ("GUILDKIT_DATABASE_URI", "SQLALCHEMY_DATABASE_URI") if app.config.get(k)}
        if "SQLALCHEMY_DATABASE_URI" in shared:
            shared["SQLALCHEMY_ENGINE_OPTIONS"] = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        settings = {**config, **shared, "instance_path": str(tmp_path / "worker-instance")}
        path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        env = {**os.environ, ENV: json.dumps(settings), "PYTHONPATH": path}
        world = World(app, gk, env, tmp_path, prefix, [])
        try:
            yield world
        finally:
            # Before the database goes away (the PostgreSQL schema is dropped on exit).
            for process in world.processes:
                process.kill()  # a warm shutdown takes seconds; the queue is thrown away below
            client = world.redis()
            client.delete(*(client.keys(f"{prefix}*") or [b"-"]))
            client.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path: Path, slack: Receiver) -> Iterator[World]:
    yield from world_for(str(request.param), tmp_path, slack, {})


def only_webhook(gk: GuildKit) -> dict[str, Any]:
    [row] = list_deliveries(gk, source="webhook")[0]
    return row


def test_a_webhook_and_a_chat_message_are_sent_by_a_celery_worker(
    world: World, receiver: Receiver, slack: Receiver
) -> None:
    gk = world.gk
    endpoint = create_endpoint(gk, receiver.url, ["member_joined"])
    world.start("worker")  # flask --app … guildkit worker
    gk.join("ada", name="Ada")
    # The web process queued messages and sent nothing itself: no threads, no HTTP.
    assert gk.jobs.threads() == []
    [hook] = receiver.wait_for(1, timeout=PATIENCE)
    assert verify_signature(endpoint["secret"], hook.headers, hook.body) == hook.headers["webhook-id"]
    assert json.loads(hook.body)["data"]["user_id"] == "ada"
    [chat] = slack.wait_for(1, timeout=PATIENCE)
    assert json.loads(chat.body)["text"] == "Welcome Ada to the community!"
    rows = poll(lambda: (items := list_deliveries(gk)[0]) and all(r["status"] == "succeeded" for r in items) and items)
    assert sorted((r["source"], r["attempts"]) for r in rows) == [("chat:slack", 1), ("webhook", 1)]


def test_a_worker_killed_mid_delivery_loses_nothing_and_it_succeeds_once(world: World, receiver: Receiver) -> None:
    gk = world.gk
    receiver.hang = True  # the first request is held open: the worker is mid-send
    create_endpoint(gk, receiver.url, ["member_joined"])
    gk.join("bob", name="Bob")
    worker = world.start("celery", "worker")
    assert receiver.arrived.wait(PATIENCE), world.logs()
    worker.kill()
    receiver.hang = False
    receiver.release.set()
    row = only_webhook(gk)
    assert (row["status"], row["attempts"]) == ("delivering", 1), "the killed worker recorded nothing"
    unacked = world.prefix + "unacked"
    assert world.redis().hlen(unacked) == 1, "the message stayed with the broker, unacknowledged"

    world.start("celery", "worker")  # the restart
    row = poll(lambda: (r := only_webhook(gk))["status"] == "succeeded" and r, timeout=PATIENCE)
    assert (row["attempts"], row["last_status_code"]) == (2, 200)
    # Every message is acknowledged in the end, and nothing is sent again.
    poll(lambda: world.redis().hlen(unacked) == 0, timeout=PATIENCE)
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == row["delivery_id"]
    assert len(receiver.requests) == 2


@pytest.fixture
def sweeping(tmp_path: Path, slack: Receiver) -> Iterator[World]:
    """A world where beat sends the trust sweep every second."""
    yield from world_for("sqlite", tmp_path, slack, {"GUILDKIT_JOBS_SCHEDULE": {"guildkit.trust.sweep": 1.0}})


def test_beat_sends_a_periodic_sweep_and_a_worker_runs_it(sweeping: World) -> None:
    gk = sweeping.gk
    gk.record("post.created", key="p1", actor="cy")
    sweeping.start("celery", "worker")
    sweeping.start("beat", "--loglevel=INFO")  # flask --app … guildkit beat
    sweeps = sa.select(TrustSweep.evaluated).order_by(TrustSweep.id)

    def swept_twice() -> list[int]:
        with gk.store.engine.connect() as conn:
            found = list(conn.execute(sweeps).scalars())
        return found if len(found) >= 2 else []

    evaluated = poll(swept_twice, timeout=PATIENCE)
    # The first sweep evaluated the member who was active; the next found nothing new.
    assert evaluated[:2] == [1, 0], sweeping.logs()
