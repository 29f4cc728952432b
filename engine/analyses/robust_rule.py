"""The robust decision rule: problem (13), the minimax cross-entropy rule, defined on all of X.

.. math::
    q^* = \\arg\\min_{q \\in P(Y|X)} \\max_{\\nu \\in D(\\varepsilon)} E_\\nu[-\\log q(Y|X)]   \\qquad (13)

By Theorem 1 its value is h*, and by Corollary 1 q* = nu*(y|x) wherever nu*(x) > 0. Elsewhere it is fixed
by the dual program (docs/design.md, "The dual program"; the conic solve returns its multipliers,
``engine.solvers.conic``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.bounds.result import Certified
from engine.solvers.chain import solve_saddle


@dataclass(frozen=True, eq=False, kw_only=True)
class RobustRule(Certified):
    """q*(y|x) on every x (each row a pmf), its exact worst-case loss ``value`` and a certificate.

    ``value`` = L(eps, q*) is the upper bound of the certificate; ``multiplier`` is the budget's lambda.
    """

    value: float
    q: np.ndarray
    multiplier: float | None

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
        status=s.status, method=s.method, message=s.message,
    )
