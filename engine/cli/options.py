"""What the solver's commands share: the problem options, reading the problem, budgets and JSON tables."""

from __future__ import annotations

import argparse

import numpy as np

from engine.core.budgets import parse_budgets
from engine.core.checks import check_eps, check_real
from engine.core.information import to_units
from engine.core.metrics import metric_or_file
from engine.core.problem import Problem
from engine.errors import ProblemError
from engine.io.presets import load_preset


def add_problem_options(p: argparse.ArgumentParser) -> None:
    """--preset | --mu, and the metric, constraint and label-cost overrides."""
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--preset", help="a named problem (see 'python -m engine presets')")
    source.add_argument("--mu", metavar="FILE", help="a CSV table: header x,<label 1>,...; rows: position, m masses")
    p.add_argument("--metric", help="abs | squared | hamming | a CSV file with a custom n-by-n cost")
    p.add_argument("--constraint", choices=("expected", "max", "joint"), help="the kind of constraint set D(eps)")
    p.add_argument("--label-cost", type=float, metavar="K", help="kappa, the price of a label change (joint kind)")
    p.add_argument("--normalise", action="store_true", help="divide the table by its sum instead of rejecting it")
    p.add_argument("--units", choices=("nats", "bits"), default="nats")


def add_json_option(p: argparse.ArgumentParser) -> None:
    """--json: print JSON instead of text."""
    p.add_argument("--json", action="store_true", help="print JSON")


def load_problem(args) -> Problem:
    """The Problem the options describe."""
    changes = {}
    if args.metric is not None:
        changes["metric"] = metric_or_file(args.metric)
    if args.constraint is not None:
        changes["constraint"] = args.constraint
    if args.label_cost is not None:
        changes["label_cost"] = args.label_cost
    if args.preset is not None:
        return load_preset(args.preset, normalise=args.normalise, **changes)
    changes.setdefault("metric", "squared")
    changes.setdefault("constraint", "expected")
    return Problem.from_csv(args.mu, normalise=args.normalise, **changes)


def parse_eps(text: str) -> float:
    """A single non-negative budget."""
    return check_eps(text, "--eps")


def parse_whole(text, what: str, least: int = 0) -> int:
    """A whole number >= ``least`` (a seed, a count that may be 0), or a sentence naming the option."""
    x = check_real(text, what)
    if x != int(x) or x < least:
        raise ProblemError(f"{what} must be a whole number >= {least}; got {text!r}.")
    return int(x)


def parse_range(text: str, what: str) -> np.ndarray:
    """A grid A:B:N (N points from A to B) or a comma-separated list of budgets (``engine.core.budgets``)."""
    return parse_budgets(text, what)


def rows(table: np.ndarray, units: str | None = None) -> list:
    """A table as JSON-ready nested lists, converted to ``units`` when given."""
    return (to_units(table, units) if units else table).tolist()
