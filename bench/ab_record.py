"""A/B runner for record_bench.py: two source trees, interleaved A B A B …, medians and B/A ratios.

    git worktree add --detach /tmp/gk-base <baseline-commit>
    .venv/bin/python bench/ab_record.py --a /tmp/gk-base --b . [--rounds 3] [-- --sections throughput ...]

Each run is a fresh subprocess of ONE benchmark script (by default this tree's
bench/record_bench.py, which uses guildkit's public API only, so it runs against an older tree
too) with PYTHONPATH=<tree>/src, which wins over the venv's editable install; every run prints,
and this checks, the guildkit file it imported. Use --python-a/--python-b to give a side its own
interpreter, and --bench to pick another script. Arguments after ``--`` go to record_bench.py
(``--rounds 3`` there is the minimum: each run already interleaves its own baselines). With
GUILDKIT_TEST_POSTGRES_URL set, PostgreSQL is measured too.

Every figure record_bench.py reports (its medians of interleaved rounds: rates, ratios to its
baselines, statements and round trips per call, bytes per activity) is compared: the median of
the A runs, of the B runs, and B/A.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

Figures = dict[str, float]  # "backend / section / figure" -> value


def flatten(results: dict[str, dict[str, dict[str, object]]]) -> Figures:
    figures: Figures = {}
    for backend, sections in results.items():
        for section, values in sections.items():
            for name, value in values.items():
                key = f"{backend} / {section} / {name}"
                if isinstance(value, dict) and "median" in value:
                    figures[key] = float(value["median"])  # type: ignore[arg-type]
                elif isinstance(value, dict):  # counts: one call kind
                    for sub in ("statements", "round_trips", "commits"):
                        if sub in value:
                            figures[f"{key} / {sub}"] = float(value[sub])  # type: ignore[arg-type]
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    figures[key] = float(value)
    return figures


def run(tree: Path, python: str, bench: Path, bench_args: list[str]) -> Figures:
    src = (tree / "src").resolve()
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [python, str(bench), *bench_args], env=env, cwd=bench.parent, capture_output=True, text=True, check=False
    )
    if out.returncode:
        sys.exit(f"run failed with {tree}:\n{out.stdout[-4000:]}\n{out.stderr[-4000:]}")
    first = out.stdout.splitlines()[0]
    imported = first.split(" from ", 1)[-1]
    if not imported.startswith(str(src)):
        sys.exit(f"{first!r}: guildkit was not imported from {src}")
    print("   ", first)
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULTS "))
    return flatten(json.loads(line.removeprefix("RESULTS ")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", type=Path, default=Path("/tmp/gk-base"), help="baseline tree (A)")
    parser.add_argument("--b", type=Path, default=HERE.parent, help="tree compared (B)")
    parser.add_argument("--python-a", default=sys.executable)
    parser.add_argument("--python-b", default=sys.executable)
    parser.add_argument("--bench", type=Path, default=HERE / "record_bench.py", help="the script both sides run")
    parser.add_argument("--rounds", type=int, default=3, help="A B pairs (≥ 3)")
    parser.add_argument("bench_args", nargs="*", help="passed to record_bench.py (after --)")
    args = parser.parse_args()
    if args.rounds < 3:
        parser.error("--rounds must be at least 3")
    sides = {"A": (args.a, args.python_a), "B": (args.b, args.python_b)}
    for name, (tree, _) in sides.items():
        head = subprocess.run(["git", "-C", tree, "describe", "--always", "--dirty"], capture_output=True, text=True)
        print(f"{name}: {tree.resolve()}  ({head.stdout.strip()})")
    runs: dict[str, list[Figures]] = {"A": [], "B": []}
    for n in range(1, args.rounds + 1):
        order = list(sides) if n % 2 else list(sides)[::-1]
        for name in order:
            tree, python = sides[name]
            print(f"round {n} {name} started {time.strftime('%H:%M:%S')}", flush=True)
            runs[name].append(run(tree, python, args.bench, args.bench_args))
    keys = [k for k in runs["A"][0] if all(k in r for r in runs["A"] + runs["B"])]
    print(f"\nmedians of {args.rounds} runs per side (each run's own figures are medians of its interleaved rounds)")
    print(f"  {'figure':<62}{'A':>11}{'B':>11}{'B/A':>8}   A runs | B runs")
    for key in keys:
        per = {s: [r[key] for r in runs[s]] for s in runs}
        med = {s: statistics.median(v) for s, v in per.items()}
        fmt = "{:,.0f}" if abs(med["A"]) >= 100 else "{:.3f}"
        cells = {s: ", ".join(fmt.format(v) for v in vals) for s, vals in per.items()}
        ratio = f"{med['B'] / med['A']:>8.3f}" if med["A"] else f"{'':>8}"
        print(f"  {key:<62}{fmt.format(med['A']):>11}{fmt.format(med['B']):>11}{ratio}   {cells['A']} | {cells['B']}")


if __name__ == "__main__":
    main()
