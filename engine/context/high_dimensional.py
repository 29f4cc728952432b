"""Robust mean estimation in d dimensions: the notes' "an eps-fraction of corruptions can move the model parameters by
eps sqrt(d)" and the filter of Diakonikolas, Kamath, Kane, Li, Moitra and Stewart (seeds/004, "Data Poisoning").

**Model.** n samples from N(mu, sigma^2 I_d); k = floor(eps n) of them (the first k draws) are replaced by the point
mu + S u, u = (1, ..., 1) / sqrt(d): a bump at Euclidean distance S from mu. Errors are |estimate - mu|_2. With
eps' = k / n, the corrupted sample mean's error vector is eps' S u + (1/n) sum of the n - k clean noise vectors, so

.. math::
    \\mathbb E\\,|\\hat\\mu - \\mu|_2^2 = (\\varepsilon' S)^2 + (1 - \\varepsilon') \\sigma^2 d / n .

The notes' growth: a clean point lies about sigma sqrt(d) from mu, so a bump at S = c sigma sqrt(d) (each coordinate
off by c sigma only, unremarkable coordinate by coordinate) moves the mean by eps' c sigma sqrt(d):
``mean_coefficient`` is the factor of eps' sqrt(d), sqrt(c^2 + (1 - eps') sigma^2 / (n eps'^2)). The coordinate-wise
median moves each coordinate by about sigma Phi^{-1}(1 / (2 (1 - eps))) ~ 1.25 eps sigma: also order eps sqrt(d).

**The filter** (in the spirit of Diakonikolas et al., "Being Robust (in High Dimensions) Can Be Practical", ICML 2017,
Algorithm for a known covariance sigma^2 I): on the standardised points, repeat: empirical mean m and covariance C of
the points kept; top eigenpair (lambda, v) of C; stop if lambda <= 1 + eps log(1/eps); else with
delta = 3 sqrt(eps (lambda - 1)) and z_i = |v . (x_i - m)|, remove the points with z_i > T + delta for the smallest
T > 0 at which the points' tail is heavier than a Gaussian's may be,
P_kept[z > T + delta] > 8 exp(-T^2 / 2) + 8 eps / (T^2 log(d log(d / (eps tau)))) (tau = 0.1); stop when no T
qualifies. Its error is O(eps sqrt(log(1/eps))) plus the sampling error sigma sqrt(d / n), whatever the bump.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import eigh
from scipy.sparse.linalg import LinearOperator, eigsh
from scipy.stats import linregress

from engine.context.robust_statistics import check_fraction, check_samples, corrupted_count, interval
from engine.core.checks import check_count, check_positive, check_real, check_seed
from engine.errors import ProblemError

HIGH = ("mean", "median", "filter", "clean")
NAMES = {"mean": "sample mean", "median": "coordinate-wise median", "filter": "spectral filter",
         "clean": "mean of the clean points (oracle)"}
MAX_DIM = 2_000
MAX_CELLS = 5 * 10**7  # n x d numbers of one sample
MAX_WORK = 2 * 10**9  # n x d x repetitions over a sweep
TAU = 0.1  # the filter's failure probability in its tail test
DENSE_DIM = 16  # up to this dimension the filter's eigenproblem is solved densely, above it by ARPACK
EXACT, ESTIMATE = "exact", "estimate"


def check_dimension(d, what: str = "dim") -> int:
    """A dimension: a whole number from 1 to MAX_DIM."""
    return check_count(d, what, most=MAX_DIM)


# -- the filter ---------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Filtered:
    """The filter's estimate, which points it kept, and its rounds."""

    mean: np.ndarray
    kept: np.ndarray
    rounds: int


def _tail_cut(z: np.ndarray, eps: float, delta: float, d: int) -> float | None:
    """The least value u of ``z`` such that removing z >= u passes the tail test (module docstring), or None.

    For T + delta in [u_(j-1), u_j) (consecutive distinct values) the points beyond are those >= u_j and the test's
    right-hand side falls with T, so each u_j is tried at its best, T = u_j - delta."""
    u = np.unique(z)
    beyond = (len(z) - np.searchsorted(np.sort(z), u, side="left")) / len(z)  # the fraction >= u_j
    tt = u - delta
    ok = tt > 0
    if not np.any(ok):
        return None
    log_term = max(math.log(max(d * math.log(max(d / (eps * TAU), math.e)), math.e)), 1.0)
    need = 8 * np.exp(-tt[ok] ** 2 / 2) + 8 * eps / (tt[ok] ** 2 * log_term)
    hits = np.flatnonzero(beyond[ok] > need)
    return None if len(hits) == 0 else float(u[ok][hits[0]])


def _top_eigen(centred: np.ndarray) -> tuple[float, np.ndarray]:
    """The top eigenpair of the empirical covariance centred.T @ centred / m: dense for small d; above DENSE_DIM by
    ARPACK (scipy.sparse.linalg.eigsh) on matrix-vector products, never forming the d-by-d matrix (a dense LAPACK
    call was seen to take 100x longer on two busy cores), from a fixed start so that a seed gives one answer."""
    m, d = centred.shape
    if d <= DENSE_DIM:
        lam, vec = eigh(centred.T @ centred / m, subset_by_index=[d - 1, d - 1])
        return float(lam[0]), vec[:, 0]
    op = LinearOperator((d, d), matvec=lambda v: centred.T @ (centred @ v) / m, dtype=float)
    lam, vec = eigsh(op, k=1, which="LA", v0=np.linspace(1.0, 2.0, d), tol=1e-10)
    return float(lam[0]), vec[:, 0]


def filtered_mean(x, eps, sigma: float = 1.0, max_rounds: int | None = None) -> Filtered:
    """The iterative spectral filter's mean of the rows of ``x`` (module docstring) for corruption rate eps."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or len(x) < 2:
        raise ProblemError("The filter needs an n-by-d array of at least two points.")
    eps, sigma = check_fraction(eps), check_positive(sigma, "sigma")
    n, d = x.shape
    kept = np.ones(n, dtype=bool)
    if eps == 0:
        return Filtered(mean=x.mean(axis=0), kept=kept, rounds=0)
    z_all = x / sigma
    threshold = 1 + eps * math.log(1 / eps)
    rounds = 0
    for rounds in range(1, (max_rounds or n) + 1):  # noqa: B007 - the count is returned
        pts = z_all[kept]
        m = pts.mean(axis=0)
        centred = pts - m
        lam, v = _top_eigen(centred)
        if lam <= threshold:
            break
        z = np.abs(centred @ v)
        cut = _tail_cut(z, eps, 3 * math.sqrt(eps * (lam - 1)), d)
        if cut is None:
            break
        drop = np.flatnonzero(kept)[z >= cut]
        if len(drop) == 0 or len(drop) >= kept.sum() - 1:
            break
        kept[drop] = False
    return Filtered(mean=sigma * z_all[kept].mean(axis=0), kept=kept, rounds=rounds)


# -- one experiment ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RobustMean:
    """The estimators' errors |estimate - mu|_2 on one seeded sample (module docstring), and what the filter removed."""

    n: int
    eps: float
    dim: int
    shift: float
    seed: int
    corrupted: int
    mean_error: float
    median_error: float
    filter_error: float
    clean_error: float
    filter_removed_corrupted: int
    filter_removed_clean: int
    filter_rounds: int

    @property
    def value(self) -> dict:
        return {name: getattr(self, f"{name}_error") for name in HIGH}

    @property
    def status(self) -> str:
        return ESTIMATE


def _check(n, eps, dim, sigma) -> tuple[int, float, int, float]:
    n, eps, dim, sigma = check_samples(n), check_fraction(eps), check_dimension(dim), check_positive(sigma, "sigma")
    if n * dim > MAX_CELLS:
        raise ProblemError(f"n x dim = {n * dim} numbers is more than the limit of {MAX_CELLS}; use fewer.")
    return n, eps, dim, sigma


def _one(n: int, eps: float, d: int, shift: float, sigma: float, rng) -> tuple:
    """One sample: errors of (mean, median, filter, clean), removed (corrupted, clean), rounds."""
    k = corrupted_count(n, eps)
    x = sigma * rng.standard_normal((n, d))
    clean_error = float(np.linalg.norm(x[k:].mean(axis=0)))
    x[:k] = shift / math.sqrt(d)  # mu = 0: every error is translation-equivariant
    f = filtered_mean(x, eps, sigma)
    removed = ~f.kept
    return (float(np.linalg.norm(x.mean(axis=0))), float(np.linalg.norm(np.median(x, axis=0))),
            float(np.linalg.norm(f.mean)), clean_error, int(removed[:k].sum()), int(removed[k:].sum()), f.rounds)


def robust_mean(n, eps, dim, shift, *, seed: int = 0, sigma: float = 1.0) -> RobustMean:
    """One seeded sample (numpy.random.default_rng(seed)) of n points in R^dim, k = floor(eps n) at distance
    ``shift`` from mu: the errors of the mean, the coordinate-wise median, the filter and the clean points' mean."""
    n, eps, dim, sigma = _check(n, eps, dim, sigma)
    shift, seed = check_real(shift, "shift"), check_seed(seed)
    mean, median, filt, clean, rem_bad, rem_good, rounds = _one(n, eps, dim, shift, sigma,
                                                                 np.random.default_rng(seed))
    return RobustMean(n=n, eps=eps, dim=dim, shift=shift, seed=seed, corrupted=corrupted_count(n, eps),
                      mean_error=mean, median_error=median, filter_error=filt, clean_error=clean,
                      filter_removed_corrupted=rem_bad, filter_removed_clean=rem_good, filter_rounds=rounds)


def mean_coefficient(n, eps, per_coordinate: float = 1.0, sigma: float = 1.0) -> float:
    """sqrt(c^2 + (1 - eps') sigma^2 / (n eps'^2)), eps' = floor(eps n) / n: E|mean error|^2 / (eps' sqrt(d))^2 for a
    bump at S = c sigma sqrt(d) (inf when no point is corrupted)."""
    n, eps = check_samples(n), check_fraction(eps)
    c, sigma = check_real(per_coordinate, "per_coordinate"), check_positive(sigma, "sigma")
    e = corrupted_count(n, eps) / n
    return math.inf if e == 0 else math.sqrt((c * sigma) ** 2 + (1 - e) * sigma**2 / (n * e * e))


# -- the sweep over d and its fit ------------------------------------------------------------------------
@dataclass(frozen=True)
class SqrtFit:
    """The mean's error against d: least squares err = coefficient x eps' sqrt(d) (through 0) with its standard
    error, and the log-log slope (the exponent of d, 1/2 expected) with its standard error; ``expected`` is
    ``mean_coefficient``."""

    coefficient: float
    coefficient_se: float
    exponent: float
    exponent_se: float
    expected: float


def fit_sqrt_d(dims, errors, eps_effective: float, expected: float = math.nan) -> SqrtFit:
    """Fit err = a eps' sqrt(d) and log err = b log d + c to the mean errors ``errors`` (one per dimension)."""
    d = np.asarray(dims, dtype=float)
    e = np.asarray(errors, dtype=float)
    if len(d) < 3 or eps_effective <= 0:
        raise ProblemError("The fit needs at least three dimensions and some corrupted points.")
    x = eps_effective * np.sqrt(d)
    a = float(x @ e / (x @ x))
    resid = e - a * x
    a_se = math.sqrt(float(resid @ resid) / (len(d) - 1) / float(x @ x))
    line = linregress(np.log(d), np.log(e))
    return SqrtFit(coefficient=a, coefficient_se=a_se, exponent=float(line.slope), exponent_se=float(line.stderr),
                   expected=expected)


@dataclass(frozen=True, eq=False)
class DimensionSweep:
    """``repeats`` seeded samples at each dimension, the bump at S = c sigma sqrt(d): every estimator's errors
    (``errors[name]``: dims x repeats), mean and 95 % CI, and the fit of the mean's growth."""

    n: int
    eps: float
    corrupted: int
    per_coordinate: float
    repeats: int
    seed: int
    dims: np.ndarray
    errors: dict = field(repr=False)
    fit: SqrtFit | None = None

    def summary(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(mean, low, high) arrays over the dimensions."""
        rows = [interval(r) for r in self.errors[name]]
        return tuple(np.array([r[i] for r in rows]) for i in range(3))

    @property
    def value(self) -> dict:
        return {name: self.summary(name)[0] for name in HIGH}

    @property
    def status(self) -> str:
        return ESTIMATE


def dimension_sweep(n, eps, dims, *, per_coordinate: float = 1.0, repeats: int = 10, seed: int = 0,
                    sigma: float = 1.0) -> DimensionSweep:
    """Every estimator's error against d (repetition r at dimension d draws from default_rng([seed, d, r]))."""
    ds = [check_dimension(d, "dims") for d in np.atleast_1d(np.asarray(dims, dtype=object))]
    n, eps, _, sigma = _check(n, eps, max(ds), sigma)
    c, seed = check_real(per_coordinate, "per_coordinate"), check_seed(seed)
    repeats = check_count(repeats, "repeats", most=1000)
    if n * sum(ds) * repeats > MAX_WORK:
        raise ProblemError(f"n x sum(dims) x repeats = {n * sum(ds) * repeats} is more than the limit of {MAX_WORK}.")
    errs = {name: np.zeros((len(ds), repeats)) for name in HIGH}
    for i, d in enumerate(ds):
        for r in range(repeats):
            out = _one(n, eps, d, c * sigma * math.sqrt(d), sigma, np.random.default_rng([seed, d, r]))
            for j, name in enumerate(HIGH):
                errs[name][i, r] = out[j]
    k = corrupted_count(n, eps)
    fit = None
    if k > 0 and len(ds) >= 3:
        fit = fit_sqrt_d(ds, errs["mean"].mean(axis=1), k / n, mean_coefficient(n, eps, c, sigma))
    return DimensionSweep(n=n, eps=eps, corrupted=k, per_coordinate=c, repeats=repeats, seed=seed, dims=np.array(ds),
                          errors=errs, fit=fit)
