"""Toy 2-D base classifiers for randomized smoothing (``engine.context.smoothing``): a line and a disc, with their
exact smoothed probabilities, so that Monte Carlo certification can be checked against closed forms."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri, ndtri_exp

from engine.core.checks import check_positive, check_real, check_two_numbers
from engine.errors import ProblemError

ABSTAIN = -1


def as_points(points) -> np.ndarray:
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
        w = check_two_numbers(self.weights, "The linear classifier's weights")
        if w == (0.0, 0.0):
            raise ProblemError(f"The linear classifier needs two finite weights, not both 0; got {self.weights!r}.")
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "offset", check_real(self.offset, "The linear classifier's offset"))

    def _norm(self) -> float:
        return math.hypot(*self.weights)  # no overflow for huge weights

    def _score(self, x: np.ndarray) -> np.ndarray:
        return x @ np.array(self.weights) + self.offset

    def __call__(self, points) -> np.ndarray:
        return (self._score(as_points(points)) > 0).astype(int)

    def boundary_distance(self, points) -> np.ndarray:
        """|w.x + c| / ||w||_2."""
        return np.abs(self._score(as_points(points))) / self._norm()

    def smoothed_probabilities(self, points, sigma) -> np.ndarray:
        """P[f(x + sigma Z) = label], columns labels 0 and 1: Phi(-+(w.x + c) / (sigma ||w||))."""
        z = self._score(as_points(points)) / (check_positive(sigma, "sigma") * self._norm())
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
        object.__setattr__(self, "center", check_two_numbers(self.center, "The disc's center"))
        object.__setattr__(self, "radius", check_positive(self.radius, "The disc's radius"))

    def _distance_to_center(self, x: np.ndarray) -> np.ndarray:
        return np.linalg.norm(x - np.array(self.center), axis=1)

    def __call__(self, points) -> np.ndarray:
        return (self._distance_to_center(as_points(points)) <= self.radius).astype(int)

    def boundary_distance(self, points) -> np.ndarray:
        """| ||x - center|| - radius |."""
        return np.abs(self._distance_to_center(as_points(points)) - self.radius)

    def smoothed_probabilities(self, points, sigma) -> np.ndarray:
        """||x + sigma Z - center||^2 / sigma^2 is noncentral chi-square (2 degrees of freedom, noncentrality
        ||x - center||^2 / sigma^2): label 1 with its cdf at radius^2 / sigma^2, label 0 with its sf."""
        from scipy.stats import ncx2  # scipy.stats is slow to import: only when needed

        sigma = check_positive(sigma, "sigma")
        nc = (self._distance_to_center(as_points(points)) / sigma) ** 2
        t = (self.radius / sigma) ** 2
        return np.column_stack([ncx2.sf(t, 2, nc), ncx2.cdf(t, 2, nc)])

    def radius_lower_bound(self, points, sigma) -> np.ndarray:
        """A provable lower bound on sigma Phi^{-1}(p_A), from the distance d to the circle alone. Outside, the
        disc lies in a half-plane at distance d, so P[inside] <= Phi(-d / sigma) and the radius is >= d. Inside,
        the ball of radius d lies in the disc, so P[outside] <= P[||sigma Z|| > d] = exp(-d^2 / (2 sigma^2)) and
        the radius is >= -sigma Phi^{-1}(exp(-d^2 / (2 sigma^2))), in logs (clipped at 0)."""
        x = as_points(points)
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


