"""Benchmark: what group goals and challenges add to recording an activity, with 100 active goals
and 100 running challenges, as the history grows.

    .venv/bin/python bench/bench_goals_challenges.py                      # SQLite (a file)
    (source scripts/postgres.sh; trap guildkit_pg_stop EXIT; guildkit_pg_start
     .venv/bin/python bench/bench_goals_challenges.py --backend postgresql)
    .venv/bin/python bench/bench_goals_challenges.py --sizes 1000,5000 --samples 100   # quicker

Two kinds of community, built the same way: **A** with the groups and challenges features
switched off (``GUILDKIT_PLUGINS_DENY``), **B** with both on, and

* ``--challenges`` running challenges (default 100) of two steps each over ``--types`` activity
  types, every member taking part in ``--joined`` of them (default 10);
* ``--goals`` active group goals (default 100) spread over ``--groups`` groups (default 20, so 5
  goals each), each on one of the counted types, half one-off and half monthly, every member in
  ``--in-groups`` of the groups (default 10).

So a counted activity of a member moves, on average, one challenge step and 2.5 goal counters.
Targets are out of reach, so what is measured is counting, not completing (a completion is one
more ``UPDATE`` and the reward, once per participant or period).

Each size of ``--sizes`` (default 1,000, 10,000, 50,000 activities) has its own pair of
communities, A and B, whose history is recorded up front through ``gk.record_many`` (so B counts
it all as it comes). Then, in ``--rounds`` rounds (default 3), ``--samples`` activities per case
are recorded one by one (``gk.record``, one transaction each) on every side of every pair, in
turns record by record (the sizes rotate, A and B alternate who goes first), and timed:

* **participant**: a member in challenges and groups, one of the counted types (the counting
  upserts and ``UPDATE`` move rows);
* **bystander**: a member in no challenge and no group, a counted type (the reads find nothing);
* **uncounted**: a type no challenge and no goal counts (only the reads for what counts run).

Every side takes its turn at the same moments, so a shared machine's load (and this process's
own drift over a long run) weighs on all of them alike: the sizes are compared as fairly as A
and B. The SQL statements each record sends are counted too, by the driver's cursor (every
``execute`` and ``executemany``; a ``before_cursor_execute`` listener would miss the statements
the hot path runs on the bare DBAPI cursor).

Printed, per case and size: wall and CPU milliseconds per record (the CPU of this process: with
SQLite, the database's work too; with PostgreSQL, only the client's), each the median over the
rounds of each round's median; B-A, the median over the rounds of the median of the paired
differences; B/A (wall), the median over the rounds of the ratio of the round's medians; the
statements per record (each round's mean, then the median over the rounds). Then, per case,
whether what B adds grows with the history (it must not: nothing is recounted): it does not when
B-A's statements are the same at every size and B-A at the largest size is within the rounds'
spread of B-A at the smallest, in CPU time on SQLite (the database's work, without the waits for
a core) and in wall time on PostgreSQL (the server's work shows there only).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from guildkit import ActivityTypeDef, GuildKit, PointsRule, PointTypeDef
from guildkit.testing import postgres_schema

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
CASES = ("participant", "bystander", "uncounted")
FEATURES = ["guildkit.groups", "guildkit.challenges"]
COLUMNS = ("A wall", "B wall", "B-A wall", "B/A wall", "A cpu", "B cpu", "B-A cpu", "A stmt", "B stmt", "B-A stmt")


@dataclass
class Side:
    app: Flask
    gk: GuildKit
    #: Statements sent so far, counted by the driver's cursor (see :func:`counting_connect_args`).
    statements: list[int]


def counting_connect_args(backend: str, sent: list[int]) -> dict[str, Any]:
    """Driver arguments whose cursors add one to ``sent[0]`` per ``execute`` and per ``executemany``.

    Counted at the driver, not with a ``before_cursor_execute`` listener: the recording hot path
    (the core's pipeline, the challenges' counting) runs prepared statements on the bare DBAPI
    cursor, which SQLAlchemy's events never see."""
    if backend == "sqlite":

        class SQLiteCursor(sqlite3.Cursor):
            def execute(self, *args: Any, **kwargs: Any) -> Any:
                sent[0] += 1
                return super().execute(*args, **kwargs)

            def executemany(self, *args: Any, **kwargs: Any) -> Any:
                sent[0] += 1
                return super().executemany(*args, **kwargs)

        class SQLiteConnection(sqlite3.Connection):
            def cursor(self, factory: Any = SQLiteCursor) -> Any:
                return super().cursor(factory)

        return {"factory": SQLiteConnection}
    import psycopg

    class PostgresCursor(psycopg.Cursor[Any]):
        def execute(self, *args: Any, **kwargs: Any) -> Any:
            sent[0] += 1
            return super().execute(*args, **kwargs)

        def executemany(self, *args: Any, **kwargs: Any) -> Any:
            sent[0] += 1
            return super().executemany(*args, **kwargs)

    return {"cursor_factory": PostgresCursor}


@contextmanager
def community(backend: str, workdir: Path, name: str, *, features: bool) -> Iterator[Side]:
    app = Flask(f"bench-{name}", instance_path=str(workdir / f"instance-{name}"))
    app.config.update(GUILDKIT_LOAD_ENTRY_POINTS=False, GUILDKIT_TIMEZONE="UTC", GUILDKIT_BATCH_LIMIT=1000)
    # Every other feature is the same on both sides: what differs is groups and challenges alone.
    app.config["GUILDKIT_PLUGINS_DENY"] = [] if features else FEATURES
    sent = [0]
    with ExitStack() as stack:
        if backend == "sqlite":
            app.config["GUILDKIT_DATABASE_URI"] = f"sqlite:///{workdir / f'{name}.db'}"
            options: dict[str, Any] = {"connect_args": {}}
        else:
            url = os.environ["GUILDKIT_TEST_POSTGRES_URL"]
            app.config["GUILDKIT_DATABASE_URI"] = url
            options = stack.enter_context(postgres_schema(url))
        options["connect_args"].update(counting_connect_args(backend, sent))
        app.config["GUILDKIT_ENGINE_OPTIONS"] = options
        gk = GuildKit(app)
        gk.clock = lambda: NOW
        with app.app_context():
            gk.create_all()
        try:
            yield Side(app, gk, sent)
        finally:
            with app.app_context():
                gk.store.dispose()  # type: ignore[attr-defined]


def types(n: int) -> list[str]:
    return [f"bench.t{i}" for i in range(n)]


def define(gk: GuildKit, counted: list[str]) -> None:
    everything = [*counted, "bench.other"]
    gk.define(
        point_types=[PointTypeDef("xp", "Experience")],
        rules=[PointsRule(f"xp-{t}", t, 1, "xp", to="actor") for t in everything],
        activity_types=[ActivityTypeDef(t, f"Bench {t}") for t in everything],
    )


def setup(gk: GuildKit, args: argparse.Namespace, rng: random.Random, *, features: bool) -> None:
    counted = types(args.types)
    define(gk, counted)
    for m in range(args.members + 1):
        gk.join(f"m{m}", name=f"Member {m}")
    if not features:
        return
    made = []
    for c in range(args.challenges):
        steps = [{"activity_type": t, "count": 100_000} for t in rng.sample(counted, 2)]
        made.append(
            gk.challenges.create(
                None, title=f"Challenge {c}", starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=6),
                steps=steps, reward_points=10, reward_point_type="xp",
            ).id
        )  # fmt: skip
    groups = [gk.groups.ensure(f"team:{g}", name=f"Team {g}").id for g in range(args.groups)]
    for g in range(args.goals):
        monthly = g % 2 == 1
        gk.groups.create_goal(
            None, groups[g % len(groups)], name=f"Goal {g}", activity_type=rng.choice(counted), target=1_000_000,
            starts_at=NOW - timedelta(days=1), ends_at=None if monthly else NOW + timedelta(days=6),
            recurring="monthly" if monthly else None,
        )  # fmt: skip
    for m in range(1, args.members + 1):  # m0 is the bystander: in no challenge and no group
        for challenge_id in rng.sample(made, args.joined):
            gk.challenges.join(f"m{m}", challenge_id)
        for group_id in rng.sample(groups, args.in_groups):
            gk.groups.add(group_id, f"m{m}")


def grow(gk: GuildKit, size: int, args: argparse.Namespace) -> None:
    """History: ``size`` activities by the members, of the counted types, in batches of 1,000."""
    rng = random.Random(size)
    counted = types(args.types)
    for first in range(0, size, 1000):
        gk.record_many(
            [
                {"type": rng.choice(counted), "key": f"h{i}", "actor": f"m{rng.randint(1, args.members)}"}
                for i in range(first, min(size, first + 1000))
            ]
        )


def paired(
    pairs: dict[int, dict[str, Side]], case: str, n: int, tag: str, rng: random.Random, args: argparse.Namespace
) -> dict[tuple[int, str], list[float]]:
    """``n`` single records of ``case`` on each side of each size's pair, all in turns record by
    record (the sizes rotate, A and B alternate who goes first), so that every side sees the
    machine's load at the same moments. Returns each side's wall and CPU milliseconds and SQL
    statements per record, by (size, "A wall" …)."""
    counted = types(args.types)
    sizes = list(pairs)
    took: dict[tuple[int, str], list[float]] = {
        (size, f"{name} {what}"): [] for size in sizes for name in ("A", "B") for what in ("wall", "cpu", "stmt")
    }
    for i in range(n):
        actor = "m0" if case == "bystander" else f"m{rng.randint(1, args.members)}"
        kind = "bench.other" if case == "uncounted" else rng.choice(counted)
        turn = i % len(sizes)
        for size in sizes[turn:] + sizes[:turn]:
            sides = list(pairs[size].items())
            for name, side in sides if i % 2 == 0 else reversed(sides):
                with side.app.app_context():
                    sent = side.statements[0]
                    wall, cpu = time.perf_counter(), time.process_time()
                    side.gk.record(kind, key=f"{tag}:{case}:{i}", actor=actor)
                    took[(size, f"{name} cpu")].append((time.process_time() - cpu) * 1000)
                    took[(size, f"{name} wall")].append((time.perf_counter() - wall) * 1000)
                    took[(size, f"{name} stmt")].append(side.statements[0] - sent)
    return took


def verdict(case: str, sizes: list[int], results: dict[tuple[str, int, str], list[float]], clock: str) -> str:
    """Whether what B adds grows with the history: B-A's statements must be the same at every
    size, and B-A on ``clock`` at the largest size within the rounds' spread (at least 0.05 ms)
    of B-A at the smallest."""
    first, last = sizes[0], sizes[-1]
    stmts = [statistics.median(results[("B-A stmt", size, case)]) for size in sizes]
    added = [results[(f"B-A {clock}", size, case)] for size in (first, last)]
    spread = max(0.05, *(max(rounds) - min(rounds) for rounds in added))
    change = statistics.median(added[1]) - statistics.median(added[0])
    flat = max(stmts) - min(stmts) < 0.5 and change <= spread
    shown = {
        series: " and ".join(f"{statistics.median(results[(series, n, case)]):{form}}" for n in (first, last))
        for series, form in (("B-A wall", "+.3f"), ("B-A cpu", "+.3f"), ("B/A wall", ".3f"))
    }
    return (
        f"{case}: at {first:,} and at {last:,} prior activities B-A is {shown['B-A wall']} ms wall, "
        f"{shown['B-A cpu']} ms cpu (B/A {shown['B/A wall']}); {clock}: change {change:+.3f}, rounds' spread "
        f"{spread:.3f}; B-A statements {', '.join(f'{n:+.1f}' for n in stmts)}: "
        + ("does not grow" if flat else "GROWS")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--sizes", default="1000,10000,50000", help="history sizes, comma-separated")
    parser.add_argument("--challenges", type=int, default=100)
    parser.add_argument("--goals", type=int, default=100, help="active group goals")
    parser.add_argument("--groups", type=int, default=20, help="groups the goals are spread over")
    parser.add_argument("--types", type=int, default=20, help="activity types the challenges and goals count")
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--joined", type=int, default=10, help="challenges each member takes part in")
    parser.add_argument("--in-groups", type=int, default=10, help="groups each member is in")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=200, help="activities timed per case, side and round")
    args = parser.parse_args()
    if args.rounds < 3:
        parser.error("--rounds must be at least 3")
    if args.in_groups > args.groups:
        parser.error("--in-groups must be at most --groups")
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[tuple[str, int, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        pairs: dict[int, dict[str, Side]] = {}
        for size in sizes:
            pairs[size] = {}
            for name in ("A", "B"):
                started = time.perf_counter()
                side = stack.enter_context(community(args.backend, Path(tmp), f"{name}{size}", features=name == "B"))
                with side.app.app_context():
                    setup(side.gk, args, random.Random(7), features=name == "B")
                    grow(side.gk, size, args)
                pairs[size][name] = side
                print(f"  {name}: set up with {size:,} activities in {time.perf_counter() - started:.1f} s")
        print(f"{args.backend}: B has {args.challenges} running challenges and {args.goals} active group goals "
              f"({args.groups} groups) over {args.types} activity types, {args.members} members each in "
              f"{args.joined} challenges and {args.in_groups} groups; A has both features switched off")  # fmt: skip
        for r in range(args.rounds):
            for case in CASES:
                took = paired(pairs, case, args.samples, f"r{r}", random.Random(r), args)
                for size in sizes:
                    mine = {series: values for (at, series), values in took.items() if at == size}
                    for series, values in mine.items():
                        summary = statistics.fmean if series.endswith("stmt") else statistics.median
                        results.setdefault((series, size, case), []).append(summary(values))
                    ratio = statistics.median(mine["B wall"]) / statistics.median(mine["A wall"])
                    results.setdefault(("B/A wall", size, case), []).append(ratio)
                    for what in ("wall", "cpu"):
                        diffs = [b - a for a, b in zip(mine[f"A {what}"], mine[f"B {what}"], strict=True)]
                        results.setdefault((f"B-A {what}", size, case), []).append(statistics.median(diffs))
                    results.setdefault(("B-A stmt", size, case), []).append(
                        statistics.fmean(mine["B stmt"]) - statistics.fmean(mine["A stmt"])
                    )
    print(f"\nms per record: medians of {args.rounds} rounds, each the median of {args.samples} records per side "
          "(all sides of all sizes in turns, record by record); B-A is the median of the paired differences, "
          "B/A the ratio of the medians; stmt: SQL statements per record (mean)")  # fmt: skip
    print(f"{'case':<12}{'history':>8}" + "".join(f"{name:>9}" for name in COLUMNS))
    for case in CASES:
        for size in sizes:
            row = [statistics.median(results[(name, size, case)]) for name in COLUMNS]
            cells = "".join(
                f"{value:>9.1f}" if name.endswith("stmt") else f"{value:>9.3f}"
                for name, value in zip(COLUMNS, row, strict=True)
            )
            print(f"{case:<12}{size:>8,}{cells}")
    # SQLite works in this process: its CPU is the database's work without the waits for a core of
    # a shared machine. PostgreSQL works in its own: only the wall clock sees its work.
    clock = "cpu" if args.backend == "sqlite" else "wall"
    for case in CASES:
        print(verdict(case, sizes, results, clock))


if __name__ == "__main__":
    main()
