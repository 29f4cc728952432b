"""A rate-distortion curve two ways: engine.privacy_curve (certified) next to dit's RDCurve (Blahut-Arimoto).

    python benchmarks/bench_rate_distortion.py [--quick]     # needs requirements-bench.txt (dit)

Source: X = Y on n = 50 points, positions x_i = i / 49 on [0, 1], a seeded random pmf
p = numpy.random.default_rng(2021).dirichlet(ones(50)); squared distance d(x, x') = (x - x')^2; nats inside,
bits in the table (dit reports bits). With X = Y, Lemma 1 makes the leakage H(Y) - h*(eps) the
rate-distortion function R(D) at D = eps.

- Ours: ``engine.privacy_curve`` at 26 budgets D = linspace(0, D_max, 26), D_max = min_x' E d(X, x')
  (R = 0 beyond it), the last one pulled in to D_max (1 - 1e-6) (see KINK_SHIFT); cold solver cache.
  Our error bound is the certificate gap h*_upper - h*.
- dit 2.3: ``dit.rate_distortion.RDCurve(dist, beta_num=26, distortion=..., method="ba")``. RDCurve sweeps
  beta (q(x'|x) proportional to q(x') 2^(-beta d)) and returns (rate, distortion) pairs. A custom
  distortion is a ``Distortion(name, matrix, optimizer)`` whose ``matrix(p_x, q)`` returns the n-by-n cost;
  RDCurve's constructor builds ``optimizer`` even with method="ba", so dit's RateDistortionHamming stands in
  there (unused by Blahut-Arimoto). Two beta ranges: dit's own automatic beta_max (beta_max=None) and
  beta_max = lambda(D_max / 25) / ln 2, the curve's slope at D_max / 25 from our certified budget multiplier,
  so that the points spread over [0, D_max]. dit's global numpy RNG (its random restarts) is seeded with 0.
- dit's error: |R_dit(D) - R(D)| with R evaluated *exactly at dit's own distortions* by a second
  privacy_curve call (each dit pair is a feasible channel, so R_dit >= R up to our gap; see FALLBACKS).
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import engine  # noqa: E402
from engine.analyses.privacy import privacy_curve  # noqa: E402
from engine.solvers.chain import clear_cache  # noqa: E402

N, SEED, POINTS = 50, 2021, 26
# The last budget is D_max (1 - 1e-6), not D_max itself: at exactly D_max (the kink where R reaches 0) the
# engine's first three Clarabel attempts miss the 1e-6 gap, the cvxpy fallbacks take minutes, and the point
# ends 'approximate' after ~6 minutes (an engine issue, reported).
KINK_SHIFT = 1e-6
# FALLBACKS: the reference values at dit's distortions are solved with the engine's own attempts but not
# its cvxpy fallbacks: the large-alphabet solve (engine.solvers.reduced) and the three Clarabel settings. At some
# budgets (D = 6e-11, dit's largest beta) these may leave a gap of a few 1e-6 nats, and the cvxpy
# fallbacks (a dense 50 x 50 plan per label) then take minutes without closing it. The certificate bounds
# the reference's error whichever attempt made it; the table shows that bound.
LN2 = math.log(2)
OUTCOME_BASE = 0x4E00  # 50 consecutive code points: they sort in index order


def source() -> tuple[engine.Problem, np.ndarray, np.ndarray]:
    """The problem (X = Y), the pmf and the distortion matrix."""
    p = np.random.default_rng(SEED).dirichlet(np.ones(N))
    x = np.arange(N) / (N - 1)
    problem = engine.Problem.from_arrays(np.diag(p), positions=x, metric="squared", constraint="expected",
                                         normalise=True)
    return problem, problem.mu.sum(axis=1), (x[:, None] - x[None, :]) ** 2


def timed(run, repeats: int):
    """Median wall time over ``repeats`` calls, and the last result."""
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def ours(problem, D):
    clear_cache()
    return privacy_curve(problem, D)


def reference_curve(problem, D):
    """privacy_curve at dit's distortions without the engine's cvxpy fallbacks (see FALLBACKS)."""
    from engine.solvers.chain import DEFAULT_CHAIN, chain_override

    with chain_override(a for a in DEFAULT_CHAIN if not a.name.startswith("cvxpy")):
        clear_cache()
        try:
            return privacy_curve(problem, D)
        finally:
            clear_cache()


def dit_curve(p: np.ndarray, cost: np.ndarray, beta_max):
    """dit's RDCurve with the squared-distance matrix; returns (rates in bits, distortions)."""
    import dit
    from dit.rate_distortion import RDCurve
    from dit.rate_distortion.distortions import Distortion
    from dit.rate_distortion.rate_distortion import RateDistortionHamming

    np.random.seed(0)
    # One variable with 50 one-character outcomes. dit sorts outcomes, so their characters must sort in index
    # order (string.ascii_letters would put 'A'..'X' before 'a'..'z' and silently permute p against the cost).
    dist = dit.Distribution([chr(OUTCOME_BASE + i) for i in range(N)], p)
    squared = Distortion("squared", lambda p_x, q: cost, RateDistortionHamming)
    curve = RDCurve(dist, beta_num=POINTS, beta_max=beta_max, distortion=squared, method="ba")
    assert np.allclose(curve.p_x, p, rtol=0, atol=1e-15), "dit reordered the outcomes"
    return np.asarray(curve.rates), np.asarray(curve.distortions), np.asarray(curve.betas)


def main(argv: list[str]) -> int:
    import dit

    repeats = 1 if "--quick" in argv else 3
    problem, p, cost = source()
    d_max = float((p @ cost).min())
    D = np.linspace(0.0, d_max, POINTS)
    D[-1] = d_max * (1 - KINK_SHIFT)  # see KINK_SHIFT
    privacy_curve(problem, [0.0])  # warm the process
    t_ours, c = timed(lambda: ours(problem, D), repeats)
    gap_ours = float(np.max(c.h_star_upper - c.h_star)) / LN2
    slope = engine.worst_case(problem, d_max / 25).multiplier  # -dR/dD in nats per unit distortion
    rows = [("ours: engine.privacy_curve", t_ours, repeats, POINTS, f"[0, {d_max:.4f}]", gap_ours,
             f"certificate gap; {c.statuses.count('verified')}/{POINTS} verified")]
    for label, beta_max in (("dit RDCurve, beta_max=None (auto)", None),
                            (f"dit RDCurve, beta_max={slope / LN2:.0f}", slope / LN2)):
        t_dit, (rates, dists, betas) = timed(lambda b=beta_max: dit_curve(p, cost, b), repeats)
        exact = reference_curve(problem, np.clip(dists, 0.0, None))  # R at dit's own distortions
        signed = rates - exact.leakage / LN2
        err = np.abs(signed)
        k = int(np.argmax(err))
        gap = float(np.max(exact.h_star_upper - exact.h_star)) / LN2
        rows.append((label, t_dit, repeats, len(rates), f"[{dists.min():.2g}, {dists.max():.4f}]", float(err.max()),
                     f"R_dit - R = {signed[k]:+.1e} at D={dists[k]:.3g} (beta={betas[k]:.3g}); reference R "
                     f"certified to within {gap:.1e} ({exact.statuses.count('verified')}/{len(dists)} verified)"))
    print(f"### Rate-distortion curve, X = Y, n = {N}, x_i = i/{N - 1}, squared distance, "
          f"p ~ Dirichlet(1) (seed {SEED}); dit {dit.__version__}\n")
    print("| method | median time (s) | runs | points | D range | max error (bits) | note |")
    print("|---|---|---|---|---|---|---|")
    for label, t, runs, k, span, err, note in rows:
        print(f"| {label} | {t:.2f} | {runs} | {k} | {span} | {err:.1e} | {note} |")
    print(f"\nours / dit(auto) time ratio: {rows[0][1] / rows[1][1]:.2f}. Errors are against our certified R(D), "
          "evaluated exactly at each method's own distortions; ours is bounded by its certificate gap. dit's "
          "Blahut-Arimoto stops after max_iters=100 iterations or when two successive distortions are np.isclose, "
          "so its channel may stop short of optimal: R_dit - R > 0 is excess rate (each pair is a real channel).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
