"""The batch configuration of ``python -m engine batch CONFIG``: problem sources x kinds x one eps grid.

A config is a JSON or TOML file (TOML when the name ends in ``.toml``), or the same mapping given to
:func:`engine.batch.run.run_batch`. Relative paths are read from the config file's folder. Keys::

    problems  a list of sources, each one of
              {"preset": NAME or [NAMES], "metric"?, "id"?}               named problems from data/
              {"random": NAME, "n", "m", "count", "seed", "concentration"?, "metric"?}
                  a seeded family: problem i is mu ~ Dirichlet(concentration, ..., concentration) over
                  the n*m cells drawn with numpy.random.default_rng([seed, i]), positions 1..n, so
                  problem i never depends on count; ids NAME-0, NAME-1, ...
              {"csv": PATH or GLOB, "metric"?, "normalise"?, "id"?}        mu tables (docs/design.md, "Files")
              {"dataset": NAME or [NAMES], "features"?, "bins"?, "cost"?, "binning"?, "drop_bad_rows"?, "id"?}
              {"samples": PATH, "label"?, the same keys}                   binned samples (engine.batch.datasets)
    eps       "A:B:N" (N budgets from A to B), a list of budgets, or one budget; sorted, no repeats
    kinds     a list of expected | max | joint (default ["expected"]); each problem is solved under each
    kappa     the joint kind's label-change price(s): a number or a list (default 1); joint only
    units     nats | bits (default nats) for the table's h_star, lower, upper and gap
    error     true | false (default false): also the certified robust 0-1 error e*(eps) of each row
              (``engine.analyses.robust_error``), as the columns error, error_upper, error_gap, error_status
              (probabilities, whatever the units)

``metric`` is abs, squared, hamming (random families) or also a CSV cost file (presets, CSV tables);
a preset keeps its own metric unless one is given. Every mistake raises :class:`ProblemError` with a
sentence naming the bad key and value. Example: ``docs/batch-example.json``; guide: ``docs/batch.md``.
"""

from __future__ import annotations

import glob
import json
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.batch.datasets import DATASET_KEYS, SAMPLES_KEYS, dataset_problems, samples_problems
from engine.core.budgets import parse_budgets
from engine.core.checks import check_eps, check_real
from engine.core.limits import BATCH_CELLS, MAX_MOVES, check_moves
from engine.core.metrics import NAMED_METRICS, metric_or_file
from engine.core.problem import CONSTRAINTS, Problem
from engine.errors import ProblemError
from engine.formats.text import read_path, read_text, short
from engine.io.presets import load_preset

TOP_KEYS = ("problems", "eps", "kinds", "kappa", "units", "error")
SOURCE_KEYS = {
    "preset": ("preset", "metric", "id"),
    "random": ("random", "n", "m", "count", "seed", "concentration", "metric"),
    "csv": ("csv", "metric", "normalise", "id"),
    "dataset": DATASET_KEYS,  # binned samples (engine.batch.datasets)
    "samples": SAMPLES_KEYS,
}
MAX_N, MAX_M, MAX_COUNT, MAX_EPS = 2_000, 200, 1_000_000, 10_000


@dataclass(frozen=True, eq=False)
class BatchProblem:
    """One problem of the batch: its id (unique in the config), source kind, provenance and table."""

    id: str
    source: str   # preset | random | csv
    origin: str   # the preset name, "seed S, #i" or the CSV path
    problem: Problem


@dataclass(frozen=True)
class Kind:
    """A constraint kind; ``kappa`` (the label-change price) only for ``joint``."""

    name: str
    kappa: float | None = None


@dataclass(frozen=True, eq=False)
class BatchConfig:
    """A validated config: the problems in order, the sorted eps grid, the kinds and the units."""

    problems: tuple[BatchProblem, ...]
    eps: np.ndarray
    kinds: tuple[Kind, ...]
    units: str
    spec: dict  # the config as read, with the grid spelt out (kept with the results for provenance)
    error: bool = False  # also the robust 0-1 error columns


def load_config(source, base_dir=None) -> BatchConfig:
    """Read and validate a config: a path to a JSON/TOML file, or a mapping (paths relative to ``base_dir``)."""
    if isinstance(source, dict):
        data, base = source, Path(base_dir or ".")
    else:
        path = Path(source)
        data, base = _read_file(path), Path(base_dir) if base_dir else path.parent
    if not isinstance(data, dict):
        raise ProblemError("The config must be an object (a mapping) with the keys problems, eps and kinds.")
    _no_unknown(data, TOP_KEYS, "The config")
    for key in ("problems", "eps"):
        if key not in data:
            raise ProblemError(f"The config has no {key!r} key; it needs problems and eps (kinds has a default).")
    eps = _eps_grid(data["eps"])
    kinds = _kinds(data.get("kinds", ["expected"]), data.get("kappa"))
    units = data.get("units", "nats")
    if units not in ("nats", "bits"):
        raise ProblemError(f"The config's 'units' must be nats or bits; got {units!r}.")
    error = data.get("error", False)
    if not isinstance(error, bool):
        raise ProblemError(f"The config's 'error' must be true or false; got {_short(error)}.")
    problems = _problems(data["problems"], base, sorted({k.name for k in kinds}))
    spec = dict(data, eps=eps.tolist(), kinds=[k.name for k in kinds], units=units)
    return BatchConfig(tuple(problems), eps, tuple(kinds), units, spec, error)


# -- the file and the top-level keys ----------------------------------------------------------------
def _read_file(path: Path) -> dict:
    """Parse a JSON or TOML config file.

    The file is read as every uploaded file is (``engine.formats.text``): a regular file (a FIFO or a device is
    refused before it is opened), at most 5 MB, UTF-8 (or UTF-16 with a byte-order mark), no binary bytes; anything
    else, and text that does not parse (also an integer of thousands of digits, or nesting deeper than the parser
    goes), is refused with a sentence naming the file.
    """
    toml = path.suffix.lower() == ".toml"
    try:
        text = read_text(read_path(path, "config"), "config", "TOML" if toml else "JSON")
    except ProblemError as e:
        if short(str(path)) in str(e):  # read_path's sentences already name the file
            raise
        message = str(e)
        raise ProblemError(f"The config file {str(path)!r}: {message[:1].lower()}{message[1:]}") from None
    if toml:
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise ProblemError(f"The config file {str(path)!r} is not valid TOML ({e}).") from None
        except RecursionError:
            raise ProblemError(f"The config file {str(path)!r} is nested too deeply to read.") from None
        except ValueError as e:  # e.g. an integer of more digits than Python converts (sys.set_int_max_str_digits)
            raise ProblemError(_unreadable(path, "TOML", e)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ProblemError(f"The config file {str(path)!r} is not valid JSON (line {e.lineno}, column {e.colno}: "
                           f"{e.msg}).") from None
    except RecursionError:
        raise ProblemError(f"The config file {str(path)!r} is nested too deeply to read.") from None
    except ValueError as e:  # an integer of more than 4,300 digits (Python's int_max_str_digits)
        raise ProblemError(_unreadable(path, "JSON", e)) from None


def _unreadable(path: Path, fmt: str, error: ValueError) -> str:
    """The sentence for text the parser refused without a position (an integer too long to convert)."""
    if "digits" in str(error):
        return (f"The config file {str(path)!r} holds an integer of more than {sys.get_int_max_str_digits():,} "
                f"digits; no count, seed or budget needs one.")
    return f"The config file {str(path)!r} cannot be read as {fmt} ({error})."


def _no_unknown(data: dict, allowed: tuple[str, ...], where: str) -> None:
    for key in data:
        if key not in allowed:
            raise ProblemError(f"{where} has an unknown key {key!r}: the keys are {', '.join(allowed)}.")


def _eps_grid(value) -> np.ndarray:
    """'A:B:N', a list or one number -> a sorted array of distinct budgets (``engine.core.budgets``)."""
    return np.sort(parse_budgets(value, "The config's 'eps'", distinct=True))


def _kinds(kinds, kappa) -> list[Kind]:
    """The kinds, the joint kind once per kappa."""
    if isinstance(kinds, str):
        kinds = [kinds]
    if not isinstance(kinds, list) or not kinds:
        raise ProblemError(f"The config's 'kinds' must be a non-empty list of {', '.join(CONSTRAINTS)}; got {kinds!r}.")
    names = []
    for k in kinds:
        if k not in CONSTRAINTS:
            raise ProblemError(f"The config's 'kinds' lists {k!r}: choose from {', '.join(CONSTRAINTS)}.")
        if k in names:
            raise ProblemError(f"The config's 'kinds' lists {k!r} twice.")
        names.append(k)
    if kappa is not None and "joint" not in names:
        raise ProblemError("The config gives 'kappa' but its 'kinds' has no joint; kappa only prices the joint "
                           "kind's label changes.")
    kappas = kappa if isinstance(kappa, list) else [1.0 if kappa is None else kappa]
    if not kappas:
        raise ProblemError("The config's 'kappa' is an empty list; give at least one label-change price.")
    prices = [check_eps(v, "The config's 'kappa'") for v in kappas]
    if len(set(prices)) != len(prices):
        raise ProblemError("The config's 'kappa' lists the same price twice.")
    out = []
    for name in names:
        out += [Kind("joint", k) for k in prices] if name == "joint" else [Kind(name)]
    return out


# -- problem sources ----------------------------------------------------------------------------------
def _problems(entries, base: Path, constraints=("expected",)) -> list[BatchProblem]:
    """Every source's problems, each within the engine's limits under every kind of the config; random families are
    checked on the product of their sizes (count, n, m) before any table is drawn (``engine.core.limits``)."""
    if not isinstance(entries, list) or not entries:
        raise ProblemError("The config's 'problems' must be a non-empty list of sources (preset, random or csv).")
    out: list[BatchProblem] = []
    cells = 0  # table entries (n*m + n*n) of every problem so far
    for i, entry in enumerate(entries):
        where = f"The config's problems[{i}]"
        kinds = [k for k in SOURCE_KEYS if isinstance(entry, dict) and k in entry]
        if len(kinds) != 1:
            raise ProblemError(f"{where} must be an object with exactly one of the keys preset, random, csv, "
                               f"dataset or samples; got {_short(entry)}.")
        source = kinds[0]
        where = f"{where} ({source})"
        _no_unknown(entry, SOURCE_KEYS[source], where)
        try:
            if source == "random":
                cells += _check_family(entry, where, constraints, cells)
            built = _SOURCES[source](entry, base, where)
            for bp in built:
                for kind in constraints:
                    check_moves(bp.problem.n, bp.problem.m, kind, MAX_MOVES, "a batch")
                if source != "random":
                    cells += bp.problem.n * (bp.problem.m + bp.problem.n)
                    _check_cells(cells)
            out += built
        except ProblemError as e:
            message = str(e)
            if not message.startswith(where):
                message = f"{where}: {message[:1].lower()}{message[1:]}"
            raise ProblemError(message) from None
    ids = [p.id for p in out]
    if len(set(ids)) != len(ids):
        twice = next(i for i, count in Counter(ids).items() if count > 1)
        raise ProblemError(f"The config names two problems {twice!r}; give one of them another 'id'.")
    return out


def _binned_samples(entry: dict, base: Path, where: str) -> list[BatchProblem]:
    """A dataset or samples source (``engine.batch.datasets``)."""
    make = lambda pid, source, origin, problem: BatchProblem(_id(pid, where), source, origin, problem)  # noqa: E731
    return (dataset_problems if "dataset" in entry else samples_problems)(entry, base, where, make)


def _presets(entry: dict, base: Path, where: str) -> list[BatchProblem]:
    names = entry["preset"] if isinstance(entry["preset"], list) else [entry["preset"]]
    if not names or not all(isinstance(n, str) for n in names):
        raise ProblemError(f"{where}: 'preset' must be a preset name or a list of names; got {entry['preset']!r}.")
    if "id" in entry and len(names) != 1:
        raise ProblemError(f"{where}: 'id' names one problem, but 'preset' lists {len(names)}.")
    changes = {}
    if "metric" in entry:
        changes["metric"] = _metric(entry["metric"], base, where)
    out = []
    for name in names:
        problem = load_preset(name, **changes)
        out.append(BatchProblem(_id(entry.get("id", name), where), "preset", name, problem))
    return out


def _check_family(entry: dict, where: str, kinds, cells: int) -> int:
    """A random family's sizes as products, before any of its tables is drawn: each problem within MAX_MOVES under
    every kind, and the family's tables (count * (n*m + n*n) entries) within what is left of BATCH_CELLS. Returns the
    family's entries."""
    n, m, count = _family_sizes(entry, where)
    for kind in kinds:
        check_moves(n, m, kind, MAX_MOVES, "a batch")
    family = count * n * (m + n)
    _check_cells(cells + family, f" (this family: {count:,} tables of {n}x{m} and their {n}x{n} costs)")
    return family


def _family_sizes(entry: dict, where: str) -> tuple[int, int, int]:
    """A random family's n, m and count (each within its limit), or the sentence naming what is missing or bad."""
    for key in ("n", "m", "count", "seed"):
        if key not in entry:
            raise ProblemError(f"{where} has no {key!r}; a random family needs n, m, count and seed.")
    return (_whole(entry["n"], f"{where}: 'n'", 1, MAX_N), _whole(entry["m"], f"{where}: 'm'", 1, MAX_M),
            _whole(entry["count"], f"{where}: 'count'", 1, MAX_COUNT))


def _check_cells(cells: int, detail: str = "") -> None:
    if cells > BATCH_CELLS:
        raise ProblemError(f"The problems hold {cells:,} table entries{detail}; a batch takes at most "
                           f"{BATCH_CELLS:,}. Use a smaller count, or split the sweep into several configs.")


def _random_family(entry: dict, base: Path, where: str) -> list[BatchProblem]:
    name = _id(entry["random"], where, key="random")
    n, m, count = _family_sizes(entry, where)
    seed = _whole(entry["seed"], f"{where}: 'seed'", 0, 2**63 - 1)
    alpha = check_real(entry.get("concentration", 1.0), f"{where}: 'concentration'")
    if alpha <= 0:
        raise ProblemError(f"{where}: 'concentration' must be a positive number; got {alpha:g}.")
    metric = _metric(entry.get("metric", "squared"), base, where, files=False)
    return [BatchProblem(f"{name}-{i}", "random", f"{name}: seed {seed}, #{i}",
                         random_problem(n, m, alpha, seed, i, metric, name=f"{name}-{i}")) for i in range(count)]


def random_problem(n: int, m: int, concentration: float, seed: int, index: int, metric: str = "squared",
                   name: str = "random") -> Problem:
    """Problem ``index`` of a seeded family: mu ~ Dirichlet(concentration) over n*m cells, positions 1..n."""
    rng = np.random.default_rng([seed, index])
    mu = rng.dirichlet(np.full(n * m, concentration)).reshape(n, m)
    return Problem.from_arrays(mu, positions=np.arange(1, n + 1), metric=metric, normalise=True, name=name)


def _csv_tables(entry: dict, base: Path, where: str) -> list[BatchProblem]:
    pattern = entry["csv"]
    if not isinstance(pattern, str) or not pattern.strip():
        raise ProblemError(f"{where}: 'csv' must be a file path or a glob pattern; got {pattern!r}.")
    full = base / pattern
    paths = sorted(glob.glob(str(full))) if any(c in pattern for c in "*?[") else [str(full)]
    if not paths:
        raise ProblemError(f"{where}: no file matches {pattern!r} (looked from {str(base)!r}).")
    if "id" in entry and len(paths) != 1:
        raise ProblemError(f"{where}: 'id' names one problem, but {pattern!r} matches {len(paths)} files.")
    normalise = entry.get("normalise", False)
    if not isinstance(normalise, bool):
        raise ProblemError(f"{where}: 'normalise' must be true or false; got {normalise!r}.")
    metric = _metric(entry.get("metric", "squared"), base, where)
    out = []
    for path in paths:
        try:
            problem = Problem.from_csv(path, metric=metric, normalise=normalise, name=Path(path).stem)
        except ProblemError as e:
            if short(str(path)) in str(e):  # the reader's sentence names the file already
                raise
            raise ProblemError(f"{where}: the file {path!r}: {e}") from None
        except OSError as e:
            raise ProblemError(f"{where}: cannot read {path!r} ({e.strerror or e}).") from None
        out.append(BatchProblem(_id(entry.get("id", Path(path).stem), where), "csv", path, problem))
    return out


_SOURCES = {"preset": _presets, "random": _random_family, "csv": _csv_tables, "dataset": _binned_samples,
            "samples": _binned_samples}


# -- values -------------------------------------------------------------------------------------------
def _metric(value, base: Path, where: str, files: bool = True):
    """A named metric (any case), or (``files``: presets and CSV tables, not random families) a custom cost
    read from a CSV file."""
    if isinstance(value, str) and value.strip().lower() in NAMED_METRICS:
        return value.strip().lower()
    if not (files and isinstance(value, str) and value.strip()):
        allowed = ", ".join(NAMED_METRICS) + (" or a CSV cost file" if files else "")
        raise ProblemError(f"{where}: 'metric' must be one of {allowed}; got {value!r}.")
    path = base / value
    try:
        return metric_or_file(path)
    except OSError as e:
        raise ProblemError(f"{where}: cannot read the metric file {str(path)!r} ({e.strerror or e}).") from None


def _id(value, where: str, key: str = "id") -> str:
    if not isinstance(value, str) or not value.strip() or any(c in value for c in "\n\r\t"):
        raise ProblemError(f"{where}: {key!r} must be a non-empty name on one line; got {value!r}.")
    return value.strip()


def _whole(value, what: str, low: int, high: int, text: bool = False) -> int:
    """A whole number in [low, high]."""
    if text:
        try:
            value = int(value)
        except ValueError:
            raise ProblemError(f"{what} must be a whole number; got {value!r}.") from None
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ProblemError(f"{what} must be a whole number; got {value!r}.")
    if not low <= value <= high:
        raise ProblemError(f"{what} must be between {low} and {high}; got {value}.")
    return value


def _short(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
