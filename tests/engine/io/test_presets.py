"""engine.io.presets and data/: every named problem loads, documents itself and solves, and the files are
exactly what scripts/make_presets.py writes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from strategies import cond_entropy, label_entropy

import engine

ROOT = Path(__file__).resolve().parents[3]
EXPECTED = {"figure2", "stochastic-vs-deterministic", "binary-source", "uniform-5ary", "two-gaussians",
            "label-noise", "grid-2d"}
NAMES = sorted(EXPECTED)


def test_the_named_presets_are_all_there():
    names = engine.preset_names()
    assert set(names) == EXPECTED
    assert names[:2] == ("figure2", "stochastic-vs-deterministic")


@pytest.mark.parametrize("name", NAMES)
def test_preset_file_documents_itself(name):
    d = json.loads((ROOT / "data" / f"{name}.json").read_text())
    for key in ("title", "description", "provenance"):
        assert isinstance(d[key], str) and len(d[key].strip()) > 10, key
    e = d["eps"]
    assert 0 <= e["min"] <= e["default"] <= e["max"]
    info = engine.preset_info(name)
    assert (info.title, info.description, info.provenance) == (d["title"], d["description"], d["provenance"])
    assert (info.eps_min, info.eps_default, info.eps_max) == (e["min"], e["default"], e["max"])


@pytest.mark.parametrize("name", NAMES)
def test_preset_loads_and_its_default_budget_is_verified(name):
    p = engine.load_preset(name)
    assert isinstance(p, engine.Problem)
    assert p.mu.sum() == pytest.approx(1.0, abs=1e-9) and np.all(p.mu >= 0)
    w = engine.worst_case(p, engine.preset_info(name).eps_default)
    assert w.status == "verified" and w.certificate.gap <= 1e-6


def test_presets_are_up_to_date_with_their_script():
    result = subprocess.run([sys.executable, "scripts/make_presets.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_figure2_matches_the_papers_setting():
    """X = Y = {1..5}, squared distance, expected kind, H(Y) ~ 1.6 and H(Y|X) ~ 0.34 nats, full support."""
    p = engine.load_preset("figure2")
    assert p.mu.shape == (5, 5) and np.all(p.mu > 0)
    assert label_entropy(p.mu) == pytest.approx(1.60, abs=0.01)
    assert cond_entropy(p.mu) == pytest.approx(0.34, abs=0.01)
    assert (p.metric, p.constraint) == ("squared", "expected")
    assert p.positions == (1.0, 2.0, 3.0, 4.0, 5.0)


def test_stochastic_vs_deterministic_is_the_papers_example():
    p = engine.load_preset("stochastic-vs-deterministic")
    mu = np.zeros((5, 5))
    mu[[0, 2, 4], [0, 2, 4]] = 1 / 3
    assert np.allclose(p.mu, mu, atol=1e-15)
    assert (p.metric, p.constraint, p.positions) == ("abs", "max", (0.0, 1.0, 2.0, 3.0, 4.0))
    assert engine.preset_info("stochastic-vs-deterministic").eps_default == 1.0


def test_rate_distortion_presets_are_their_sources():
    binary = engine.load_preset("binary-source")
    assert np.allclose(binary.mu, [[0.7, 0.0], [0.0, 0.3]])
    uniform = engine.load_preset("uniform-5ary")
    assert np.allclose(uniform.mu, np.eye(5) / 5)
    assert binary.metric == uniform.metric == "hamming"


def test_unknown_preset_is_a_problem_error():
    with pytest.raises(engine.ProblemError, match="Unknown preset"):
        engine.load_preset("no-such-preset")


def test_a_preset_without_changes_is_built_once_and_cannot_be_changed():
    """Pages open their example on every rerun: the same immutable Problem each time; changes build a new one."""
    p = engine.load_preset("figure2")
    assert engine.load_preset("figure2") is p
    assert not p.mu.flags.writeable and not p.cost.flags.writeable
    with pytest.raises(ValueError):
        p.mu[0, 0] = 1.0
    joint = engine.load_preset("figure2", constraint="joint")
    assert joint is not p and joint.constraint == "joint" and p.constraint == "expected"
    assert engine.load_preset("figure2", constraint="joint") is not joint  # changes: built as asked, not shared
    with pytest.raises(engine.ProblemError, match="A preset is named by text"):
        engine.load_preset(3)
