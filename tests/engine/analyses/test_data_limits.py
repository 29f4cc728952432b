"""engine.data_limits: every model's exact worst-case cross-entropy and 0-1 error equal a HiGHS LP over the dense
plan (tests/engine/dense_lp.py), no model beats the ideal at any eps (h* and e* bound every rule from below), and
the pieces (models, a user's table, the separation) are the ones the data gives."""

from __future__ import annotations

import numpy as np
import pytest
from dense_lp import dense_rule_loss

import engine
from engine.analyses.data_models import MODELS, check_models, hard_rule, smoothed
from engine.errors import ProblemError


@pytest.fixture(scope="module")
def small():
    """Iris petals on a 5 x 5 grid: 75 cells, small enough for the dense LP."""
    p = engine.from_samples(engine.load_dataset("iris"), features=[2, 3], bins=5, cost="l2")
    return p, engine.data_limits(p, [0.0, 0.05, 0.2, 0.6, 1.5])


def test_each_model_equals_a_highs_lp(small):
    p, d = small
    assert set(d.models) == set(MODELS)
    for name, m in d.models.items():
        for k, e in enumerate(d.eps):
            assert m.loss[k] == pytest.approx(dense_rule_loss(p, m.rule, float(e)), abs=1e-8), (name, e)
            # the 0-1 error is the LP with the loss 1 - f: the rule exp(f - 1) has -log q = 1 - f
            assert m.error[k] == pytest.approx(dense_rule_loss(p, np.exp(m.classifier - 1.0), float(e)), abs=1e-8)


def test_one_dimensional_and_max_kind_models_equal_highs():
    p = engine.from_samples(engine.load_dataset("breast-cancer"), features=[0], bins=12, cost="l2",
                            constraint="max")
    d = engine.data_limits(p, [0.0, 0.2, 0.5], models=["logistic", "knn"])
    for m in d.models.values():
        for k, e in enumerate(d.eps):
            assert m.loss[k] == pytest.approx(dense_rule_loss(p, m.rule, float(e)), abs=1e-8)
            assert m.error[k] == pytest.approx(dense_rule_loss(p, np.exp(m.classifier - 1.0), float(e)), abs=1e-8)


@pytest.mark.parametrize("dataset, features, bins, cost", [
    ("iris", [2, 3], 20, "sql2"), ("wine", "pca", 12, "linf"), ("iris", [0], 25, "l2")])
def test_no_model_beats_the_ideal(dataset, features, bins, cost):
    p = engine.from_samples(engine.load_dataset(dataset), features=features, bins=bins, cost=cost)
    d = engine.data_limits(p, np.linspace(0, 1, 6))
    assert d.status == "verified"
    for s, e in zip(d.saddles, d.errors.points, strict=True):
        assert s.certificate.gap <= 1e-6 and e.certificate.gap <= 1e-6
    for name, m in d.models.items():
        assert np.all(m.loss >= d.h_star - 1e-9), name
        assert np.all(m.error >= d.robust_error - 1e-9), name
        loss_gap, error_gap = d.gap_to_ideal(name)
        assert np.all(loss_gap >= -1e-6) and np.all(error_gap >= -1e-9)
    # h* and e* grow with the budget
    assert np.all(np.diff(d.h_star) >= -1e-6) and np.all(np.diff(d.robust_error) >= -1e-9)


def test_a_users_table_is_a_rule_like_any_other(small):
    p, _ = small
    q = np.full((p.n, p.m), 1 / p.m)
    d = engine.data_limits(p, [0.0, 0.2], models=[], rules={"uniform": q})
    assert list(d.models) == ["uniform"] and d.models["uniform"].train_accuracy is None
    np.testing.assert_allclose(d.models["uniform"].loss, np.log(3))
    with pytest.raises(ProblemError, match="like a model"):
        engine.data_limits(p, [0.1], models=["knn"], rules={"knn": q})
    with pytest.raises(ProblemError, match="made from samples"):
        engine.data_limits(engine.load_preset("figure2"), [0.1])


def test_models_are_seeded_and_named():
    assert check_models("knn, boosting") == ("knn", "boosting")
    with pytest.raises(ProblemError, match="Unknown model 'svm'"):
        check_models(["svm"])
    q = np.array([[0.0, 1.0], [0.5, 0.5]])
    np.testing.assert_allclose(hard_rule(q), [[0, 1], [0.5, 0.5]])
    np.testing.assert_allclose(smoothed(q)[0], [0.0005, 0.9995])
    p = engine.from_samples(engine.load_dataset("iris"), features=[2, 3], bins=6)
    a, b = (engine.data_limits(p, [0.1], models=["boosting"]).models["boosting"].rule for _ in range(2))
    np.testing.assert_array_equal(a, b)


def test_separation_and_radius_of_the_data(small):
    p, d = small
    assert d.separation.l2 == 0.0  # iris has a versicolor and a virginica with the same petals
    assert d.samples_used == 150 and d.bins == (5, 5)
    w = engine.from_samples(engine.load_dataset("wine"), features=[0, 9], bins=10, cost="linf")
    dw = engine.data_limits(w, [0.0, 0.1], models=[])
    assert dw.separation.l2 > 0 and dw.radius.cost >= 0
    nu = dw.perturbed(1)
    assert nu.shape == (w.n, w.m) and nu.sum() == pytest.approx(1.0)
