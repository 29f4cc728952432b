"""From samples to a problem: pick one or two features (or a 2-D PCA projection), standardise, bin into an empirical
mu on a 1-D or 2-D grid, with the ground cost between bin centres (docs/design.md, "Data").

For the chosen axes z = (x - mean) / std over the rows used (population std), each axis is cut into ``bins``
intervals, ``uniform`` (equal widths from the smallest to the largest value) or ``quantile`` (equal counts; tied
values can merge intervals, and the record says so). A grid point is a cell of the product of the intervals,
numbered row-major (cell = i * bins_2 + j on a 2-D grid), at the centre of its intervals; every cell is a feature
value of the problem, empty ones included (the attacker may move mass there). mu(x, y) is the fraction of the
used samples with label y in cell x. The cost between centres z, z' is

    l2: ||z - z'||_2,  l1: ||z - z'||_1,  linf: ||z - z'||_inf,  sql2: ||z - z'||_2^2,

in standardised units; on a 1-D grid the first three are |z - z'| (the named ``abs`` metric, positions = the
centres) and sql2 is ``squared``; on a 2-D grid the cost is a custom matrix and the positions are the cell
numbers 1..n. ``pca``: every numeric feature column is standardised (constant ones are left out, and named),
projected on its first two principal axes (SVD; each axis's sign makes its largest loading positive), and the
two scores are standardised and binned as above.

**Nothing is dropped silently.** A row with a missing value or a non-number in a used column, or whose label
appears only once, is refused with a sentence naming the row and the column, unless ``drop_bad_rows`` is set:
then it is left out and listed in ``Binning.refused`` with its reason, and ``samples_used`` says how many rows
remain. A column that is not numeric, a constant feature, a single class or fewer than ``MIN_SAMPLES`` rows is
always refused with a sentence.

The result is a :class:`BinnedProblem`: a ``Problem`` (frozen, hashed by its table, cost and kind as any other)
with the :class:`Binning` that made it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from engine.core.problem import Problem
from engine.errors import ProblemError
from engine.io.samples import Samples, is_missing, samples_from_arrays

COSTS = ("l2", "l1", "linf", "sql2")
METHODS = ("uniform", "quantile")
MAX_BINS = 30
MIN_SAMPLES = 10


@dataclass(frozen=True, eq=False)
class Binning:
    """How a problem was made from samples; coordinates are in standardised units (module docstring)."""

    source: str
    axes: tuple[str, ...]          # the binned axes: feature names, or "PC1", "PC2"
    features: tuple[str, ...]      # the source columns used (for PCA: every column projected)
    method: str
    cost: str
    bins: tuple[int, ...]          # intervals per axis (quantile bins may have merged)
    edges: tuple[np.ndarray, ...]  # per axis, the interval edges
    centres: np.ndarray            # (n, d) the grid points
    mean: np.ndarray               # per source feature, for standardising it
    scale: np.ndarray
    loadings: np.ndarray | None    # (features, 2) PCA axes, None without PCA
    score_mean: np.ndarray | None  # PCA scores' mean and std (standardised after projecting)
    score_scale: np.ndarray | None
    points: np.ndarray             # (N, d) the used samples' coordinates
    point_labels: np.ndarray       # (N,) label index of each used sample
    point_cells: np.ndarray        # (N,) grid cell of each used sample
    point_rows: np.ndarray         # (N,) the row number of each used sample
    labels: tuple[str, ...]
    counts: np.ndarray             # (n, m) samples per cell and label
    refused: tuple[tuple[int, str], ...]  # (row, reason) for every row left out
    rows_total: int
    notes: tuple[str, ...] = ()

    @property
    def samples_used(self) -> int:
        """How many rows made mu."""
        return len(self.point_labels)

    @property
    def shape(self) -> tuple[int, ...]:
        """The grid's shape: (bins,) or (bins_1, bins_2)."""
        return self.bins

    @property
    def dims(self) -> int:
        """1 or 2."""
        return len(self.bins)

    def summary(self) -> str:
        """One sentence: what was binned, how, and how many rows were used."""
        grid = " x ".join(str(b) for b in self.bins)
        refused = f", {len(self.refused)} left out" if self.refused else ""
        return (f"{self.source}: {' and '.join(self.axes)}, standardised, {self.method} bins ({grid}), {self.cost} "
                f"cost between bin centres; {self.samples_used} of {self.rows_total} rows used{refused}.")


@dataclass(frozen=True, eq=False)
class BinnedProblem(Problem):
    """A Problem made from samples, with its :class:`Binning` (equal to and hashed as the plain problem)."""

    binning: Binning | None = field(default=None, repr=False, kw_only=True)

    def replace(self, **changes) -> BinnedProblem:
        """A copy with some fields changed (the constraint kind, say), validated again; the binning is kept."""
        return with_binning(Problem.replace(self, **changes), self.binning)


def with_binning(problem: Problem, binning: Binning) -> BinnedProblem:
    """The problem with its binning attached."""
    values = {f.name: getattr(problem, f.name) for f in dataclasses.fields(Problem)}
    return BinnedProblem(**values, binning=binning)


def from_samples(X, y=None, features=None, bins=20, cost: str = "l2", method: str = "uniform",
                 drop_bad_rows: bool = False, constraint: str = "expected", label_cost: float = 1.0,
                 columns=None, name: str | None = None) -> BinnedProblem:
    """Bin samples into a problem (module docstring).

    ``X``: a :class:`Samples` (then no ``y``), an array or a DataFrame of feature columns; ``y``: one label per
    row. ``features``: one or two columns (names or 0-based positions; default the first two) or ``"pca"``.
    ``bins``: intervals per axis (an int, or one per axis), 2 to 30. ``cost``: l2, l1, linf or sql2.
    """
    samples = X if isinstance(X, Samples) else samples_from_arrays(X, y, columns)
    if isinstance(X, Samples) and y is not None:
        raise ProblemError("Give the labels either inside the Samples or as y, not both.")
    cost = _choice(cost, COSTS, "cost")
    method = _choice(method, METHODS, "binning method")
    pca, used = _features(samples, features)
    sizes = _bins(bins, 2 if pca else len(used))
    keep, refused = _usable_rows(samples, used, drop_bad_rows)
    labels, index = _labels(samples, keep, refused, drop_bad_rows)
    keep = np.array([i for i in keep if i in index])
    if len(keep) < MIN_SAMPLES:
        raise ProblemError(f"Only {len(keep)} rows of {samples.source} can be used; at least {MIN_SAMPLES} are "
                           "needed to bin the data.")
    y_index = np.array([index[i] for i in keep])
    if len(labels) < 2:
        raise ProblemError(f"Every used row of {samples.source} has the label {labels[0]!r}; robustness needs at "
                           "least two labels.")
    raw = samples.values[np.ix_(keep, used)]
    mean, scale, notes = _standardisation(samples, raw, used, pca)
    z = (raw - mean) / scale
    loadings = score_mean = score_scale = None
    axes = tuple(samples.columns[j] for j in used)
    if pca:
        z, loadings, score_mean, score_scale = _pca(z)
        axes = ("PC1", "PC2")
    edges, notes = _edges(z, sizes, method, axes, notes)
    bins_used = tuple(len(e) - 1 for e in edges)
    coords = [np.clip(np.searchsorted(e[1:-1], z[:, k], side="right"), 0, len(e) - 2) for k, e in enumerate(edges)]
    cells = np.ravel_multi_index(coords, bins_used)
    n, m = int(np.prod(bins_used)), len(labels)
    counts = np.zeros((n, m), dtype=np.int64)
    np.add.at(counts, (cells, y_index), 1)
    mids = [(e[:-1] + e[1:]) / 2 for e in edges]
    centres = np.stack([g.ravel() for g in np.meshgrid(*mids, indexing="ij")], axis=1)
    binning = Binning(
        source=samples.source, axes=axes, features=tuple(samples.columns[j] for j in used), method=method, cost=cost,
        bins=bins_used, edges=tuple(edges), centres=centres, mean=mean, scale=scale, loadings=loadings,
        score_mean=score_mean, score_scale=score_scale, points=z, point_labels=y_index, point_cells=cells,
        point_rows=np.array([samples.rows[i] for i in keep]), labels=labels, counts=counts,
        refused=tuple(sorted(refused.items())), rows_total=len(samples.rows), notes=tuple(notes),
    )
    problem = _problem(binning, constraint, label_cost, name or _name(binning))
    return with_binning(problem, binning)


def grid_cost(centres: np.ndarray, cost: str) -> np.ndarray:
    """The n-by-n cost between grid points (module docstring)."""
    diff = np.abs(centres[:, None, :] - centres[None, :, :])
    if cost == "l1":
        return diff.sum(axis=2)
    if cost == "linf":
        return diff.max(axis=2)
    squared = (diff * diff).sum(axis=2)
    return squared if cost == "sql2" else np.sqrt(squared)


def _problem(b: Binning, constraint: str, label_cost: float, name: str) -> Problem:
    mu = b.counts / b.counts.sum()
    description = b.summary()
    if b.dims == 1:
        metric = "squared" if b.cost == "sql2" else "abs"
        return Problem.from_arrays(mu, b.centres[:, 0], b.labels, metric, constraint, label_cost, normalise=True,
                                   name=name, description=description)
    return Problem.from_arrays(mu, np.arange(1, len(mu) + 1), b.labels, grid_cost(b.centres, b.cost), constraint,
                               label_cost, normalise=True, name=name, description=description)


def _name(b: Binning) -> str:
    return f"{b.source.split(' (')[0]}: {' x '.join(b.axes)} ({' x '.join(map(str, b.bins))} {b.method} bins)"


def _choice(value, options, what: str) -> str:
    text = str(value).strip().lower()
    if text not in options:
        raise ProblemError(f"Unknown {what} {value!r}: choose one of {', '.join(options)}.")
    return text


def _features(samples: Samples, features) -> tuple[bool, list[int]]:
    """(PCA?, the source columns used)."""
    if isinstance(features, str) and features.strip().lower() == "pca":
        numeric = [j for j in range(len(samples.columns)) if _numeric(samples, j)]
        if len(numeric) < 2:
            raise ProblemError(f"A PCA projection needs at least two numeric feature columns; {samples.source} has "
                               f"{len(numeric)}.")
        for j in range(len(samples.columns)):
            if j not in numeric:
                _check_numeric(samples, j)
        return True, numeric
    if features is None:
        features = list(range(min(2, len(samples.columns))))
    elif isinstance(features, str):
        features = [f for f in features.split(",") if f.strip()]
    elif np.ndim(features) == 0:
        features = [features]
    used = [samples.column_index(f) for f in features]
    if not 1 <= len(used) <= 2:
        raise ProblemError(f"Pick one or two features (or pca); got {len(used)}.")
    if len(set(used)) != len(used):
        raise ProblemError(f"The feature {samples.columns[used[0]]!r} is picked twice; pick two different ones.")
    for j in used:
        _check_numeric(samples, j)
    return False, used


def _numeric(samples: Samples, j: int) -> bool:
    """Is column j numeric: at most half of its non-empty cells fail to parse?"""
    if not samples.text:
        return True
    given = [i for i in range(len(samples.rows)) if not is_missing(samples.text[i][j])]
    bad = sum(1 for i in given if np.isnan(samples.values[i, j]))
    return len(given) > 0 and bad <= len(given) / 2


def _check_numeric(samples: Samples, j: int) -> None:
    if _numeric(samples, j):
        return
    name = samples.columns[j]
    given = [i for i in range(len(samples.rows)) if not is_missing(samples.text[i][j])]
    if not given:
        raise ProblemError(f"The column {name!r} of {samples.source} is empty in every row; pick another feature.")
    i = next(i for i in given if np.isnan(samples.values[i, j]))
    raise ProblemError(f"The column {name!r} of {samples.source} is not numeric (row {samples.rows[i]} has "
                       f"{samples.text[i][j]!r}); pick numeric feature columns.")


def _bins(bins, axes: int) -> tuple[int, ...]:
    values = [bins] * axes if np.ndim(bins) == 0 else list(bins)
    if len(values) != axes:
        raise ProblemError(f"Give one bin count, or one per axis ({axes}); got {len(values)}.")
    out = []
    for b in values:
        number = isinstance(b, (int, float, np.integer, np.floating)) and not isinstance(b, bool)
        whole = number and float(b).is_integer()
        if not whole:
            raise ProblemError(f"The number of bins must be a whole number from 2 to {MAX_BINS}; got {b!r}.")
        if not 2 <= int(b) <= MAX_BINS:
            raise ProblemError(f"The number of bins must be from 2 to {MAX_BINS} per axis; got {int(b)}.")
        out.append(int(b))
    return tuple(out)


def _usable_rows(samples: Samples, used: list[int], drop: bool) -> tuple[list[int], dict[int, str]]:
    """The rows whose used cells are numbers and whose label is given; the others refused (or a sentence)."""
    keep, refused = [], {}
    for i, row in enumerate(samples.rows):
        reason = None
        if not samples.labels[i]:
            reason = f"row {row} has no label (column {samples.label_column!r})"
        for j in used:
            if reason is None and np.isnan(samples.values[i, j]):
                cell = samples.text[i][j] if samples.text else ""
                name = samples.columns[j]
                reason = (f"row {row} has no value in column {name!r}" if not cell or is_missing(cell)
                          else f"row {row} has {cell!r} in column {name!r}, not a finite number")
        if reason is None:
            keep.append(i)
        elif drop:
            refused[row] = reason
        else:
            raise ProblemError(f"{reason[:1].upper()}{reason[1:]}; fix it, or leave such rows out (drop_bad_rows, "
                               "--drop-bad-rows on the command line).")
    return keep, refused


def _labels(samples: Samples, keep: list[int], refused: dict[int, str], drop: bool):
    """The label names (the data set's order, else sorted) and each kept row's label index; a label with a single
    sample is refused (or, with ``drop``, its row left out)."""
    found = {}
    for i in keep:
        found.setdefault(samples.labels[i], []).append(i)
    for name, rows in list(found.items()):
        if len(rows) == 1:
            row = samples.rows[rows[0]]
            reason = f"row {row} is the only sample with the label {name!r}"
            if not drop:
                raise ProblemError(f"The label {name!r} has a single sample (row {row}); every label needs at least "
                                   "two. Remove the row, or leave such rows out (drop_bad_rows, --drop-bad-rows).")
            refused[row] = reason
            del found[name]
    if not found:
        raise ProblemError(f"No row of {samples.source} can be used (see the rows left out).")
    order = [n for n in samples.label_order if n in found] or sorted(found, key=_label_key)
    labels = tuple(order)
    index = {i: labels.index(name) for name, rows in found.items() for i in rows}
    return labels, index


def _label_key(name: str):
    try:
        return (0, float(name), name)
    except ValueError:
        return (1, 0.0, name)


def _standardisation(samples: Samples, raw: np.ndarray, used: list[int], pca: bool):
    mean = raw.mean(axis=0)
    scale = raw.std(axis=0)
    notes = []
    constant = [k for k in range(len(used)) if not scale[k] > 1e-12 * max(1.0, abs(mean[k]))]
    if constant and not pca:
        k = constant[0]
        raise ProblemError(f"The feature {samples.columns[used[k]]!r} is constant (every used row has "
                           f"{mean[k]:g}); it cannot be standardised or binned: pick another feature.")
    if constant:
        names = [samples.columns[used[k]] for k in constant]
        notes.append(f"{len(constant)} constant column(s) left out of the projection: {_short_list(names)}")
        scale = np.where(scale > 1e-12 * np.maximum(1.0, np.abs(mean)), scale, np.inf)  # z = 0 on them
        if len(constant) > len(used) - 2:
            raise ProblemError("A PCA projection needs at least two columns that are not constant.")
    return mean, scale, notes


def _short_list(names, limit: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _pca(z: np.ndarray):
    """The first two principal scores of standardised columns, themselves standardised."""
    _, _, vt = np.linalg.svd(z - z.mean(axis=0), full_matrices=False)
    loadings = vt[:2].T.copy()
    flip = np.sign(loadings[np.argmax(np.abs(loadings), axis=0), [0, 1]])
    loadings *= np.where(flip == 0, 1.0, flip)
    scores = z @ loadings
    mean, scale = scores.mean(axis=0), scores.std(axis=0)
    if not np.all(scale > 0):
        raise ProblemError("The PCA projection of the data is constant along an axis; pick two features instead.")
    return (scores - mean) / scale, loadings, mean, scale


def _edges(z: np.ndarray, sizes, method: str, axes, notes: list[str]):
    edges = []
    for k, b in enumerate(sizes):
        lo, hi = float(z[:, k].min()), float(z[:, k].max())
        if method == "uniform":
            e = np.linspace(lo, hi, b + 1)
        else:
            e = np.unique(np.quantile(z[:, k], np.linspace(0.0, 1.0, b + 1)))
            if len(e) - 1 < b:
                notes.append(f"quantile bins on {axes[k]!r}: {len(e) - 1} instead of {b} (tied values)")
            if len(e) < 3:
                e = np.linspace(lo, hi, 3)
        edges.append(e)
    return edges, notes
