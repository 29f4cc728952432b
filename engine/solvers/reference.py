"""Plain cvxpy formulations of (15) and of the dual of (13): the fallback, the benchmark's peer and a check.

They are written the way docs/design.md states the problems, independently of the hand-built conic form in
``engine.solvers.conic``:

- (15): a dense plan per label, gamma_y[x, x'] >= 0 with row sums mu(., y) (for the ``joint`` kind one
  plan over (x, y) -> (x', y')); nu and nu_X explicit variables; maximise sum -rel_entr(nu, nu_X).
- (13): min over u = -log q, lambda >= 0 and t of lambda eps + sum mu t, with t_{x,y} >= u(c) - lambda cost
  on every move and log_sum_exp(-u(x', .)) <= 0 on each row.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np

from engine.core.moves import Moves
from engine.core.problem import Problem
from engine.core.rules import rule_from_potentials
from engine.solvers.conic import RawSaddle


def plan_program(problem: Problem, moves: Moves, eps: float):
    """The cvxpy problem (15) and a function reading its solution as mass per move."""
    n, m = problem.n, problem.m
    allowed = np.zeros((n * m, n * m), bool)
    allowed[(moves.atom_x * m + moves.atom_y)[moves.source], moves.target] = True
    if problem.constraint == "joint":
        blocks = [(cp.Variable((n * m, n * m), nonneg=True), None)]
    else:
        blocks = [(cp.Variable((n, n), nonneg=True), y) for y in range(m)]
    constraints, columns, spent = [], [], 0
    for G, y in blocks:
        if y is None:
            mask = allowed
            cost = problem.cost[np.repeat(np.arange(n), m)][:, np.repeat(np.arange(n), m)]
            cost = cost + problem.label_cost * (np.arange(n * m)[:, None] % m != np.arange(n * m)[None, :] % m)
            constraints.append(cp.sum(G, axis=1) == problem.mu.ravel())
        else:
            mask = allowed[y::m, y::m]
            cost = problem.cost
            constraints.append(cp.sum(G, axis=1) == problem.mu[:, y])
        if not mask.all():
            constraints.append(G[~mask] == 0) if mask.ndim == 1 else constraints.append(cp.multiply(~mask, G) == 0)
        columns.append(cp.sum(G, axis=0))
        spent = spent + cp.sum(cp.multiply(cost, G))
    nu = cp.Variable((n, m), nonneg=True)
    nu_x = cp.Variable((n, m), nonneg=True)
    if problem.constraint == "joint":
        constraints.append(cp.vec(nu, order="C") == columns[0])
    else:
        constraints += [nu[:, y] == columns[y] for y in range(m)]
    constraints += [nu_x[:, y] == cp.sum(nu, axis=1) for y in range(m)]
    if moves.budget:
        constraints.append(spent <= eps)
    program = cp.Problem(cp.Maximize(-cp.sum(cp.rel_entr(nu, nu_x))), constraints)

    def read_plan() -> np.ndarray:
        src = (moves.atom_x * m + moves.atom_y)[moves.source]
        if problem.constraint == "joint":
            return np.asarray(blocks[0][0].value)[src, moves.target]
        labels = src % m
        return np.array([blocks[y][0].value[s // m, t // m] for s, t, y in zip(src, moves.target, labels, strict=True)])

    return program, read_plan


def rule_program(problem: Problem, moves: Moves, eps: float):
    """The cvxpy problem dual to (13) and a function reading (q, lambda) off its solution."""
    reach = moves.reachable
    r_of_move = np.searchsorted(reach, moves.target)
    u = cp.Variable(len(reach))
    t = cp.Variable(len(moves.atom_mass))
    lam = cp.Variable(nonneg=True) if moves.budget else 0.0
    constraints = [t[moves.source] >= u[r_of_move] - lam * moves.cost]
    rows = reach // problem.m
    for x in np.unique(rows):
        constraints.append(cp.log_sum_exp(-u[np.flatnonzero(rows == x)]) <= 0)
    objective = moves.atom_mass @ t + (lam * eps if moves.budget else 0.0)
    program = cp.Problem(cp.Minimize(objective), constraints)

    def read_rule() -> tuple[np.ndarray, float | None]:
        q = rule_from_potentials(moves, reach, np.asarray(u.value))
        return q, (max(float(lam.value), 0.0) if moves.budget else None)

    return program, read_rule


def solve_saddle_cvxpy(problem: Problem, moves: Moves, eps: float, solver: str = "CLARABEL") -> RawSaddle:
    """Solve (15) and (13) as two cvxpy programs; None for a half whose solve did not succeed."""
    plan_problem, read_plan = plan_program(problem, moves, eps)
    rule_problem, read_rule = rule_program(problem, moves, eps)
    statuses = []
    plan = q = lam = None
    for program in (plan_problem, rule_problem):
        program.solve(solver=solver)
        statuses.append(program.status)
    if statuses[0] in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE):
        plan = read_plan()
    if statuses[1] in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE):
        q, lam = read_rule()
    return RawSaddle(plan, q, lam, "/".join(statuses), f"cvxpy-{solver.lower()}")
