"""The problem: a joint pmf mu(x, y) on a finite alphabet, a ground cost and a constraint kind.

A :class:`Problem` fixes everything but the budget eps of the constraint set D(eps):

- ``mu``: the clean joint pmf, an n-by-m table (rows: feature values x, columns: labels y);
- ``positions`` and ``labels``: the feature values' numeric positions and the label names;
- ``cost``: the ground cost d(x, x') on X (``metric`` says where it came from);
- ``constraint``: ``expected`` (the 1-Wasserstein ball (6) with cost (7), i.e. the average distortion
  constraint (4)), ``max`` (the maximum distortion constraint (3)) or ``joint`` (the Wasserstein ball on
  X x Y with cost d(x, x') + kappa 1{y != y'}, ``label_cost`` = kappa).

Masses below :data:`ZERO_MASS` (1e-15) are set to exact zeros when a problem is built, so that no solver
ever sees log(0) of a rounding residue; the table must then sum to 1 within 1e-9 unless ``normalise``
is asked for.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import numpy as np

from engine.core.checks import check_eps
from engine.core.limits import check_shape
from engine.core.metrics import NAMED_METRICS, check_custom_cost, metric_or_file, named_cost
from engine.errors import ProblemError
from engine.formats.cells import cell_name
from engine.formats.tables import read_mu_csv

ZERO_MASS = 1e-15
SUM_TOLERANCE = 1e-9
CONSTRAINTS = ("expected", "max", "joint")


@dataclass(frozen=True, eq=False)
class Problem:
    """A validated instance; build it with :meth:`from_arrays`, :meth:`from_csv` or ``load_preset``."""

    mu: np.ndarray
    positions: tuple[float, ...]
    labels: tuple[str, ...]
    cost: np.ndarray
    metric: str = "squared"
    constraint: str = "expected"
    label_cost: float = 1.0
    name: str = "custom"
    description: str = field(default="", repr=False)

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_arrays(
        cls,
        mu,
        positions=None,
        labels=None,
        metric="squared",
        constraint: str = "expected",
        label_cost: float = 1.0,
        normalise: bool = False,
        name: str = "custom",
        description: str = "",
    ) -> Problem:
        """Validate raw arrays and build a problem; ``metric`` is a name or an n-by-n matrix."""
        table = _as_table(mu, positions, labels)
        n, m = table.shape
        check_shape(n, m)  # before the n-by-n cost is built
        labels = _check_labels(labels, m)
        constraint = _check_constraint(constraint)
        label_cost = _check_label_cost(label_cost, constraint)
        if isinstance(metric, str):
            metric_name = metric.strip().lower()
            if metric_name not in NAMED_METRICS:
                raise ProblemError(
                    f"Unknown metric {metric!r}: choose one of abs, squared, hamming, or give an n-by-n matrix."
                )
            xs = _check_positions(positions, n, required=metric_name != "hamming")
            cost = named_cost(metric_name, np.array(xs))
        else:
            metric_name = "custom"
            xs = _check_positions(positions, n, required=False)
            cost = check_custom_cost(metric, n, xs)
        mu = _check_masses(table, normalise, xs, labels)
        mu.setflags(write=False)
        cost.setflags(write=False)
        return cls(mu, xs, labels, cost, metric_name, constraint, label_cost, name, description)

    @classmethod
    def from_csv(cls, path, metric="squared", constraint: str = "expected", **options) -> Problem:
        """Read mu (and a custom metric given as a CSV file: path, bytes or stream) in the formats of
        docs/design.md ("Files")."""
        positions, labels, mu = read_mu_csv(path)
        return cls.from_arrays(mu, positions, labels, metric_or_file(metric), constraint, **options)

    def replace(self, **changes) -> Problem:
        """A copy with some fields changed (metric or constraint), validated again."""
        args = dict(
            mu=self.mu, positions=self.positions, labels=self.labels,
            metric=self.metric if self.metric != "custom" else self.cost,
            constraint=self.constraint, label_cost=self.label_cost, name=self.name,
            description=self.description,
        )
        args.update(changes)
        return Problem.from_arrays(**args)

    # -- derived quantities ------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of feature values |X|."""
        return self.mu.shape[0]

    @property
    def m(self) -> int:
        """Number of labels |Y|."""
        return self.mu.shape[1]

    @property
    def key(self) -> str:
        """A canonical hash of everything that determines the answers (for caches)."""
        h = hashlib.sha256()
        for a in (self.mu, self.cost):
            h.update(np.ascontiguousarray(a, dtype=float).tobytes())
            h.update(str(a.shape).encode())
        h.update(repr((self.constraint, float(self.label_cost) if self.constraint == "joint" else 0.0)).encode())
        return h.hexdigest()

    def __eq__(self, other) -> bool:
        return isinstance(other, Problem) and self.key == other.key and self.labels == other.labels

    def __hash__(self) -> int:
        return hash(self.key)

    def to_dict(self) -> dict:
        """A JSON-ready description (the scenario file format)."""
        out = {
            "name": self.name,
            "description": self.description,
            "positions": list(self.positions),
            "labels": list(self.labels),
            "mu": self.mu.tolist(),
            "metric": self.metric if self.metric != "custom" else self.cost.tolist(),
            "constraint": self.constraint,
        }
        if self.constraint == "joint":
            out["label_cost"] = self.label_cost
        return out


# -- validation helpers ----------------------------------------------------------------------
def _as_table(mu, positions=None, labels=None) -> np.ndarray:
    """The table as a non-empty 2-D float array (values are checked later, by _check_masses); ``positions`` and
    ``labels``, as given, only name a bad cell."""
    try:
        a = np.array(mu, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise ProblemError(_not_a_table(mu, positions, labels)) from None
    if a.ndim != 2:
        raise ProblemError(f"The table mu must be 2-D (feature values by labels); it has {a.ndim} dimension(s).")
    n, m = a.shape
    if n == 0 or m == 0:
        raise ProblemError(f"The table mu is empty ({n} rows, {m} columns); it needs at least one of each.")
    return a


def _not_a_table(mu, positions=None, labels=None) -> str:
    """Name the first ragged row or non-numeric entry of a table given as rows (cells named by cell_name, with
    the positions and labels given, else the defaults 1, 2, ...)."""
    try:
        rows = [list(row) for row in mu] if not isinstance(mu, (str, bytes)) else []
    except TypeError:
        rows = []
    xs, names = _names(positions), _names(labels)
    for i, row in enumerate(rows):
        if len(row) != len(rows[0]):
            return (f"The table mu has {len(row)} entries in row {i + 2} but {len(rows[0])} in row 2; the table "
                    f"must be rectangular (row 1 is the header).")
        for j, v in enumerate(row):
            cell = cell_name(i + 2, xs[i] if i < len(xs) else i + 1, names[j] if j < len(names) else str(j + 1))
            try:
                float(v)
            except OverflowError:
                return f"The entry in {cell} of the table mu is too large for a float."
            except (TypeError, ValueError):
                return f"The entry in {cell} of the table mu is {v!r}, not a number."
    return "The table mu must be a rectangular table of numbers."


def _names(values) -> list:
    """Positions or labels as given (for naming a cell only; an unreadable list names nothing)."""
    try:
        return [] if values is None or isinstance(values, (str, bytes)) else list(values)
    except TypeError:
        return []


def _check_masses(a: np.ndarray, normalise: bool, xs: tuple[float, ...], labels: tuple[str, ...]) -> np.ndarray:
    """Entries finite and non-negative, total 1 (or normalised); masses below ZERO_MASS set to 0."""
    for (i, j), v in np.ndenumerate(a):
        cell = f"The entry in {cell_name(i + 2, xs[i], labels[j])}"
        if not np.isfinite(v):
            raise ProblemError(f"{cell} is {v}; every entry must be a finite number.")
        if v < 0:
            raise ProblemError(f"{cell} is negative ({v:g}); every entry must be a probability.")
    try:
        total = math.fsum(a.ravel())
    except OverflowError:
        raise ProblemError("The table's entries are too large to add up; they must be probabilities.") from None
    if total <= 0:
        raise ProblemError("The table sums to 0; it needs some positive mass.")
    if normalise:
        a = a / total
    elif abs(total - 1.0) > SUM_TOLERANCE:
        raise ProblemError(f"The table sums to {total:.12g}, not 1 (tolerance 1e-9); normalise it first.")
    a[a < ZERO_MASS] = 0.0
    a = a + 0.0  # turn -0.0 into 0.0
    if not a.any():
        raise ProblemError("Every entry of the table is below 1e-15; it needs some positive mass.")
    return a


def _check_positions(positions, n: int, required: bool) -> tuple[float, ...]:
    if positions is None:
        return tuple(float(i) for i in range(1, n + 1))
    try:
        values = list(positions)
    except TypeError:
        raise ProblemError(f"The positions must be a list of {n} numbers; got {positions!r}.") from None
    if len(values) != n:
        raise ProblemError(f"There are {len(values)} positions for {n} feature values.")
    xs = []
    for i, v in enumerate(values):
        try:
            x = float(v)
        except OverflowError:
            x = math.inf  # an integer beyond the float range: reported as not finite below
        except (TypeError, ValueError):
            raise ProblemError(f"The position in {cell_name(i + 2, column='x')} is not a number: {v!r}.") from None
        if not math.isfinite(x):
            raise ProblemError(f"The position in {cell_name(i + 2, column='x')} is not finite: {v!r}.")
        xs.append(x + 0.0)
    if required:
        seen: dict[float, int] = {}
        for i, x in enumerate(xs):
            if x in seen:
                raise ProblemError(
                    f"Feature values {seen[x] + 1} and {i + 1} have the same position {x:g}; "
                    "the abs and squared metrics need distinct positions."
                )
            seen[x] = i
    return tuple(xs)


def _check_labels(labels, m: int) -> tuple[str, ...]:
    if labels is None:
        return tuple(str(j) for j in range(1, m + 1))
    if isinstance(labels, (str, bytes)) or not hasattr(labels, "__iter__"):
        raise ProblemError(f"The labels must be a list of {m} names; got {labels!r}.")
    names = [str(v).strip() for v in labels]
    if len(names) != m:
        raise ProblemError(f"There are {len(names)} label names for {m} label columns.")
    seen: dict[str, int] = {}
    for j, s in enumerate(names):
        if not s:
            raise ProblemError(f"Label {j + 1} has an empty name.")
        if s in seen:
            raise ProblemError(f"Labels {seen[s] + 1} and {j + 1} have the same name {s!r}.")
        seen[s] = j
    return tuple(names)


def _check_constraint(constraint) -> str:
    c = str(constraint).strip().lower()
    if c not in CONSTRAINTS:
        raise ProblemError(f"Unknown constraint {constraint!r}: choose expected, max or joint.")
    return c


def _check_label_cost(label_cost, constraint: str) -> float:
    kappa = check_eps(label_cost, "The label-change price kappa")
    return kappa if constraint == "joint" else float(kappa)
