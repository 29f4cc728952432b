"""The tradeoffs the paper draws: Figure 2, clean versus robust loss (Sec. V-B), privacy-utility (11).

Figure 2: for robust rules q*_{eps_rule} (13) and attacks of size eps_attack,

.. math::
    L(\\varepsilon_{attack}, \\varepsilon_{rule})
      = \\max_{\\nu \\in D(\\varepsilon_{attack})} L(\\nu, q^*_{\\varepsilon_{rule}}),

with h*(eps_attack) (15) the lower envelope, touched on the diagonal. One certified saddle solve per
distinct budget (rules and h* share them), and one exact rule-loss sweep per rule over the whole
eps_attack vector (``engine.loss``): never an optimisation per grid point.

Privacy (11) and Lemma 1: the least leakage under distortion eps is min I(Y; Z) = H(Y) - h*(eps); with X = Y
it is the rate-distortion function R(D).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.certificate import Certificate
from engine.information import conditional_entropy, conditional_kl, cross_entropy, label_entropy
from engine.loss import rule_loss
from engine.problem import Problem, check_eps, check_eps_values
from engine.saddle import solve_saddle

STATUS_ORDER = ("verified", "approximate", "failed")


def worst_status(statuses) -> str:
    """The least certain of several statuses."""
    return max(statuses, key=STATUS_ORDER.index, default="verified")


@dataclass(frozen=True, eq=False)
class TradeoffGrid:
    """Figure 2's surface: ``loss[i, j]`` = L(eps_attack[i], eps_rule[j]), in nats."""

    eps_rule: np.ndarray
    eps_attack: np.ndarray
    loss: np.ndarray
    h_star: np.ndarray
    h_star_upper: np.ndarray
    clean: np.ndarray
    rules: np.ndarray
    h_y: float
    h_y_given_x: float
    status: str

    @property
    def value(self) -> np.ndarray:
        """The surface itself (the common name of every result's main number)."""
        return self.loss


def tradeoff_grid(problem: Problem, eps_rule, eps_attack) -> TradeoffGrid:
    """Figure 2: each robust rule's exact loss under each attack, with h* and the clean losses."""
    rule_eps = check_eps_values(eps_rule, "eps_rule")
    attack_eps = check_eps_values(eps_attack, "eps_attack")
    rule_saddles = [solve_saddle(problem, e) for e in rule_eps]
    attack_saddles = [solve_saddle(problem, e) for e in attack_eps]
    rules = np.stack([s.q for s in rule_saddles])
    loss = np.column_stack([rule_loss(problem, q, attack_eps) for q in rules])
    return TradeoffGrid(
        eps_rule=rule_eps, eps_attack=attack_eps, loss=loss,
        h_star=np.array([s.certificate.lower for s in attack_saddles]),
        h_star_upper=np.array([s.certificate.upper for s in attack_saddles]),
        clean=np.array([cross_entropy(problem.mu, q) for q in rules]), rules=rules,
        h_y=label_entropy(problem.mu), h_y_given_x=conditional_entropy(problem.mu),
        status=worst_status(s.status for s in rule_saddles + attack_saddles),
    )


@dataclass(frozen=True, eq=False)
class CleanVersusRobust:
    """Sec. V-B's chain (1) H_mu(Y|X) <= (2) L(mu, q*) <= (3) h*, in nats."""

    eps: float
    clean_optimum: float
    robust_rule_clean_loss: float
    kl_penalty: float
    h_star: float
    certificate: Certificate
    status: str

    @property
    def value(self) -> tuple[float, float, float]:
        """The chain (1), (2), (3)."""
        return self.clean_optimum, self.robust_rule_clean_loss, self.h_star


def clean_vs_robust(problem: Problem, eps) -> CleanVersusRobust:
    """(1) H_mu(Y|X), (2) H_mu(Y|X) + KL(mu_{Y|X} || q* | mu_X), (3) h*(eps)."""
    s = solve_saddle(problem, check_eps(eps))
    h = conditional_entropy(problem.mu)
    kl = conditional_kl(problem.mu, s.q)
    return CleanVersusRobust(
        eps=s.eps, clean_optimum=h, robust_rule_clean_loss=h + kl, kl_penalty=kl, h_star=s.certificate.lower,
        certificate=s.certificate, status=s.status,
    )


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
    status: str

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
    from engine.adversary import worst_case

    eps = check_eps_values(eps_values)
    cases = [worst_case(problem, e) for e in eps]
    h_y = label_entropy(problem.mu)
    h_star = np.array([w.value for w in cases])
    return PrivacyCurve(
        eps=eps, h_star=h_star, h_star_upper=np.array([w.certificate.upper for w in cases]),
        leakage=h_y - h_star, h_y=h_y, mechanisms=tuple(w.mechanism for w in cases),
        statuses=tuple(w.status for w in cases), status=worst_status(w.status for w in cases),
    )


def binary_rate_distortion(p: float, D) -> np.ndarray:
    """R(D) = h(p) - h(D) for D <= min(p, 1-p), else 0: Bernoulli(p) source, Hamming (Cover & Thomas 10.3.1)."""
    from scipy.special import entr

    D = np.asarray(D, dtype=float)
    h = lambda t: entr(t) + entr(1 - t)  # noqa: E731
    return np.where(D < min(p, 1 - p), h(p) - h(np.minimum(D, 0.5)), 0.0)


def uniform_rate_distortion(m: int, D) -> np.ndarray:
    """R(D) = log m - h(D) - D log(m - 1) for D <= 1 - 1/m, else 0: uniform m-ary source, Hamming."""
    from scipy.special import entr

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
