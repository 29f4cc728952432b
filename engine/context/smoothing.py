"""Certified robustness from noise: randomized smoothing (Cohen, Rosenfeld and Kolter, ICML 2019), and how
PixelDP (``engine.context.pixeldp``) compares with it.

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
from scipy.special import ndtri

from engine.context.pixeldp import (
    DEFAULT_DELTA,
    PixelDPRadius,
    gaussian_mechanism_radius,
    pixeldp_gaussian,
    pixeldp_laplace,
)
from engine.context.toy_classifiers import ABSTAIN, as_points
from engine.core.checks import (
    check_count,
    check_open_probability,
    check_positive,
    check_probability,
    check_scores,
    check_seed,
)
from engine.errors import ProblemError

RTOL = 1e-12  # relative rounding allowed when one radius is checked against another
CHUNK = 1 << 21  # noisy copies drawn at a time by certify_smoothed (two numbers each)


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


# -- the three radii for the same scores ------------------------------------------------------------
@dataclass(frozen=True)
class RadiusComparison:
    """Smoothing's l2 radius and both PixelDP radii for the same scores and noise scale sigma."""

    smoothing: float
    gaussian: PixelDPRadius
    laplace: PixelDPRadius

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


def smoothed_radius(classifier, points, sigma) -> np.ndarray:
    """The smoothed classifier's binary radius sigma Phi^{-1}(p_A), p_A = max_c P[f(x + sigma Z) = c], at the
    exact p_A, finite everywhere. For ``LinearClassifier`` it is exactly the distance to the boundary; for
    ``DiscClassifier`` see ``DiscClassifier.smoothed_radius`` (a stated lower bound where p_B underflows)."""
    return classifier.smoothed_radius(points, sigma)


@dataclass(frozen=True, eq=False)
class SmoothedRadii:
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
                     seed: int = 0) -> SmoothedRadii:
    """CERTIFY (Cohen et al. 2019, Sec. 3.2.2) for a binary base classifier at each point: pick the top label
    from n0 noisy copies, count it in n fresh ones, bound p_A below at level 1 - alpha, return
    sigma Phi^{-1}(p_lower) or abstain. Seeded: ``numpy.random.default_rng(seed)``, points in order; the noise
    is drawn in chunks, so memory stays bounded for any n."""
    x = as_points(points)
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
    return SmoothedRadii(points=x, prediction=prediction, p_lower=p_lower, radius=radius, counts=counts,
                               sigma=sigma, n0=n0, n=n, alpha=alpha, seed=seed)
