"""Shared set-up for the figure tests: small engine results, hostile labels, and a walk over a figure's text.

The figures are built from real engine results (presets and small eps grids, so the folder stays fast);
nothing here imports Streamlit.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import engine

HOSTILE = "<img src=x onerror=alert(1)>"
BOLD = "a&b <b>bold</b>"


def figure_strings(fig) -> list[str]:
    """Every string in the figure's JSON, decoded.

    ``fig.to_json()`` itself writes < and > as \\u003c and \\u003e (plotly.io makes its JSON safe inside a
    <script> tag), so a raw-substring search of it would pass even for an unescaped label; the decoded
    strings are what plotly.js reads and draws."""
    out: list[str] = []

    def walk(node):
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                out.append(key)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(fig.to_json()))
    return out


@pytest.fixture(scope="session")
def strings():
    """``figure_strings`` as a fixture (conftest helpers are not importable under --import-mode=importlib)."""
    return figure_strings


@pytest.fixture(scope="session")
def figure2():
    return engine.load_preset("figure2")


@pytest.fixture(scope="session")
def hostile_problem():
    """Three feature values, two labels whose names are HTML: a user's CSV could hold them."""
    mu = np.array([[0.3, 0.1], [0.1, 0.2], [0.2, 0.1]])
    return engine.Problem.from_arrays(mu, positions=[0.0, 1.0, 2.0], labels=[HOSTILE, BOLD], metric="abs")


@pytest.fixture(scope="session")
def hostile_worst(hostile_problem):
    return engine.worst_case(hostile_problem, 0.5)
