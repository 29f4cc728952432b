"""The privacy-utility tradeoff (11): the least leakage about Y under a distortion budget.

By Lemma 1 the least leakage under distortion eps is

.. math::
    \\min_{P_{Z|X,Y} \\in D(\varepsilon)} I(Y; Z) = H(Y) - h^*(\varepsilon)   \\qquad (11)

and with X = Y it is the rate-distortion function R(D) (Cover & Thomas, Thm 10.3.1), whose closed forms for a
binary and a uniform m-ary source with Hamming distortion are here too, to test and draw against.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import entr

from engine.analyses.worst_case import worst_case_at
from engine.bounds.result import Status
from engine.core.checks import check_eps_values
from engine.core.information import label_entropy
from engine.core.problem import Problem


@dataclass(frozen=True, eq=False)
class PrivacyCurve:
    """h*(eps), the leakage I(Y; Z) = H(Y) - h*(eps) (Lemma 1) and the mechanism at each eps, in nats."""

    eps: np.ndarray
    h_star: np.ndarray
    h_star_upper: np.ndarray
    leakage: np.ndarray
    h_y: float
    mechanisms: tuple
    statuses: tuple
    status: Status

    @property
    def value(self) -> np.ndarray:
        """The leakage curve."""
        return self.leakage

    @property
    def leakage_lower(self) -> np.ndarray:
        """The least leakage the certificates allow, H(Y) - h*_upper: ``leakage`` is an upper bound (its plan
        is feasible), and the two meet where a point is verified."""
        return self.h_y - self.h_star_upper


def privacy_curve(problem: Problem, eps_values) -> PrivacyCurve:
    """The privacy-utility curve (11): least leakage about Y for each distortion budget eps."""
    eps = check_eps_values(eps_values)
    cases = [worst_case_at(problem, e) for e in eps]
    h_y = label_entropy(problem.mu)
    h_star = np.array([w.value for w in cases])
    return PrivacyCurve(
        eps=eps, h_star=h_star, h_star_upper=np.array([w.certificate.upper for w in cases]),
        leakage=h_y - h_star, h_y=h_y, mechanisms=tuple(w.mechanism for w in cases),
        statuses=tuple(w.status for w in cases), status=Status.worst(w.status for w in cases),
    )


def binary_rate_distortion(p: float, D) -> np.ndarray:
    """R(D) = h(p) - h(D) for D <= min(p, 1-p), else 0: Bernoulli(p) source, Hamming (Cover & Thomas 10.3.1)."""
    D = np.asarray(D, dtype=float)
    h = lambda t: entr(t) + entr(1 - t)  # noqa: E731
    return np.where(D < min(p, 1 - p), h(p) - h(np.minimum(D, 0.5)), 0.0)


def uniform_rate_distortion(m: int, D) -> np.ndarray:
    """R(D) = log m - h(D) - D log(m - 1) for D <= 1 - 1/m, else 0: uniform m-ary source, Hamming."""
    D = np.asarray(D, dtype=float)
    Dc = np.minimum(D, 1 - 1 / m)
    r = np.log(m) - (entr(Dc) + entr(1 - Dc)) - Dc * np.log(m - 1)
    return np.where(D < 1 - 1 / m, r, 0.0)


def closed_form_leakage(problem: Problem, eps_values) -> np.ndarray | None:
    """R(D) at each eps when one is known: X = Y (mu diagonal), Hamming cost, expected kind, and a binary
    source or a uniform m-ary one. None otherwise."""
    mu = problem.mu
    is_rate_distortion = (
        problem.n == problem.m and problem.metric == "hamming" and problem.constraint == "expected"
        and not np.any(mu - np.diag(np.diag(mu)))
    )
    if not is_rate_distortion:
        return None
    eps = check_eps_values(eps_values)
    p = np.diag(mu)
    if problem.m == 2:
        return binary_rate_distortion(float(p[1]), eps)
    if np.allclose(p, 1.0 / problem.m, rtol=0, atol=1e-12):
        return uniform_rate_distortion(problem.m, eps)
    return None
