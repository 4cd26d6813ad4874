"""A/B runner for record_bench.py: two source trees, interleaved A B A B …, medians and B/A ratios.

    git worktree add -f /work/bench-base <baseline-commit> --detach
    .venv/bin/python bench/ab_record.py --a /work/bench-base --b . [--rounds 3] [-- --single 3000 ...]

Each run is a fresh subprocess of the tree's own bench/record_bench.py with PYTHONPATH=<tree>/src,
which wins over the venv's editable install (a plain path .pth); every run prints, and checks, the
guildkit file it imported. Use --python-a/--python-b to give a side its own interpreter instead.
Arguments after ``--`` go to record_bench.py. With GUILDKIT_TEST_POSTGRES_URL set, record_bench.py
also runs PostgreSQL, and both backends are reported. Ratios are recomputed from the figures
(record_bench.py prints them rounded).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

NUM = r"([\d,]+)"
PATTERNS = {
    "record": rf"record\(\)\s+{NUM} activities/s\s+raw driver, 1 row/commit\s+{NUM} rows/s",
    "record_many": rf"record_many\(\)\s+{NUM} activities/s\s+Core executemany\s+{NUM} rows/s",
    "shape": rf"same transaction shape, bare driver: {NUM} activities/s",
}
FIGURES = ["record()", "raw 1 row/commit", "record_many()", "Core executemany", "same shape", "ledger/activity"]
RATIOS = {
    "record()/raw": ("record()", "raw 1 row/commit"),
    "record_many()/Core": ("record_many()", "Core executemany"),
    "same shape/raw": ("same shape", "raw 1 row/commit"),
    "record()/same shape": ("record()", "same shape"),
}
PROBE = (
    "import runpy, sys, guildkit; f = guildkit.__file__; print('guildkit:', f, flush=True);"
    "sys.exit(f'guildkit imported from {f}, not {sys.argv[1]}') if not f.startswith(sys.argv[1]) else None;"
    "sys.argv = sys.argv[2:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)

Results = dict[str, dict[str, float]]  # backend -> figure -> value


def parse(out: str) -> Results:
    results: Results = {}
    figures: dict[str, float] = {}
    for line in out.splitlines():
        if m := re.match(r"(sqlite|postgresql)\s+\(\d+ rules, ([\d.]+) ledger rows", line):
            figures = results.setdefault(m[1], {"ledger/activity": float(m[2])})
        for key, pattern in PATTERNS.items():
            if m := re.search(pattern, line):
                values = [float(v.replace(",", "")) for v in m.groups()]
                names = {"record": FIGURES[0:2], "record_many": FIGURES[2:4], "shape": FIGURES[4:5]}[key]
                figures.update(zip(names, values, strict=True))
    for figures in results.values():
        for ratio, (num, den) in RATIOS.items():
            if num in figures and den in figures:
                figures[ratio] = figures[num] / figures[den]
    return results


def run(tree: Path, python: str, bench_args: list[str]) -> Results:
    src = str((tree / "src").resolve())
    env = {**os.environ, "PYTHONPATH": src}
    cmd = [python, "-c", PROBE, src, str(tree / "bench" / "record_bench.py"), *bench_args]
    out = subprocess.run(cmd, env=env, cwd=tree, capture_output=True, text=True, check=False)
    if out.returncode:
        sys.exit(f"run failed in {tree}:\n{out.stdout}\n{out.stderr}")
    print("   ", out.stdout.splitlines()[0])
    return parse(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", type=Path, default=Path("/work/bench-base"), help="baseline tree (A)")
    parser.add_argument("--b", type=Path, default=Path(__file__).resolve().parent.parent, help="tree compared (B)")
    parser.add_argument("--python-a", default=sys.executable)
    parser.add_argument("--python-b", default=sys.executable)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("bench_args", nargs="*", help="passed to record_bench.py (after --)")
    args = parser.parse_args()
    sides = {"A": (args.a, args.python_a), "B": (args.b, args.python_b)}
    for name, (tree, _) in sides.items():
        head = subprocess.run(["git", "-C", tree, "describe", "--always", "--dirty"], capture_output=True, text=True)
        print(f"{name}: {tree.resolve()}  ({head.stdout.strip()})")
    runs: dict[str, list[Results]] = {"A": [], "B": []}
    for n in range(1, args.rounds + 1):
        for name, (tree, python) in sides.items():
            print(f"round {n} {name} started {time.strftime('%H:%M:%S')}", flush=True)
            runs[name].append(run(tree, python, args.bench_args))
    for backend in runs["A"][0]:
        print(f"\n{backend}: medians of {args.rounds} (figures in activities or rows/s; per-run values right, A | B)")
        print(f"  {'figure':<22}{'A median':>12}{'B median':>12}{'B/A':>8}   A runs | B runs")
        for key in [*FIGURES, *RATIOS]:
            per = {s: [r[backend][key] for r in runs[s] if key in r.get(backend, {})] for s in runs}
            if not per["A"] or not per["B"]:
                continue
            med = {s: statistics.median(v) for s, v in per.items()}
            fmt = "{:,.0f}" if med["A"] >= 100 else "{:.4f}"
            cells = {s: ", ".join(fmt.format(v) for v in vals) for s, vals in per.items()}
            row = f"{fmt.format(med['A']):>12}{fmt.format(med['B']):>12}{med['B'] / med['A']:>8.3f}"
            print(f"  {key:<22}{row}   {cells['A']} | {cells['B']}")


if __name__ == "__main__":
    main()
