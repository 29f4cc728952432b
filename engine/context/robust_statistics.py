"""Robust statistics under corruption: the notes' data poisoning part (seeds/004, "Data Poisoning Attacks").

**Model (strong contamination).** n samples from N(mu, sigma^2); the adversary replaces k = floor(eps n) of them
(eps < 1/2) by points of its choice. Estimators of location: the sample mean, the median (numpy: the average of the
two middle values for even n) and the alpha-trimmed mean (scipy.stats.trim_mean: g = floor(alpha n) points cut at
each end); of scale: the sample standard deviation (ddof = 1) and the MAD scaled to be consistent at the normal,
median |x - med| / Phi^{-1}(3/4) (scipy.stats.median_abs_deviation, scale="normal").

**The bump**: the k replaced points (the first k draws, a random subset) all sit at mu + S. The mean moves by
(k/n) S plus noise: unbounded as S grows; the median and MAD do not follow (the notes: "as you send the eps-bump
to infinity, the empirical mean / variance diverge but the median and MAD don't").

**The worst placement** for each estimator. Median and trimmed mean are L-estimators with non-negative weights,
so each is non-decreasing in every point: the adversary who pushes them up removes the k smallest clean points and
adds k points at +infinity (any value above the sample maximum does the same), and symmetrically down; so

.. math::
    \\sup |T(\\text{corrupted}) - \\mu| = \\max\\big(T(x_{(k+1)}, \\dots, x_{(n)}, +\\infty^k) - \\mu,\\;
    \\mu - T(-\\infty^k, x_{(1)}, \\dots, x_{(n-k)})\\big),

exact (``worst_case_errors``); +inf for the mean (one point suffices). The MAD's sup is bounded, not computed
exactly: with B the median's sup and D_(j) the sorted |x_i - mu| of the clean sample, the raw MAD lies in
[D_(ceil(n/2) - k) - B, D_(floor(n/2) + 1 + k) + B] (order statistics of a multiset that shares n - k values
with the clean one); the standard deviation's sup is +inf.

**Breakdown points** (the least fraction k/n that can send the estimate to infinity, replacement): mean and
standard deviation 1/n (-> 0), median and MAD ceil(n/2)/n (-> 1/2), alpha-trimmed mean (g + 1)/n (-> alpha).

**In d dimensions** see ``engine.context.high_dimensional`` (the notes' eps sqrt(d)) and ``engine.context.tukey``.
Monte Carlo runs are seeded (numpy.random.default_rng) and report 95 % Student-t confidence intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtri
from scipy.stats import median_abs_deviation, t, trim_mean

from engine.core.checks import check_count, check_positive, check_probability, check_real, check_seed
from engine.errors import ProblemError

LOCATION = ("mean", "median", "trimmed")
SCALE = ("std", "mad")
ESTIMATORS = LOCATION + SCALE
NAMES = {"mean": "sample mean", "median": "median", "trimmed": "trimmed mean", "std": "standard deviation",
         "mad": "MAD"}
MAD_SCALE = 1.0 / float(ndtri(0.75))  # 1.4826...: the MAD of N(0, sigma^2) is sigma / this
MAX_N = 100_000
MAX_REPEATS = 10_000
MAX_CELLS = 5 * 10**7  # samples x repetitions x shifts a sweep may hold
LEVEL = 0.95  # confidence level of every interval
EXACT, ESTIMATE = "exact", "estimate"


# -- validation ------------------------------------------------------------------------------------
def check_fraction(eps, what: str = "eps") -> float:
    """A corrupted fraction: 0 <= eps < 1/2 (from 1/2 on the adversary holds the majority)."""
    x = check_probability(eps, what)
    if x >= 0.5:
        raise ProblemError(f"{what} must be below 1/2 (the corrupted points would be the majority); got {x:g}.")
    return x


def check_trim(alpha, what: str = "trim") -> float:
    """The trimmed mean's fraction cut at each end: 0 <= alpha < 1/2."""
    return check_fraction(alpha, what)


def check_samples(n, what: str = "n") -> int:
    """The sample size: a whole number from 2 to MAX_N."""
    n = check_count(n, what, most=MAX_N)
    if n < 2:
        raise ProblemError(f"{what} must be at least 2 (a standard deviation needs two points); got {n}.")
    return n


def corrupted_count(n: int, eps: float) -> int:
    """k = floor(eps n), read generously (0.1 x 30 is 3, not 2.9999999999999996 -> 2)."""
    return int(math.floor(eps * n + 1e-9))


# -- estimators ------------------------------------------------------------------------------------
def estimate(x, trim: float = 0.1) -> dict:
    """Every estimator along the last axis of ``x``: {name: value (or array)}."""
    x = np.asarray(x, dtype=float)
    return {"mean": np.mean(x, axis=-1), "median": np.median(x, axis=-1), "trimmed": trim_mean(x, trim, axis=-1),
            "std": np.std(x, axis=-1, ddof=1), "mad": median_abs_deviation(x, axis=-1, scale="normal")}


def errors_of(values: dict, mu: float, sigma: float) -> dict:
    """|location - mu| and |scale - sigma|."""
    return {k: np.abs(v - (mu if k in LOCATION else sigma)) for k, v in values.items()}


@dataclass(frozen=True)
class Breakdown:
    """An estimator's breakdown point: the least number ``k`` of replaced points that can send it to infinity, the
    fraction k / n, and the limit as n grows."""

    k: int
    fraction: float
    asymptotic: float


def breakdown_points(n, trim: float = 0.1) -> dict:
    """{name: Breakdown} for n samples (replacement model; see the module docstring)."""
    n, trim = check_samples(n), check_trim(trim)
    half = math.ceil(n / 2)
    ks = {"mean": (1, 0.0), "median": (half, 0.5), "trimmed": (math.floor(trim * n) + 1, trim), "std": (1, 0.0),
          "mad": (half, 0.5)}
    return {name: Breakdown(k, k / n, limit) for name, (k, limit) in ks.items()}


def _location_sup(xs: np.ndarray, k: int, trim: float, mu: float) -> dict:
    """The exact sup of |T - mu| over every replacement of k points, T = mean, median, trimmed mean (rows of the
    sorted clean samples ``xs``)."""
    n = xs.shape[-1]
    if k == 0:
        return {k_: np.abs(v - mu) for k_, v in estimate(xs, trim).items() if k_ in LOCATION}
    inf = np.full(xs.shape[:-1] + (k,), np.inf)
    up = np.concatenate([xs[..., k:], inf], axis=-1)
    down = np.concatenate([-inf, xs[..., : n - k]], axis=-1)
    out = {}
    for name, f in (("mean", lambda z: np.mean(z, axis=-1)), ("median", lambda z: np.median(z, axis=-1)),
                    ("trimmed", lambda z: trim_mean(z, trim, axis=-1))):
        with np.errstate(invalid="ignore"):
            out[name] = np.maximum(f(up) - mu, mu - f(down))
    return out


def worst_case_errors(clean, eps, trim: float = 0.1, mu: float = 0.0, sigma: float = 1.0) -> dict:
    """Per estimator, the sup of its error over every way to replace k = floor(eps n) points of the clean sample(s)
    (rows of ``clean``): exact for the location estimators, +inf for the standard deviation (k >= 1), and for the MAD
    the proven ceiling max(upper - sigma, sigma - lower) of the module docstring."""
    xs = np.sort(np.asarray(clean, dtype=float), axis=-1)
    n = xs.shape[-1]
    eps, trim = check_fraction(eps), check_trim(trim)
    k = corrupted_count(n, eps)
    out = _location_sup(xs, k, trim, mu)
    dev = np.sort(np.abs(xs - mu), axis=-1)
    if k == 0:
        out["std"] = np.abs(np.std(xs, axis=-1, ddof=1) - sigma)
        out["mad"] = np.abs(median_abs_deviation(xs, axis=-1, scale="normal") - sigma)
        return out
    out["std"] = np.full(xs.shape[:-1], np.inf)
    b = out["median"]
    hi_index, lo_index = n // 2 + k, math.ceil(n / 2) - k - 1  # 0-based: D_(floor(n/2) + 1 + k), D_(ceil(n/2) - k)
    if hi_index > n - 1 or not np.all(np.isfinite(b)):
        out["mad"] = np.full(xs.shape[:-1], np.inf)
        return out
    upper = MAD_SCALE * (dev[..., hi_index] + b)
    lower = MAD_SCALE * np.maximum(dev[..., lo_index] - b, 0.0) if lo_index >= 0 else np.zeros_like(b)
    out["mad"] = np.maximum(upper - sigma, sigma - lower)
    return out


# -- Monte Carlo ------------------------------------------------------------------------------------
def interval(values) -> tuple[float, float, float]:
    """(mean, low, high): the 95 % Student-t confidence interval of the mean of ``values`` (inf if any is inf)."""
    v = np.asarray(values, dtype=float).ravel()
    m = float(np.mean(v))
    if not math.isfinite(m) or len(v) < 2:
        return m, m, m
    half = float(t.ppf(0.5 + LEVEL / 2, len(v) - 1)) * float(np.std(v, ddof=1)) / math.sqrt(len(v))
    return m, m - half, m + half


def _clean(n: int, repeats: int, seed: int, mu: float, sigma: float) -> np.ndarray:
    """``repeats`` rows of n draws of N(mu, sigma^2) from numpy.random.default_rng(seed)."""
    return mu + sigma * np.random.default_rng(seed).standard_normal((repeats, n))


@dataclass(frozen=True, eq=False)
class CorruptionStudy:
    """``repeats`` seeded samples of n, k = floor(eps n) replaced by a bump at mu + ``shift``: every estimator's error
    under the bump (``errors``, one per repetition) and its sup over all placements (``worst``), and the first
    repetition's corrupted ``sample`` with its ``estimates``."""

    n: int
    eps: float
    k: int
    shift: float
    trim: float
    repeats: int
    seed: int
    mu: float
    sigma: float
    sample: np.ndarray = field(repr=False)
    estimates: dict = field(repr=False)
    errors: dict = field(repr=False)
    worst: dict = field(repr=False)

    def summary(self, name: str, placement: str = "bump") -> tuple[float, float, float]:
        """(mean error, 95 % CI low, high) over the repetitions, under the bump or the worst placement."""
        return interval((self.errors if placement == "bump" else self.worst)[name])

    @property
    def value(self) -> dict:
        return {name: self.summary(name)[0] for name in ESTIMATORS}

    @property
    def status(self) -> str:
        return ESTIMATE


def _check_model(n, eps, trim, repeats, seed, mu, sigma) -> tuple:
    n, eps, trim = check_samples(n), check_fraction(eps), check_trim(trim)
    repeats = check_count(repeats, "repeats", most=MAX_REPEATS)
    return n, eps, trim, repeats, check_seed(seed), check_real(mu, "mu"), check_positive(sigma, "sigma")


def bump(clean: np.ndarray, k: int, location: float) -> np.ndarray:
    """A copy of the samples (rows) with the first k of each replaced by ``location``."""
    x = np.array(clean, dtype=float)
    x[..., :k] = location
    return x


def corruption_study(n, eps, shift, *, trim: float = 0.1, repeats: int = 200, seed: int = 0, mu: float = 0.0,
                     sigma: float = 1.0) -> CorruptionStudy:
    """The estimators' errors under a bump at mu + shift and under their worst placement (module docstring)."""
    n, eps, trim, repeats, seed, mu, sigma = _check_model(n, eps, trim, repeats, seed, mu, sigma)
    shift = check_real(shift, "shift")
    if n * repeats > MAX_CELLS:
        raise ProblemError(f"n x repeats = {n * repeats} is more than the limit of {MAX_CELLS}; use fewer.")
    clean = _clean(n, repeats, seed, mu, sigma)
    k = corrupted_count(n, eps)
    x = bump(clean, k, mu + shift)
    values = estimate(x, trim)
    return CorruptionStudy(n=n, eps=eps, k=k, shift=shift, trim=trim, repeats=repeats, seed=seed, mu=mu, sigma=sigma,
                           sample=x[0], estimates={name: float(v[0]) for name, v in values.items()},
                           errors=errors_of(values, mu, sigma), worst=worst_case_errors(clean, eps, trim, mu, sigma))


@dataclass(frozen=True, eq=False)
class ShiftSweep:
    """Each estimator's mean error and 95 % CI against the bump's location (the same samples at every shift), and
    the mean of its sup over all placements (``worst``: a constant, inf when unbounded)."""

    n: int
    eps: float
    k: int
    trim: float
    repeats: int
    shifts: np.ndarray
    mean: dict
    low: dict
    high: dict
    worst: dict

    @property
    def value(self) -> dict:
        return self.mean

    @property
    def status(self) -> str:
        return ESTIMATE


def shift_sweep(n, eps, shifts, *, trim: float = 0.1, repeats: int = 200, seed: int = 0, mu: float = 0.0,
                sigma: float = 1.0) -> ShiftSweep:
    """``corruption_study`` at every bump location in ``shifts``, on common random numbers."""
    n, eps, trim, repeats, seed, mu, sigma = _check_model(n, eps, trim, repeats, seed, mu, sigma)
    s = np.array([check_real(v, "shift") for v in np.atleast_1d(np.asarray(shifts, dtype=object))], dtype=float)
    if n * repeats * len(s) > MAX_CELLS:
        raise ProblemError(f"n x repeats x shifts = {n * repeats * len(s)} is more than the limit of {MAX_CELLS}.")
    clean = _clean(n, repeats, seed, mu, sigma)
    k = corrupted_count(n, eps)
    x = np.broadcast_to(clean, (len(s), repeats, n)).copy()
    x[..., :k] = (mu + s)[:, None, None]
    errs = errors_of(estimate(x, trim), mu, sigma)  # name -> (shifts, repeats)
    stats = {name: [interval(e[i]) for i in range(len(s))] for name, e in errs.items()}
    worst = {name: interval(v)[0] for name, v in worst_case_errors(clean, eps, trim, mu, sigma).items()}
    return ShiftSweep(n=n, eps=eps, k=k, trim=trim, repeats=repeats, shifts=s,
                      mean={nm: np.array([c[0] for c in v]) for nm, v in stats.items()},
                      low={nm: np.array([c[1] for c in v]) for nm, v in stats.items()},
                      high={nm: np.array([c[2] for c in v]) for nm, v in stats.items()}, worst=worst)


@dataclass(frozen=True, eq=False)
class BreakdownCurve:
    """Each estimator's sup error over every placement (mean over ``repeats`` seeded samples; inf where it is
    unbounded) against the corrupted fraction ``eps``, with the breakdown points where it becomes infinite."""

    n: int
    trim: float
    repeats: int
    eps: np.ndarray
    k: np.ndarray
    worst: dict
    breakdown: dict

    @property
    def value(self) -> dict:
        return self.worst

    @property
    def status(self) -> str:
        return ESTIMATE


def breakdown_curve(n, eps_values, *, trim: float = 0.1, repeats: int = 200, seed: int = 0, mu: float = 0.0,
                    sigma: float = 1.0) -> BreakdownCurve:
    """``worst_case_errors`` at every corrupted fraction in ``eps_values`` (each < 1/2), on the same samples."""
    n, _, trim, repeats, seed, mu, sigma = _check_model(n, 0.0, trim, repeats, seed, mu, sigma)
    eps = np.array([check_fraction(v) for v in np.atleast_1d(np.asarray(eps_values, dtype=object))], dtype=float)
    if n * repeats > MAX_CELLS:
        raise ProblemError(f"n x repeats = {n * repeats} is more than the limit of {MAX_CELLS}; use fewer.")
    clean = _clean(n, repeats, seed, mu, sigma)
    rows = [worst_case_errors(clean, e, trim, mu, sigma) for e in eps]
    return BreakdownCurve(n=n, trim=trim, repeats=repeats, eps=eps, k=np.array([corrupted_count(n, e) for e in eps]),
                          worst={name: np.array([float(np.mean(r[name])) for r in rows]) for name in ESTIMATORS},
                          breakdown=breakdown_points(n, trim))
