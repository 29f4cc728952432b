"""Concentration of measure on the sphere: the notes' adversarial spheres (seeds/004, "Interlude"; Gilmer et al.,
"Adversarial Spheres", 2018).

sigma is the uniform probability on the unit sphere S^{d-1} = {x in R^d : |x|_2 = 1}, d >= 2 (d is the dimension
of the space the sphere sits in, as in the notes' bound). **Distances are Euclidean (chordal)**, |x - y|_2 for x, y
on the sphere, as in the notes' E_delta; two points at angle psi are 2 sin(psi/2) apart, so a chordal delta in
[0, 2] is the angle phi(delta) = 2 arcsin(delta/2), and delta >= 2 reaches every point.

**Caps.** C(theta) = {x : angle(x, e) <= theta} for a pole e. The coordinate t = <x, e> has density proportional to
(1 - t^2)^{(d-3)/2} on [-1, 1], i.e. (1 - t)/2 ~ Beta(a, a) with a = (d - 1)/2, so with the regularised incomplete
beta function I (scipy.special.betainc)

.. math::
    \\sigma(C(\\theta)) = I_{\\sin^2(\\theta/2)}(a, a), \\qquad
    1 - \\sigma(C(\\theta)) = I_{\\cos^2(\\theta/2)}(a, a),

each half computed directly (no 1 - x cancellation). Closed forms: theta/pi for d = 2 (a circle's arc) and
(1 - cos theta)/2 for d = 3 (Archimedes' hat-box theorem). ``cap_angle`` inverts it with scipy.special.betaincinv.

**Expansion.** E is the cap of measure p and E_delta = {x : some y in E has |x - y|_2 <= delta}. The point of a cap
nearest to x lies on the great circle through x and the pole, so E_delta is the cap C(min(pi, theta_p +
phi(delta))) and its measure is exact. By Levy's isoperimetric inequality the cap has the least expansion of all
sets of measure p, at every delta: it is the worst case for the bound below and the error set farthest on average.

**The notes' bound** (their Theorem; Matousek, Lectures on Discrete Geometry, Thm 14.1.1): if sigma(E) >= 1/2, then
sigma(E_delta) >= 1 - 2 exp(-d delta^2 / 2). It applies only from p = 1/2 on. For 0 < p < 1/2 ("versions that start
from mu(E) = p") let t0 = sqrt(2 ln(2/p) / d). If sigma(E_t) < 1/2 for some t > t0, the rest B of the sphere has
sigma(B) > 1/2 and lies farther than t from E, so for s < t the set B_s misses E and 1 - p >= sigma(B_s) >=
1 - 2 exp(-d s^2 / 2); s -> t gives p <= 2 exp(-d t^2 / 2) < p. So sigma(E_t) >= 1/2 for t > t0 (and t0, by
continuity), and by the triangle inequality ``shifted_bound``: sigma(E_delta) >= 1 - 2 exp(-d (delta - t0)^2 / 2)
for delta >= t0. A value <= 0 says nothing.

**Average distance to the nearest error** (the notes' d(E), E the errors, accuracy q = 1 - sigma(E)), by the
layer-cake formula

.. math::
    d(E) = \\mathbb E_x\\,\\mathrm{dist}(x, E) = \\int_0^2 \\big(1 - \\sigma(E_\\delta)\\big)\\, d\\delta,

integrated for the cap with scipy.integrate.quad (``mean_distance_to_cap``, the largest d(E) of any error set of that
measure). As d grows, sqrt(d) d(E) -> E[(a - Z)_+] = a Phi(a) + phi(a) with a = Phi^{-1}(q), Z ~ N(0, 1): the
notes' O(Phi^{-1}(q) / sqrt(d)) (Gilmer et al.'s Theorem), whose leading term Phi^{-1}(q) / sqrt(d) is
``notes_scale`` (q >= 1/2). The bounds above give ``distance_bound``, a proven ceiling for every error set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.integrate import quad
from scipy.special import betainc, betaincinv, ndtr, ndtri

from engine.core.checks import check_count, check_eps, check_probability, check_real, check_seed
from engine.errors import ProblemError

MAX_DIM = 10**6
MAX_SAMPLES = 10**7
MAX_DRAWS = 2 * 10**8  # the simulator's random numbers, samples x d: a few seconds at most
CHUNK = 1 << 21  # normals drawn at a time
EXACT, ESTIMATE = "exact", "estimate"
DISTANCE = "euclidean (chordal)"
QUAD_TOLERANCE = 1e-10  # relative tolerance asked of scipy.integrate.quad


# -- validation ------------------------------------------------------------------------------------
def check_dimension(d, what: str = "d") -> int:
    """The dimension d of the space R^d holding S^{d-1}: a whole number from 2 to MAX_DIM."""
    d = check_count(d, what, most=MAX_DIM)
    if d < 2:
        raise ProblemError(f"{what} must be at least 2 (the sphere S^(d-1) in R^d; S^0 is two points); got {d}.")
    return d


def check_delta(delta, what: str = "delta") -> float:
    """An expansion radius (Euclidean): a finite number >= 0."""
    return check_eps(delta, what)


def _check_angles(theta) -> np.ndarray:
    """Cap angles: finite, in [0, pi]."""
    try:
        t = np.asarray(theta, dtype=float)
    except (TypeError, ValueError):
        raise ProblemError(f"The cap angle must be a number or an array of numbers; got {theta!r}.") from None
    if not np.all(np.isfinite(t)) or np.any(t < 0) or np.any(t > math.pi):
        raise ProblemError(f"The cap angle must lie in [0, pi]; got {theta!r}.")
    return t


# -- caps --------------------------------------------------------------------------------------------
def _cap(d: int, theta) -> np.ndarray:
    """sigma(C(theta)) = I_{sin^2(theta/2)}(a, a), a = (d - 1)/2."""
    a = (d - 1) / 2
    return betainc(a, a, np.sin(np.asarray(theta, dtype=float) / 2) ** 2)


def _cap_complement(d: int, theta) -> np.ndarray:
    """1 - sigma(C(theta)) = I_{cos^2(theta/2)}(a, a), without cancellation."""
    a = (d - 1) / 2
    return betainc(a, a, np.cos(np.asarray(theta, dtype=float) / 2) ** 2)


def _angle(d: int, p: float) -> float:
    """The angular radius of the cap of measure p (betaincinv on the smaller half)."""
    a = (d - 1) / 2
    if p <= 0.5:
        return float(2 * np.arcsin(np.sqrt(betaincinv(a, a, p))))
    return float(2 * np.arccos(np.sqrt(betaincinv(a, a, 1.0 - p))))


def _scalar_or_array(x: np.ndarray):
    return float(x) if np.ndim(x) == 0 else x


def cap_measure(d, theta):
    """sigma(C(theta)), the measure of a cap of angular radius theta in [0, pi] (arrays too) on S^{d-1}."""
    return _scalar_or_array(_cap(check_dimension(d), _check_angles(theta)))


def cap_angle(d, measure) -> float:
    """The angular radius theta in [0, pi] of the cap of measure ``measure`` (0: a point; 1: the sphere)."""
    return _angle(check_dimension(d), check_probability(measure, "measure"))


def chord_angle(delta):
    """The angle phi = 2 arcsin(delta/2) spanned by a chord of length delta (pi from delta = 2 on)."""
    return 2 * np.arcsin(np.minimum(np.asarray(delta, dtype=float), 2.0) / 2)


# -- the bounds ------------------------------------------------------------------------------------------
def notes_bound(d, delta):
    """1 - 2 exp(-d delta^2 / 2): a lower bound on sigma(E_delta) for every E with sigma(E) >= 1/2 (<= 0: vacuous)."""
    d = check_dimension(d)
    return _scalar_or_array(1.0 - 2.0 * np.exp(-d * np.asarray(delta, dtype=float) ** 2 / 2))


def shift(d: int, measure: float) -> float:
    """t0: the expansion that takes any set of measure p to measure >= 1/2 (0 from p = 1/2 on; inf at p = 0)."""
    if measure >= 0.5:
        return 0.0
    return math.inf if measure == 0 else math.sqrt(2 * math.log(2 / measure) / d)


def shifted_bound(d, measure, delta):
    """1 - 2 exp(-d max(delta - t0, 0)^2 / 2): a lower bound on sigma(E_delta) for every E of measure p (any p;
    the notes' bound when p >= 1/2). <= 0 says nothing."""
    d, p = check_dimension(d), check_probability(measure, "measure")
    t0 = shift(d, p)
    gap = np.maximum(np.asarray(delta, dtype=float) - t0, 0.0) if math.isfinite(t0) else np.zeros(np.shape(delta))
    return _scalar_or_array(1.0 - 2.0 * np.exp(-d * gap**2 / 2))


def covering_radius(d, measure, level: float = 0.999) -> float:
    """The least delta at which ``shifted_bound`` proves sigma(E_delta) >= level for every E of this measure,
    t0 + sqrt(2 ln(2 / (1 - level)) / d), or the cap's full covering radius 2 cos(theta_p / 2) if smaller (beyond it
    the cap's expansion is the whole sphere)."""
    d, p = check_dimension(d), check_probability(measure, "measure")
    level = check_probability(level, "level")
    full = 2 * math.cos(_angle(d, p) / 2) if p > 0 else 2.0
    if level >= 1:
        return full
    return min(full, shift(d, p) + math.sqrt(2 * math.log(2 / (1 - level)) / d))


# -- expansion --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Expansion:
    """The cap E of measure ``measure`` on S^{d-1}, its Euclidean delta-expansion E_delta = C(``angle``) and its exact
    measure (``complement`` = 1 - it, computed directly), with the notes' bound (None when sigma(E) < 1/2) and the
    shifted bound (every p)."""

    d: int
    measure: float
    delta: float
    cap_angle: float
    angle: float
    expansion: float
    complement: float
    bound: float | None
    shifted_bound: float

    @property
    def bound_applies(self) -> bool:
        return self.bound is not None

    @property
    def value(self) -> float:
        return self.expansion

    @property
    def status(self) -> str:
        """"exact": closed forms through scipy.special.betainc."""
        return EXACT


def _expanded(theta: float, delta) -> np.ndarray:
    return np.minimum(math.pi, theta + chord_angle(delta))


def cap_expansion(d, measure, delta) -> Expansion:
    """sigma(E_delta) for E the cap of measure ``measure`` on S^{d-1} and a Euclidean radius delta >= 0."""
    d, p, delta = check_dimension(d), check_probability(measure, "measure"), check_delta(delta)
    theta = _angle(d, p)
    angle = float(_expanded(theta, delta))
    return Expansion(d=d, measure=p, delta=delta, cap_angle=theta, angle=angle, expansion=float(_cap(d, angle)),
                     complement=float(_cap_complement(d, angle)),
                     bound=float(notes_bound(d, delta)) if p >= 0.5 else None,
                     shifted_bound=float(shifted_bound(d, p, delta)))


@dataclass(frozen=True, eq=False)
class ExpansionCurve:
    """``cap_expansion`` on a grid of radii ``delta``; ``bound`` None when sigma(E) < 1/2."""

    d: int
    measure: float
    cap_angle: float
    delta: np.ndarray
    expansion: np.ndarray
    complement: np.ndarray
    bound: np.ndarray | None
    shifted_bound: np.ndarray

    @property
    def value(self) -> np.ndarray:
        return self.expansion

    @property
    def status(self) -> str:
        return EXACT


def cap_expansion_curve(d, measure, deltas) -> ExpansionCurve:
    """``cap_expansion`` at every radius in ``deltas`` (one vectorised call)."""
    d, p = check_dimension(d), check_probability(measure, "measure")
    delta = np.array([check_delta(x) for x in np.atleast_1d(np.asarray(deltas, dtype=object))], dtype=float)
    theta = _angle(d, p)
    angle = _expanded(theta, delta)
    return ExpansionCurve(d=d, measure=p, cap_angle=theta, delta=delta, expansion=_cap(d, angle),
                          complement=_cap_complement(d, angle), bound=notes_bound(d, delta) if p >= 0.5 else None,
                          shifted_bound=np.asarray(shifted_bound(d, p, delta), dtype=float))


# -- average distance to the nearest error ----------------------------------------------------------------
def _mean_distance(d: int, theta: float) -> tuple[float, float]:
    """int_0^2 (1 - sigma(E_delta)) d delta for the cap C(theta), and quad's error estimate."""
    if theta >= math.pi:
        return 0.0, 0.0
    top = 2 * math.cos(theta / 2)  # the chord from the cap's rim to the antipode: beyond it E_delta is everything
    mid = 2 * math.sin((math.pi / 2 - theta) / 2) if theta < math.pi / 2 else None  # where E_delta is a hemisphere
    value, err = quad(lambda s: float(_cap_complement(d, min(math.pi, theta + 2 * math.asin(min(s / 2, 1.0))))),
                      0.0, top, points=None if mid is None else [mid], limit=400, epsabs=1e-15,
                      epsrel=QUAD_TOLERANCE)
    return float(value), float(err)


def mean_distance_to_cap(d, measure) -> float:
    """d(E): the average Euclidean distance from a uniform point of S^{d-1} to the cap E of measure ``measure`` (the
    largest of every set of that measure)."""
    d, p = check_dimension(d), check_probability(measure, "measure")
    return _mean_distance(d, _angle(d, p))[0]


def gaussian_limit(d, measure) -> float:
    """(a Phi(a) + phi(a)) / sqrt(d), a = Phi^{-1}(1 - measure): d(E)'s large-d limit for a cap of that measure."""
    d, p = check_dimension(d), check_probability(measure, "measure")
    if p == 0:
        return math.inf
    if p == 1:
        return 0.0
    a = float(ndtri(1.0 - p))
    return (a * float(ndtr(a)) + math.exp(-a * a / 2) / math.sqrt(2 * math.pi)) / math.sqrt(d)


def notes_scale(d, measure) -> float | None:
    """The notes' scale Phi^{-1}(q) / sqrt(d) at accuracy q = 1 - measure, for q >= 1/2 (else None)."""
    d, p = check_dimension(d), check_probability(measure, "measure")
    if p > 0.5:
        return None
    return math.inf if p == 0 else float(ndtri(1.0 - p)) / math.sqrt(d)


def distance_bound(d, measure) -> float:
    """A ceiling on d(E) for every error set E of this measure: int_0^2 min(1, 2 exp(-d (delta - t0)_+^2 / 2)) ddelta
    (from ``shifted_bound``; at most 2, the diameter)."""
    d, p = check_dimension(d), check_probability(measure, "measure")
    t0 = shift(d, p)
    knee = t0 + math.sqrt(2 * math.log(2) / d)  # where 2 exp(-d (delta - t0)^2 / 2) = 1
    if knee >= 2.0:
        return 2.0
    root = math.sqrt(d)
    tail = 2 * math.sqrt(2 * math.pi / d) * (float(ndtr((2.0 - t0) * root)) - float(ndtr((knee - t0) * root)))
    return knee + tail


@dataclass(frozen=True, eq=False)
class DistanceCurve:
    """d(E) for the cap of measure ``measure`` against the dimensions ``dims``: exact (quad, with its error
    estimate), the Gaussian limit, the notes' scale (None when measure > 1/2) and the ceiling for every set."""

    measure: float
    dims: np.ndarray
    exact: np.ndarray
    quad_error: np.ndarray
    limit: np.ndarray
    scale: np.ndarray | None
    bound: np.ndarray

    @property
    def value(self) -> np.ndarray:
        return self.exact

    @property
    def status(self) -> str:
        """"exact": quadrature of closed forms (``quad_error`` its error estimate)."""
        return EXACT


def cap_distance_curve(measure, dims) -> DistanceCurve:
    """``mean_distance_to_cap``, ``gaussian_limit``, ``notes_scale`` and ``distance_bound`` at each of ``dims``."""
    p = check_probability(measure, "measure")
    ds = [check_dimension(d) for d in np.atleast_1d(np.asarray(dims, dtype=object))]
    exact = [_mean_distance(d, _angle(d, p)) for d in ds]
    return DistanceCurve(
        measure=p, dims=np.array(ds), exact=np.array([v for v, _ in exact]), quad_error=np.array([e for _, e in exact]),
        limit=np.array([gaussian_limit(d, p) for d in ds]),
        scale=None if p > 0.5 else np.array([notes_scale(d, p) for d in ds]),
        bound=np.array([distance_bound(d, p) for d in ds]))


# -- Monte Carlo -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SphereSimulation:
    """Seeded Monte Carlo on ``samples`` uniform points of S^{d-1}: the fractions in the cap E and in E_delta, and the
    mean distance to E with its standard error."""

    d: int
    measure: float
    delta: float
    samples: int
    in_cap: float
    in_expansion: float
    distance: float
    distance_se: float

    @property
    def value(self) -> float:
        return self.in_expansion

    @property
    def status(self) -> str:
        return ESTIMATE

    @property
    def expansion_se(self) -> float:
        """The estimate's own binomial standard error sqrt(f (1 - f) / samples)."""
        return math.sqrt(self.in_expansion * (1 - self.in_expansion) / self.samples)

    def _binomial_gap(self, estimate: float, exact) -> float:
        exact = check_probability(exact, "exact")
        se = max(math.sqrt(exact * (1.0 - exact) / self.samples), 1.0 / self.samples)
        return abs(estimate - exact) / se

    def cap_gap(self, exact) -> float:
        """|in_cap - exact| in binomial standard errors at the exact measure (at least 1/samples)."""
        return self._binomial_gap(self.in_cap, exact)

    def expansion_gap(self, exact) -> float:
        """|in_expansion - exact| in binomial standard errors."""
        return self._binomial_gap(self.in_expansion, exact)

    def distance_gap(self, exact) -> float:
        """|distance - exact| in the sample's standard errors (at least 1e-12)."""
        return abs(self.distance - check_real(exact, "exact")) / max(self.distance_se, 1e-12)


def simulate_sphere(d, measure, delta, *, samples: int = 10_000, seed: int = 0) -> SphereSimulation:
    """Draw ``samples`` points x = g / |g|, g ~ N(0, I_d) from numpy.random.default_rng(seed), and measure each one's
    Euclidean distance to the cap E = {angle(x, e_1) <= theta} directly: 2 sin((angle - theta)_+ / 2).

    Memory stays bounded (chunks); time too: at most MAX_SAMPLES points and MAX_DRAWS normals (samples x d)."""
    d, p, delta = check_dimension(d), check_probability(measure, "measure"), check_delta(delta)
    n = check_count(samples, "samples", most=MAX_SAMPLES)
    if n * d > MAX_DRAWS:
        raise ProblemError(f"The simulator draws samples x d = {n * d} normals, more than its limit of {MAX_DRAWS}; "
                           "use fewer samples.")
    rng = np.random.default_rng(check_seed(seed))
    theta = _angle(d, p)
    rows = max(1, CHUNK // d)
    in_cap = in_expansion = 0
    total = total_sq = 0.0
    for start in range(0, n, rows):
        g = rng.standard_normal((min(rows, n - start), d))
        t = np.clip(g[:, 0] / np.linalg.norm(g, axis=1), -1.0, 1.0)
        angle = np.arccos(t)
        dist = 2 * np.sin(np.maximum(angle - theta, 0.0) / 2)
        in_cap += int(np.count_nonzero(angle <= theta))
        in_expansion += int(np.count_nonzero(dist <= delta))
        total += float(dist.sum())
        total_sq += float(np.square(dist).sum())
    mean = total / n
    var = max(total_sq / n - mean * mean, 0.0) * n / max(n - 1, 1)
    return SphereSimulation(d=d, measure=p, delta=delta, samples=n, in_cap=in_cap / n, in_expansion=in_expansion / n,
                            distance=mean, distance_se=math.sqrt(var / n))
