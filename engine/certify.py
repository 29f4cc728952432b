"""Certified robustness from noise: PixelDP (Lecuyer et al., IEEE S&P 2019) and randomized smoothing
(Cohen, Rosenfeld and Kolter, ICML 2019).

**PixelDP.** If a scoring function A(x) in [0, 1]^k is (eps, delta)-DP with respect to l_p balls of radius L,
label i is robust on the ball around x whenever (Lecuyer et al., Proposition 1)

.. math::
    E[A_i(x)] > e^{2\\varepsilon} \\max_{j \\ne i} E[A_j(x)] + (1 + e^{\\varepsilon}) \\delta .

A Gaussian noise layer of scale sigma = sqrt(2 ln(1.25/delta)) Delta L / eps gives (eps, delta)-DP for
eps <= 1 and l2 sensitivity Delta; a Laplace layer of scale b = Delta L / eps gives (eps, 0)-DP for l1
sensitivity Delta. For fixed noise the radius L grows with eps while the condition fails once eps is too
large, so the certificate is the largest admissible eps. With u = e^eps the condition reads
p_B u^2 + delta u - (p_A - delta) < 0, so the search over eps has a closed form: u below the positive
root u*, eps* = min(1, ln u*) for the Gaussian; eps* = ln(p_A / p_B) / 2 for the Laplace (delta = 0).

**Randomized smoothing.** The smoothed classifier g(x) = argmax_c P[f(x + sigma Z) = c], Z ~ N(0, I), keeps
its label on the l2 ball of radius (Cohen et al., Theorem 1)

.. math::
    R = \\frac{\\sigma}{2} \\big(\\Phi^{-1}(p_A) - \\Phi^{-1}(p_B)\\big),
    \\qquad R = \\sigma \\Phi^{-1}(p_A) \\text{ when } p_B = 1 - p_A,

exact for a linear base classifier (the distance to its boundary). The toy 2-D classifiers below are smoothed
by Monte Carlo with Cohen et al.'s CERTIFY (Clopper-Pearson lower bound on p_A, abstain when it is <= 1/2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

from engine.accuracy import check_count, check_positive, check_probability, check_seed
from engine.errors import ProblemError
from engine.problem import check_real

ABSTAIN = -1
DEFAULT_DELTA = 1e-5


# -- validation ------------------------------------------------------------------------------------
def check_scores(p_a, p_b) -> tuple[float, float]:
    """Two classes' expected scores: each in [0, 1], summing to at most 1."""
    p_a, p_b = check_probability(p_a, "p_A"), check_probability(p_b, "p_B")
    if p_a + p_b > 1.0 + 1e-12:
        raise ProblemError(f"p_A + p_B = {p_a + p_b:g} exceeds 1; they are two different labels' scores.")
    return p_a, p_b


def check_delta(delta) -> float:
    """The DP delta of the Gaussian mechanism: 0 < delta < 1."""
    d = check_probability(delta, "delta")
    if not 0.0 < d < 1.0:
        raise ProblemError(f"delta must be strictly between 0 and 1 for the Gaussian mechanism; got {d:g}.")
    return d


# -- closed-form radii -----------------------------------------------------------------------------
def smoothing_radius(p_a, p_b, sigma) -> float:
    """Cohen et al.'s l2 radius sigma/2 (Phi^{-1}(p_A) - Phi^{-1}(p_B)); ``p_b=None`` means p_B = 1 - p_A,
    computed as sigma Phi^{-1}(p_A). 0 when nothing is certified (p_A <= p_B); inf when p_A = 1 or p_B = 0."""
    sigma = check_positive(sigma, "sigma")
    if p_b is None:
        p_a = check_probability(p_a, "p_A")
        return max(0.0, sigma * float(ndtri(p_a)))
    p_a, p_b = check_scores(p_a, p_b)
    if p_a <= p_b:
        return 0.0
    return sigma / 2 * (float(ndtri(p_a)) - float(ndtri(p_b)))


@dataclass(frozen=True)
class PixelDPCertificate:
    """PixelDP's certificate: the l_p ``radius`` (l2 for the Gaussian, l1 for the Laplace) and the DP ``eps``
    that certifies it (both 0 when nothing is). The radius is a supremum: every smaller one is certified."""

    mechanism: str
    norm: str
    radius: float
    eps: float
    delta: float
    scale: float
    sensitivity: float

    @property
    def certified(self) -> bool:
        return self.radius > 0

    @property
    def value(self) -> float:
        return self.radius


def pixeldp_gaussian(p_a, p_b, sigma, *, sensitivity=1.0, delta=DEFAULT_DELTA) -> PixelDPCertificate:
    """The largest L with p_A > e^{2 eps} p_B + (1 + e^eps) delta, sigma = sqrt(2 ln(1.25/delta)) Delta L / eps,
    eps <= 1 (Lecuyer et al. 2019, Sec. III with the Gaussian mechanism)."""
    p_a, p_b = check_scores(p_a, p_b)
    sigma = check_positive(sigma, "sigma")
    sensitivity = check_positive(sensitivity, "sensitivity")
    delta = check_delta(delta)
    eps = 0.0
    if p_a > p_b + 2 * delta:  # the condition at eps -> 0; else no eps > 0 satisfies it
        u = 2 * (p_a - delta) / (delta + math.sqrt(delta * delta + 4 * p_b * (p_a - delta)))
        eps = min(1.0, math.log(u))
    radius = sigma * eps / (math.sqrt(2 * math.log(1.25 / delta)) * sensitivity)
    return PixelDPCertificate(mechanism="gaussian", norm="l2", radius=radius, eps=eps, delta=delta, scale=sigma,
                              sensitivity=sensitivity)


def pixeldp_laplace(p_a, p_b, scale, *, sensitivity=1.0) -> PixelDPCertificate:
    """The largest L with p_A > e^{2 eps} p_B, scale = Delta L / eps (pure DP, delta = 0; l1 sensitivity).
    Infinite when p_B = 0 < p_A."""
    p_a, p_b = check_scores(p_a, p_b)
    scale = check_positive(scale, "scale")
    sensitivity = check_positive(sensitivity, "sensitivity")
    if p_a <= p_b:
        eps = 0.0
    elif p_b == 0:
        eps = math.inf
    else:
        eps = 0.5 * (math.log(p_a) - math.log(p_b))  # not log(p_a / p_b): the ratio may overflow
    return PixelDPCertificate(mechanism="laplace", norm="l1", radius=scale * eps / sensitivity, eps=eps, delta=0.0,
                              scale=scale, sensitivity=sensitivity)


# -- a toy 2-D problem -----------------------------------------------------------------------------
def _points(points) -> np.ndarray:
    """Points of the plane as a (k, 2) float array."""
    try:
        x = np.array(points, dtype=float)
    except (TypeError, ValueError):
        raise ProblemError(f"The points must be pairs of numbers; got {points!r}.") from None
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[1] != 2 or x.shape[0] == 0:
        raise ProblemError(f"The points must be a non-empty list of (x, y) pairs; got shape {x.shape}.")
    if not np.all(np.isfinite(x)):
        raise ProblemError("The points must be finite numbers.")
    return x


def _pair(value) -> np.ndarray:
    """A classifier's parameter as a float array (its shape and values are checked by the caller)."""
    try:
        return np.array(value, dtype=float)
    except (TypeError, ValueError):
        return np.full(3, np.nan)  # fails the caller's check with the caller's sentence


@dataclass(frozen=True)
class LinearClassifier:
    """f(x) = 1 if w.x + c > 0 else 0 (the boundary itself is label 0)."""

    weights: tuple[float, float] = (1.0, 1.0)
    offset: float = 0.0

    def __post_init__(self):
        w = _pair(self.weights)
        if w.shape != (2,) or not np.all(np.isfinite(w)) or not np.any(w):
            raise ProblemError(f"The linear classifier needs two finite weights, not both 0; got {self.weights!r}.")
        check_real(self.offset, "The linear classifier's offset")

    def _score(self, x: np.ndarray) -> np.ndarray:
        return x @ np.asarray(self.weights, dtype=float) + self.offset

    def __call__(self, points) -> np.ndarray:
        return (self._score(_points(points)) > 0).astype(int)

    def boundary_distance(self, points) -> np.ndarray:
        """|w.x + c| / ||w||_2."""
        return np.abs(self._score(_points(points))) / np.linalg.norm(self.weights)

    def smoothed_probabilities(self, points, sigma) -> np.ndarray:
        """P[f(x + sigma Z) = label], columns labels 0 and 1: Phi(-+(w.x + c) / (sigma ||w||))."""
        z = self._score(_points(points)) / (check_positive(sigma, "sigma") * np.linalg.norm(self.weights))
        return np.column_stack([ndtr(-z), ndtr(z)])


@dataclass(frozen=True)
class DiscClassifier:
    """f(x) = 1 inside the closed disc ||x - center|| <= radius, else 0 (a non-linear rule)."""

    center: tuple[float, float] = (0.0, 0.0)
    radius: float = 1.0

    def __post_init__(self):
        c = _pair(self.center)
        if c.shape != (2,) or not np.all(np.isfinite(c)):
            raise ProblemError(f"The disc's center must be two finite numbers; got {self.center!r}.")
        check_positive(self.radius, "The disc's radius")

    def _distance_to_center(self, x: np.ndarray) -> np.ndarray:
        return np.linalg.norm(x - np.asarray(self.center, dtype=float), axis=1)

    def __call__(self, points) -> np.ndarray:
        return (self._distance_to_center(_points(points)) <= self.radius).astype(int)

    def boundary_distance(self, points) -> np.ndarray:
        """| ||x - center|| - radius |."""
        return np.abs(self._distance_to_center(_points(points)) - self.radius)

    def smoothed_probabilities(self, points, sigma) -> np.ndarray:
        """||x + sigma Z - center||^2 / sigma^2 is noncentral chi-square (2 degrees of freedom, noncentrality
        ||x - center||^2 / sigma^2): label 1 with its cdf at radius^2 / sigma^2, label 0 with its sf."""
        from scipy.stats import ncx2  # scipy.stats is slow to import: only when needed

        sigma = check_positive(sigma, "sigma")
        nc = (self._distance_to_center(_points(points)) / sigma) ** 2
        t = (self.radius / sigma) ** 2
        return np.column_stack([ncx2.sf(t, 2, nc), ncx2.cdf(t, 2, nc)])


def smoothed_radius(classifier, points, sigma) -> np.ndarray:
    """The smoothed classifier's exact binary radius sigma Phi^{-1}(p_A), p_A = max_c P[f(x + sigma Z) = c],
    computed as -sigma Phi^{-1}(1 - p_A) from the smaller probability (accurate far from the boundary)."""
    probs = classifier.smoothed_probabilities(points, sigma)
    return float(sigma) * np.abs(ndtri(probs.min(axis=1)))


@dataclass(frozen=True, eq=False)
class SmoothedCertificate:
    """Cohen et al.'s CERTIFY at each point: the label (``ABSTAIN`` = -1 when the Clopper-Pearson lower bound
    on p_A is <= 1/2), that bound, the l2 radius sigma Phi^{-1}(p_lower) (0 when abstaining) and the count of
    the chosen label among the n estimation samples."""

    points: np.ndarray
    prediction: np.ndarray
    p_lower: np.ndarray
    radius: np.ndarray
    counts: np.ndarray
    sigma: float
    n0: int
    n: int
    alpha: float
    seed: int

    @property
    def abstained(self) -> np.ndarray:
        return self.prediction == ABSTAIN

    @property
    def value(self) -> np.ndarray:
        return self.radius


def lower_confidence_bound(k: int, n: int, alpha: float) -> float:
    """The one-sided (1 - alpha) Clopper-Pearson lower bound on a binomial proportion: Beta(alpha; k, n-k+1)."""
    from scipy.stats import beta  # scipy.stats is slow to import: only when needed

    return 0.0 if k == 0 else float(beta.ppf(alpha, k, n - k + 1))


def certify_smoothed(classifier, points, sigma, *, n0: int = 100, n: int = 100_000, alpha: float = 0.001,
                     seed: int = 0) -> SmoothedCertificate:
    """CERTIFY (Cohen et al. 2019, Sec. 3.2.2) for a binary base classifier at each point: pick the top label
    from n0 noisy copies, count it in n fresh ones, bound p_A below at level 1 - alpha, return
    sigma Phi^{-1}(p_lower) or abstain. Seeded: ``numpy.random.default_rng(seed)``, points in order."""
    x = _points(points)
    sigma = check_positive(sigma, "sigma")
    n0, n = check_count(n0, "n0"), check_count(n, "n")
    alpha = check_probability(alpha, "alpha")
    if not 0 < alpha < 1:
        raise ProblemError(f"alpha must be strictly between 0 and 1; got {alpha:g}.")
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    k = len(x)
    prediction = np.full(k, ABSTAIN)
    p_lower, radius, counts = np.zeros(k), np.zeros(k), np.zeros(k, dtype=int)
    for i, point in enumerate(x):
        selection = classifier(point + sigma * rng.standard_normal((n0, 2)))
        top = int(np.argmax(np.bincount(selection, minlength=2)))
        votes = classifier(point + sigma * rng.standard_normal((n, 2)))
        counts[i] = int(np.count_nonzero(votes == top))
        p_lower[i] = lower_confidence_bound(int(counts[i]), n, alpha)
        if p_lower[i] > 0.5:
            prediction[i] = top
            radius[i] = sigma * float(ndtri(p_lower[i]))
    return SmoothedCertificate(points=x, prediction=prediction, p_lower=p_lower, radius=radius, counts=counts,
                               sigma=sigma, n0=n0, n=n, alpha=alpha, seed=seed)
