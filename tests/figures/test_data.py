"""figures.data on real engine results: the regions are the rules' argmax with one frame per budget, the attack
figure is nu* - mu, the curves are the analysis's numbers, and hostile labels stay text."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from figures.data import attack_figure, describe_limits, describe_regions, limits_figure, regions_figure

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def analysis():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(90, 2))
    y = np.where(x[:, 0] > 0.3, HOSTILE, np.where(x[:, 1] > 0, "a&b", "c"))
    p = engine.from_samples(x, y, bins=6, cost="l2")
    return p, engine.data_limits(p, [0.0, 0.2, 0.5], models=["logistic", "knn"])


def test_regions_are_each_rules_argmax_one_frame_per_budget(analysis, strings):
    p, d = analysis
    rules = [s.q for s in d.saddles]
    fig = regions_figure(p.binning, d.eps, rules, d.models["knn"].classifier, "k-NN")
    assert [f.name for f in fig.frames] == ["0", "0.2", "0.5"]
    for frame, q in zip(fig.frames, rules, strict=True):
        z = np.asarray(frame.data[0].z)
        np.testing.assert_array_equal(z, np.argmax(q, axis=1).reshape(6, 6).T)
    model = [t for t in fig.data if t.type == "heatmap"][1]
    np.testing.assert_array_equal(np.asarray(model.z), np.argmax(d.models["knn"].classifier, axis=1).reshape(6, 6).T)
    samples = [t for t in fig.data if t.type == "scatter"]
    assert sum(len(t.x) for t in samples) == 2 * 90  # the samples on both panels
    text = strings(fig)
    assert HOSTILE not in text and any("&lt;img" in s for s in text)
    assert "6 by 6 grid" in describe_regions(p.binning, d.eps, "k-NN")


def test_the_attack_figure_is_nu_minus_mu(analysis):
    p, d = analysis
    nu = d.perturbed(2)
    fig = attack_figure(p.binning, nu, p.mu, 0.5)
    assert len(fig.data) == p.m
    for k, trace in enumerate(fig.data):
        np.testing.assert_allclose(np.asarray(trace.z), (nu - p.mu)[:, k].reshape(6, 6).T)
        assert trace.zmin == -trace.zmax


def test_the_curves_are_the_analysis_numbers(analysis):
    p, d = analysis
    fig = limits_figure(d, "bits", 1 / np.log(2), eps=0.2)
    ideal = [t for t in fig.data if t.name and t.name.startswith("ideal h*")][0]
    np.testing.assert_allclose(ideal.y, d.h_star / np.log(2))
    knn = [t for t in fig.data if t.name == "k-nearest neighbours"]
    np.testing.assert_allclose(knn[0].y, d.models["knn"].loss / np.log(2))
    np.testing.assert_allclose(knn[1].y, d.models["knn"].error)
    assert "lie above them" in describe_limits(d, "bits", 1 / np.log(2))


def test_one_dimensional_pictures():
    p = engine.from_samples(engine.load_dataset("iris"), features=[3], bins=10)
    d = engine.data_limits(p, [0.0, 0.3], models=["naive_bayes"])
    fig = regions_figure(p.binning, d.eps, [s.q for s in d.saddles])
    assert len(fig.frames) == 2 and np.asarray(fig.data[0].z).shape == (1, 10)
    bars = attack_figure(p.binning, d.perturbed(1), p.mu, 0.3)
    assert [t.type for t in bars.data] == ["bar"] * 3
