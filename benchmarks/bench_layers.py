"""Moves built and time taken, this checkout beside an earlier commit, in one run (issue 12: kernels, not doors).

    python benchmarks/bench_layers.py [--before REV] [--repeats N]

Two calls, each from a cold solver cache in a warm process (one untimed call first):

- the worst-case page's cached solve of the figure2 preset: worst_case and clean_vs_robust at each of the
  preset's 41 budgets (what ``ui.compute.worst_cases`` runs on a first visit);
- one ``deterministic_gap`` on the stochastic-vs-deterministic preset at eps = 1.

For each it prints the median wall time and how many times the transport moves were built, counted with
cProfile (here the builder is ``engine.core.moves._build``; before the layers every ``allowed_moves`` call built
them). REV (default ea1e5e0, the last commit before the layers) is checked out in a temporary git worktree and
measured by the same code in a subprocess, so both columns come from one run on one machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MEASURE = r'''
import cProfile, json, pstats, statistics, sys, time
import numpy as np
import engine
clear = getattr(engine, "clear_cache", None)
if clear is None:
    from engine.saddle import clear_cache as clear
repeats = int(sys.argv[1])

def page():
    p = engine.load_preset("figure2")
    info = engine.preset_info("figure2")
    for e in np.round(np.linspace(info.eps_min, info.eps_max, 41), 10):
        engine.worst_case(p, float(e))
        engine.clean_vs_robust(p, float(e))

def deterministic():
    engine.deterministic_gap(engine.load_preset("stochastic-vs-deterministic"), 1.0)

out = {}
for name, run in (("page", page), ("deterministic", deterministic)):
    clear(); run()  # warm the process
    times, builds = [], None
    for _ in range(repeats):
        clear()
        profile = cProfile.Profile()
        start = time.perf_counter()
        profile.enable(); run(); profile.disable()
        times.append(time.perf_counter() - start)
        calls = {}
        for (_, _, function), (_, count, *_rest) in pstats.Stats(profile).stats.items():
            calls[function] = calls.get(function, 0) + count
        builds = calls.get("_build", calls.get("allowed_moves", 0))
    out[name] = {"seconds": statistics.median(times), "builds": builds}
print(json.dumps(out))
'''


def measure(checkout: Path, repeats: int) -> dict:
    """The MEASURE snippet run in ``checkout`` (its engine on the path), as a dict."""
    result = subprocess.run([sys.executable, "-c", MEASURE, str(repeats)], cwd=checkout, capture_output=True,
                            text=True, check=True, env={"PYTHONPATH": str(checkout), "PATH": "/usr/bin:/bin"})
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default="ea1e5e0", help="the earlier commit (default: before the layers)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        old = Path(folder) / "before"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(old), args.before], cwd=ROOT, check=True)
        try:
            before = measure(old, args.repeats)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, check=True)
    after = measure(ROOT, args.repeats)
    print(f"| call | builds before ({args.before}) | builds now | median before | median now | now / before |")
    print("|---|---|---|---|---|---|")
    labels = {"page": "worst-case page, figure2, 41 budgets", "deterministic": "deterministic_gap, eps = 1"}
    for name, label in labels.items():
        b, a = before[name], after[name]
        print(f"| {label} | {b['builds']} | {a['builds']} | {b['seconds'] * 1e3:.1f} ms | {a['seconds'] * 1e3:.1f} ms "
              f"| {a['seconds'] / b['seconds']:.2f} |")


if __name__ == "__main__":
    main()
