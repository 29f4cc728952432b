"""Robustness may be at odds with accuracy: the model of Tsipras et al. (ICLR 2019), Sec. 2.1.

The label y is uniform on {-1, +1}; one robust feature x_1 = y with probability p, else -y; and d weak
features x_2, ..., x_{d+1} iid N(eta y, 1). A linear rule predicts sign(w . x) with

.. math::
    w = (a, b/d, \\dots, b/d), \\qquad a, b \\ge 0,

so the natural rule is (a, b) = (0, 1) and the robust rule is (1, 0). Against an l_inf attacker of radius
eps (who may move x_1 too) the worst perturbation is -eps y sign(w) and the robust margin is
y w.x - eps ||w||_1 with ||w||_1 = a + b. The weak part (b/d) sum_k x_k has mean b eta y and standard
deviation b / sqrt(d) (d coordinates of variance 1, each weighted b/d), so for b > 0

.. math::
    acc_\\varepsilon(a, b) = p \\, \\Phi\\Big(\\sqrt{d}\\,\\frac{a + b\\eta - \\varepsilon(a+b)}{b}\\Big)
      + (1-p) \\, \\Phi\\Big(\\sqrt{d}\\,\\frac{-a + b\\eta - \\varepsilon(a+b)}{b}\\Big),

which is docs/design.md's formula ("Context models"; the derivation agrees with it). Standard accuracy is
eps = 0. A tie (margin exactly 0, sign 0) counts as an error: for b > 0 ties have probability 0; for b = 0 the margin is
a (y x_1 - eps), so the accuracy is p when a > 0 and eps < 1 and 0 otherwise (also 0 for w = 0).

Theorem (Tsipras et al., Thm 2.1): for p >= 1/2, any classifier with standard accuracy >= 1 - delta has
adversarial accuracy <= p / (1 - p) delta against an l_inf attacker with eps >= 2 eta. (For p < 1/2 it
fails: sign(-x_1) has standard accuracy 1 - p and keeps it below eps = 1.) ``tradeoff_factor`` is its p / (1 - p),
or None outside 1/2 <= p < 1; ``AccuracyFrontier.bound_factor`` is None too when eps < 2 eta.

Results carry ``.value`` and ``.status`` like the rest of the engine, but the statuses differ: no solver runs here,
so a closed form is "exact" and the Monte Carlo simulator's answer an "estimate" (with its standard error).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from engine.core.checks import (
    check_count,
    check_eps,
    check_eps_values,
    check_positive,
    check_probability,
    check_seed,
)
from engine.errors import ProblemError

NATURAL = (0.0, 1.0)
ROBUST = (1.0, 0.0)
FRONTIER_POINTS = 1001
MAX_FRONTIER_POINTS = 1_000_000
CHUNK = 1 << 22  # numbers drawn at a time by the simulator
MAX_SAMPLES = 10**8  # the simulator's most points ...
MAX_DRAWS = 10**9  # ... and most random numbers, samples x (d + 1): some tens of seconds at most
EXACT, ESTIMATE = "exact", "estimate"  # the statuses: a closed form, a Monte Carlo estimate


# -- validation ------------------------------------------------------------------------------------
def check_model(p, eta, d, eps=0.0) -> tuple[float, float, int, float]:
    """The model's parameters: p in [0, 1], eta > 0, d a whole number >= 1, eps >= 0 finite."""
    return check_probability(p), check_positive(eta, "eta"), check_count(d, "d"), check_eps(eps, "eps")


def _check_weights(a, b) -> tuple[np.ndarray, np.ndarray]:
    """The rule's weights a, b: finite and >= 0 (scalars or arrays of one shape)."""
    out = []
    for value, what in ((a, "a"), (b, "b")):
        try:
            w = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ProblemError(f"The weight {what} must be a number or an array of numbers; got {value!r}.") from None
        if not np.all(np.isfinite(w)):
            raise ProblemError(f"The weight {what} must be finite; got {value!r}.")
        if np.any(w < 0):
            raise ProblemError(f"The weight {what} must be non-negative; got {float(w.min()):g}.")
        out.append(w)
    try:
        a_, b_ = np.broadcast_arrays(*out)
    except ValueError:
        raise ProblemError(f"The weights a and b have shapes {out[0].shape} and {out[1].shape}; "
                           "they must match.") from None
    return a_, b_


def _one_rule(a, b, caller: str) -> tuple[np.ndarray, np.ndarray]:
    """``_check_weights`` for a single rule: a and b numbers (0-d arrays), not arrays."""
    a_, b_ = _check_weights(a, b)
    if a_.ndim:
        raise ProblemError(f"{caller} takes one rule: a and b must be numbers, not arrays.")
    return a_, b_


# -- closed forms ----------------------------------------------------------------------------------
def _accuracy(p: float, eta: float, d: int, eps: float, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The closed form of the module docstring for validated inputs (arrays of one shape)."""
    positive = b > 0
    safe_b = np.where(positive, b, 1.0)
    root_d = math.sqrt(d)
    # (+-a + b eta - eps (a + b)) / b written as +-a (1 -+ eps) / b + eta - eps: no cancellation at eps = 1
    with np.errstate(over="ignore"):  # a tiny b sends the arguments to +-inf, where Phi is 0 or 1
        correct_x1 = ndtr(root_d * (a * (1 - eps) / safe_b + (eta - eps)))
        wrong_x1 = ndtr(root_d * (-a * (1 + eps) / safe_b + (eta - eps)))
    gaussian = p * correct_x1 + (1 - p) * wrong_x1
    only_x1 = np.where((a > 0) & (eps < 1.0), p, 0.0)  # b = 0: margin a (y x_1 - eps); ties are errors
    return np.where(positive, gaussian, only_x1)


def _scalar_or_array(x: np.ndarray):
    return float(x) if x.ndim == 0 else x


def adversarial_accuracy(p, eta, d, eps, a, b):
    """P[y w.(x + delta*) > 0] for the worst l_inf perturbation ||delta*||_inf <= eps (Tsipras et al. 2019).

    ``a`` and ``b`` may be arrays of one shape (then an array is returned). See the module docstring.
    """
    p, eta, d, eps = check_model(p, eta, d, eps)
    return _scalar_or_array(_accuracy(p, eta, d, eps, *_check_weights(a, b)))


def accuracy_curve(p, eta, d, eps_values, a, b) -> np.ndarray:
    """``adversarial_accuracy`` of one rule (a, b) at every radius in ``eps_values``, in one vectorised call."""
    p, eta, d, _ = check_model(p, eta, d)
    eps = check_eps_values(eps_values, "eps")
    return _accuracy(p, eta, d, eps, *_one_rule(a, b, "accuracy_curve"))


def standard_accuracy(p, eta, d, a, b):
    """P[y w.x > 0]: the accuracy without an attacker (eps = 0)."""
    return adversarial_accuracy(p, eta, d, 0.0, a, b)


@dataclass(frozen=True)
class RuleAccuracy:
    """One rule w = (a, b/d, ..., b/d) of the family: its standard and adversarial (radius eps) accuracy."""

    a: float
    b: float
    eps: float
    standard: float
    adversarial: float

    @property
    def value(self) -> tuple[float, float]:
        """(standard, adversarial)."""
        return self.standard, self.adversarial

    @property
    def status(self) -> str:
        """"exact": a closed form."""
        return EXACT


def rule_accuracy(p, eta, d, eps, a, b) -> RuleAccuracy:
    """Standard and adversarial accuracy of the rule (a, b)."""
    p, eta, d, eps = check_model(p, eta, d, eps)
    a_, b_ = _one_rule(a, b, "rule_accuracy")
    return RuleAccuracy(a=float(a_), b=float(b_), eps=eps, standard=float(_accuracy(p, eta, d, 0.0, a_, b_)),
                        adversarial=float(_accuracy(p, eta, d, eps, a_, b_)))


def natural_rule_accuracy(p, eta, d, eps) -> RuleAccuracy:
    """The natural rule (a, b) = (0, 1): standard Phi(eta sqrt(d)), adversarial Phi(sqrt(d)(eta - eps))."""
    return rule_accuracy(p, eta, d, eps, *NATURAL)


def robust_rule_accuracy(p, eta, d, eps) -> RuleAccuracy:
    """The robust rule (a, b) = (1, 0), sign(x_1): accuracy p for every eps < 1, and 0 for eps >= 1."""
    return rule_accuracy(p, eta, d, eps, *ROBUST)


def tradeoff_bound(p, delta) -> float:
    """Tsipras et al., Thm 2.1: p / (1 - p) * delta, for 1/2 <= p < 1 and delta in [0, 1].

    A classifier with standard accuracy >= 1 - delta has adversarial accuracy at most this when eps >= 2 eta
    (a value above 1 says nothing).
    """
    p = check_probability(p)
    if not 0.5 <= p < 1.0:
        raise ProblemError(f"The trade-off bound needs 1/2 <= p < 1; got p = {p:g}.")
    delta = check_probability(delta, "delta")
    return p / (1.0 - p) * delta


def tradeoff_factor(p) -> float | None:
    """The theorem's factor p / (1 - p) (``tradeoff_bound(p, 1)``), or None outside 1/2 <= p < 1 where it fails."""
    p = check_probability(p)
    return tradeoff_bound(p, 1.0) if 0.5 <= p < 1.0 else None


def bound_applies(p, eta, eps) -> bool:
    """Whether the theorem covers this model: eps >= 2 eta and 1/2 <= p < 1."""
    p, eta, eps = check_probability(p), check_positive(eta, "eta"), check_eps(eps, "eps")
    return tradeoff_factor(p) is not None and eps >= 2.0 * eta


# -- both rules against the radius -----------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class RuleCurves:
    """The natural and robust rules' adversarial accuracy on the grid ``eps`` (eps[0] = 0: standard accuracy).

    ``bound``: the theorem's ceiling p / (1 - p) delta at the natural rule's delta = 1 - its standard accuracy,
    binding for eps >= 2 eta (None outside 1/2 <= p < 1; a value >= 1 says nothing).
    """

    p: float
    eta: float
    d: int
    eps: np.ndarray
    natural: np.ndarray
    robust: np.ndarray
    bound: float | None

    @property
    def value(self) -> np.ndarray:
        """(eps, natural, robust) rows."""
        return np.column_stack([self.eps, self.natural, self.robust])

    @property
    def status(self) -> str:
        """"exact": closed forms."""
        return EXACT


def rule_curves(p, eta, d, eps_max, points) -> RuleCurves:
    """Both rules' accuracy on ``points`` radii evenly spaced in [0, eps_max], and the natural rule's bound."""
    p, eta, d, _ = check_model(p, eta, d)
    eps_max = check_positive(eps_max, "eps_max")
    points = check_count(points, "points")
    if not 2 <= points <= MAX_FRONTIER_POINTS:
        raise ProblemError(f"points must be between 2 (both ends of [0, eps_max]) and {MAX_FRONTIER_POINTS}; "
                           f"got {points}.")
    eps = np.linspace(0.0, eps_max, points)
    delta = 1.0 - natural_rule_accuracy(p, eta, d, 0.0).standard
    return RuleCurves(p=p, eta=eta, d=d, eps=eps, natural=accuracy_curve(p, eta, d, eps, *NATURAL),
                      robust=accuracy_curve(p, eta, d, eps, *ROBUST),
                      bound=None if tradeoff_factor(p) is None else tradeoff_bound(p, delta))


# -- the frontier over the family ------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class AccuracyFrontier:
    """Standard and adversarial accuracy of the rules a = cos(theta), b = sin(theta) on a grid of theta in
    [0, pi/2] (theta = 0 the robust rule, pi/2 the natural one), and which of them are Pareto optimal.

    ``on_frontier[i]`` is True when no grid rule is at least as good on both accuracies and better on one
    (of equal points, one is kept). ``bound_applies``: Tsipras et al.'s theorem covers the model;
    ``bound_factor``: then its p / (1 - p), else None.
    """

    p: float
    eta: float
    d: int
    eps: float
    theta: np.ndarray
    a: np.ndarray
    b: np.ndarray
    standard: np.ndarray
    adversarial: np.ndarray
    on_frontier: np.ndarray
    bound_applies: bool

    @property
    def frontier_theta(self) -> np.ndarray:
        return self.theta[self.on_frontier]

    @property
    def frontier_standard(self) -> np.ndarray:
        return self.standard[self.on_frontier]

    @property
    def frontier_adversarial(self) -> np.ndarray:
        return self.adversarial[self.on_frontier]

    @property
    def bound_factor(self) -> float | None:
        """p / (1 - p) when the theorem applies (adversarial <= it x (1 - standard) for every classifier), else None."""
        return tradeoff_factor(self.p) if self.bound_applies else None

    @property
    def value(self) -> np.ndarray:
        """The frontier's (standard, adversarial) pairs, one row each, theta increasing."""
        return np.column_stack([self.frontier_standard, self.frontier_adversarial])

    @property
    def status(self) -> str:
        """"exact": closed forms on the grid."""
        return EXACT


def pareto_mask(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """True at the points (first[i], second[i]) that no other point weakly dominates (one of equal points)."""
    order = np.lexsort((-second, -first))  # best first on `first`, ties broken by `second`
    ranked = second[order]
    best_before = np.concatenate([[-np.inf], np.maximum.accumulate(ranked)[:-1]])
    keep = np.zeros(len(first), dtype=bool)
    keep[order] = ranked > best_before  # strictly better on `second` than every point at least as good on `first`
    return keep


def accuracy_frontier(p, eta, d, eps, points: int = FRONTIER_POINTS) -> AccuracyFrontier:
    """The Pareto frontier of (standard, adversarial) accuracy over the family, on ``points`` angles."""
    p, eta, d, eps = check_model(p, eta, d, eps)
    points = check_count(points, "points")
    if not 2 <= points <= MAX_FRONTIER_POINTS:
        raise ProblemError(f"points must be between 2 (both ends of [0, pi/2]) and {MAX_FRONTIER_POINTS}; "
                           f"got {points}.")
    theta = np.linspace(0.0, math.pi / 2, points)
    a, b = np.cos(theta), np.sin(theta)
    a[-1] = 0.0  # the natural rule exactly (cos(pi/2) is 6e-17; sin(0) is 0 already)
    standard = _accuracy(p, eta, d, 0.0, a, b)
    adversarial = _accuracy(p, eta, d, eps, a, b)
    return AccuracyFrontier(
        p=p, eta=eta, d=d, eps=eps, theta=theta, a=a, b=b, standard=standard, adversarial=adversarial,
        on_frontier=pareto_mask(standard, adversarial), bound_applies=bound_applies(p, eta, eps),
    )


# -- Monte Carlo -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SimulatedAccuracy:
    """A Monte Carlo estimate of a rule's accuracy under the worst l_inf attack, with its standard error."""

    accuracy: float
    standard_error: float
    samples: int

    @property
    def value(self) -> float:
        return self.accuracy

    @property
    def status(self) -> str:
        """"estimate": a Monte Carlo estimate."""
        return ESTIMATE

    def gap(self, exact) -> float:
        """|accuracy - exact| in standard errors of ``samples`` draws at the exact accuracy's binomial,
        sqrt(exact (1 - exact) / samples), floored at 1 / samples (one draw) when that is 0."""
        exact = check_probability(exact, "exact")
        se = max(math.sqrt(exact * (1.0 - exact) / self.samples), 1.0 / self.samples)
        return abs(self.accuracy - exact) / se


def simulate_accuracy(p, eta, d, eps, a, b, *, samples: int = 100_000, seed: int = 0) -> SimulatedAccuracy:
    """Draw ``samples`` points (y, x) from the model with ``numpy.random.default_rng(seed)``, move each to
    x - eps y sign(w) (the worst l_inf perturbation for a linear rule) and count y w.x' > 0 (ties are errors).

    The standard error is sqrt(acc (1 - acc) / samples). Memory stays bounded: points are drawn in chunks. Time
    too: at most MAX_SAMPLES points and MAX_DRAWS random numbers, samples x (d + 1).
    """
    p, eta, d, eps = check_model(p, eta, d, eps)
    a_, b_ = _one_rule(a, b, "simulate_accuracy")
    a, b = float(a_), float(b_)
    n = check_count(samples, "samples", most=MAX_SAMPLES)
    if n * (d + 1) > MAX_DRAWS:
        raise ProblemError(f"The simulator draws samples x (d + 1) = {n * (d + 1)} numbers, more than its limit of "
                           f"{MAX_DRAWS}; use fewer samples.")
    rng = np.random.default_rng(check_seed(seed))
    rows = max(1, CHUNK // (d + 1))
    correct = 0
    for start in range(0, n, rows):
        m = min(rows, n - start)
        y = rng.choice((-1.0, 1.0), size=m)
        x1 = np.where(rng.random(m) < p, y, -y)
        weak = eta * y[:, None] + rng.standard_normal((m, d))
        x1 = x1 - eps * y * np.sign(a)
        weak = weak - eps * y[:, None] * np.sign(b)
        score = a * x1 + (b / d) * weak.sum(axis=1)
        correct += int(np.count_nonzero(y * score > 0))
    acc = correct / n
    return SimulatedAccuracy(accuracy=acc, standard_error=math.sqrt(acc * (1 - acc) / n), samples=n)
