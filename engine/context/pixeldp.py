"""Certified robustness from differential privacy: PixelDP (Lecuyer et al., IEEE S&P 2019).

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
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from engine.core.checks import check_delta, check_positive, check_real, check_scores
from engine.errors import ProblemError

DEFAULT_DELTA = 1e-5


@dataclass(frozen=True)
class PixelDPRadius:
    """PixelDP's guarantee: the l_p ``radius`` (l2 for the Gaussian, l1 for the Laplace) and the DP ``eps``
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


def pixeldp_gaussian(p_a, p_b, sigma, *, sensitivity=1.0, delta=DEFAULT_DELTA) -> PixelDPRadius:
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
    return PixelDPRadius(mechanism="gaussian", norm="l2", radius=radius, eps=eps, delta=delta, scale=sigma,
                              sensitivity=sensitivity)


def pixeldp_laplace(p_a, p_b, scale, *, sensitivity=1.0) -> PixelDPRadius:
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
    return PixelDPRadius(mechanism="laplace", norm="l1", radius=scale * eps / sensitivity, eps=eps, delta=0.0,
                              scale=scale, sensitivity=sensitivity)


