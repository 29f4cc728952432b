"""The limits of robustness on real data: the best any rule can do against an attack, certified, beside what
standard models do (docs/design.md, "Data"; the paper's (10) versus (9) on data).

For a problem binned from samples (``engine.from_samples``: it carries ``.binning``), along a grid of budgets:

- **h*(eps)** (15), the least worst-case cross-entropy of any rule, each budget certified (a feasible plan below,
  the exact loss of the robust rule above), by the warm-started grid sweep (``engine.solvers.grid``);
- **e*(eps)**, the least worst-case 0-1 error of any randomised classifier (``engine.robust_error``), certified
  the same way;
- **each model's** exact worst-case cross-entropy L(eps, q_f) and 0-1 error e(eps, f) (``engine.analyses.data_models``:
  scikit-learn models trained on the samples, read at the grid points; or a user's own table), by the hull
  sweep of ``engine.bounds.loss``, for every eps at once. Theorem 1 and the 0-1 minimax make the ideal a lower
  bound for every rule: L(eps, q) >= h*(eps) >= the certificate's lower end, and e(eps, f) >= e*(eps);
  ``gap_to_ideal`` is how far each model falls short;
- **the separation** of the samples (``engine.analyses.separation``: a robust memorising classifier exists for
  every radius below half of it), next to the grid's zero-error radius r* under the ``max`` kind, checked by two
  certified robust-error solves: e*(r* (1 - 1e-6)) = 0 < e*(r*).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.analyses.data_models import MODELS, TITLES, ModelRule, hard_rule, train_models
from engine.analyses.robust_error import RobustError, RobustErrorCurve, robust_error
from engine.analyses.separation import Separation, separation, zero_error_radius
from engine.bounds.loss import exact_loss, log_losses
from engine.bounds.result import Status
from engine.core.checks import check_eps_values, check_rule
from engine.core.moves import perturbed_table
from engine.core.problem import Problem
from engine.errors import ProblemError
from engine.solvers.chain import Saddle
from engine.solvers.grid import sweep

BELOW = 1 - 1e-6  # the radius just below r* at which e* must still be 0


@dataclass(frozen=True, eq=False)
class ModelCurve:
    """One rule's exact worst-case cross-entropy ``loss`` (nats) and 0-1 ``error`` of its classifier at each eps."""

    name: str
    title: str
    loss: np.ndarray
    error: np.ndarray
    rule: np.ndarray
    classifier: np.ndarray
    train_accuracy: float | None  # None for a user's table


@dataclass(frozen=True, eq=False)
class ZeroErrorRadius:
    """The grid's max-kind radius r* (module docstring) in the problem's cost, in l2 and l_inf between centres, and
    the two certified solves around it (``below`` at r* (1 - 1e-6), ``at`` at r*)."""

    cost: float
    l2: float
    linf: float
    below: RobustError | None
    at: RobustError | None

    @property
    def checked(self) -> bool:
        """Did the certified solves confirm e* = 0 below r* and e* > 0 at it?"""
        if self.below is None or self.at is None:
            return False
        return self.below.certificate.upper <= 1e-9 and self.at.certificate.lower > 1e-12


@dataclass(frozen=True, eq=False)
class DataLimits:
    """h*, e* and every model's curves along ``eps``, the separation and the zero-error radius."""

    eps: np.ndarray
    saddles: tuple[Saddle, ...]
    errors: RobustErrorCurve
    models: dict[str, ModelCurve]
    separation: Separation
    radius: ZeroErrorRadius
    samples_used: int
    bins: tuple[int, ...]
    extra: dict = field(default_factory=dict)

    @property
    def h_star(self) -> np.ndarray:
        """h*(eps): the certified lower bounds, attained by feasible plans."""
        return np.array([s.certificate.lower for s in self.saddles])

    @property
    def h_star_upper(self) -> np.ndarray:
        """The robust rules' exact losses (the upper bounds)."""
        return np.array([s.certificate.upper for s in self.saddles])

    @property
    def value(self) -> np.ndarray:
        """h*(eps), the main curve."""
        return self.h_star

    @property
    def robust_error(self) -> np.ndarray:
        """e*(eps): the certified lower bounds, attained."""
        return self.errors.value

    @property
    def statuses(self) -> tuple[Status, ...]:
        """The least certain of h*'s and e*'s status at each eps."""
        return tuple(Status.worst((s.status, e.status)) for s, e in zip(self.saddles, self.errors.points, strict=True))

    @property
    def status(self) -> Status:
        """The least certain status of the whole analysis."""
        return Status.worst(self.statuses)

    def perturbed(self, k: int) -> np.ndarray:
        """nu*(x', y) at eps[k]: where the worst-case plan puts the mass (the table its plan makes)."""
        s = self.saddles[k]
        return perturbed_table(s.moves, s.plan)

    def gap_to_ideal(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """How far a model is from the best any rule can do: (loss - h*_upper, error - e*_upper), each >= 0 up
        to rounding (a lower bound on its true shortfall)."""
        m = self.models[name]
        return m.loss - self.h_star_upper, m.error - self.errors.upper


def data_limits(problem: Problem, eps_values, models=MODELS, rules: dict | None = None) -> DataLimits:
    """The analysis of the module docstring for a problem made by ``engine.from_samples``; ``models`` are names of
    ``engine.analyses.data_models.MODELS`` to train, ``rules`` a user's own tables {name: n-by-m probabilities}."""
    binning = getattr(problem, "binning", None)
    if binning is None:
        raise ProblemError("This analysis needs a problem made from samples (engine.from_samples), which knows "
                           "its samples and grid.")
    eps = check_eps_values(eps_values)
    saddles = sweep(problem, eps)
    errors = robust_error(problem, eps)
    curves = {}
    trained = train_models(binning.points, binning.point_labels, binning.centres, problem.m, models)
    for name, model in trained.items():
        curves[name] = _curve(problem, eps, model.name, TITLES[name], model.rule, model.classifier,
                              model.train_accuracy)
    for name, q in (rules or {}).items():
        if name in curves:
            raise ProblemError(f"A table is named {name!r} like a model; give it another name.")
        q = check_rule(q, problem.n, problem.m)
        curves[name] = _curve(problem, eps, name, str(name), q, hard_rule(q), None)
    return DataLimits(
        eps=eps, saddles=saddles, errors=errors, models=curves,
        separation=separation(binning.points, binning.point_labels), radius=_radius(problem, binning.centres),
        samples_used=int(binning.samples_used), bins=tuple(binning.bins),
    )


def model_rules(problem: Problem, names=MODELS) -> dict[str, ModelRule]:
    """The trained models of a binned problem as rules on its grid (``engine.analyses.data_models``)."""
    b = problem.binning
    return train_models(b.points, b.point_labels, b.centres, problem.m, names)


def _curve(problem: Problem, eps: np.ndarray, name: str, title: str, q: np.ndarray, classifier: np.ndarray,
           accuracy) -> ModelCurve:
    return ModelCurve(
        name=name, title=title, loss=exact_loss(problem, log_losses(q), eps),
        error=exact_loss(problem, 1.0 - classifier.ravel(), eps), rule=q, classifier=classifier,
        train_accuracy=accuracy,
    )


def _radius(problem: Problem, centres: np.ndarray) -> ZeroErrorRadius:
    """r* in the problem's cost and between centres in l2 and l_inf, and its two certified checks."""
    diff = np.abs(centres[:, None, :] - centres[None, :, :])
    r_cost = zero_error_radius(problem.cost, problem.mu)
    r_l2 = zero_error_radius(np.sqrt((diff * diff).sum(axis=2)), problem.mu)
    r_linf = zero_error_radius(diff.max(axis=2), problem.mu)
    below = at = None
    if np.isfinite(r_cost) and r_cost > 0:
        ball = problem.replace(constraint="max")
        below, at = robust_error(ball, [r_cost * BELOW, r_cost]).points
    return ZeroErrorRadius(cost=r_cost, l2=r_l2, linf=r_linf, below=below, at=at)
