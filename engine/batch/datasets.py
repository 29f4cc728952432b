"""Batch sources made from samples (``engine.batch.config``): a data set bundled with scikit-learn, or a CSV file of
samples, binned into a problem by ``engine.from_samples`` (docs/design.md, "Data"; docs/batch.md)::

    {"dataset": "iris" or ["iris", "wine"], "features"?: [2, 3] or "pca", "bins"?: 20 or [20, 15],
     "cost"?: "l2" | "l1" | "linf" | "sql2", "binning"?: "uniform" | "quantile", "drop_bad_rows"?: false, "id"?}
    {"samples": PATH, "label"?: COLUMN, ... the same keys}

Defaults: the first two features, 20 bins per axis, the l2 cost, uniform bins. Ids: the data set's name (or the
file's stem) unless ``id`` is given. Such problems are solved along the grid by the warm-started sweep of
``engine.solvers.grid`` (``engine.batch.run``), every budget certified as ``engine.worst_case`` certifies it.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import ProblemError
from engine.io.binning import from_samples
from engine.io.samples import load_dataset, read_samples_csv

BINNING_KEYS = ("features", "bins", "cost", "binning", "drop_bad_rows", "id")
DATASET_KEYS = ("dataset", *BINNING_KEYS)
SAMPLES_KEYS = ("samples", "label", *BINNING_KEYS)


def dataset_problems(entry: dict, base: Path, where: str, make) -> list:
    """The problems of a ``dataset`` source; ``make(id, source, origin, problem)`` builds each batch problem."""
    names = entry["dataset"] if isinstance(entry["dataset"], list) else [entry["dataset"]]
    if not names or not all(isinstance(n, str) for n in names):
        raise ProblemError(f"{where}: 'dataset' must be a data set's name or a list of names; "
                           f"got {entry['dataset']!r}.")
    if "id" in entry and len(names) != 1:
        raise ProblemError(f"{where}: 'id' names one problem, but 'dataset' lists {len(names)}.")
    return [make(entry.get("id", name), "dataset", f"{name} (scikit-learn)", _binned(load_dataset(name), entry))
            for name in names]


def samples_problems(entry: dict, base: Path, where: str, make) -> list:
    """The problem of a ``samples`` source (one CSV file of samples)."""
    path = entry["samples"]
    if not isinstance(path, str) or not path.strip():
        raise ProblemError(f"{where}: 'samples' must be the path of a CSV file of samples; got {path!r}.")
    full = base / path
    label = entry.get("label")
    if label is not None and not isinstance(label, str):
        raise ProblemError(f"{where}: 'label' must be a column name; got {label!r}.")
    samples = read_samples_csv(str(full), label=label, name=f"the file {str(full)!r}")
    return [make(entry.get("id", Path(path).stem), "samples", str(full), _binned(samples, entry))]


def _binned(samples, entry: dict):
    drop = entry.get("drop_bad_rows", False)
    if not isinstance(drop, bool):
        raise ProblemError(f"'drop_bad_rows' must be true or false; got {drop!r}.")
    return from_samples(samples, features=entry.get("features"), bins=entry.get("bins", 20),
                        cost=entry.get("cost", "l2"), method=entry.get("binning", "uniform"), drop_bad_rows=drop)
