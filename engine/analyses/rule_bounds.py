"""Bounds on the numbers that depend on a robust rule itself (issue 13; docs/design.md, "Numbers that depend on the
rule").

The loss of a rule q under an attack of another size, L(eps_attack, q) = max_{nu in D(eps_attack)} L(nu, q), and
its clean loss L(mu, q) (the paper's (2)) are not optima: they depend on every entry of q. Since L(nu, q) =
E_nu[-log q(Y|X)] is an average of -log q, a rule with max |log q - log q*| <= delta (``Saddle.rule_error``,
proven by ``engine.bounds.rule_accuracy``) has

    |L(nu, q) - L(nu, q*)| <= delta for every nu, hence |L(eps_attack, q) - L(eps_attack, q*)| <= delta,

and no rule does better than h*(eps_attack) (Theorem 1), so L(eps_attack, q*) lies in
[max(L - delta, h*_lower(eps_attack)), L + delta]; likewise L(mu, q*) in [max(L - delta, H_mu(Y|X)), L + delta].
A value is ``verified`` when its interval is at most 1e-6 nats wide.

Where the minimax rule is not unique (rows no optimal plan puts mass on, Corollary 1's condition failing), every
minimax rule has q >= floor on those rows (the dual of (13); at a kink of a saturated h*, the shifting floors of
``engine.solvers.saturation``), so q(y) <= 1 - the other cells' floors; the loss is monotone in -log q, so over all
minimax rules L(eps_attack, q) lies in [L(eps_attack, l_low), L(eps_attack, l_high)] with l_high = -log floor and
l_low = -log(1 - sum of the other cells' floors) on those rows (the exact loss kernel takes any loss table).
"""

from __future__ import annotations

import numpy as np

from engine.bounds.loss import exact_loss, log_losses
from engine.bounds.result import VERIFIED_GAP, Status
from engine.core.problem import Problem


def interval_status(lower, upper) -> np.ndarray:
    """verified where upper - lower <= 1e-6 nats (or both are the same infinity: a proven rule's loss is infinite
    exactly when the minimax rule's is), approximate elsewhere (an array of Status)."""
    lower, upper = np.asarray(lower, float), np.asarray(upper, float)
    with np.errstate(invalid="ignore"):
        width = np.where(lower == upper, 0.0, upper - lower)
    return np.where(width <= VERIFIED_GAP, Status.VERIFIED, Status.APPROXIMATE)


def loss_interval(loss, rule_error: float, floor_values) -> tuple[np.ndarray, np.ndarray]:
    """[max(loss - delta, floor), loss + delta] (module docstring); an unproven rule gives [floor, inf). The lower
    end never exceeds the loss itself (a certified floor may round above it by an ulp): the interval holds both."""
    loss = np.asarray(loss, float)
    floor_values = np.broadcast_to(np.asarray(floor_values, float), loss.shape)
    if not np.isfinite(rule_error):
        return floor_values.copy(), np.full(loss.shape, np.inf)
    with np.errstate(invalid="ignore"):
        lower = np.minimum(np.maximum(loss - rule_error, floor_values), loss)
    return lower, loss + rule_error


def minimax_range(problem: Problem, q: np.ndarray, free_rows, floor, eps_attack: np.ndarray):
    """(low, high): bounds on L(eps_attack, q') over every minimax rule q' (module docstring), or None when the rule
    is unique."""
    if not free_rows or floor is None:
        return None
    high, low = log_losses(q).reshape(q.shape), log_losses(q).reshape(q.shape)
    with np.errstate(divide="ignore"):
        for x in free_rows:
            f = np.nan_to_num(floor[x], nan=0.0)
            high[x] = -np.log(f)
            low[x] = -np.log(np.clip(1.0 - (f.sum() - f), 0.0, 1.0))
    return exact_loss(problem, low.ravel(), eps_attack), exact_loss(problem, high.ravel(), eps_attack)


def uniqueness_sentence(problem: Problem, free_rows, choice: str) -> str:
    """The sentence a result shows when its minimax rule is not unique ("" when it is)."""
    if not free_rows:
        return ""
    where = ", ".join(f"x = {problem.positions[x]:g}" for x in free_rows)
    return (f"The robust rule is not unique at {where} (no worst-case perturbation puts mass there, so Corollary 1 "
            f"does not fix q* there); the rule shown, and every number drawn from it, is the one chosen by "
            f"{choice or 'the dual'}.")
