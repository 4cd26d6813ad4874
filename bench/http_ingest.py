"""Benchmark: activities over HTTP, through gunicorn and PostgreSQL, against a one-INSERT endpoint.

    (source scripts/postgres.sh; trap guildkit_pg_stop EXIT; guildkit_pg_start
     .venv/bin/python bench/http_ingest.py)                       # 2 workers, 8 keep-alive clients
    .venv/bin/python bench/http_ingest.py --threads 4 --workers 1  # like waitress 1 process x 4 threads

The server is ``gunicorn`` (gthread workers, which keep connections alive; ``--workers`` x
``--threads``) serving :func:`create_app`: guildkit's blueprint (the benchmark's 20 rules,
10,000 members, an API token with ``activities.write``) and, in the same app, ``POST
/bench/insert``, which checks a bearer token and stores the same JSON body with one ``INSERT``
(SQLAlchemy Core, its own pooled engine). Each side has a database of its own on the server, so
PostgreSQL's own statistics (``pg_stat_database``) tell their commits and sessions apart.

The clients are ``wrk`` (8 connections over 2 threads, keep-alive; a Lua script gives every
request its own key) or, with ``--client threads`` or without wrk, 8 Python threads on
``http.client`` (which take CPU from the server on a 2-core machine). Contenders, run in
alternating order in each of ``--rounds`` rounds of ``--seconds`` each:

* ``POST /community/api/activities``: one plain activity (``answer.upvoted``, 2 ledger rows);
* ``POST /bench/insert``: the one-INSERT baseline;
* ``POST /community/api/activities/batch`` of ``--batch-size`` (with ``--batch-size 0``, none).

Reported: calls/s, and guildkit as a ratio of the baseline (target ≥ 0.5); server CPU per call,
from the gunicorn processes' ``/proc/<pid>/stat`` (target ≤ 1.5 ms per plain activity), and the
database server's; connections opened (SQLAlchemy pool ``connect`` events counted in each worker,
and ``sessions`` in ``pg_stat_database``); commits per call (``xact_commit`` of guildkit's
database after the server stopped, over guildkit's calls, as counted by the app itself).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, jsonify, request

HERE = Path(__file__).resolve().parent
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")

# -- the app (runs in the gunicorn workers) ----------------------------------------------------

_stats: Counter[str] = Counter()


def _on_connect(dbapi_connection: Any, record: Any) -> None:
    name = getattr(getattr(dbapi_connection, "info", None), "dbname", "?")
    _stats[f"connects {name}"] += 1


def _on_commit(conn: Any) -> None:
    _stats[f"sqlalchemy commits {conn.engine.url.database}"] += 1


def create_app() -> Flask:
    """The app gunicorn serves (configured by ``BENCH_*`` environment variables)."""
    from workload import define, define_peer

    from guildkit import GuildKit
    from guildkit.web import make_blueprint

    sa.event.listen(sa.pool.Pool, "connect", _on_connect)
    sa.event.listen(sa.Engine, "commit", _on_commit)
    app = Flask("http_ingest")
    app.config.update(
        SECRET_KEY="bench",
        GUILDKIT_LOAD_ENTRY_POINTS=False,
        GUILDKIT_DATABASE_URI=os.environ["BENCH_GUILDKIT_URL"],
        GUILDKIT_ENGINE_OPTIONS=json.loads(os.environ.get("BENCH_ENGINE_OPTIONS") or "{}"),
    )
    gk = GuildKit(app)
    (define_peer if os.environ.get("BENCH_RULES") == "peer" else define)(gk)
    app.register_blueprint(make_blueprint(), url_prefix="/community")
    floor = sa.create_engine(os.environ["BENCH_FLOOR_URL"])
    table = _insert_table(sa.MetaData())
    insert = table.insert()
    expected = "Bearer " + os.environ["BENCH_TOKEN"]

    @app.post("/bench/insert")
    def one_insert() -> Any:
        if request.headers.get("Authorization") != expected:
            return {"error": "unauthorized"}, 401
        body = request.get_json()
        with floor.begin() as conn:
            row_id = conn.execute(
                insert.returning(table.c.id),
                {
                    "key": body["key"],
                    "type": body["type"],
                    "actor": body.get("actor"),
                    "target": body.get("target"),
                    "subject": body.get("subject"),
                    "payload": body.get("payload") or {},
                },
            ).scalar_one()
        return {"id": row_id, "key": body["key"]}, 201

    @app.get("/bench/stats")
    def stats() -> Response:
        return jsonify({"pid": os.getpid(), **_stats})

    @app.after_request
    def count(response: Response) -> Response:
        if request.path != "/bench/stats":
            _stats[f"calls {request.path} {response.status_code}"] += 1
        return response

    return app


def _insert_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "bench_insert",
        metadata,
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("key", sa.String(191), nullable=False, unique=True),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("actor", sa.String(191)),
        sa.Column("target", sa.String(191)),
        sa.Column("subject", sa.String(191)),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )


# -- databases ---------------------------------------------------------------------------------


class Server:
    """The PostgreSQL server named by GUILDKIT_TEST_POSTGRES_URL: databases and statistics."""

    def __init__(self, url: str) -> None:
        self.url = sa.make_url(url)
        self.admin = sa.create_engine(url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create_database(self, prefix: str) -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in self.created:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()

    def stats(self) -> dict[str, dict[str, int]]:
        with self.admin.connect() as conn:
            conn.exec_driver_sql("SELECT pg_stat_clear_snapshot()")
            rows = conn.exec_driver_sql(
                "SELECT datname, xact_commit, xact_rollback, sessions FROM pg_stat_database WHERE datname = ANY(%(n)s)",
                {"n": self.created},
            ).all()
        return {
            r.datname: {"commits": r.xact_commit, "rollbacks": r.xact_rollback, "sessions": r.sessions} for r in rows
        }

    def postmaster_pid(self) -> int | None:
        with self.admin.connect() as conn:
            data = conn.exec_driver_sql("SHOW data_directory").scalar_one()
        try:
            return int(Path(data, "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None


def prepare(server: Server, workdir: Path, rules: str = "bench") -> dict[str, str]:
    """guildkit's database (tables, rules, members, a token) and the baseline's; returns the env.

    ``rules``: ``bench`` (the 20 rules of bench/workload.py) or ``peer`` (a points rule and a
    three-level count badge, as bench/peer_bench.py gives the peer).
    """
    from workload import Database, define_peer, make_app, seed_members

    gk_url = server.create_database("gk_http")
    floor_url = server.create_database("floor_http")
    db = Database("postgresql", gk_url, {}, "")
    app, gk = make_app(db, workdir, rules=define_peer if rules == "peer" else None)
    with app.app_context():
        seed_members(gk)
        token, _ = gk.tokens.create(None, "http bench", ["activities.write"], via="bench/http_ingest.py")
        dispose = getattr(gk.store, "dispose", None)  # guildkit's own pool: the workers open theirs
        if dispose is not None:
            dispose()
    floor = sa.create_engine(floor_url, poolclass=sa.pool.NullPool)
    _insert_table(metadata := sa.MetaData())
    metadata.create_all(floor)
    floor.dispose()
    return {"BENCH_GUILDKIT_URL": gk_url, "BENCH_FLOOR_URL": floor_url, "BENCH_TOKEN": token, "BENCH_RULES": rules}


# -- processes and CPU -------------------------------------------------------------------------


def _children(parent: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.append(int(stat.parent.name))
    return found


def cpu_by_pid(pids: list[int]) -> dict[int, int]:
    """utime + stime (clock ticks) of each process still alive."""
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = int(fields[11]) + int(fields[12])
    return found


def cpu_ticks(pids: list[int]) -> int:
    return sum(cpu_by_pid(pids).values())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(env: dict[str, str], port: int, workers: int, threads: int, log: Path) -> subprocess.Popen[bytes]:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    cmd = [
        gunicorn,
        "--chdir",
        str(HERE),
        "--pythonpath",
        str(HERE),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--keep-alive",
        "75",
        "--backlog",
        "256",
        "http_ingest:create_app()",
    ]
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/bench/stats")
            if conn.getresponse().status == 200 and len(_children(proc.pid)) >= workers:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"gunicorn did not start; see {log}:\n{log.read_text()[-3000:]}")


def worker_stats(port: int, workers: int) -> dict[int, dict[str, int]]:
    """Each worker's own counters: ask on fresh connections until every worker has answered."""
    seen: dict[int, dict[str, int]] = {}
    for _ in range(200):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/bench/stats", headers={"Connection": "close"})
        data = json.loads(conn.getresponse().read())
        conn.close()
        seen[data.pop("pid")] = data
        if len(seen) >= workers:
            break
    return seen


# -- clients -----------------------------------------------------------------------------------

LUA = r"""
local counter, threads = 0, {}
function setup(thread) thread:set("tid", #threads + 1); table.insert(threads, thread) end
function init(args)
  prefix, token, mode, size = args[1], args[2], args[3], tonumber(args[4])
  math.randomseed(tid * 7919 + #prefix)
end
local function item()
  counter = counter + 1
  return string.format('{"type":"answer.upvoted","actor":"u%d","target":"u%d","subject":"answer:%d","key":"%s:%d:%d"}',
    math.random(0, 9999), math.random(0, 9999), math.random(1, 50000), prefix, tid, counter)
end
function request()
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}
  if mode == "gengine" then
    local body = '{"value": 1}'
    local path = "/increase_value/answer_upvoted/" .. math.random(1, 10000)
    return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
  elseif mode == "batch" then
    local items = {}
    for i = 1, size do items[i] = item() end
    local body = '{"activities":[' .. table.concat(items, ",") .. ']}'
    return wrk.format("POST", "/community/api/activities/batch", headers, body)
  elseif mode == "insert" then
    return wrk.format("POST", "/bench/insert", headers, item())
  end
  return wrk.format("POST", "/community/api/activities", headers, item())
end
"""


def run_wrk(port: int, seconds: float, mode: str, prefix: str, token: str, size: int, script: Path) -> dict[str, Any]:
    cmd = ["wrk", "-t2", "-c8", f"-d{max(1, round(seconds))}s", "--latency", "-s", str(script)]
    cmd += [f"http://127.0.0.1:{port}", "--", prefix, token, mode, str(size)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    done = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
    if done is None:
        raise SystemExit(f"cannot read wrk's output:\n{out}")
    duration = float(done[2]) / (1000 if done[3] == "ms" else 1)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {
        "calls": int(done[1]),
        "seconds": duration,
        "errors": int(bad[1]) if bad else 0,
        "p50 ms": float(p50[1]) * scale[p50[2]] if p50 else None,
    }


def run_threads(port: int, seconds: float, mode: str, prefix: str, token: str, size: int) -> dict[str, Any]:
    """8 keep-alive clients as Python threads (http.client)."""
    paths = {"single": "/community/api/activities", "insert": "/bench/insert"}
    path = paths.get(mode, "/community/api/activities/batch")
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    counts, errors, lock = [0] * 8, [0], threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        made = 0
        while time.perf_counter() < deadline:

            def item() -> dict[str, Any]:
                nonlocal made
                made += 1
                return {
                    "type": "answer.upvoted",
                    "actor": f"u{made * 7 % 10000}",
                    "target": f"u{made * 13 % 10000}",
                    "subject": f"answer:{made}",
                    "key": f"{prefix}:{n}:{made}",
                }

            body = {"activities": [item() for _ in range(size)]} if mode == "batch" else item()
            conn.request("POST", path, json.dumps(body), headers)
            response = conn.getresponse()
            response.read()
            if response.status >= 300:
                with lock:
                    errors[0] += 1
            counts[n] += 1
        conn.close()

    started = time.perf_counter()
    pool = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return {"calls": sum(counts), "seconds": time.perf_counter() - started, "errors": errors[0], "p50 ms": None}


# -- the run -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (≥ 3)")
    parser.add_argument("--seconds", type=float, default=8, help="per contender per round")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--batch-size", type=int, default=100, help="activities per batch call (0: no batch)")
    parser.add_argument(
        "--engine-options", default="{}", help="GUILDKIT_ENGINE_OPTIONS for the workers, as JSON: '{\"pool_size\": 10}'"
    )
    parser.add_argument("--client", choices=("wrk", "threads"), default="wrk" if shutil.which("wrk") else "threads")
    args = parser.parse_args()
    if args.rounds < 3:
        parser.error("--rounds must be at least 3")
    url = os.environ.get("GUILDKIT_TEST_POSTGRES_URL")
    if not url:
        raise SystemExit("set GUILDKIT_TEST_POSTGRES_URL (source scripts/postgres.sh; guildkit_pg_start)")
    import guildkit

    print(f"guildkit {guildkit.__version__} from {guildkit.__file__}")
    print(
        f"gunicorn {args.workers} worker(s) x {args.threads} thread(s) (gthread), PostgreSQL, client: "
        + ("wrk, 2 threads x 4 keep-alive connections" if args.client == "wrk" else "8 Python threads (http.client)")
        + f"; guildkit engine options {args.engine_options}"
    )
    server = Server(url)
    pg_pid = server.postmaster_pid()
    proc: subprocess.Popen[bytes] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        try:
            env = prepare(server, workdir) | {"BENCH_ENGINE_OPTIONS": args.engine_options}
            script = workdir / "ingest.lua"
            script.write_text(LUA)
            before = server.stats()
            port = free_port()
            proc = start_gunicorn(env, port, args.workers, args.threads, workdir / "gunicorn.log")
            server_pids = [proc.pid, *_children(proc.pid)]
            db_pids = lambda: _children(pg_pid) if pg_pid else []  # noqa: E731 - backends come and go

            sent: Counter[str] = Counter()

            def go(mode: str, prefix: str, seconds: float) -> dict[str, Any]:
                size = args.batch_size if mode == "batch" else 1
                cpu0, db0 = cpu_ticks(server_pids), cpu_by_pid(db_pids())
                if args.client == "wrk":
                    r = run_wrk(port, seconds, mode, prefix, env["BENCH_TOKEN"], size, script)
                else:
                    r = run_threads(port, seconds, mode, prefix, env["BENCH_TOKEN"], size)
                # Backends alive at the end, from what they had at the start (0 for new ones); the CPU of
                # backends that exited during the segment (connection churn) is lost: an undercount.
                db1 = cpu_by_pid(db_pids())
                r["server cpu ms/call"] = (cpu_ticks(server_pids) - cpu0) * TICK_MS / max(1, r["calls"])
                r["db cpu ms/call"] = sum(t - db0.get(p, 0) for p, t in db1.items()) * TICK_MS / max(1, r["calls"])
                r["db backends exited"] = len(set(db0) - set(db1))
                r["rate"] = r["calls"] / r["seconds"]
                r["activities/s"] = r["rate"] * size
                sent[mode] += r["calls"]
                if r["errors"]:
                    print(f"    WARNING: {r['errors']} {mode} calls failed (see the server log)")
                return r

            modes = {"guildkit": "single", "one INSERT": "insert"}
            if args.batch_size:
                modes[f"batch of {args.batch_size}"] = "batch"
            for mode in modes.values():  # warm up every worker and pool
                go(mode, f"warm-{mode}", 2)
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in modes}
            print(f"{args.rounds} rounds of {args.seconds:g} s per contender, in alternating order", flush=True)
            for r in range(args.rounds):
                order = list(modes) if r % 2 == 0 else list(modes)[::-1]
                for name in order:
                    runs[name].append(go(modes[name], f"r{r}-{modes[name]}", args.seconds))
                line = ", ".join(f"{n} {runs[n][-1]['rate']:,.0f}/s" for n in modes)
                print(f"  round {r + 1}: {line}", flush=True)
            workers = worker_stats(port, args.workers)
        finally:
            if proc is not None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=60)
        time.sleep(1.5)  # backends flush their statistics when they exit
        after = server.stats()
        server.drop_all()
    report(args, runs, workers, before, after, env, sent)


def report(
    args: argparse.Namespace,
    runs: dict[str, list[dict[str, Any]]],
    workers: dict[int, dict[str, int]],
    before: dict[str, dict[str, int]],
    after: dict[str, dict[str, int]],
    env: dict[str, str],
    sent: Counter[str],
) -> None:
    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    def line(label: str, values: list[float], unit: str) -> None:
        s = sorted(values)
        fmt = (lambda v: f"{v:,.0f}") if s[-1] >= 100 else (lambda v: f"{v:.3f}")
        print(f"  {label:<40}{fmt(statistics.median(values)):>9} {unit:<12}[{fmt(s[0])}-{fmt(s[-1])}]")

    results: dict[str, Any] = {}
    print(f"\nmedians of {args.rounds} interleaved rounds [min-max]")
    for name in runs:
        unit = "activities/s" if name.startswith("batch") else "calls/s"
        line(f"{name}", [r["activities/s"] for r in runs[name]], unit)
    ratio = [g["rate"] / b["rate"] for g, b in zip(runs["guildkit"], runs["one INSERT"], strict=True)]
    line("guildkit / one INSERT   (target ≥ 0.5)", ratio, "")
    for name in runs:
        if name.startswith("batch"):
            per = [b["activities/s"] / i["rate"] for b, i in zip(runs[name], runs["one INSERT"], strict=True)]
            line(f"{name} activities / one INSERT calls", per, "")
    exited = sum(r["db backends exited"] for rs in runs.values() for r in rs)
    note = f" ({exited} backends exited mid-segment: their CPU is missing)" if exited else ""
    print(f"server CPU per call (gunicorn processes), and the database server's{note}")
    for name in runs:
        line(f"{name}: gunicorn", [r["server cpu ms/call"] for r in runs[name]], "ms/call")
        line(f"{name}: PostgreSQL", [r["db cpu ms/call"] for r in runs[name]], "ms/call")
    p50 = [r["p50 ms"] for r in runs["guildkit"] if r["p50 ms"] is not None]
    if p50:
        line("guildkit latency p50", p50, "ms")
    totals: Counter[str] = Counter()
    for data in workers.values():
        totals.update(data)
    gk_db = sa.make_url(env["BENCH_GUILDKIT_URL"]).database
    floor_db = sa.make_url(env["BENCH_FLOOR_URL"]).database
    gk_calls = sum(v for k, v in totals.items() if k.startswith("calls /community/api/activities"))
    floor_calls = sum(v for k, v in totals.items() if k.startswith("calls /bench/insert"))
    single_calls = sum(v for k, v in totals.items() if k.startswith("calls /community/api/activities 2"))
    delta = {db: {k: after[db][k] - before.get(db, {}).get(k, 0) for k in after[db]} for db in after}
    print(f"whole run, both workers ({len(workers)} answered): guildkit {gk_calls:,} calls, one INSERT {floor_calls:,}")
    print(
        f"  connections opened (pool connect events): guildkit {totals[f'connects {gk_db}']}, "
        f"one INSERT {totals[f'connects {floor_db}']}; PostgreSQL sessions: guildkit "
        f"{delta[gk_db]['sessions']}, one INSERT {delta[floor_db]['sessions']}"
    )
    print(
        f"  commits per call (pg_stat_database xact_commit / calls): guildkit "
        f"{delta[gk_db]['commits'] / max(1, gk_calls):.3f} ({delta[gk_db]['commits']:,}), one INSERT "
        f"{delta[floor_db]['commits'] / max(1, floor_calls):.3f}; rollbacks per call: guildkit "
        f"{delta[gk_db]['rollbacks'] / max(1, gk_calls):.3f}"
    )
    client_calls = sent["single"] + sent["batch"]
    print(
        f"  the same over the calls the client saw answered ({client_calls:,}): "
        f"{delta[gk_db]['commits'] / max(1, client_calls):.3f} (calls still in flight when a segment ends are left out)"
    )
    print(f"  SQLAlchemy commits per guildkit call: {totals[f'sqlalchemy commits {gk_db}'] / max(1, gk_calls):.3f}")
    print(f"  status codes: { {k: v for k, v in totals.items() if k.startswith('calls ')} }")
    for name in runs:
        results[name] = {
            key: {"median": med(name, key), "runs": [r[key] for r in runs[name]]}
            for key in ("rate", "activities/s", "server cpu ms/call", "db cpu ms/call")
        }
    results["guildkit/one INSERT"] = {"median": statistics.median(ratio), "runs": ratio}
    results["connections opened"] = {"guildkit": totals[f"connects {gk_db}"], "sessions": delta[gk_db]["sessions"]}
    results["commits per call"] = delta[gk_db]["commits"] / max(1, gk_calls)
    results["single calls"] = single_calls
    print("\nRESULTS " + json.dumps(results))


if __name__ == "__main__":
    main()
