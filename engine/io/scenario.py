"""Scenario files: a whole problem as JSON (``engine.formats.scenario``), built into a ``Problem`` and back."""

from __future__ import annotations

from engine.core.problem import Problem
from engine.formats.scenario import dump_scenario, read_scenario


def problem_to_json(problem: Problem) -> str:
    """The scenario file of ``problem``: :meth:`Problem.to_dict` as JSON text, one table row per line."""
    return dump_scenario(problem.to_dict())


def problem_from_json(source) -> Problem:
    """Build a :class:`Problem` from scenario JSON: text (``str``), bytes or a stream (not a path).

    Bad files raise ``ProblemError``; values are then checked by :meth:`Problem.from_arrays`."""
    return Problem.from_arrays(**read_scenario(source))
