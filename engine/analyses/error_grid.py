"""The accuracy view of Figure 2: each robust rule's worst-case 0-1 error under each attack.

docs/design.md, "Other analyses" and "Robust accuracy". For the cross-entropy-robust rules
q*_{eps_rule} of (13),

.. math::
    e(\\varepsilon_{attack}, \\varepsilon_{rule})
      = \\max_{\\nu \\in D(\\varepsilon_{attack})} E_\\nu[1 - q^*_{\\varepsilon_{rule}}(Y|X')],

beside the least error any rule can reach, e*(eps_attack) (``robust_error``), a lower envelope that the 0-1-robust
rules' own curves touch on their diagonal, and the error of the clean Bayes rule (argmax_y mu(y|x)), whose
error at eps_attack = 0 is the Bayes error 1 - sum_x max_y mu(x, y). Every entry is an exact worst-case error
(the hull sweep with l = 1 - q, ``rule_error``): one sweep per rule over the whole eps_attack vector.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.analyses.robust_error import robust_error, rule_error
from engine.bounds.result import Status
from engine.core.checks import check_eps_values
from engine.core.problem import Problem
from engine.solvers.chain import saddle_at


@dataclass(frozen=True, eq=False)
class ErrorGrid:
    """``error[i, j]`` = e(eps_attack[i], q*_{eps_rule[j]}) for the cross-entropy-robust rules; ``zero_one[i, j]``
    the same for the 0-1-robust rules; ``optimal[i]`` = e*(eps_attack[i]) (certified lower bound, attained;
    ``optimal_upper`` its upper bound); ``clean[i]`` the clean Bayes rule's error. Probabilities, not nats."""

    eps_rule: np.ndarray
    eps_attack: np.ndarray
    error: np.ndarray
    zero_one: np.ndarray
    optimal: np.ndarray
    optimal_upper: np.ndarray
    clean: np.ndarray
    rules: np.ndarray
    zero_one_rules: np.ndarray
    clean_rule: np.ndarray
    bayes_error: float
    prior_error: float
    status: Status

    @property
    def value(self) -> np.ndarray:
        """The surface itself (the common name of every result's main number)."""
        return self.error

    @property
    def accuracy(self) -> np.ndarray:
        """1 - error: the cross-entropy-robust rules' robust accuracy."""
        return 1.0 - self.error


def clean_rule(problem: Problem) -> np.ndarray:
    """The clean Bayes classifier argmax_y mu(y|x), ties split evenly; where mu(x) = 0, the likeliest label(s)
    of the prior (the best guess without the feature). Every row a pmf."""
    mu = problem.mu
    prior = mu.sum(axis=0)
    rows = np.where(mu.sum(axis=1, keepdims=True) > 0, mu, prior[None, :])
    best = rows >= rows.max(axis=1, keepdims=True) * (1 - 1e-12)
    return best / best.sum(axis=1, keepdims=True)


def error_grid(problem: Problem, eps_rule, eps_attack) -> ErrorGrid:
    """The accuracy view of Figure 2: each robust rule's exact worst-case error under each attack."""
    rule_eps = check_eps_values(eps_rule, "eps_rule")
    attack_eps = check_eps_values(eps_attack, "eps_attack")
    saddles = [saddle_at(problem, e) for e in rule_eps]
    rules = np.stack([s.q for s in saddles])
    zero_one_curve = robust_error(problem, rule_eps)
    optimal = robust_error(problem, attack_eps)
    bayes = clean_rule(problem)
    mu = problem.mu
    return ErrorGrid(
        eps_rule=rule_eps, eps_attack=attack_eps,
        error=np.column_stack([rule_error(problem, q, attack_eps) for q in rules]),
        zero_one=np.column_stack([rule_error(problem, q, attack_eps) for q in zero_one_curve.rules]),
        optimal=optimal.value, optimal_upper=optimal.upper, clean=rule_error(problem, bayes, attack_eps),
        rules=rules, zero_one_rules=zero_one_curve.rules, clean_rule=bayes,
        bayes_error=1.0 - float(mu.max(axis=1).sum()), prior_error=1.0 - float(mu.sum(axis=0).max()),
        status=Status.worst([s.status for s in saddles] + [zero_one_curve.status, optimal.status]),
    )
