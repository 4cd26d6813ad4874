"""Benchmark: async ingestion over HTTP on PostgreSQL (``Prefer: respond-async``), with the drain running.

    (source scripts/postgres.sh; trap guildkit_pg_stop EXIT; guildkit_pg_start
     .venv/bin/python bench/bench_ingest_async.py)             # 2 gunicorn workers, 8 wrk connections

The server, the app, the databases and the one-INSERT baseline are bench/http_ingest.py's
(imported, not copied): gunicorn (gthread) serving guildkit's blueprint with the benchmark's 20
rules and 10,000 members, plus ``POST /bench/insert`` (one ``INSERT`` on its own pooled engine).
Only the client script is this file's own, for the ``Prefer`` header.

The drain runs where a host without a broker runs it: the default ``thread`` backend, two job
threads in each gunicorn worker (``GUILDKIT_JOBS_THREADS``), woken by the accepted activities.
So the accepting and the recording share the web processes' CPU, as they would in production
without Celery.

Contenders, in alternating order in each of ``--rounds`` rounds of ``--seconds`` each:

* ``async``: ``POST /community/api/activities`` with ``Prefer: respond-async`` (202);
* ``sync``: the same without the header (201, recorded in the request);
* ``one INSERT``: ``POST /bench/insert``.

After each async segment the bench waits until the inbox is empty again (so the next contender
does not pay for the backlog) and reports: accepted/s (the 202s), recorded/s over the segment
and the catch-up (activities recorded over the time from the segment's start until the inbox was
empty: the sustained rate), the backlog left when the clients stopped, and the latency from a
202 to the activity's points being visible: a sampler thread posts one extra activity every
``--sample-ms`` during the async segment and polls ``guildkit_activities`` (the activity, its
ledger rows and badges are committed in one transaction) every 2 ms for the keys outstanding.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from http_ingest import (  # noqa: E402 - bench/ is not a package: found through sys.path
    Server,
    _children,
    cpu_ticks,
    free_port,
    prepare,
    run_wrk,
    start_gunicorn,
)

LUA = r"""
local counter, threads = 0, {}
function setup(thread) thread:set("tid", #threads + 1); table.insert(threads, thread) end
function init(args)
  prefix, token, mode = args[1], args[2], args[3]
  math.randomseed(tid * 7919 + #prefix)
end
function request()
  counter = counter + 1
  local body = string.format(
    '{"type":"answer.upvoted","actor":"u%d","target":"u%d","subject":"answer:%d","key":"%s:%d:%d"}',
    math.random(0, 9999), math.random(0, 9999), math.random(1, 50000), prefix, tid, counter)
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}
  if mode == "insert" then
    return wrk.format("POST", "/bench/insert", headers, body)
  end
  if mode == "async" then headers["Prefer"] = "respond-async" end
  return wrk.format("POST", "/community/api/activities", headers, body)
end
"""


def counts(engine: sa.Engine) -> tuple[int, int]:
    """(activities recorded, inbox rows pending)."""
    with engine.connect() as conn:
        recorded = conn.exec_driver_sql("SELECT count(*) FROM guildkit_activities").scalar_one()
        pending = conn.exec_driver_sql(
            "SELECT count(*) FROM guildkit_ingest_inbox WHERE status = 'pending'"
        ).scalar_one()
    return int(recorded), int(pending)


class Sampler:
    """Posts an async activity every ``every`` seconds and times its 202 until it is recorded."""

    def __init__(self, port: int, token: str, engine: sa.Engine, every: float, prefix: str) -> None:
        self.port, self.token, self.engine, self.every, self.prefix = port, token, engine, every, prefix
        self.outstanding: dict[str, float] = {}
        self.latencies: list[float] = []
        self.errors = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.posted_all = threading.Event()

    def post(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.token}",
            "Prefer": "respond-async",
        }
        n = 0
        while not self.stop.is_set():
            n += 1
            key = f"{self.prefix}:{n}"
            body = {"type": "answer.upvoted", "actor": f"u{n % 9999}", "target": f"u{(n * 7) % 9999}", "key": key}
            conn.request("POST", "/community/api/activities", json.dumps(body), headers)
            response = conn.getresponse()
            response.read()
            answered = time.perf_counter()
            if response.status == 202:
                with self.lock:
                    self.outstanding[key] = answered
            else:
                self.errors += 1
            self.stop.wait(self.every)
        conn.close()
        self.posted_all.set()

    def watch(self) -> None:
        with self.engine.connect() as conn:
            while not (self.posted_all.is_set() and not self.outstanding):
                with self.lock:
                    keys = list(self.outstanding)
                if keys:
                    seen = conn.execute(
                        sa.text("SELECT key FROM guildkit_activities WHERE key = ANY(:keys)"), {"keys": keys}
                    ).scalars()
                    now = time.perf_counter()
                    with self.lock:
                        for key in seen:
                            self.latencies.append(now - self.outstanding.pop(key))
                conn.rollback()
                time.sleep(0.002)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (≥ 3)")
    parser.add_argument("--seconds", type=float, default=10, help="per contender per round")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="request threads per gunicorn worker")
    parser.add_argument("--sample-ms", type=float, default=20, help="one latency sample every … ms")
    args = parser.parse_args()
    if args.rounds < 3:
        parser.error("--rounds must be at least 3")
    url = os.environ.get("GUILDKIT_TEST_POSTGRES_URL")
    if not url:
        raise SystemExit("set GUILDKIT_TEST_POSTGRES_URL (source scripts/postgres.sh; guildkit_pg_start)")
    print(
        f"gunicorn {args.workers} worker(s) x {args.threads} request thread(s), PostgreSQL, wrk 2 threads x 4 "
        "connections; drain: thread backend (GUILDKIT_JOBS_THREADS=2 per worker)",
        flush=True,
    )
    server = Server(url)
    proc: subprocess.Popen[bytes] | None = None
    runs: dict[str, list[dict[str, Any]]] = {"async": [], "sync": [], "one INSERT": []}
    latencies: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        try:
            env = prepare(server, workdir)
            env["BENCH_ENGINE_OPTIONS"] = "{}"
            engine = sa.create_engine(env["BENCH_GUILDKIT_URL"], pool_size=2)
            script = workdir / "async.lua"
            script.write_text(LUA)
            port = free_port()
            proc = start_gunicorn(env, port, args.workers, args.threads, workdir / "gunicorn.log")
            server_pids = [proc.pid, *_children(proc.pid)]
            token = env["BENCH_TOKEN"]

            def segment(name: str, prefix: str, seconds: float, sample: bool) -> dict[str, Any]:
                mode = {"async": "async", "sync": "sync", "one INSERT": "insert"}[name]
                recorded0, _ = counts(engine)
                cpu0 = cpu_ticks(server_pids)
                sampler = Sampler(port, token, engine, args.sample_ms / 1000, f"{prefix}-sample")
                threads = [threading.Thread(target=sampler.post), threading.Thread(target=sampler.watch)]
                if sample:
                    for thread in threads:
                        thread.start()
                started = time.perf_counter()
                result = run_wrk(port, seconds, mode, prefix, token, 1, script)
                recorded1, backlog = counts(engine)
                sampler.stop.set()
                if sample:
                    for thread in threads:
                        thread.join(120)
                # The sustained rate: until the backlog the segment left is recorded too.
                while counts(engine)[1]:
                    time.sleep(0.05)
                caught_up = time.perf_counter() - started
                recorded2, _ = counts(engine)
                result.update(
                    rate=result["calls"] / result["seconds"],
                    backlog=backlog,
                    catch_up_s=caught_up - result["seconds"],
                    recorded_during=(recorded1 - recorded0) / result["seconds"],
                    sustained=(recorded2 - recorded0) / caught_up,
                    server_cpu_ms=(cpu_ticks(server_pids) - cpu0) * (1000 / os.sysconf("SC_CLK_TCK")) / result["calls"],
                    samples=sampler.latencies,
                    sample_errors=sampler.errors,
                )
                if result["errors"]:
                    print(f"    WARNING: {result['errors']} {name} calls failed (see the gunicorn log)")
                return result

            for name in runs:  # warm every worker, pool and job thread
                segment(name, f"warm-{name}", 2, sample=False)
            print(f"{args.rounds} rounds of {args.seconds:g} s per contender, in alternating order", flush=True)
            for r in range(args.rounds):
                order = list(runs) if r % 2 == 0 else list(runs)[::-1]
                for name in order:
                    runs[name].append(segment(name, f"r{r}-{name}", args.seconds, sample=name == "async"))
                a = runs["async"][-1]
                latencies += a["samples"]
                print(
                    f"  round {r + 1}: async {a['rate']:,.0f} accepted/s (recorded {a['recorded_during']:,.0f}/s "
                    f"while accepting, sustained {a['sustained']:,.0f}/s, backlog {a['backlog']:,} cleared in "
                    f"{a['catch_up_s']:.1f} s; 202->visible p50 {percentile(a['samples'], 0.5) * 1000:.0f} ms "
                    f"p99 {percentile(a['samples'], 0.99) * 1000:.0f} ms, {len(a['samples'])} samples), "
                    f"sync {runs['sync'][-1]['rate']:,.0f}/s, one INSERT {runs['one INSERT'][-1]['rate']:,.0f}/s",
                    flush=True,
                )
            engine.dispose()
        finally:
            if proc is not None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=60)
            server.drop_all()
    report(args, runs, latencies)


def report(args: argparse.Namespace, runs: dict[str, list[dict[str, Any]]], latencies: list[float]) -> None:
    def line(label: str, values: list[float], unit: str, fmt: str = ",.0f") -> None:
        s = sorted(values)
        print(f"  {label:<44}{statistics.median(values):>10{fmt}} {unit:<14}[{s[0]:{fmt}} - {s[-1]:{fmt}}]")

    print(f"\nmedians of {args.rounds} interleaved rounds [min - max]")
    line("async: accepted (202) per second", [r["rate"] for r in runs["async"]], "calls/s")
    line("async: recorded per second while accepting", [r["recorded_during"] for r in runs["async"]], "activities/s")
    line("async: sustained (recorded, incl. catch-up)", [r["sustained"] for r in runs["async"]], "activities/s")
    line("async: backlog when the clients stopped", [r["backlog"] for r in runs["async"]], "activities")
    line("sync: recorded (201) per second", [r["rate"] for r in runs["sync"]], "calls/s")
    line("one INSERT per second", [r["rate"] for r in runs["one INSERT"]], "calls/s")
    pairs = list(zip(runs["async"], runs["sync"], runs["one INSERT"], strict=True))
    line("async accepted / one INSERT", [a["rate"] / i["rate"] for a, _, i in pairs], "", ".3f")
    line("async sustained / one INSERT", [a["sustained"] / i["rate"] for a, _, i in pairs], "", ".3f")
    line("async accepted / sync", [a["rate"] / s["rate"] for a, s, _ in pairs], "", ".3f")
    for name in runs:
        line(f"{name}: gunicorn CPU per call", [r["server_cpu_ms"] for r in runs[name]], "ms", ".3f")
    if latencies:
        p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
        print(
            f"  202 -> points visible, all {len(latencies)} samples: p50 {p50:.0f} ms, p99 {p99:.0f} ms, max "
            f"{max(latencies) * 1000:.0f} ms (target p99 ≤ 1000 ms)"
        )
    results = {
        name: {k: [r[k] for r in rs] for k in ("rate", "sustained", "backlog", "server_cpu_ms", "errors")}
        for name, rs in runs.items()
    }
    if latencies:
        results["latency_ms"] = {"p50": percentile(latencies, 0.5) * 1000, "p99": percentile(latencies, 0.99) * 1000}
    print("\nRESULTS " + json.dumps(results))


if __name__ == "__main__":
    main()
