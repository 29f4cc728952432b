"""Named problems with known answers, shared by the tests, the docs and the app (files in data/).

Each ``data/NAME.json`` holds the table, positions, labels, metric (a name or a matrix), constraint kind,
a default eps range, a one-paragraph description for the app and the table's provenance; the files are
written by ``scripts/make_presets.py``.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from engine.core.problem import Problem
from engine.errors import ProblemError

DATA = Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True)
class PresetInfo:
    """What the app shows about a preset besides its table."""

    name: str
    title: str
    description: str
    provenance: str
    eps_min: float
    eps_max: float
    eps_default: float


@functools.cache
def preset_names() -> tuple[str, ...]:
    """The names load_preset accepts, figure2 first (the data directory is read once: it ships with the package)."""
    names = sorted(p.stem for p in DATA.glob("*.json"))
    return tuple(sorted(names, key=lambda s: (s != "figure2", s != "stochastic-vs-deterministic", s)))


def _read(name) -> dict:
    if not isinstance(name, str):
        raise ProblemError(f"A preset is named by text (one of {', '.join(preset_names())}); got {_kind(name)}.")
    return _read_named(name)


def _kind(value) -> str:
    """How a value that is not a name reads in a sentence."""
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


@functools.cache
def _read_named(name: str) -> dict:
    if name not in preset_names():
        raise ProblemError(f"Unknown preset {name!r}: choose one of {', '.join(preset_names())}.")
    return json.loads((DATA / f"{name}.json").read_text())


def load_preset(name: str, **changes) -> Problem:
    """The named problem; ``changes`` (metric=, constraint=, label_cost=) override the preset's own.

    Without changes every call returns the same Problem (it is immutable: a frozen dataclass with read-only
    arrays), so a page that opens an example on every rerun validates its table once per process."""
    d = _read(name)  # the sentence for a bad name
    return _build(d, changes) if changes else _preset_problem(name)


@functools.cache
def _preset_problem(name: str) -> Problem:
    return _build(_read_named(name), {})


def _build(d: dict, changes: dict) -> Problem:
    args = dict(
        mu=d["mu"], positions=d["positions"], labels=d["labels"], metric=d["metric"],
        constraint=d["constraint"], label_cost=d.get("label_cost", 1.0), name=d["name"],
        description=d["description"],
    )
    args.update(changes)
    return Problem.from_arrays(**args)


def preset_info(name: str) -> PresetInfo:
    """Title, description, provenance and eps range of a preset."""
    d = _read(name)
    e = d["eps"]
    return PresetInfo(d["name"], d["title"], d["description"], d["provenance"], e["min"], e["max"], e["default"])
