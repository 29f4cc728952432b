"""The robust decision rule: problem (13), the minimax cross-entropy rule, defined on all of X.

.. math::
    q^* = \\arg\\min_{q \\in P(Y|X)} \\max_{\\nu \\in D(\\varepsilon)} E_\\nu[-\\log q(Y|X)]   \\qquad (13)

By Theorem 1 its value is h*, and by Corollary 1 q* = nu*(y|x) wherever nu*(x) > 0. Elsewhere it is fixed
by the dual program (docs/design.md, "The dual program"; the conic solve returns its multipliers,
``engine.solvers.conic``), up to a choice where no worst case reaches x: any pmf with q >= exp(-psi) there is
minimax, psi the c-transform of the dual's potentials. The rule is polished entry by entry and carries a proven
bound ``rule_error`` >= max |log q - log q*| (``engine.solvers.polish``, ``engine.bounds.rule_accuracy``); at
eps = 0 it is the posterior mu(y|x) exactly (``engine.solvers.posterior``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.analyses.rule_bounds import uniqueness_sentence
from engine.bounds.result import Certified
from engine.solvers.chain import solve_saddle


@dataclass(frozen=True, eq=False, kw_only=True)
class RobustRule(Certified):
    """q*(y|x) on every x (each row a pmf), its exact worst-case loss ``value`` and a certificate.

    ``value`` = L(eps, q*) is the upper bound of the certificate; ``multiplier`` is the budget's lambda;
    ``rule_error`` a proven bound on max |log q - log q*| over every entry (inf when none could be proven);
    ``free_rows`` the rows where the minimax rule is not unique, ``rule_floor`` (n-by-m, nan off those rows) the
    floor every minimax rule stays above there, and ``uniqueness`` the sentence that says so ("" when unique).
    """

    value: float
    q: np.ndarray
    multiplier: float | None
    rule_error: float = np.inf
    free_rows: tuple = ()
    rule_floor: np.ndarray | None = None
    uniqueness: str = ""

    @property
    def unique(self) -> bool:
        """Is the minimax rule unique (Corollary 1's condition holds on every x)?"""
        return not self.free_rows

    @property
    def argmin(self) -> np.ndarray:
        """q*, the minimiser of (13)."""
        return self.q

    argmax = argmin  # the common name of every result's optimiser


def robust_rule(problem, eps) -> RobustRule:
    """Solve (13) at budget ``eps`` and certify it (the same cached solve as ``worst_case``)."""
    s = solve_saddle(problem, eps)
    return RobustRule(
        eps=s.eps, value=s.certificate.upper, q=s.q, multiplier=s.multiplier, certificate=s.certificate,
        status=s.status, method=s.method, message=s.message, rule_error=s.rule_error, free_rows=s.free_rows,
        rule_floor=s.rule_floor, uniqueness=uniqueness_sentence(problem, s.free_rows, s.rule_choice),
    )
