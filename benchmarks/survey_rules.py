"""How many robust rules does the engine prove on random problems, and do the proven ones agree with the 50-digit
reference? (issue 13; the counts quoted in docs/design.md, "Numbers that depend on the rule")

    python benchmarks/survey_rules.py [--draws N] [--kinds expected,joint,max] [--no-reference]

Draws: the tests' Hypothesis strategy (``tests/engine/strategies.instances``: n <= 8, m <= 4, exact zeros, masses
down to 1e-12, budgets at 0, 1e-12 to 1e-6, the problem's own distances and random values), derandomized, N
examples a kind (draws with one label are skipped: nothing to prove). For each draw: the chain's saddle point
(``engine.solvers.chain.saddle_at``, cold cache) and whether its ``rule_error`` is finite (proven) and at most 1e-9;
with the reference (``tests/engine/mp_reference.py``, at most 60 moves), whether it verifies and how far the
engine's rule is from it on the rows where the rule is unique. Prints one table and the unproven draws.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "engine")]

from hypothesis import HealthCheck, given, settings  # noqa: E402
from mp_reference import AGREE, max_log_error, reference  # noqa: E402
from strategies import instances  # noqa: E402

from engine.solvers.chain import clear_cache, saddle_at  # noqa: E402


def draws(kind: str, count: int) -> list:
    out = []

    @settings(max_examples=count, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(instances(kinds=(kind,), max_n=8, max_m=4))
    def collect(instance):
        out.append(instance)

    collect()
    return [(p, eps) for p, eps in out if p.m > 1]


def survey(kind: str, count: int, with_reference: bool) -> dict:
    rows = []
    for p, eps in draws(kind, count):
        clear_cache()
        start = time.perf_counter()
        s = saddle_at(p, eps)
        seconds = time.perf_counter() - start
        row = {"p": p, "eps": eps, "error": s.rule_error, "seconds": seconds, "checked": None, "apart": None}
        if with_reference and math.isfinite(s.rule_error):
            _, ref = reference(p, eps)
            if ref is not None and ref["verified"]:
                rows_used = range(p.n) if eps > 0 else [x for x in range(p.n) if x not in s.free_rows]
                unique = [x for x in rows_used if x not in ref["free"]]
                row["checked"], row["apart"] = True, float(max_log_error(s.q, ref["q"], rows=unique))
        rows.append(row)
    return {"kind": kind, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=300)
    parser.add_argument("--kinds", default="expected,joint")
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args()
    print("| kind | draws | proven | proven, rule_error <= 1e-9 | unproven | checked by the reference | "
          "largest distance there | engine s per draw (median / max) |")
    print("|---|---|---|---|---|---|---|---|")
    unproven = []
    for kind in args.kinds.split(","):
        result = survey(kind, args.draws, not args.no_reference)
        rows = result["rows"]
        proven = [r for r in rows if math.isfinite(r["error"])]
        tight = [r for r in proven if r["error"] <= AGREE]
        checked = [r for r in rows if r["checked"]]
        apart = max((r["apart"] for r in checked), default=float("nan"))
        secs = [r["seconds"] for r in rows]
        print(f"| {kind} | {len(rows)} | {len(proven)} | {len(tight)} | {len(rows) - len(proven)} | {len(checked)} | "
              f"{apart:.2g} | {statistics.median(secs):.3f} / {max(secs):.2f} |")
        unproven += [(kind, r) for r in rows if not math.isfinite(r["error"])]
    print()
    for kind, r in unproven:
        p = r["p"]
        metric = p.metric if isinstance(p.metric, str) else "custom"
        print(f"unproven: {kind}, n={p.n}, m={p.m}, {metric}, label cost {p.label_cost}, eps {r['eps']:.3g}, "
              f"smallest mass {p.mu[p.mu > 0].min():.2g}")


if __name__ == "__main__":
    main()
