"""guildkit against ActiDoo's gamification-engine (a Pyramid app), side by side, interleaved.

    (source scripts/postgres.sh; trap guildkit_pg_stop EXIT; guildkit_pg_start
     .venv/bin/python bench/peer_bench.py)

The peer is installed from PyPI (``gamification-engine==0.4.0``, its pinned requirements, on
Python 3.6) into a throwaway venv under ``/tmp/gk-peer`` (``--peer-dir``), never into this
project; bench/peer/gengine_setup.py defines its rules there. Both engines get the same rules
(a points rule and a three-level count badge) and 10,000 members, each its own database on the
one PostgreSQL server, and the same load: wrk, 8 keep-alive connections, one activity per call.

* the peer: ``pserve`` on waitress, 1 process x ``--threads`` threads, ``POST
  /increase_value/answer_upvoted/<subject>`` (it evaluates both achievements and answers the
  progress);
* guildkit: gunicorn, 1 worker x ``--threads`` threads (gthread), ``POST
  /community/api/activities`` with an API token (bench/http_ingest.py's app, ``BENCH_RULES=peer``);
* the one-INSERT endpoint of that same app, as the baseline for both.

Rounds alternate the order. Reported: calls/s, ratios, server CPU per call (each server's
processes, ``/proc``), and connections guildkit opened. Needs ``wrk`` (Debian package) and a
Python 3.6 interpreter (``--python``; pyenv's is found by default).
"""

from __future__ import annotations

import argparse
import glob
import http.client
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from http_ingest import (
    LUA,
    TICK_MS,
    Server,
    _children,
    cpu_ticks,
    free_port,
    prepare,
    run_wrk,
    start_gunicorn,
    worker_stats,
)

HERE = Path(__file__).resolve().parent
PEER = "gamification-engine==0.4.0"
INI = """[app:main]
use = egg:gamification-engine
pyramid.reload_templates = false
pyramid.debug_authorization = false
pyramid.debug_notfound = false
pyramid.debug_routematch = false
pyramid.default_locale_name = en
pyramid.includes = pyramid_tm
sqlalchemy.url = {url}
force_https = false
urlprefix =
urlcacheid = gengine
load_from_webpack_dev_server = false
swagger.use_http_scheme = true
swagger.host = localhost:{port}
flaskadmin_secret = bench
dogpile_cache.backend = dogpile.cache.null
dogpile_cache.general.backend = dogpile.cache.null
dogpile_cache.achievement_eval.backend = dogpile.cache.null
dogpile_cache.achievements_by_user_for_today.backend = dogpile.cache.null
dogpile_cache.translations.backend = dogpile.cache.null
dogpile_cache.achievements_users_levels.backend = dogpile.cache.null
dogpile_cache.goal_evaluation.backend = dogpile.cache.null
dogpile_cache.goal_statements.backend = dogpile.cache.memory
urlcache_url = 127.0.0.1:11211
urlcache_active = false
enable_user_authentication = false
fallback_language = en

[server:main]
use = egg:waitress#main
host = 127.0.0.1
port = {port}
threads = {threads}

[loggers]
keys = root
[handlers]
keys = console
[formatters]
keys = generic
[logger_root]
level = WARN
handlers = console
[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic
[formatter_generic]
format = %(asctime)s %(levelname)-5.5s [%(name)s] %(message)s
"""


def find_python36() -> str | None:
    # pyenv's own interpreter first: its shim fails unless 3.6 is the selected version.
    candidates = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.6*/bin/python3.6")))
    found = shutil.which("python3.6")
    if found and "/shims/" not in found:
        candidates.append(found)
    return next((c for c in candidates if os.access(c, os.X_OK)), None)


def install_peer(peer_dir: Path, python: str) -> Path:
    """The peer in its own venv (once; kept in ``peer_dir`` for the next run)."""
    venv = peer_dir / "venv"
    if (venv / "bin" / "initialize_gengine_db").exists():
        return venv
    peer_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "pip"), "install", "-q"]
    subprocess.run([*pip, "--upgrade", "pip<22"], check=True)  # Python 3.6's pip 18 ignores python_requires
    subprocess.run([str(venv / "bin" / "pip"), "download", "-q", "--no-deps", "-d", str(peer_dir), PEER], check=True)
    sdist = next(peer_dir.glob("gamification-engine-*.tar.gz"))
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/requirements.txt"))
        pinned = tar.extractfile(member).read().decode()  # type: ignore[union-attr]
    # uWSGI is not needed (waitress serves it); psycopg2 2.8.3 does not build against today's libpq
    # headers, 2.9 does; argon2 is an unpinned requirement of setup.py.
    keep = [line for line in pinned.splitlines() if line and not line.startswith(("uWSGI", "psycopg2"))]
    requirements = peer_dir / "requirements.txt"
    requirements.write_text("\n".join([*keep, "psycopg2>=2.9,<2.10", "argon2==0.1.10"]) + "\n")
    subprocess.run([*pip, "-r", str(requirements)], check=True)
    subprocess.run([*pip, "--no-deps", str(sdist)], check=True)
    return venv


def start_peer(venv: Path, workdir: Path, url: str, threads: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    ini = workdir / "peer.ini"
    ini.write_text(INI.format(url=url, port=port, threads=threads))
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run([str(venv / "bin" / "initialize_gengine_db"), str(ini)], check=True, **quiet)  # type: ignore[call-overload]
    setup = [str(venv / "bin" / "python"), str(HERE / "peer" / "gengine_setup.py"), str(ini), "10000"]
    subprocess.run(setup, check=True, **quiet)  # type: ignore[call-overload]
    log = (workdir / "peer.log").open("wb")
    proc = subprocess.Popen(
        [
            str(
                venv / "bin" / "pserve",
            ),
            str(ini),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            headers = {"Content-Type": "application/json"}
            conn.request("POST", "/increase_value/answer_upvoted/1", '{"value": 1}', headers)
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit(f"the peer did not start; see {workdir / 'peer.log'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (≥ 3)")
    parser.add_argument("--seconds", type=float, default=8, help="per contender per round")
    parser.add_argument("--threads", type=int, default=4, help="threads of each server's one process")
    parser.add_argument("--peer-dir", type=Path, default=Path("/tmp/gk-peer"), help="the peer's venv and download")
    parser.add_argument("--python", default=find_python36(), help="a Python 3.6 for the peer")
    args = parser.parse_args()
    url = os.environ.get("GUILDKIT_TEST_POSTGRES_URL")
    if not url:
        raise SystemExit("set GUILDKIT_TEST_POSTGRES_URL (source scripts/postgres.sh; guildkit_pg_start)")
    if not args.python:
        raise SystemExit("the peer needs Python 3.6 (--python): e.g. pyenv install 3.6.15")
    if not shutil.which("wrk"):
        raise SystemExit("needs wrk: apt-get install wrk")
    venv = install_peer(args.peer_dir, args.python)
    server = Server(url)
    procs: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        try:
            env = prepare(server, workdir, rules="peer")
            peer_url = sa.make_url(server.create_database("gengine")).set(drivername="postgresql")
            peer, peer_port = start_peer(venv, workdir, peer_url.render_as_string(hide_password=False), args.threads)
            procs.append(peer)
            gk_port = free_port()
            gk = start_gunicorn(env, gk_port, 1, args.threads, workdir / "gunicorn.log")
            procs.append(gk)
            script = workdir / "ingest.lua"
            script.write_text(LUA)
            contenders = {
                "guildkit": (gk_port, "single", [gk.pid, *_children(gk.pid)]),
                "gamification-engine": (peer_port, "gengine", [peer.pid, *_children(peer.pid)]),
                "one INSERT": (gk_port, "insert", [gk.pid, *_children(gk.pid)]),
            }

            def go(name: str, prefix: str, seconds: float) -> dict[str, Any]:
                port, mode, pids = contenders[name]
                cpu0 = cpu_ticks(pids)
                r = run_wrk(port, seconds, mode, prefix, env["BENCH_TOKEN"], 1, script)
                r["rate"] = r["calls"] / r["seconds"]
                r["cpu ms/call"] = (cpu_ticks(pids) - cpu0) * TICK_MS / max(1, r["calls"])
                if r["errors"]:
                    print(f"    WARNING: {r['errors']} calls to {name} failed")
                return r

            for name in contenders:
                go(name, f"warm-{name}", 2)
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in contenders}
            print(f"{args.rounds} rounds of {args.seconds:g} s each, 1 process x {args.threads} threads per server")
            for r in range(args.rounds):
                order = list(contenders) if r % 2 == 0 else list(contenders)[::-1]
                for name in order:
                    runs[name].append(go(name, f"r{r}", args.seconds))
                print("  round " + str(r + 1) + ": " + ", ".join(f"{n} {runs[n][-1]['rate']:,.0f}/s" for n in runs))
            stats = worker_stats(gk_port, 1)
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=60)
            server.drop_all()
    print(f"\nmedians of {args.rounds} interleaved rounds [min-max]")

    def line(label: str, values: list[float], unit: str) -> None:
        s = sorted(values)
        fmt = (lambda v: f"{v:,.0f}") if s[-1] >= 100 else (lambda v: f"{v:.3f}")
        print(f"  {label:<44}{fmt(statistics.median(values)):>9} {unit:<9}[{fmt(s[0])}-{fmt(s[-1])}]")

    for name in runs:
        line(name, [r["rate"] for r in runs[name]], "calls/s")
    for name in ("guildkit", "gamification-engine"):
        for base in [n for n in runs if n != name]:
            line(f"{name} / {base}", [a["rate"] / b["rate"] for a, b in zip(runs[name], runs[base], strict=True)], "")
    for name in runs:
        line(f"{name}: server CPU", [r["cpu ms/call"] for r in runs[name]], "ms/call")
    connects = sum(v for data in stats.values() for k, v in data.items() if k.startswith("connects gk_http"))
    print(f"  guildkit: {connects} database connections opened over the run (pool connect events)")


if __name__ == "__main__":
    sys.exit(main())
