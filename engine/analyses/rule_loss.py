"""The exact worst-case loss of any rule: the public, validating door to ``engine.bounds.loss``.

.. math::
    L(\\varepsilon, q) = \\max_{\\nu \\in D(\\varepsilon)} E_\\nu[-\\log q(Y|X)]

computed exactly (no optimisation per budget) for every budget of ``eps_values`` at once.
"""

from __future__ import annotations

import numpy as np

from engine.bounds.loss import exact_loss, log_losses
from engine.core.checks import check_eps_values, check_rule
from engine.core.problem import Problem


def rule_loss(problem: Problem, q, eps_values):
    """L(eps, q) for each eps in ``eps_values`` (a float for a scalar eps, else an array), in nats."""
    q = check_rule(q, problem.n, problem.m)
    eps = check_eps_values(eps_values)
    out = exact_loss(problem, log_losses(q), eps)
    return out if np.ndim(eps_values) else float(out[0])
