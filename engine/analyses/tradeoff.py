"""The tradeoffs the paper draws: Figure 2 and clean versus robust loss (Sec. V-B).

Figure 2: for robust rules q*_{eps_rule} (13) and attacks of size eps_attack,

.. math::
    L(\\varepsilon_{attack}, \\varepsilon_{rule})
      = \\max_{\\nu \\in D(\\varepsilon_{attack})} L(\\nu, q^*_{\\varepsilon_{rule}}),

with h*(eps_attack) (15) the lower envelope, touched on the diagonal. One certified saddle solve per
distinct budget (rules and h* share them), and one exact rule-loss sweep per rule over the whole
eps_attack vector (``engine.bounds.loss``): never an optimisation per grid point.

Off the diagonal, and for the clean losses, the numbers depend on the rule entry by entry: each carries the
interval that the rule's proven accuracy gives it (``engine.analyses.rule_bounds``), and a status.

The privacy-utility curve (11) is in ``engine.analyses.privacy``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.analyses.rule_bounds import interval_status, loss_interval, minimax_range, uniqueness_sentence
from engine.bounds.loss import exact_loss, log_losses
from engine.bounds.result import Certified, Status
from engine.core.checks import check_eps, check_eps_values
from engine.core.information import conditional_entropy, conditional_kl, cross_entropy, label_entropy
from engine.core.problem import Problem
from engine.solvers.chain import saddle_at


@dataclass(frozen=True, eq=False)
class TradeoffGrid:
    """Figure 2's surface: ``loss[i, j]`` = L(eps_attack[i], eps_rule[j]), in nats.

    The minimax rule's true loss lies in [``loss_lower``, ``loss_upper``] (``loss_status``: verified where that is
    at most 1e-6 wide), its clean loss in [``clean_lower``, ``clean_upper``] (``clean_status``); ``rule_error[j]``
    is rule j's proven max |log q - log q*|. Where rule j is not unique, ``minimax_lower`` / ``minimax_upper`` bound
    the loss over every minimax rule (nan where it is unique) and ``notes[j]`` says so. ``status`` is the least
    certain of the solves (the certificates of h*); ``loss_status`` is each entry's.
    """

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
    loss_lower: np.ndarray
    loss_upper: np.ndarray
    loss_status: np.ndarray
    clean_lower: np.ndarray
    clean_upper: np.ndarray
    clean_status: np.ndarray
    rule_error: np.ndarray
    minimax_lower: np.ndarray
    minimax_upper: np.ndarray
    notes: tuple

    @property
    def value(self) -> np.ndarray:
        """The surface itself (the common name of every result's main number)."""
        return self.loss


def tradeoff_grid(problem: Problem, eps_rule, eps_attack) -> TradeoffGrid:
    """Figure 2: each robust rule's exact loss under each attack, with h* and the clean losses, all bounded."""
    rule_eps = check_eps_values(eps_rule, "eps_rule")
    attack_eps = check_eps_values(eps_attack, "eps_attack")
    rule_saddles = [saddle_at(problem, e) for e in rule_eps]
    attack_saddles = [saddle_at(problem, e) for e in attack_eps]
    rules = np.stack([s.q for s in rule_saddles])
    loss = np.column_stack([exact_loss(problem, log_losses(q), attack_eps) for q in rules])
    h_low = np.array([s.certificate.lower for s in attack_saddles])
    error = np.array([s.rule_error for s in rule_saddles])
    lower, upper = np.empty_like(loss), np.empty_like(loss)
    low_all, high_all = np.full_like(loss, np.nan), np.full_like(loss, np.nan)
    for j, s in enumerate(rule_saddles):
        lower[:, j], upper[:, j] = loss_interval(loss[:, j], s.rule_error, h_low)
        spread = minimax_range(problem, s.q, s.free_rows, s.rule_floor, attack_eps)
        if spread is not None:
            low_all[:, j], high_all[:, j] = np.maximum(spread[0] - s.rule_error, h_low), spread[1] + s.rule_error
    clean = np.array([cross_entropy(problem.mu, q) for q in rules])
    h_mu = conditional_entropy(problem.mu)
    clean_lower, clean_upper = (np.array(side, float) for side in zip(
        *(loss_interval(c, e, h_mu) for c, e in zip(clean, error, strict=True)), strict=True))
    loss_status = interval_status(lower, upper)
    notes = tuple(uniqueness_sentence(problem, s.free_rows, s.rule_choice) for s in rule_saddles)
    return TradeoffGrid(
        eps_rule=rule_eps, eps_attack=attack_eps, loss=loss,
        h_star=h_low, h_star_upper=np.array([s.certificate.upper for s in attack_saddles]),
        clean=clean, rules=rules, h_y=label_entropy(problem.mu), h_y_given_x=h_mu,
        status=Status.worst(s.status for s in rule_saddles + attack_saddles),
        loss_lower=lower, loss_upper=upper, loss_status=loss_status,
        clean_lower=clean_lower, clean_upper=clean_upper, clean_status=interval_status(clean_lower, clean_upper),
        rule_error=error,
        minimax_lower=low_all, minimax_upper=high_all, notes=notes,
    )


@dataclass(frozen=True, eq=False, kw_only=True)
class CleanVersusRobust(Certified):
    """Sec. V-B's chain (1) H_mu(Y|X) <= (2) L(mu, q*) <= (3) h*, in nats.

    (2) depends on the rule entry by entry: the minimax rule's clean loss lies in [``robust_rule_clean_loss_lower``,
    ``robust_rule_clean_loss_upper``] (``engine.analyses.rule_bounds``), verified to 1e-6 nats when
    ``clean_loss_status`` says so; ``certificate``, ``status``, ``method`` and ``message`` are the solve's (of h*),
    ``uniqueness`` the sentence shown when the minimax rule is not unique.
    """

    clean_optimum: float
    robust_rule_clean_loss: float
    kl_penalty: float
    h_star: float
    robust_rule_clean_loss_lower: float = np.nan
    robust_rule_clean_loss_upper: float = np.nan
    clean_loss_status: Status = Status.APPROXIMATE
    rule_error: float = np.inf
    uniqueness: str = ""

    @property
    def value(self) -> tuple[float, float, float]:
        """The chain (1), (2), (3)."""
        return self.clean_optimum, self.robust_rule_clean_loss, self.h_star


def clean_vs_robust(problem: Problem, eps) -> CleanVersusRobust:
    """(1) H_mu(Y|X), (2) H_mu(Y|X) + KL(mu_{Y|X} || q* | mu_X), (3) h*(eps)."""
    s = saddle_at(problem, check_eps(eps))
    h = conditional_entropy(problem.mu)
    kl = max(conditional_kl(problem.mu, s.q), 0.0)  # >= 0 (Gibbs); a posterior rule may round to -1e-17
    lower, upper = loss_interval(h + kl, s.rule_error, h)
    return CleanVersusRobust(
        eps=s.eps, clean_optimum=h, robust_rule_clean_loss=h + kl, kl_penalty=kl, h_star=s.certificate.lower,
        certificate=s.certificate, status=s.status, method=s.method, message=s.message,
        robust_rule_clean_loss_lower=float(lower),
        robust_rule_clean_loss_upper=float(upper), clean_loss_status=Status(interval_status(lower, upper)[()]),
        rule_error=s.rule_error, uniqueness=uniqueness_sentence(problem, s.free_rows, s.rule_choice),
    )
