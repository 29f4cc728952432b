"""The tradeoffs the paper draws: Figure 2 and clean versus robust loss (Sec. V-B).

Figure 2: for robust rules q*_{eps_rule} (13) and attacks of size eps_attack,

.. math::
    L(\\varepsilon_{attack}, \\varepsilon_{rule})
      = \\max_{\\nu \\in D(\\varepsilon_{attack})} L(\\nu, q^*_{\\varepsilon_{rule}}),

with h*(eps_attack) (15) the lower envelope, touched on the diagonal. One certified saddle solve per
distinct budget (rules and h* share them), and one exact rule-loss sweep per rule over the whole
eps_attack vector (``engine.bounds.loss``): never an optimisation per grid point.

The privacy-utility curve (11) is in ``engine.analyses.privacy``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.bounds.loss import exact_loss, log_losses
from engine.bounds.result import Certificate, Status
from engine.core.checks import check_eps, check_eps_values
from engine.core.information import conditional_entropy, conditional_kl, cross_entropy, label_entropy
from engine.core.problem import Problem
from engine.solvers.chain import saddle_at


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
    status: Status

    @property
    def value(self) -> np.ndarray:
        """The surface itself (the common name of every result's main number)."""
        return self.loss


def tradeoff_grid(problem: Problem, eps_rule, eps_attack) -> TradeoffGrid:
    """Figure 2: each robust rule's exact loss under each attack, with h* and the clean losses."""
    rule_eps = check_eps_values(eps_rule, "eps_rule")
    attack_eps = check_eps_values(eps_attack, "eps_attack")
    rule_saddles = [saddle_at(problem, e) for e in rule_eps]
    attack_saddles = [saddle_at(problem, e) for e in attack_eps]
    rules = np.stack([s.q for s in rule_saddles])
    loss = np.column_stack([exact_loss(problem, log_losses(q), attack_eps) for q in rules])
    return TradeoffGrid(
        eps_rule=rule_eps, eps_attack=attack_eps, loss=loss,
        h_star=np.array([s.certificate.lower for s in attack_saddles]),
        h_star_upper=np.array([s.certificate.upper for s in attack_saddles]),
        clean=np.array([cross_entropy(problem.mu, q) for q in rules]), rules=rules,
        h_y=label_entropy(problem.mu), h_y_given_x=conditional_entropy(problem.mu),
        status=Status.worst(s.status for s in rule_saddles + attack_saddles),
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
    status: Status

    @property
    def value(self) -> tuple[float, float, float]:
        """The chain (1), (2), (3)."""
        return self.clean_optimum, self.robust_rule_clean_loss, self.h_star


def clean_vs_robust(problem: Problem, eps) -> CleanVersusRobust:
    """(1) H_mu(Y|X), (2) H_mu(Y|X) + KL(mu_{Y|X} || q* | mu_X), (3) h*(eps)."""
    s = saddle_at(problem, check_eps(eps))
    h = conditional_entropy(problem.mu)
    kl = conditional_kl(problem.mu, s.q)
    return CleanVersusRobust(
        eps=s.eps, clean_optimum=h, robust_rule_clean_loss=h + kl, kl_penalty=kl, h_star=s.certificate.lower,
        certificate=s.certificate, status=s.status,
    )


