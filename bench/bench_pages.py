"""Benchmark: member-facing page render times on the seeded demo, this tree against a baseline commit.

    .venv/bin/python bench/bench_pages.py                           # baseline 7802282, 3 rounds
    .venv/bin/python bench/bench_pages.py --samples 20 --rounds 4   # fewer requests, more rounds
    .venv/bin/python bench/bench_pages.py --base-commit <commit> --json /tmp/pages.json

Two trees: the baseline, checked out with ``git worktree add --detach`` (removed afterwards unless
``--keep-worktree``; an existing ``--base`` folder is used as it is), and this working tree with
its uncommitted changes. Each side runs in its own subprocess with ``PYTHONPATH=<tree>/src:<tree>``
plus the tree's ``plugins/*/src``, which win over the venv's editable installs (the worker checks
where guildkit, example_app and the plugins came from), under this venv's Python: the baseline is
older, so this venv has every package it needs.

Set-up (once per tree, not timed): ``flask --app example_app seed`` with its defaults into a
temporary SQLite file. Each round copies that file, so every round starts from the same data.

Measured: the pages in :func:`pages`, fetched with Flask's test client as anonymous, member (the
mentee of the first active mentorship), moderator and admin (the seeded role holders). A round
starts one worker process per tree on its copy of the database; each does ``--warmup`` untimed
passes over every page and one pass counting SQL statements (every engine), then waits. The
driver then asks for ``--samples`` timed passes, alternating A B, B A, A B … pass by pass, so the
two trees share every burst of noise from the machine; a sample is the wall time of one request,
the body read. Per round: p50 and p95 per page and over every page both trees serve (pooled),
and new/base; reported: the medians over ``--rounds`` rounds (fresh processes each). Pages that
only one tree serves (a route the baseline lacks) are listed apart, not compared.

Target (issue 16): page render p95 on the seeded demo at most twice the baseline's.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BASE_COMMIT = "7802282"
TARGET = 2.0

# name -> {"role": ..., "path": ..., "ms": [...]} for one run of one tree
Run = dict[str, Any]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# --- the worker: runs inside one tree (PYTHONPATH), seeds or measures -------------------------


def pages(ids: dict[str, str]) -> list[tuple[str, str, str]]:
    """(name, who, path) of every page measured; names are what the two trees are matched by."""
    c = "/community"
    return [
        ("home", "anonymous", f"{c}/"),
        ("members", "anonymous", f"{c}/members"),
        ("profile", "anonymous", f"{c}/members/{ids['admin']}"),
        ("badges", "anonymous", f"{c}/badges"),
        ("badge", "anonymous", f"{c}/badges/answerer"),
        ("leaderboard, all time", "anonymous", f"{c}/leaderboards"),
        ("leaderboard, week", "anonymous", f"{c}/leaderboards?period=week"),
        ("events", "anonymous", f"{c}/events"),
        ("home, signed in", "member", f"{c}/"),
        ("own profile", "member", f"{c}/members/{ids['member']}"),
        ("notifications", "member", f"{c}/notifications"),
        ("notification settings", "member", f"{c}/notifications/settings"),
        ("privacy", "member", f"{c}/privacy"),
        ("mentorships", "member", f"{c}/mentorships"),
        ("mentorship", "member", f"{c}/mentorships/{ids['mentorship']}"),
        ("moderation queue", "moderator", f"{c}/moderation"),
        ("moderation case", "moderator", f"{c}/moderation/cases/{ids['case']}"),
        ("admin home", "admin", f"{c}/admin"),
    ]


def _app(db_path: Path) -> Any:
    from example_app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}"})


def _check_imports(tree: Path) -> None:
    """Fail unless guildkit, example_app and the plugins were imported from ``tree``."""
    import importlib

    import example_app
    import guildkit

    modules = [guildkit, example_app]
    for plugin in sorted(tree.glob("plugins/*/src/*/__init__.py")):
        modules.append(importlib.import_module(plugin.parent.name))
    for module in modules:
        if not str(module.__file__).startswith(str(tree)):
            sys.exit(f"{module.__name__} came from {module.__file__}, not from {tree}")
    print(f"guildkit from {guildkit.__file__}", flush=True)


def worker_seed(db_path: Path) -> None:
    app = _app(db_path)
    result = app.test_cli_runner().invoke(args=["seed"])
    if result.exit_code:
        sys.exit(f"seed failed:\n{result.output}\n{result.exception!r}")
    print(result.output.strip().splitlines()[0], flush=True)


def _identities(app: Any) -> dict[str, str]:
    """The host user ids and the record ids the pages need, read from the seeded database."""
    from sqlalchemy import text

    from example_app.extensions import db

    def one(sql: str) -> str:
        value = db.session.execute(text(sql)).scalar()
        if value is None:
            sys.exit(f"the seeded database has no row for: {sql}")
        return str(value)

    def holder(role: str) -> str:
        return one(
            "SELECT m.user_id FROM guildkit_role_grants g JOIN guildkit_members m ON m.id = g.member_id"
            f" WHERE g.role_slug = '{role}' AND g.revoked_at IS NULL ORDER BY g.id LIMIT 1"
        )

    with app.app_context():
        mentorship = "SELECT id FROM guildkit_mentorships WHERE state = 'active' ORDER BY id LIMIT 1"
        return {
            "admin": holder("admin"),
            "moderator": holder("moderator"),
            "mentorship": one(mentorship),
            "member": one(
                "SELECT m.user_id FROM guildkit_members m JOIN guildkit_mentorships s ON s.mentee_id = m.id"
                f" WHERE s.id = ({mentorship})"
            ),
            "case": one("SELECT id FROM guildkit_moderation_cases ORDER BY status = 'open' DESC, id LIMIT 1"),
        }


def _client(app: Any, user_id: str | None) -> Any:
    """A test client signed in as the host user ``user_id`` (Flask-Login's session keys)."""
    from example_app.extensions import db
    from example_app.models import User

    client = app.test_client()
    if user_id is not None:
        with app.app_context():
            user = db.session.get(User, int(user_id))
            if user is None:
                sys.exit(f"no user {user_id} in the seeded database")
            session_id = user.get_id()
            db.session.remove()
        with client.session_transaction() as session:
            session["_user_id"] = session_id
            session["_fresh"] = True
    return client


def worker_serve(db_path: Path, warmup: int) -> None:
    """Set up, warm up and count statements, print ``READY <run>``; then one timed pass over the
    pages per ``pass`` line on stdin, each answered with a line of milliseconds; ``quit`` ends."""
    import sqlalchemy as sa
    from werkzeug.exceptions import NotFound

    app = _app(db_path)
    ids = _identities(app)
    who = {"anonymous": None, "member": ids["member"], "moderator": ids["moderator"], "admin": ids["admin"]}
    clients = {name: _client(app, user_id) for name, user_id in who.items()}
    urls = app.url_map.bind("localhost")
    run: Run = {"pages": {}, "missing": []}
    measured = []
    for name, role, path in pages(ids):
        try:
            urls.match(path.split("?")[0], method="GET")
        except NotFound:
            run["missing"].append(name)  # a route this tree does not have
            continue
        measured.append((name, clients[role], path))
        run["pages"][name] = {"role": role, "path": path, "ms": []}
    for _ in range(warmup):
        for name, client, path in measured:
            response = client.get(path)
            if response.status_code != 200:
                sys.exit(f"{name}: GET {path} answered {response.status_code}")
    # SQL statements per page, on every engine (the host's and guildkit's own), in a pass of their own.
    executed = [0]

    def count(*_: Any) -> None:
        executed[0] += 1

    sa.event.listen(sa.Engine, "before_cursor_execute", count)
    for name, client, path in measured:
        executed[0] = 0
        client.get(path)
        run["pages"][name]["statements"] = executed[0]
    sa.event.remove(sa.Engine, "before_cursor_execute", count)
    print("READY " + json.dumps(run), flush=True)
    for command in sys.stdin:
        if command.strip() != "pass":
            return
        times = []
        for _name, client, path in measured:
            started = time.perf_counter()
            client.get(path).get_data()
            times.append((time.perf_counter() - started) * 1000)
        print(json.dumps(times), flush=True)


# --- the driver: trees, seeding, rounds, report ------------------------------------------------


def _env(tree: Path) -> dict[str, str]:
    paths = [tree / "src", tree, *sorted(tree.glob("plugins/*/src"))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in paths)}


def _command(tree: Path, *args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--worker", *args, "--tree", str(tree)]


def _seed(tree: Path, db_path: Path) -> str:
    with tempfile.TemporaryDirectory() as cwd:  # not a tree: nothing on the path but PYTHONPATH's
        out = subprocess.run(
            _command(tree, "seed", "--db", str(db_path)),
            env=_env(tree),
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )
    if out.returncode:
        sys.exit(f"seeding failed in {tree}:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return out.stdout.splitlines()[-1]


class Worker:
    """One tree's app in its own process, answering ``pass`` requests (see :func:`worker_serve`)."""

    def __init__(self, tree: Path, db_path: Path, warmup: int, workdir: Path) -> None:
        self.tree = tree
        self.stderr_path = workdir / "worker-stderr.txt"
        self.stderr = self.stderr_path.open("w")
        self.process = subprocess.Popen(
            _command(tree, "serve", "--db", str(db_path), "--warmup", str(warmup)),
            env=_env(tree),
            cwd=workdir,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        line = ""
        while not line.startswith("READY "):
            line = self._readline()
        self.run: Run = json.loads(line.removeprefix("READY "))

    def _readline(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.process.wait()
            sys.exit(f"the worker for {self.tree} failed:\n{self.stderr_path.read_text()[-3000:]}")
        return line

    def one_pass(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("pass\n")
        self.process.stdin.flush()
        times = json.loads(self._readline())
        for page, ms in zip(self.run["pages"].values(), times, strict=True):
            page["ms"].append(ms)

    def close(self) -> Run:
        assert self.process.stdin is not None
        self.process.stdin.write("quit\n")
        self.process.stdin.close()
        self.process.wait()
        self.stderr.close()
        return self.run


def _copy_db(source: Path, target: Path) -> None:
    """A consistent copy, WAL included (sqlite3's online backup)."""
    target.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _summary(run: Run, names: list[str]) -> dict[str, float]:
    pooled = [ms for name in names for ms in run["pages"][name]["ms"]]
    return {"p50": percentile(pooled, 0.5), "p95": percentile(pooled, 0.95)}


def _statements(run: Run, names: list[str]) -> int:
    return sum(int(run["pages"][name]["statements"]) for name in names)


def report(runs: dict[str, list[Run]]) -> dict[str, Any]:
    a_runs, b_runs = runs["A"], runs["B"]
    both = [name for name in b_runs[0]["pages"] if name in a_runs[0]["pages"]]
    only = {
        "new only": [name for name in b_runs[0]["pages"] if name not in a_runs[0]["pages"]],
        "base only": [name for name in a_runs[0]["pages"] if name not in b_runs[0]["pages"]],
    }
    rows: dict[str, Any] = {}
    for name in [*both, "ALL (pooled)"]:
        names = both if name == "ALL (pooled)" else [name]
        per: dict[str, dict[str, list[float]]] = {"A": {"p50": [], "p95": []}, "B": {"p50": [], "p95": []}}
        for side, side_runs in runs.items():
            for run in side_runs:
                figures = _summary(run, names)
                for key, value in figures.items():
                    per[side][key].append(value)
        ratios = {key: [b / a for a, b in zip(per["A"][key], per["B"][key], strict=True)] for key in ("p50", "p95")}
        rows[name] = {
            "statements": {side: _statements(runs[side][0], names) for side in runs},
            "base": {key: statistics.median(values) for key, values in per["A"].items()},
            "new": {key: statistics.median(values) for key, values in per["B"].items()},
            "ratio_per_round": ratios,
            "ratio": {key: statistics.median(values) for key, values in ratios.items()},
        }
    extra = {}
    for label, names in only.items():
        side = "B" if label == "new only" else "A"
        for name in names:
            p95s = [percentile(run["pages"][name]["ms"], 0.95) for run in runs[side]]
            p50s = [percentile(run["pages"][name]["ms"], 0.5) for run in runs[side]]
            extra[name] = {"tree": label, "p50": statistics.median(p50s), "p95": statistics.median(p95s)}

    print(
        f"\nms per request, medians of {len(a_runs)} rounds per tree; new/base: the median of per-round ratios;"
        " SQL: statements per request, base→new"
    )
    columns = "".join(f"{h:>9}" for h in ("base p50", "base p95", "new p50", "new p95"))
    print(f"  {'page':<26}{columns}{'p50 new/base':>14}{'p95 new/base':>14}{'SQL':>10}   p95 ratio by round")
    for name, row in rows.items():
        cells = ", ".join(f"{r:.2f}" for r in row["ratio_per_round"]["p95"])
        sql = f"{row['statements']['A']}→{row['statements']['B']}"
        print(
            f"  {name:<26}{row['base']['p50']:>9.1f}{row['base']['p95']:>9.1f}{row['new']['p50']:>9.1f}"
            f"{row['new']['p95']:>9.1f}{row['ratio']['p50']:>14.2f}{row['ratio']['p95']:>14.2f}{sql:>10}   {cells}"
        )
    for name, row in extra.items():
        print(f"  {name:<26}  ({row['tree']}, not compared)  p50 {row['p50']:.1f}  p95 {row['p95']:.1f}")
    overall = rows["ALL (pooled)"]["ratio"]["p95"]
    verdict = "within" if overall <= TARGET else "OVER"
    print(f"\noverall p95 new/base: {overall:.2f} ({verdict} the issue-16 target: at most {TARGET:.1f})")
    return {"compared": rows, "not_compared": extra}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-commit", default=BASE_COMMIT, help="the baseline (A)")
    parser.add_argument("--base", type=Path, default=Path("/tmp/gk-base"), help="where the baseline tree goes")
    parser.add_argument("--new", type=Path, default=ROOT, help="the tree compared (B): this one")
    parser.add_argument("--rounds", type=int, default=3, help="runs per tree, A B A B … (≥ 3)")
    parser.add_argument("--samples", type=int, default=100, help="timed requests per page per run")
    parser.add_argument("--warmup", type=int, default=5, help="untimed passes over the pages first")
    parser.add_argument("--json", type=Path, default=Path("/tmp/gk-bench-pages.json"), help="where results go")
    parser.add_argument("--keep-worktree", action="store_true", help="leave the baseline worktree in place")
    parser.add_argument("--worker", choices=["seed", "serve"], help=argparse.SUPPRESS)
    parser.add_argument("--tree", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        _check_imports(args.tree.resolve())
        if args.worker == "seed":
            worker_seed(args.db)
        else:
            worker_serve(args.db, args.warmup)
        return
    if args.rounds < 3:
        parser.error("--rounds must be at least 3")

    created = not args.base.exists()
    if created:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(args.base), args.base_commit],
            check=True,
            capture_output=True,
        )
    try:
        sides = {"A": args.base.resolve(), "B": args.new.resolve()}
        results = run_rounds(sides, args)
    finally:
        if created and not args.keep_worktree:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(args.base)], check=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(f"results in {args.json}")


def run_rounds(sides: dict[str, Path], args: argparse.Namespace) -> dict[str, Any]:
    described = {}
    for side, tree in sides.items():
        head = subprocess.run(["git", "-C", tree, "describe", "--always", "--dirty"], capture_output=True, text=True)
        described[side] = f"{tree} ({head.stdout.strip()})"
        print(f"{side}: {described[side]}")
    runs: dict[str, list[Run]] = {"A": [], "B": []}
    with tempfile.TemporaryDirectory(prefix="gk-bench-pages-") as tmp:
        workdir = Path(tmp)
        for side, tree in sides.items():
            started = time.perf_counter()
            seeded = _seed(tree, workdir / f"{side}-seed.db")
            print(f"seeded {side} in {time.perf_counter() - started:.0f} s: {seeded}", flush=True)
        for n in range(1, args.rounds + 1):
            started = time.perf_counter()
            workers = {}
            for side, tree in sides.items():  # one after the other: a worker sets up while the other waits
                (workdir / side).mkdir(exist_ok=True)
                db_path = workdir / side / "round.db"
                _copy_db(workdir / f"{side}-seed.db", db_path)
                workers[side] = Worker(tree, db_path, args.warmup, workdir / side)
            for i in range(args.samples):
                for side in ("A", "B") if i % 2 == 0 else ("B", "A"):
                    workers[side].one_pass()
            for side, worker in workers.items():
                runs[side].append(worker.close())
            print(f"round {n}: {time.perf_counter() - started:.0f} s", flush=True)
    summary = report(runs)
    return {
        "trees": described,
        "rounds": args.rounds,
        "samples": args.samples,
        "warmup": args.warmup,
        "target_p95_ratio": TARGET,
        **summary,
        "runs": runs,
    }


if __name__ == "__main__":
    main()
