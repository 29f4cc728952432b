"""A known robust error, converging: two classes N(-1, 1) and N(+1, 1), equal priors, an attacker who moves each
point by at most eps (the ``max`` kind, |x - x'|). Pydi & Jog (ICML 2020) give the optimal robust error
Phi(eps - 1) for eps < 1 (the classifier sign(x); the attacker pushes every point eps towards 0).

The lab sees a finite X: the line binned on K equal bins of [-L, L] (tails folded into the end bins), each
bin's mass at its centre. Its certified e*(eps) approaches Phi(eps - 1) as the bins shrink:

    .venv/bin/python scripts/pydi_jog.py [--points 25,50,100,200] [--eps 0.333333,0.5,0.666667,0.99]

prints, for each resolution, the lab's value, its certificate's gap and its distance to Phi(eps - 1). With an
even K a bin edge sits at 0 and the binned problem has its own closed form, Phi(h floor(eps / h) - 1) for the
bin width h (the attacker moves whole bins, k = floor(eps / h) of them, across 0): the column ``binned form``
shows it, and the distance to Phi(eps - 1) is at most phi(0) h ~ 0.4 h.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import norm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import Problem, robust_error  # noqa: E402

HALF_WIDTH = 5.0  # [-5, 5]: beyond it each class has mass below 4e-5 (folded into the end bins)


def binned_gaussians(points: int, mean: float = 1.0, half_width: float = HALF_WIDTH) -> Problem:
    """N(-mean, 1) (label -1) against N(+mean, 1) (label +1), priors 1/2, binned on ``points`` equal bins."""
    edges = np.linspace(-half_width, half_width, points + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    edges[0], edges[-1] = -np.inf, np.inf
    mu = 0.5 * np.column_stack([np.diff(norm.cdf(edges, loc=m, scale=1.0)) for m in (-mean, mean)])
    return Problem.from_arrays(mu, positions=centres, labels=["-1", "+1"], metric="abs", constraint="max",
                               normalise=True, name=f"gaussians-{points}")


def convergence(points_list, eps_list, mean: float = 1.0) -> list[dict]:
    """One row per (resolution, eps): the certified value, its gap, Phi(eps - mean) and the distance."""
    rows = []
    for points in points_list:
        problem = binned_gaussians(points, mean)
        start = time.perf_counter()
        curve = robust_error(problem, eps_list)
        seconds = time.perf_counter() - start
        for e, value, gap, status in zip(curve.eps, curve.value, curve.gap, curve.statuses, strict=True):
            exact = float(norm.cdf(e - mean))
            h = 2 * HALF_WIDTH / points
            binned = float(norm.cdf(h * np.floor(e / h * (1 + 1e-12)) - mean)) if points % 2 == 0 else None
            rows.append({"points": points, "width": h, "eps": float(e), "value": float(value), "binned": binned,
                         "certificate_gap": float(gap), "status": status, "exact": exact,
                         "distance": float(value) - exact, "seconds": seconds})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", default="25,50,100,200")
    parser.add_argument("--eps", default="0.333333,0.5,0.666667,0.99")
    args = parser.parse_args(argv)
    points = [int(s) for s in args.points.split(",")]
    eps = [float(s) for s in args.eps.split(",")]
    rows = convergence(points, eps)
    print(f"{'points':>6} {'bin':>6} {'eps':>5} {'lab e*(eps)':>13} {'cert. gap':>9} {'Phi(eps-1)':>11} "
          f"{'lab - Phi':>10} {'binned form':>12}  status    grid time")
    for r in rows:
        binned = "-" if r["binned"] is None else f"{r['binned']:.9f}"
        print(f"{r['points']:6d} {r['width']:6.3f} {r['eps']:5.2f} {r['value']:13.9f} {r['certificate_gap']:9.1e} "
              f"{r['exact']:11.9f} {r['distance']:+10.2e} {binned:>12}  {r['status']:9s} {r['seconds']:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
