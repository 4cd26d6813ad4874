"""History import throughput, as a ratio to ``gk.record_many()`` over the same activities.

    .venv/bin/python bench/import_bench.py [--count 20000] [--rounds 3] [--chunk 500] [--backends sqlite,postgresql]

Each round records the same activities (bench/workload.py's rule set and activity mix, over
fresh databases with the same 10,000 members) twice, in alternating order (A B, then B A …):

- ``record_many``: ``gk.record_many()`` in batches of ``--chunk`` (each its own transaction, as
  a host replaying history through the API would), from the activities as mappings in memory;
- ``import``: ``gk.import_history()`` over the same activities as a JSON Lines file on disk, with
  ``--chunk`` activities per transaction: both passes (parse and check every line, look up the
  keys, spool; then record quietly), so it is the whole cost of ``flask guildkit import``.

Reported: the medians of the rates (activities per second) and of the per-round ratio
import / record_many, with min and max. A second import of the same file (every line a
duplicate) is timed once per round too. With GUILDKIT_TEST_POSTGRES_URL set, PostgreSQL is
measured as well. ``--json`` prints the figures as one JSON object at the end.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from workload import activities, backends, database, make_app, seed_members


def _jsonable(item: dict[str, Any]) -> dict[str, Any]:
    return {**item, "occurred_at": item["occurred_at"].isoformat()}


def one_run(backend: str, workdir: Path, name: str, contender: str, items: list[dict[str, Any]], path: Path,
            chunk: int) -> tuple[float, float | None]:  # fmt: skip
    """The contender's rate over fresh tables; for ``import``, the rate of a second import too."""
    with database(backend, workdir, name) as db:
        app, gk = make_app(db, workdir / name)
        try:
            with app.app_context():
                seed_members(gk)
                started = time.perf_counter()
                if contender == "record_many":
                    for start in range(0, len(items), chunk):
                        gk.record_many(items[start : start + chunk])
                else:
                    summary = gk.import_history(path, chunk=chunk)
                    assert summary.imported == len(items), summary
                rate = len(items) / (time.perf_counter() - started)
                again = None
                if contender == "import":
                    started = time.perf_counter()
                    assert gk.import_history(path).duplicates == len(items)
                    again = len(items) / (time.perf_counter() - started)
                return rate, again
        finally:
            with app.app_context():
                gk.store.engine.dispose()


def spread(values: list[float]) -> dict[str, Any]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", help="comma-separated: sqlite,postgresql (default: what is available)")
    parser.add_argument("--count", type=int, default=20_000, help="activities per run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (≥ 3)")
    parser.add_argument("--chunk", type=int, default=500, help="activities per transaction, both contenders")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON at the end")
    args = parser.parse_args()
    if args.rounds < 3:
        sys.exit("--rounds must be at least 3")
    items = activities(args.count, seed=15, prefix="import")
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="gk-import-bench-") as tmp:
        workdir = Path(tmp)
        path = workdir / "history.jsonl"
        with path.open("w") as file:
            for item in items:
                file.write(json.dumps(_jsonable(item)) + "\n")
        for backend in backends(args.backends):
            print(f"{backend}: {args.count:,} activities, chunks of {args.chunk}, {args.rounds} rounds", flush=True)
            rates: dict[str, list[float]] = {"record_many": [], "import": []}
            again: list[float] = []
            for r in range(args.rounds):
                order = ["record_many", "import"] if r % 2 == 0 else ["import", "record_many"]
                for contender in order:
                    rate, second = one_run(backend, workdir, f"{backend}-{r}-{contender}", contender, items, path,
                                           args.chunk)  # fmt: skip
                    rates[contender].append(rate)
                    if second is not None:
                        again.append(second)
                ratio = rates["import"][-1] / rates["record_many"][-1]
                print(f"  round {r + 1}: record_many {rates['record_many'][-1]:,.0f}/s, "
                      f"import {rates['import'][-1]:,.0f}/s, ratio {ratio:.3f}, "
                      f"second import {again[-1]:,.0f} lines/s", flush=True)  # fmt: skip
            ratios = [a / b for a, b in zip(rates["import"], rates["record_many"], strict=True)]
            figures = {
                "record_many_per_s": spread(rates["record_many"]),
                "import_per_s": spread(rates["import"]),
                "import_over_record_many": spread(ratios),
                "second_import_lines_per_s": spread(again),
            }
            results[backend] = figures
            print(f"  median: record_many {figures['record_many_per_s']['median']:,.0f}/s, "
                  f"import {figures['import_per_s']['median']:,.0f}/s, "
                  f"import/record_many {figures['import_over_record_many']['median']:.3f} "
                  f"[{min(ratios):.3f}-{max(ratios):.3f}]", flush=True)  # fmt: skip
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
