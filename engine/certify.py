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

tight (their Theorem 2); for a linear base classifier sigma Phi^{-1}(p_A) is exactly the distance to its
boundary. The toy 2-D classifiers below are smoothed by Monte Carlo with Cohen et al.'s CERTIFY (the
Clopper-Pearson lower bound on p_A, Clopper and Pearson, Biometrika 1934; abstain when it is <= 1/2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri, ndtri_exp

from engine.accuracy import check_count, check_positive, check_probability, check_seed
from engine.errors import ProblemError
from engine.problem import check_real

ABSTAIN = -1
DEFAULT_DELTA = 1e-5
RTOL = 1e-12  # relative rounding allowed when one radius is checked against another
CHUNK = 1 << 21  # noisy copies drawn at a time by certify_smoothed (two numbers each)


# -- validation ------------------------------------------------------------------------------------
def check_scores(p_a, p_b) -> tuple[float, float]:
    """Two classes' expected scores: each in [0, 1], summing to at most 1."""
    p_a, p_b = check_probability(p_a, "p_A"), check_probability(p_b, "p_B")
    if p_a + p_b > 1.0 + 1e-12:
        raise ProblemError(f"p_A + p_B = {p_a + p_b:g} exceeds 1; they are two different labels' scores.")
    return p_a, p_b


def check_open_probability(p, what: str, purpose: str = "") -> float:
    """A probability strictly inside (0, 1); ``purpose`` (e.g. " for the Gaussian mechanism") ends the sentence."""
    x = check_probability(p, what)
    if not 0.0 < x < 1.0:
        raise ProblemError(f"{what} must be strictly between 0 and 1{purpose}; got {x:g}.")
    return x


def check_delta(delta) -> float:
    """The DP delta of the Gaussian mechanism: 0 < delta < 1."""
    return check_open_probability(delta, "delta", " for the Gaussian mechanism")


def _two_numbers(value, what: str) -> tuple[float, float]:
    """Two finite numbers (not bools, not a string) as a tuple of floats, or a ProblemError sentence."""
    try:
        if isinstance(value, str | bytes):
            raise TypeError
        items = tuple(value)
        if len(items) == 2:
            return check_real(items[0], what), check_real(items[1], what)
    except (TypeError, ProblemError):
        pass
    raise ProblemError(f"{what} must be two finite numbers; got {value!r}.")


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


def gaussian_mechanism_radius(sigma, eps=1.0, *, delta=DEFAULT_DELTA, sensitivity=1.0) -> float:
    """The l2 radius L for which Gaussian noise of scale sigma is (eps, delta)-DP (Dwork and Roth 2014, Thm
    A.1, eps <= 1): L = sigma eps / (sqrt(2 ln(1.25/delta)) Delta). At eps = 1 it bounds every PixelDP radius
    for this sigma, however large p_A."""
    sigma = check_positive(sigma, "sigma")
    eps = check_real(eps, "eps")
    if not 0.0 <= eps <= 1.0:
        raise ProblemError(f"eps must be between 0 and 1 for the Gaussian mechanism's calibration; got {eps:g}.")
    delta = check_delta(delta)
    sensitivity = check_positive(sensitivity, "sensitivity")
    return sigma * eps / (math.sqrt(2 * math.log(1.25 / delta)) * sensitivity)


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
    radius = gaussian_mechanism_radius(sigma, eps, delta=delta, sensitivity=sensitivity)
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


# -- the three radii for the same scores ------------------------------------------------------------
@dataclass(frozen=True)
class RadiusComparison:
    """Smoothing's l2 radius and both PixelDP certificates for the same scores and noise scale sigma."""

    smoothing: float
    gaussian: PixelDPCertificate
    laplace: PixelDPCertificate

    @property
    def pixeldp_within_smoothing(self) -> bool:
        """PixelDP's l2 radius is at most smoothing's (up to rounding): Cohen et al.'s radius is tight."""
        return self.gaussian.radius <= self.smoothing * (1 + RTOL)

    @property
    def pixeldp_share(self) -> float:
        """PixelDP's l2 radius as a share of smoothing's; nan when smoothing certifies nothing (p_A <= p_B)."""
        return self.gaussian.radius / self.smoothing if self.smoothing > 0 else math.nan

    @property
    def pixeldp_cap(self) -> float:
        """The largest PixelDP radius at this sigma and delta, whatever the scores (eps = 1)."""
        return gaussian_mechanism_radius(self.gaussian.scale, 1.0, delta=self.gaussian.delta,
                                         sensitivity=self.gaussian.sensitivity)


def compare_radii(p_a, p_b, sigma, *, delta=DEFAULT_DELTA) -> RadiusComparison:
    """Smoothing, PixelDP with Gaussian noise of scale sigma and PixelDP with Laplace noise of scale sigma."""
    return RadiusComparison(smoothing=smoothing_radius(p_a, p_b, sigma),
                            gaussian=pixeldp_gaussian(p_a, p_b, sigma, delta=delta),
                            laplace=pixeldp_laplace(p_a, p_b, sigma))


def radius_curves(p_a, p_b, sigmas, *, delta=DEFAULT_DELTA) -> dict:
    """The three radii on a grid of noise scales: {"sigma", "smoothing", "gaussian", "laplace"} float arrays."""
    sigma = np.asarray(sigmas, dtype=float).reshape(-1)
    if sigma.size == 0:
        raise ProblemError("The grid of noise scales is empty.")
    rows = [compare_radii(p_a, p_b, s, delta=delta) for s in sigma]
    return {"sigma": sigma, "smoothing": np.array([r.smoothing for r in rows]),
            "gaussian": np.array([r.gaussian.radius for r in rows]),
            "laplace": np.array([r.laplace.radius for r in rows])}


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


@dataclass(frozen=True)
class LinearClassifier:
    """f(x) = 1 if w.x + c > 0 else 0 (the boundary itself is label 0). The checked values are stored: weights
    as a tuple of two floats (not both 0), offset as a float."""

    weights: tuple[float, float] = (1.0, 1.0)
    offset: float = 0.0

    def __post_init__(self):
        w = _two_numbers(self.weights, "The linear classifier's weights")
        if w == (0.0, 0.0):
            raise ProblemError(f"The linear classifier needs two finite weights, not both 0; got {self.weights!r}.")
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "offset", check_real(self.offset, "The linear classifier's offset"))

    def _norm(self) -> float:
        return math.hypot(*self.weights)  # no overflow for huge weights

    def _score(self, x: np.ndarray) -> np.ndarray:
        return x @ np.array(self.weights) + self.offset

    def __call__(self, points) -> np.ndarray:
        return (self._score(_points(points)) > 0).astype(int)

    def boundary_distance(self, points) -> np.ndarray:
        """|w.x + c| / ||w||_2."""
        return np.abs(self._score(_points(points))) / self._norm()

    def smoothed_probabilities(self, points, sigma) -> np.ndarray:
        """P[f(x + sigma Z) = label], columns labels 0 and 1: Phi(-+(w.x + c) / (sigma ||w||))."""
        z = self._score(_points(points)) / (check_positive(sigma, "sigma") * self._norm())
        return np.column_stack([ndtr(-z), ndtr(z)])

    def smoothed_radius(self, points, sigma) -> np.ndarray:
        """sigma Phi^{-1}(p_A) with p_A = Phi(|w.x + c| / (sigma ||w||)): exactly the distance to the boundary,
        computed as that distance (finite however far the point; Phi^{-1}(Phi(z)) would round to inf)."""
        check_positive(sigma, "sigma")
        return self.boundary_distance(points)


@dataclass(frozen=True)
class DiscClassifier:
    """f(x) = 1 inside the closed disc ||x - center|| <= radius, else 0 (a non-linear rule). The checked values
    are stored: center as a tuple of two floats, radius as a positive float."""

    center: tuple[float, float] = (0.0, 0.0)
    radius: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "center", _two_numbers(self.center, "The disc's center"))
        object.__setattr__(self, "radius", check_positive(self.radius, "The disc's radius"))

    def _distance_to_center(self, x: np.ndarray) -> np.ndarray:
        return np.linalg.norm(x - np.array(self.center), axis=1)

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

    def radius_lower_bound(self, points, sigma) -> np.ndarray:
        """A provable lower bound on sigma Phi^{-1}(p_A), from the distance d to the circle alone. Outside, the
        disc lies in a half-plane at distance d, so P[inside] <= Phi(-d / sigma) and the radius is >= d. Inside,
        the ball of radius d lies in the disc, so P[outside] <= P[||sigma Z|| > d] = exp(-d^2 / (2 sigma^2)) and
        the radius is >= -sigma Phi^{-1}(exp(-d^2 / (2 sigma^2))), in logs (clipped at 0)."""
        x = _points(points)
        sigma = check_positive(sigma, "sigma")
        dist = self._distance_to_center(x)
        d = np.abs(dist - self.radius)
        with np.errstate(over="ignore", invalid="ignore"):
            inside = np.maximum(0.0, -sigma * ndtri_exp(-0.5 * (d / sigma) ** 2))
        return np.where(dist <= self.radius, inside, d)

    def smoothed_radius(self, points, sigma) -> np.ndarray:
        """Cohen et al.'s radius sigma Phi^{-1}(p_A) at the exact p_A (the certified radius of the smoothed
        disc, not the distance to the circle), computed as -sigma Phi^{-1}(p_B) from p_B = 1 - p_A.

        scipy has no log-space noncentral chi-square, and its cdf/sf round p_B to 0 far from the circle
        (already ~30 sigma outside): there, and wherever the computed value is below it, the value is
        ``radius_lower_bound`` instead: finite, and never above the true radius. So a radius checked to be
        at most this value is at most the true one."""
        probs = self.smoothed_probabilities(points, sigma)
        p_b = probs.min(axis=1)
        bound = self.radius_lower_bound(points, sigma)
        with np.errstate(divide="ignore"):
            cohen = -float(sigma) * ndtri(p_b)
        return np.where(p_b > 0, np.fmax(cohen, bound), bound)


def smoothed_radius(classifier, points, sigma) -> np.ndarray:
    """The smoothed classifier's binary radius sigma Phi^{-1}(p_A), p_A = max_c P[f(x + sigma Z) = c], at the
    exact p_A, finite everywhere. For ``LinearClassifier`` it is exactly the distance to the boundary; for
    ``DiscClassifier`` see ``DiscClassifier.smoothed_radius`` (a stated lower bound where p_B underflows)."""
    return classifier.smoothed_radius(points, sigma)


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
    def certified_count(self) -> int:
        """How many points get a label (do not abstain)."""
        return int(np.count_nonzero(~self.abstained))

    @property
    def value(self) -> np.ndarray:
        return self.radius

    def _reference(self, reference) -> np.ndarray:
        ref = np.asarray(reference, dtype=float)
        if ref.shape != self.radius.shape:
            raise ProblemError(f"The reference radii must be one a point ({self.radius.shape[0]}); got shape "
                               f"{ref.shape}.")
        if not np.all(np.isfinite(ref)):  # a radius is never checked against inf or nan: that passes trivially
            raise ProblemError("The reference radii must be finite numbers: a check against inf or nan proves "
                               "nothing.")
        return ref

    def at_most(self, reference) -> np.ndarray:
        """Where the Monte Carlo radius is at most ``reference`` (finite, one a point, e.g. ``smoothed_radius``
        at the same points), up to relative rounding RTOL. Each point may fail with probability <= alpha."""
        return self.radius <= self._reference(reference) * (1 + RTOL)

    def share_of(self, reference) -> float:
        """The certified radii's sum as a share of ``reference``'s (finite, one a point); 0 when that is 0."""
        total = float(self._reference(reference).sum())
        return float(self.radius.sum()) / total if total > 0 else 0.0


def lower_confidence_bound(k: int, n: int, alpha: float) -> float:
    """The one-sided (1 - alpha) Clopper-Pearson lower bound on a binomial proportion: Beta(alpha; k, n-k+1)
    (Clopper and Pearson, Biometrika 26(4), 1934; the bound CERTIFY uses in Cohen et al. 2019, Sec. 3.2.2)."""
    from scipy.stats import beta  # scipy.stats is slow to import: only when needed

    return 0.0 if k == 0 else float(beta.ppf(alpha, k, n - k + 1))


def _count(classifier, point: np.ndarray, sigma: float, n: int, rng, label=None):
    """The votes of the n noisy copies point + sigma Z, drawn in chunks (memory stays bounded): the count of
    ``label``, or of each label (bincount) when it is None. Same stream as one (n, 2) draw."""
    rows = CHUNK
    votes = np.zeros(2, dtype=np.int64)
    for start in range(0, n, rows):
        m = min(rows, n - start)
        votes += np.bincount(classifier(point + sigma * rng.standard_normal((m, 2))), minlength=2)[:2]
    return votes if label is None else int(votes[label])


def certify_smoothed(classifier, points, sigma, *, n0: int = 100, n: int = 100_000, alpha: float = 0.001,
                     seed: int = 0) -> SmoothedCertificate:
    """CERTIFY (Cohen et al. 2019, Sec. 3.2.2) for a binary base classifier at each point: pick the top label
    from n0 noisy copies, count it in n fresh ones, bound p_A below at level 1 - alpha, return
    sigma Phi^{-1}(p_lower) or abstain. Seeded: ``numpy.random.default_rng(seed)``, points in order; the noise
    is drawn in chunks, so memory stays bounded for any n."""
    x = _points(points)
    sigma = check_positive(sigma, "sigma")
    n0, n = check_count(n0, "n0"), check_count(n, "n")
    alpha = check_open_probability(alpha, "alpha")
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    k = len(x)
    prediction = np.full(k, ABSTAIN)
    p_lower, radius, counts = np.zeros(k), np.zeros(k), np.zeros(k, dtype=int)
    for i, point in enumerate(x):
        top = int(np.argmax(_count(classifier, point, sigma, n0, rng)))
        counts[i] = _count(classifier, point, sigma, n, rng, top)
        p_lower[i] = lower_confidence_bound(int(counts[i]), n, alpha)
        if p_lower[i] > 0.5:
            prediction[i] = top
            radius[i] = sigma * float(ndtri(p_lower[i]))
    return SmoothedCertificate(points=x, prediction=prediction, p_lower=p_lower, radius=radius, counts=counts,
                               sigma=sigma, n0=n0, n=n, alpha=alpha, seed=seed)
