"""Figure 2's grid: engine.tradeoff_grid next to the naive way, in one run (medians and ratios).

    python benchmarks/bench_tradeoff.py [--quick] [--polish]

``--polish`` times only Figure 2 41x41 without and with the rules' polish (issue 13), in one run.

Problem: the figure2 preset (5 x 5, squared cost, expected kind), eps_rule = eps_attack = N points on [0, 2].

- Ours: ``engine.analyses.tradeoff.tradeoff_grid`` — one certified saddle solve per distinct budget (shared by the
  rules and h*) and one exact rule-loss sweep per rule over all attacks. Cold: the solver cache is
  cleared before each timed call; the process is warm (imports done, one untimed call first).
- Naive: one cvxpy program per rule (the dual of (13), ``engine.solvers.reference.rule_program``, Clarabel), one
  HiGHS LP per grid point (the dense plan LP of ``tests/engine/dense_lp.py``: n·m x n·m variables), and
  one cvxpy program of (15) per eps_attack for h* (``engine.solvers.reference.plan_program``, Clarabel).

Targets (issue): ratio >= 40x at 21 x 21; 41 x 41 <= 0.5 s cold.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "engine")]

from dense_lp import dense_rule_loss  # noqa: E402

import engine  # noqa: E402
from engine.analyses.tradeoff import tradeoff_grid  # noqa: E402
from engine.core.moves import allowed_moves  # noqa: E402
from engine.solvers.chain import clear_cache, polish_override  # noqa: E402
from engine.solvers.reference import plan_program, rule_program  # noqa: E402


def median_seconds(run, repeats: int) -> tuple[float, object]:
    """Median wall time of ``run()`` over ``repeats`` calls, and the last result."""
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def ours(problem, eps: np.ndarray):
    """The engine's grid, from a cold solver cache."""
    clear_cache()
    g = tradeoff_grid(problem, eps, eps)
    return g.loss, g.h_star


def naive(problem, eps: np.ndarray):
    """Per-rule cvxpy, per-point HiGHS, per-attack cvxpy (15)."""
    rules = []
    for e in eps:
        program, read_rule = rule_program(problem, allowed_moves(problem, e), e)
        program.solve(solver="CLARABEL")
        rules.append(read_rule()[0])
    loss = np.array([[dense_rule_loss(problem, q, a) for q in rules] for a in eps])
    h_star = []
    for a in eps:
        program, _ = plan_program(problem, allowed_moves(problem, a), a)
        program.solve(solver="CLARABEL")
        h_star.append(program.value)
    return loss, np.array(h_star)


def polish_cost(problem, repeats: int) -> None:
    """Figure 2 41 x 41 cold, without and with the polish of the rules (issue 13), interleaved in one run."""
    eps = np.linspace(0.0, 2.0, 41)
    times = {False: [], True: []}
    grids = {}
    for _ in range(repeats):
        for polishing in (False, True):
            with polish_override(polishing):
                clear_cache()
                t = time.perf_counter()
                grids[polishing] = tradeoff_grid(problem, eps, eps)
                times[polishing].append(time.perf_counter() - t)
    before, after = statistics.median(times[False]), statistics.median(times[True])
    g = grids[True]
    print("### Figure 2 41x41 (figure2 preset, cold cache): the rules' polish (issue 13)\n")
    print("| | median (s) | max rule_error (nats) | entries verified | max change of an entry (nats) |")
    print("|---|---|---|---|---|")
    print(f"| before (solver's rules) | {before:.3f} | - | - | - |")
    print(f"| after (polished, proven) | {after:.3f} | {np.max(g.rule_error):.1e} | "
          f"{int(np.sum(g.loss_status == 'verified'))}/{g.loss.size} | "
          f"{np.max(np.abs(g.loss - grids[False].loss)):.1e} |")
    print(f"\nmedians of {repeats} runs each, interleaved; target 41x41 <= 0.5 s: "
          f"{'met' if after <= 0.5 else 'MISSED'}.\n")


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    problem = engine.load_preset("figure2")
    if "--polish" in argv:
        ours(problem, np.linspace(0, 2, 3))
        polish_cost(problem, 3 if quick else 9)
        return 0
    ours(problem, np.linspace(0, 2, 3))  # warm the process (imports, first solves)
    rows = []
    for size, naive_repeats in ((21, 1 if quick else 3), (41, 1)):
        eps = np.linspace(0.0, 2.0, size)
        t_ours, (loss, h_star) = median_seconds(lambda eps=eps: ours(problem, eps), 5 if quick else 9)
        t_naive, (loss_n, h_star_n) = median_seconds(lambda eps=eps: naive(problem, eps), naive_repeats)
        rows.append((size, t_ours, t_naive, naive_repeats, np.abs(np.diag(loss) - np.diag(loss_n)).max(),
                     np.abs(h_star - h_star_n).max(), np.abs(loss - loss_n).max()))
    print("### tradeoff_grid on figure2, eps_rule = eps_attack on [0, 2] (cold cache, warm process)\n")
    print("| grid | ours median (s) | naive median (s) | naive runs | naive / ours | diagonal: max abs diff | "
          "h*: max abs diff | whole grid: max abs diff |")
    print("|---|---|---|---|---|---|---|---|")
    for size, t_ours, t_naive, runs, d_diag, d_h, d_all in rows:
        print(f"| {size}x{size} | {t_ours:.3f} | {t_naive:.2f} | {runs} | {t_naive / t_ours:.0f}x | "
              f"{d_diag:.1e} | {d_h:.1e} | {d_all:.1e} |")
    print("\nDifferences (nats) are ours minus naive. Off the diagonal the two rules may differ where the worst case "
          "puts no mass (the robust rule is not unique there), so only the diagonal and h* must agree.")
    print(f"ours: median of {5 if quick else 9} runs. Targets: ratio >= 40x at 21x21 "
          f"({'met' if rows[0][2] / rows[0][1] >= 40 else 'MISSED'}); 41x41 <= 0.5 s cold "
          f"({'met' if rows[1][1] <= 0.5 else 'MISSED'}).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
