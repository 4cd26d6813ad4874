"""Beyond one machine, simulated on loopback (docs/scaling.md): two web servers and two Celery
workers on one PostgreSQL schema and one Redis, with concurrent ingestion and a worker killed
mid-drain, then exact totals.

* Two ``gunicorn`` servers (one gthread process each, on their own ports: two machines behind a
  load balancer) serve tests/scale_out_app.py with ``GUILDKIT_JOBS_BACKEND = "celery"``; two
  ``flask guildkit worker`` processes drain the ingest inbox. Nothing is shared but the
  database and the broker.
* Client threads send, at the same time: synchronous ``POST /activities``, asynchronous ones
  (``Prefer: respond-async``), the same keys to both servers at once (sync and sync, async and
  async, and mixed), and batches that repeat keys also sent one by one.
* One worker is the victim: it stalls inside its first recording transaction (its rows claimed
  and locked, its activities inserted but not committed) and is killed with SIGKILL there. Its
  rows stay pending, its message stays unacknowledged in Redis (``acks_late``), and the other
  worker and a restarted one record them.
* When the inbox and the queue are empty: one activity per distinct key, one set of ledger rows
  per activity, ledger sums equal to balances equal to what the rule set gives the keys sent, one
  badge award per member who earned it, the leaderboard histogram equal to the balances, and
  every key sent asynchronously "recorded".
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import sys
import threading
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from guildkit_webhooks.testing import poll

from guildkit import GuildKit
from guildkit.ingest.models import InboxEntry
from guildkit.models import Activity, BadgeAward, Balance, LedgerEntry, Member
from guildkit.models.scores import ScoreCount
from guildkit.testing import make_app, require_backend
from tests import scale_out_app
from tests.scale_out_app import BADGE, POINTS, PREFIX
from tests.test_jobs_celery import PATIENCE, ROOT, Process, celery_config

pytestmark = pytest.mark.slow

API = PREFIX + "/api"
ASYNC = {"Prefer": "respond-async"}
#: How the same key goes to server 0 and server 1 at once, in turn.
PAIRS = [("sync", "sync"), ("async", "async"), ("sync", "async"), ("async", "sync")]
USERS = [f"u{n}" for n in range(12)]
TYPES = sorted(POINTS)


def content(key: str) -> dict[str, Any]:
    """The activity a key stands for: always the same, so every resend is a replay, never a conflict."""
    h = zlib.crc32(key.encode())
    actor = h // 3 % len(USERS)
    target = (actor + 1 + h // 36 % (len(USERS) - 1)) % len(USERS)
    return {
        "type": TYPES[h % len(TYPES)],
        "key": key,
        "actor": USERS[actor],
        "target": USERS[target],
        "subject": f"answer:{h % 1000}",
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the cluster ---------------------------------------------------------------------------


@dataclass
class Cluster:
    """The processes of a deployment, on one PostgreSQL schema and one Redis."""

    gk: GuildKit
    env: dict[str, str]
    tmp_path: Path
    broker: str
    prefix: str
    queue: str
    processes: list[Process] = field(default_factory=list)

    def _start(self, name: str, args: list[str], env: dict[str, str] | None = None) -> Process:
        process = Process(args, {**self.env, **(env or {})}, self.tmp_path / f"{name}.log")
        self.processes.append(process)
        return process

    def serve(self, name: str) -> int:
        """A gunicorn server (one gthread process), on a port of its own; returns the port."""
        port = free_port()
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        args = [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-class", "gthread"]
        args += ["--threads", "4", "--timeout", "120", "--keep-alive", "75", "--no-control-socket"]
        args.append("tests.scale_out_app:create_app()")
        self._start(name, args)
        return port

    def worker(self, name: str, env: dict[str, str] | None = None) -> Process:
        """``flask guildkit worker`` with one pool process."""
        args = [sys.executable, "-m", "flask", "--app", "tests.scale_out_app:create_app()", "guildkit", "worker"]
        args += ["--loglevel=INFO", "--concurrency=1", "--without-gossip", "--without-mingle"]
        args += ["--without-heartbeat", f"--hostname={name}-{uuid.uuid4().hex[:6]}@%h"]
        return self._start(name, args, env)

    def logs(self) -> str:
        return "\n".join(f"== {p.log.name}\n" + p.log.read_text(errors="replace")[-3000:] for p in self.processes)

    def redis(self) -> Any:
        import redis

        return redis.Redis.from_url(self.broker)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    require_backend("postgresql")  # SKIP LOCKED, row locks, several processes: PostgreSQL only
    queue, jobs = celery_config("scale")
    prefix = f"{queue}:"
    config: dict[str, Any] = {**jobs, "GUILDKIT_INGEST_WAKE_SECONDS": 0.02}
    with make_app("postgresql", tmp_path, config=config, plugins=(scale_out_app.Rules(),)) as (app, gk):
        shared = {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_ENGINE_OPTIONS")}
        settings = {**config, **shared, "instance_path": str(tmp_path / "server-instance")}
        path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        env = {**os.environ, scale_out_app.ENV: json.dumps(settings), "PYTHONPATH": path}
        env.pop(scale_out_app.STALL_ENV, None)
        found = Cluster(gk, env, tmp_path, config["GUILDKIT_JOBS_BROKER_URL"], prefix, queue)
        try:
            yield found
        finally:
            # Every process, even on failure, before the schema is dropped; then the queue.
            for process in found.processes:
                process.kill()
            client = found.redis()
            client.delete(*(client.keys(f"{prefix}*") or [b"-"]))
            client.close()


# -- the clients ---------------------------------------------------------------------------


@dataclass
class Sent:
    """What one request sent and got back."""

    keys: list[str]
    mode: str  # "sync", "async" or "batch"
    server: int
    status: int
    body: Any


class Clients:
    """Keep-alive HTTP connections per thread and server; every request and answer is kept."""

    def __init__(self, ports: list[int], token: str) -> None:
        self.ports = ports
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.sent: list[Sent] = []
        self._lock = threading.Lock()
        self._local = threading.local()
        self._opened: list[http.client.HTTPConnection] = []

    def _connection(self, server: int) -> http.client.HTTPConnection:
        connections: dict[int, http.client.HTTPConnection] = self._local.__dict__.setdefault("connections", {})
        if server not in connections:
            connections[server] = http.client.HTTPConnection("127.0.0.1", self.ports[server], timeout=PATIENCE)
            with self._lock:
                self._opened.append(connections[server])
        return connections[server]

    def request(
        self, server: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body)
        for attempt in (1, 2):
            conn = self._connection(server)
            try:
                conn.request(method, path, body=data, headers={**self.headers, **(headers or {})})
                response = conn.getresponse()
            except OSError as exc:
                conn.close()
                del self._local.connections[server]
                if attempt == 2 or isinstance(exc, ConnectionRefusedError):
                    raise
                # The server closed an idle keep-alive connection: send again on a new one, which
                # is safe because every request carries its activity's key (what a client does).
                continue
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
        raise AssertionError("unreachable")

    def send(self, server: int, activity: dict[str, Any], mode: str) -> Sent:
        status, body = self.request(server, "POST", API + "/activities", activity, ASYNC if mode == "async" else None)
        return self._keep(Sent([activity["key"]], mode, server, status, body))

    def batch(self, server: int, activities: list[dict[str, Any]]) -> Sent:
        status, body = self.request(server, "POST", API + "/activities/batch", {"activities": activities})
        return self._keep(Sent([a["key"] for a in activities], "batch", server, status, body))

    def _keep(self, sent: Sent) -> Sent:
        with self._lock:
            self.sent.append(sent)
        return sent

    def close(self) -> None:
        for conn in self._opened:
            conn.close()


def wait_until_serving(clients: Clients, cluster: Cluster) -> None:
    def serving() -> bool:
        for server in range(len(clients.ports)):
            try:
                status, _ = clients.request(server, "GET", API + "/activities/nobody-sent-this")
            except ConnectionRefusedError:  # not listening yet
                return False
            assert status == 404, cluster.logs()
        return True

    try:
        poll(serving, timeout=PATIENCE, interval=0.2)
    except AssertionError:
        pytest.fail("gunicorn did not start:\n" + cluster.logs())


def run_threads(targets: list[Callable[[], None]]) -> tuple[list[threading.Thread], list[BaseException]]:
    errors: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> None:
        try:
            target()
        except BaseException as exc:  # surfaced by the test, with the servers' logs
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(t,), daemon=True) for t in targets]
    for thread in threads:
        thread.start()
    return threads, errors


# -- the test ------------------------------------------------------------------------------


def workload(clients: Clients, marker: Path) -> list[Callable[[], None]]:
    """What the client threads send, all at once; each key's content is :func:`content`."""

    def sync_stream(i: int) -> None:
        for n in range(40):
            clients.send(n % 2, content(f"s{i}-{n}"), "sync")

    def async_stream(i: int) -> None:
        for n in range(120):
            clients.send((n + i) % 2, content(f"a{i}-{n}"), "async")

    barrier = threading.Barrier(2)

    def pair_stream(server: int) -> None:
        # The same key to both servers at the same moment, as a client retrying through a load balancer.
        for n in range(40):
            barrier.wait(PATIENCE)
            clients.send(server, content(f"d-{n}"), PAIRS[n % 4][server])

    def batch_stream() -> None:
        # Batches repeat keys the first async stream sends one by one.
        for b in range(4):
            items = [content(f"b{b}-{n}") for n in range(30)] + [content(f"a0-{b * 10 + n}") for n in range(10)]
            clients.batch(b % 2, items)

    def feeder() -> None:
        # More asynchronous work until the victim has stalled in a drain of its own.
        n = 0
        while not marker.exists() and n < 2000:
            clients.send(n % 2, content(f"f-{n}"), "async")
            n += 1

    return [
        lambda: sync_stream(0),
        lambda: sync_stream(1),
        lambda: async_stream(0),
        lambda: async_stream(1),
        lambda: pair_stream(0),
        lambda: pair_stream(1),
        batch_stream,
        feeder,
    ]


def test_two_web_servers_and_two_workers_record_every_key_exactly_once(cluster: Cluster) -> None:
    gk = cluster.gk
    token = gk.tokens.create(None, "scale-out", ["activities.write"])[0]
    gk.store.remove_session()
    marker = cluster.tmp_path / "victim-stalled.json"
    ports = [cluster.serve("web-0"), cluster.serve("web-1")]
    victim = cluster.worker("victim", {scale_out_app.STALL_ENV: str(marker)})
    cluster.worker("worker-1")
    clients = Clients(ports, token)
    try:
        wait_until_serving(clients, cluster)
        workers = cluster.processes[2:]
        poll(lambda: all(" ready." in w.log.read_text(errors="replace") for w in workers), timeout=PATIENCE)

        started = time.monotonic()
        threads, errors = run_threads(workload(clients, marker))

        # The victim is mid-drain: its transaction inserted activities and holds their inbox rows.
        poll(marker.exists, timeout=PATIENCE, interval=0.01)
        held: list[str] = json.loads(marker.read_text())["keys"]
        with gk.store.engine.connect() as conn:
            visible = set(conn.execute(sa.select(Activity.key).where(Activity.key.in_(held))).scalars())
            pending = set(
                conn.execute(
                    sa.select(InboxEntry.key).where(InboxEntry.key.in_(held), InboxEntry.status == "pending")
                ).scalars()
            )
        assert held and not visible and pending == set(held), (held, visible, pending)
        victim.kill()  # kill -9, mid-transaction: PostgreSQL rolls it back; Redis keeps the message
        cluster.worker("worker-2")  # the restart

        for thread in threads:
            thread.join(PATIENCE * 2)
        assert not any(t.is_alive() for t in threads), "clients did not finish:\n" + cluster.logs()
        assert not errors, f"{errors!r}\n{cluster.logs()}"
        sent_by = time.monotonic() - started

        # The victim's unacknowledged messages are handed out again and run by another worker. Wait
        # for that before looking at Redis: kombu restores a message by removing it from "unacked"
        # and then pushing it back, and a consumer holds it in memory between taking it from the
        # queue and noting it unacknowledged; in either gap Redis alone looks drained.
        lost = tasks(victim, "received") - tasks(victim, "succeeded")
        assert lost, cluster.logs()

        def survivors() -> set[str]:
            return set().union(*(tasks(p, "succeeded") for p in cluster.processes if "worker-" in p.log.name))

        try:
            poll(lambda: lost <= survivors(), timeout=PATIENCE, interval=0.1)
        except AssertionError:
            pytest.fail(f"the victim's messages {lost} were not run again:\n{cluster.logs()}")

        # Drained: nothing pending or failed, no message waiting or unacknowledged in Redis.
        redis = cluster.redis()
        try:

            def settled() -> bool:
                queued = sum(int(redis.llen(k)) for k in redis.keys(f"{cluster.prefix}{cluster.queue}*"))
                return (
                    gk.ingest.counts() == {"pending": 0, "failed": 0}
                    and queued == 0
                    and int(redis.hlen(cluster.prefix + "unacked")) == 0
                )

            poll(settled, timeout=PATIENCE, interval=0.1)
        except AssertionError:
            pytest.fail(f"not drained: {gk.ingest.counts()}\n{cluster.logs()}")
        finally:
            redis.close()
        check_answers(clients.sent)
        check_totals(gk, clients.sent, held)
        check_over_http(clients, clients.sent)
        print(f"\nscale-out: {len(keys_of(clients.sent))} keys sent in {sent_by:.1f}s, {len(held)} held by the victim")
    finally:
        clients.close()


def tasks(worker: Process, verb: str) -> set[str]:
    """Ids of the Celery tasks a worker logged as ``received`` or ``succeeded``."""
    return set(re.findall(rf"Task [\w.]+\[([0-9a-f-]+)\] {verb}", worker.log.read_text(errors="replace")))


def keys_of(sent: list[Sent], modes: tuple[str, ...] = ("sync", "async", "batch")) -> set[str]:
    return {key for s in sent if s.mode in modes for key in s.keys}


def check_answers(sent: list[Sent]) -> None:
    """Every request succeeded; of the same key sent synchronously to both servers at once, exactly
    one answer is the first recording and the other its duplicate."""
    for s in sent:
        assert s.status == {"sync": 201, "async": 202, "batch": 201}[s.mode], (s.mode, s.status, s.body)
    fresh: Counter[str] = Counter()
    for s in sent:
        if s.mode == "sync" and s.keys[0].startswith("d-"):
            fresh[s.keys[0]] += 0 if s.body["duplicate"] else 1
    both_sync = {f"d-{n}" for n in range(40) if PAIRS[n % 4] == ("sync", "sync")}
    assert {key: fresh[key] for key in both_sync} == dict.fromkeys(both_sync, 1)


def check_totals(gk: GuildKit, sent: list[Sent], held: list[str]) -> None:
    keys = keys_of(sent)
    expected: Counter[tuple[str, str]] = Counter()
    ledger_rows = 0
    for key in keys:
        activity = content(key)
        for to, point_type, points in POINTS[activity["type"]]:
            expected[(activity[to], point_type)] += points
            ledger_rows += 1
    posters = {content(key)["actor"] for key in keys if content(key)["type"] == "answer.posted"}

    with gk.store.engine.connect() as conn:
        activities = list(conn.execute(sa.select(Activity.key)).scalars())
        assert len(activities) == len(set(activities)) == len(keys) and set(activities) == keys
        assert set(held) <= set(activities)

        duplicates = conn.execute(
            sa.select(LedgerEntry.activity_id, LedgerEntry.member_id, LedgerEntry.point_type, LedgerEntry.rule)
            .group_by(LedgerEntry.activity_id, LedgerEntry.member_id, LedgerEntry.point_type, LedgerEntry.rule)
            .having(sa.func.count() > 1)
        ).all()
        assert duplicates == []
        assert conn.execute(sa.select(sa.func.count()).select_from(LedgerEntry)).scalar_one() == ledger_rows

        ledger = {
            (user, point_type): int(points)
            for user, point_type, points in conn.execute(
                sa.select(Member.user_id, LedgerEntry.point_type, sa.func.sum(LedgerEntry.amount))
                .join(Member, Member.id == LedgerEntry.member_id)
                .group_by(Member.user_id, LedgerEntry.point_type)
            )
        }
        balances = {
            (user, point_type): balance
            for user, point_type, balance in conn.execute(
                sa.select(Member.user_id, Balance.point_type, Balance.balance).join(
                    Member, Member.id == Balance.member_id
                )
            )
        }
        nonzero = {k: v for k, v in balances.items() if v}
        assert {k: v for k, v in ledger.items() if v} == nonzero
        assert nonzero == {k: v for k, v in expected.items() if v}

        holders = list(
            conn.execute(
                sa.select(Member.user_id)
                .join(BadgeAward, BadgeAward.member_id == Member.id)
                .where(BadgeAward.badge_slug == BADGE, BadgeAward.revoked_at.is_(None))
            ).scalars()
        )
        assert sorted(holders) == sorted(posters)

        # The leaderboard histogram (kept by triggers in each writer's transaction) matches the balances.
        histogram = {
            (point_type, points): members
            for point_type, points, members in conn.execute(
                sa.select(ScoreCount.point_type, ScoreCount.points, ScoreCount.members).where(
                    ScoreCount.period == "all", ScoreCount.width == 1, ScoreCount.members != 0
                )
            )
        }
        assert histogram == dict(Counter((point_type, b) for (_, point_type), b in balances.items()))

    for key in keys_of(sent, ("async",)):
        status = gk.ingest.status(key)
        assert status is not None and status.status == "recorded", (key, status)


def check_over_http(clients: Clients, sent: list[Sent]) -> None:
    """Either server tells where an asynchronously sent key stands."""
    for n, key in enumerate(sorted(keys_of(sent, ("async",)))[:20]):
        status, body = clients.request(n % 2, "GET", f"{API}/activities/{key}")
        assert (status, body["status"]) == (200, "recorded"), body
