"""The worst-case perturbation: problem (15), the maximum conditional entropy over D(eps).

.. math::
    h^*(\\varepsilon) = \\max_{\\nu \\in D(\\varepsilon)} H_\\nu(Y|X)   \\qquad (15)

Read as robustness, nu* is the universal adversarial perturbation; read as privacy (11), the plan is the
optimal release mechanism P_{Z|X,Y} and I(Y; Z) = H(Y) - h* its leakage (Lemma 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.bounds.result import Certified
from engine.core.checks import check_eps
from engine.core.information import mutual_information
from engine.core.moves import Moves, perturbed_table
from engine.solvers.chain import saddle_at


@dataclass(frozen=True, eq=False, kw_only=True)
class WorstCase(Certified):
    """h* with its maximiser nu*, the transport plan that makes it, the budget multiplier and a certificate.

    ``value`` is the lower bound: H(Y|X') of a plan that satisfies the constraints exactly, so it is
    attained. ``certificate.upper`` is the exact worst-case loss of the robust rule ``q``.
    """

    value: float
    nu: np.ndarray
    q: np.ndarray
    multiplier: float | None
    moves: Moves
    mass: np.ndarray

    @property
    def argmax(self) -> np.ndarray:
        """nu*, the maximiser of (15)."""
        return self.nu

    @property
    def leakage(self) -> float:
        """I(Y';X') of the returned nu*, with its own labels: H_nu*(Y') - H_nu*(Y'|X'), exact for this nu* (whose
        H(Y'|X') is ``value``). Under the joint kind the attacker changes labels, so H_mu(Y) - h* of the clean labels
        is no mutual information (it can be negative); under the other kinds H_nu*(Y') = H_mu(Y)."""
        return mutual_information(self.nu)

    @property
    def plan(self) -> np.ndarray:
        """The transport plan as a dense array gamma[x, y, x', y'] (mass moved from (x, y) to (x', y'))."""
        mv = self.moves
        out = np.zeros((mv.n, mv.m, mv.n * mv.m))
        out[mv.atom_x[mv.source], mv.atom_y[mv.source], mv.target] = self.mass
        return out.reshape(mv.n, mv.m, mv.n, mv.m)

    @property
    def mechanism(self) -> np.ndarray:
        """P_{Z|X,Y}(x', y' | x, y) = gamma / mu where mu > 0 (rows of zero mass stay put)."""
        mv = self.moves
        out = np.zeros((mv.n, mv.m, mv.n * mv.m))
        out[np.arange(mv.n)[:, None], np.arange(mv.m)[None, :], np.arange(mv.n)[:, None] * mv.m + np.arange(mv.m)] = 1
        out[mv.atom_x, mv.atom_y] = 0.0
        out[mv.atom_x[mv.source], mv.atom_y[mv.source], mv.target] = self.mass / mv.atom_mass[mv.source]
        return out.reshape(mv.n, mv.m, mv.n, mv.m)


def worst_case(problem, eps) -> WorstCase:
    """Solve (15) at budget ``eps`` and certify it (see ``engine.solvers.chain`` for the attempts)."""
    return worst_case_at(problem, check_eps(eps))


def worst_case_at(problem, eps: float) -> WorstCase:
    """``worst_case`` for a checked budget."""
    s = saddle_at(problem, eps)
    return WorstCase(
        eps=s.eps, value=s.certificate.lower, nu=perturbed_table(s.moves, s.plan), q=s.q,
        multiplier=s.multiplier, certificate=s.certificate, status=s.status, method=s.method,
        message=s.message, moves=s.moves, mass=s.plan,
    )
