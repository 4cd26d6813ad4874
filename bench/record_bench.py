"""Benchmark: guildkit's write path against baselines measured interleaved with it, as ratios.

    .venv/bin/python bench/record_bench.py                       # SQLite
    (source scripts/postgres.sh; trap guildkit_pg_stop EXIT; guildkit_pg_start
     .venv/bin/python bench/record_bench.py)                     # SQLite and PostgreSQL
    .venv/bin/python bench/record_bench.py --history 1000000 --memory   # the slow parts too

Workload (bench/workload.py): 20 rules over 10,000 members, six activity types, 1.5 ledger rows
per activity. Sections (``--sections``, all but history and memory by default):

``throughput``
    Each round runs, in turn and in alternating order (A B … then … B A): ``record()`` one
    activity per transaction, the hand-written floor (bench/floor.py: the same transaction on
    the bare driver), one ledger-shaped row per commit on the bare driver, ``record_many()`` in
    batches, and a Core ``executemany`` of ledger-shaped rows. Ratios are taken within a round;
    medians and spreads over ``--rounds`` (≥ 3).
``counts``
    Statements, commits and (PostgreSQL) round trips per call, seen by SQLAlchemy, at the DBAPI
    and on the wire (bench/counting.py): per activity type, per retraction, per
    ``record_many()`` of 100.
``rules``
    ``record()`` with 20 rules against the same with 1,000 (980 on types never sent),
    interleaved: the cost should not grow with the rule set.
``history``
    ``record()`` on a community with ``--history`` ledger rows (built with ``record_many``,
    slow) against one with about a thousand, interleaved.
``memory``
    ``record_many()`` of ``--memory-activities`` (100,000) in one call, in a fresh process:
    peak RSS above the RSS just before the call (the input list already built), per activity.
``scores``
    ``record()`` with the leaderboards' score-histogram triggers installed against the same
    community with them dropped, interleaved: what keeping ranks as index reads costs a write.

Figures, never assertions: compare ratios, not absolute rates, on this shared machine. The last
line is the results as JSON (``RESULTS {...}``), which bench/ab_record.py reads.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import counting
from flask import Flask
from floor import CoreBatch, Floor
from workload import (
    MEMBERS,
    TYPES,
    Database,
    activities,
    backends,
    database,
    define_extra,
    ledger_rows,
    make_app,
    seed_members,
)

import guildkit
from guildkit import GuildKit

#: guildkit's tables the write path reads, analyzed after the bulk load on PostgreSQL
ANALYZED = tuple(
    f"guildkit_{t}"
    for t in ("members", "activities", "counters", "distinct", "balances", "ledger", "badge_awards", "role_grants")
)
SECTIONS = ("throughput", "counts", "rules", "history", "memory", "scores")
DEFAULT_SECTIONS = "throughput,counts,rules"


def spread(values: list[float]) -> dict[str, Any]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}


def fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3f}"


def show(label: str, values: list[float], unit: str = "") -> None:
    s = spread(values)
    runs = ", ".join(fmt(v) for v in values)
    print(f"  {label:<44}{fmt(s['median']):>10} {unit:<14} [{fmt(s['min'])}-{fmt(s['max'])}]  ({runs})")


def timed(run: Callable[[], int]) -> float:
    started = time.perf_counter()
    count = run()
    return count / (time.perf_counter() - started)


@contextmanager
def community(backend: str, workdir: Path, name: str, **kwargs: Any) -> Iterator[tuple[Database, Flask, GuildKit]]:
    """A database with guildkit's tables, the rule set and 10,000 members."""
    with database(backend, workdir, name) as db:
        app, gk = make_app(db, workdir / name, **kwargs)
        with app.app_context():
            seed_members(gk)
            if backend == "postgresql":  # what autovacuum would do soon after a bulk load: plans from real statistics
                with gk.store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.exec_driver_sql(f"ANALYZE {', '.join(ANALYZED)}")
        try:
            yield db, app, gk
        finally:
            with app.app_context():
                dispose = getattr(gk.store, "dispose", None)  # release the pool before the schema goes
                if dispose is not None:
                    dispose()


def record_each(app: Flask, gk: GuildKit, items: list[dict[str, Any]]) -> Callable[[], int]:
    def run() -> int:
        with app.app_context():
            for item in items:
                gk.record(**item)
        return len(items)

    return run


def record_batches(app: Flask, gk: GuildKit, items: list[dict[str, Any]], size: int) -> Callable[[], int]:
    def run() -> int:
        with app.app_context():
            for start in range(0, len(items), size):
                gk.record_many(items[start : start + size])
        return len(items)

    return run


def interleave(rounds: int, contenders: dict[str, Callable[[int], float]]) -> dict[str, list[float]]:
    """Each round runs every contender once, in alternating order; rates per contender per round."""
    names = list(contenders)
    rates: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        order = names if r % 2 == 0 else names[::-1]
        for name in order:
            rates[name].append(contenders[name](r))
        print(f"    round {r + 1}/{rounds}: " + ", ".join(f"{n} {fmt(rates[n][-1])}" for n in names), flush=True)
    return rates


def ratios(num: list[float], den: list[float]) -> list[float]:
    return [a / b for a, b in zip(num, den, strict=True)]


# -- sections --------------------------------------------------------------------------------


def throughput(backend: str, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    n, batch, size = args.single, args.batch, args.batch_size
    with community(backend, workdir, "throughput") as (db, app, gk):
        with app.app_context():
            warm = gk.record_many(activities(300, 1, "warm"))
        floor = Floor(db)
        floor.create()
        floor.run(activities(300, 1, "floor-warm"))
        core = CoreBatch(db)
        try:
            contenders: dict[str, Callable[[int], float]] = {
                "record()": lambda r: timed(record_each(app, gk, activities(n, 10 + r, "single", start=r * n))),
                "floor": lambda r: floor.run(activities(n, 10 + r, "floor", start=r * n)),
                "raw 1 row/commit": lambda r: floor.raw_single(n),
                "record_many()": lambda r: timed(
                    record_batches(app, gk, activities(batch, 100 + r, "batch", start=r * batch), size)
                ),
                "Core executemany": lambda r: core.run(batch),
            }
            print(f"  throughput: {args.rounds} rounds of {n:,} single and {batch:,} batched activities", flush=True)
            rates = interleave(args.rounds, contenders)
        finally:
            floor.close()
            core.close()
    out = {name: spread(values) for name, values in rates.items()}
    out["record()/floor"] = spread(ratios(rates["record()"], rates["floor"]))
    out["floor/raw 1 row"] = spread(ratios(rates["floor"], rates["raw 1 row/commit"]))
    out["record()/raw 1 row"] = spread(ratios(rates["record()"], rates["raw 1 row/commit"]))
    out["record_many()/Core"] = spread(ratios(rates["record_many()"], rates["Core executemany"]))
    out["ledger rows per activity"] = ledger_rows(warm) / len(warm)
    return out


def counts(backend: str, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Statements, commits and round trips per call, on an app whose connections are counted."""
    k = args.count
    with community(backend, workdir, "counts", engine_options=counting.engine_options(backend)) as (_db, app, gk):
        out: dict[str, Any] = {}
        with app.app_context():
            gk.record_many(activities(300, 1, "warm"))
            for item in activities(20, 2, "warm-single"):  # fill the pool, build every statement once
                gk.record(**item)
            for kind in TYPES:
                items = activities(k, 3, f"count-{kind}", kinds=(kind,))
                out[kind] = counting.count_calls(backend, [lambda i=i: gk.record(**i) for i in items]).summary()
            plain = activities(k, 4, "plain", kinds=("answer.upvoted",))
            for item in plain:
                gk.record(**item)
            out["retract (answer.upvoted)"] = counting.count_calls(
                backend, [lambda i=i: gk.retract(i["key"], reason="bench") for i in plain]
            ).summary()
            again = activities(k, 3, "count-answer.upvoted", kinds=("answer.upvoted",))
            out["replay (same key)"] = counting.count_calls(
                backend, [lambda i=i: gk.record(**i) for i in again]
            ).summary()
            batches = [activities(100, 5 + b, f"many-{b}") for b in range(3)]
            out["record_many() of 100"] = counting.count_calls(
                backend, [lambda b=b: gk.record_many(b) for b in batches]
            ).summary()
    return out


def rules(backend: str, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    n = args.single
    with (
        community(backend, workdir, "rules20") as (_d1, app20, gk20),
        community(backend, workdir, "rules1000") as (_d2, app1000, gk1000),
    ):
        define_extra(gk1000, 980)
        for app, gk in ((app20, gk20), (app1000, gk1000)):
            with app.app_context():
                gk.record_many(activities(300, 1, "warm"))
        print(f"  rules: {args.rounds} rounds of {n:,} record() calls, 20 rules vs 1,000", flush=True)
        rates = interleave(
            args.rounds,
            {
                "20 rules": lambda r: timed(record_each(app20, gk20, activities(n, 20 + r, "r", start=r * n))),
                "1,000 rules": lambda r: timed(record_each(app1000, gk1000, activities(n, 20 + r, "r", start=r * n))),
            },
        )
    return {
        **{k: spread(v) for k, v in rates.items()},
        "1,000/20": spread(ratios(rates["1,000 rules"], rates["20 rules"])),
    }


def history(backend: str, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    n, target = args.single, args.history
    with (
        community(backend, workdir, "small") as (_d1, app_s, gk_s),
        community(backend, workdir, "large") as (_d2, app_l, gk_l),
    ):
        with app_s.app_context():
            small = ledger_rows(gk_s.record_many(activities(700, 1, "hist")))
        built, made, started = 0, 0, time.perf_counter()
        with app_l.app_context():
            while built < target:
                built += ledger_rows(gk_l.record_many(activities(20_000, 7 + made, "hist", start=made)))
                made += 20_000
                print(f"    history: {built:,} ledger rows ({time.perf_counter() - started:.0f} s)", flush=True)
        label_s, label_l = f"{small:,} ledger rows", f"{built:,} ledger rows"
        print(f"  history: {args.rounds} rounds of {n:,} record() calls, {label_s} vs {label_l}", flush=True)
        offset = made + 1000
        rates = interleave(
            args.rounds,
            {
                label_s: lambda r: timed(record_each(app_s, gk_s, activities(n, 30 + r, "h", start=offset + r * n))),
                label_l: lambda r: timed(record_each(app_l, gk_l, activities(n, 30 + r, "h", start=offset + r * n))),
            },
        )
    return {
        "small": small,
        "large": built,
        "build seconds": time.perf_counter() - started,
        label_s: spread(rates[label_s]),
        label_l: spread(rates[label_l]),
        "large/small": spread(ratios(rates[label_l], rates[label_s])),
    }


# -- memory, in a fresh process ----------------------------------------------------------------


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def memory_child(backend: str, count: int) -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        community(backend, Path(tmp), "memory") as (_db, app, gk),
        app.app_context(),
    ):
        gk.record_many(activities(300, 1, "warm"))
        before_input = _rss_kib("VmRSS")
        items = activities(count, 9, "mem")
        gc.collect()
        baseline = _rss_kib("VmRSS")
        try:  # reset the peak (VmHWM) to the current RSS (Linux ≥ 4.0)
            Path("/proc/self/clear_refs").write_text("5")
            reset = True
        except OSError:
            reset = False
        started = time.perf_counter()
        results = gk.record_many(items)
        seconds = time.perf_counter() - started
        peak = _rss_kib("VmHWM")
    print(
        "MEMORY "
        + json.dumps(
            {
                "activities": count,
                "input list KiB": baseline - before_input,
                "baseline KiB": baseline,
                "peak KiB": peak,
                "peak above baseline KiB": peak - baseline,
                "bytes per activity": (peak - baseline) * 1024 / count,
                "peak was reset": reset,
                "seconds": seconds,
                "ledger rows": ledger_rows(results),
            }
        )
    )


def memory(backend: str, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    print(f"  memory: record_many() of {args.memory_activities:,} activities in a fresh process", flush=True)
    cmd = [sys.executable, __file__, "--memory-child", backend, "--memory-activities", str(args.memory_activities)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    line = next((x for x in out.stdout.splitlines() if x.startswith("MEMORY ")), None)
    if out.returncode or line is None:
        raise SystemExit(f"memory child failed:\n{out.stdout}\n{out.stderr}")
    result: dict[str, Any] = json.loads(line.removeprefix("MEMORY "))
    return result


def scores(backend: str, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    """What the leaderboards' score-histogram triggers cost record(): the same community with
    them installed and dropped, in turns (the histogram goes stale while they are off)."""
    from guildkit.models.scores import drop_score_counts_ddl, score_counts_ddl

    n = args.single
    with community(backend, workdir, "scores") as (_db, app, gk):
        with app.app_context():
            gk.record_many(activities(300, 1, "warm"))
            engine = gk.store.engine

        def with_triggers(on: bool, r: int) -> float:
            with app.app_context(), engine.begin() as conn:
                ddl = score_counts_ddl if on else drop_score_counts_ddl
                for statement in ddl(engine.dialect.name):
                    conn.exec_driver_sql(statement)
            return timed(record_each(app, gk, activities(n, 30 + r, "on" if on else "off", start=r * n)))

        print(f"  scores: {args.rounds} rounds of {n:,} record() calls, histogram triggers on vs off", flush=True)
        rates = interleave(
            args.rounds,
            {"triggers on": lambda r: with_triggers(True, r), "triggers off": lambda r: with_triggers(False, r)},
        )
    return {
        **{k: spread(v) for k, v in rates.items()},
        "on/off": spread(ratios(rates["triggers on"], rates["triggers off"])),
    }


RUNNERS = {
    "throughput": throughput,
    "counts": counts,
    "rules": rules,
    "history": history,
    "memory": memory,
    "scores": scores,
}


# -- report ------------------------------------------------------------------------------------


def report(backend: str, section: str, r: dict[str, Any]) -> None:
    if section == "throughput":
        print(f"\n{backend}: throughput, medians of {len(r['record()']['runs'])} interleaved rounds [min-max] (runs)")
        show("record(), one activity per transaction", r["record()"]["runs"], "activities/s")
        show("hand-written floor, bare driver", r["floor"]["runs"], "activities/s")
        show("record() / floor   (target ≥ 0.6)", r["record()/floor"]["runs"])
        show("raw driver, one ledger row per commit", r["raw 1 row/commit"]["runs"], "rows/s")
        show("record() / raw 1 row", r["record()/raw 1 row"]["runs"])
        show("floor / raw 1 row", r["floor/raw 1 row"]["runs"])
        show("record_many(), batches", r["record_many()"]["runs"], "activities/s")
        show("Core executemany, one transaction", r["Core executemany"]["runs"], "rows/s")
        show("record_many() / Core", r["record_many()/Core"]["runs"])
        print(f"  ledger rows per activity: {r['ledger rows per activity']:.2f}")
    elif section == "counts":
        wire = backend == "postgresql"
        print(f"\n{backend}: per call (means over the calls; statements exclude BEGIN/COMMIT/ROLLBACK)")
        head = f"  {'call':<28}{'statements':>11}{'max':>5}{'via SA':>8}{'bypass':>8}{'commits':>9}"
        print(head + (f"{'round trips':>13}" if wire else f"{'txn ctl':>9}"))
        for call, c in r.items():
            row = (
                f"  {call:<28}{c['statements']:>11.2f}{c['statements_max']:>5}{c['via_sqlalchemy']:>8.2f}"
                f"{c['bypassing_sqlalchemy']:>8.2f}{c['commits']:>9.2f}"
            )
            print(row + (f"{c['round_trips']:>13.2f}" if wire else f"{c['transaction_control']:>9.2f}"))
        target = "≤ 4 round trips" if wire else "≤ 5 statements"
        print(f"  targets: plain activity {target}; retraction ≤ 7; one commit per call")
    elif section in ("rules", "history", "scores"):
        print(f"\n{backend}: {section}, record() activities/s, medians of interleaved rounds [min-max] (runs)")
        for key, value in r.items():
            if isinstance(value, dict):
                show(key, value["runs"], "" if "/" in key else "activities/s")
        if section == "history":
            print(f"  built {r['large']:,} ledger rows in {r['build seconds']:.0f} s")
    elif section == "memory":
        print(f"\n{backend}: record_many() of {r['activities']:,} activities in one call (fresh process)")
        print(
            f"  peak RSS above the baseline: {r['peak above baseline KiB'] / 1024:,.1f} MiB = "
            f"{r['bytes per activity']:,.0f} bytes per activity (target ≤ 1,024); baseline "
            f"{r['baseline KiB'] / 1024:,.0f} MiB incl. the input list ({r['input list KiB'] / 1024:,.0f} MiB); "
            f"{r['seconds']:.0f} s, {r['activities'] / r['seconds']:,.0f} activities/s"
            + ("" if r["peak was reset"] else " (peak could not be reset: it may predate the call)")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", help="comma-separated: sqlite,postgresql (default: what is available)")
    parser.add_argument("--sections", default=DEFAULT_SECTIONS, help=f"comma-separated, of {','.join(SECTIONS)}")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (≥ 3)")
    parser.add_argument("--single", type=int, default=1000, help="record() calls per round")
    parser.add_argument("--batch", type=int, default=5000, help="activities through record_many() per round")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--count", type=int, default=30, help="calls counted per kind (counts)")
    parser.add_argument("--history", type=int, default=1_000_000, help="ledger rows of the large history")
    parser.add_argument("--memory", action="store_true", help="add the memory section")
    parser.add_argument("--memory-activities", type=int, default=100_000)
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child, args.memory_activities)
        return
    if args.rounds < 3:
        parser.error("--rounds must be at least 3 (medians of interleaved rounds)")
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    if args.memory and "memory" not in sections:
        sections.append("memory")
    for section in sections:
        if section not in SECTIONS:
            parser.error(f"unknown section {section!r}")
    print(f"guildkit {guildkit.__version__} from {guildkit.__file__}")
    print(f"{MEMBERS:,} members; sections: {', '.join(sections)}; rounds: {args.rounds}", flush=True)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends(args.backends):
            for section in sections:
                print(f"\n== {backend} / {section} ({time.strftime('%H:%M:%S')})", flush=True)
                workdir = Path(tmp) / backend / section
                workdir.mkdir(parents=True)
                result = RUNNERS[section](backend, workdir, args)
                results.setdefault(backend, {})[section] = result
                report(backend, section, result)
    print("\nRESULTS " + json.dumps(results))


if __name__ == "__main__":
    main()
