"""engine.core.information against hand computations and scipy.stats.entropy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import entropy as scipy_entropy
from strategies import examples, tables

from engine.core.information import (
    NATS_PER_BIT,
    conditional_entropy,
    conditional_kl,
    cross_entropy,
    entropy,
    label_entropy,
    mutual_information,
    to_units,
)

LN2, LN3 = math.log(2), math.log(3)


def test_hand_computed_values():
    assert entropy([0.5, 0.5]) == pytest.approx(LN2, rel=1e-15)
    assert entropy([1.0, 0.0, 0.0]) == 0.0  # 0 log 0 = 0
    assert entropy([0.25] * 4) == pytest.approx(2 * LN2, rel=1e-15)
    assert entropy([0.5, 0.25, 0.25]) == pytest.approx(1.5 * LN2, rel=1e-15)
    # joint: X uniform on {0, 1}; Y = X when X = 0, Y uniform on {0, 1, 2} when X = 1
    joint = np.array([[0.5, 0.0, 0.0], [1 / 6, 1 / 6, 1 / 6]])
    assert conditional_entropy(joint) == pytest.approx(0.5 * LN3, rel=1e-14)
    py = np.array([2 / 3, 1 / 6, 1 / 6])
    assert label_entropy(joint) == pytest.approx(-np.sum(py * np.log(py)), rel=1e-14)
    assert mutual_information(joint) == pytest.approx(label_entropy(joint) - 0.5 * LN3, rel=1e-14)
    # independent X and Y: I = 0, H(Y|X) = H(Y)
    indep = np.outer([0.3, 0.7], [0.2, 0.5, 0.3])
    assert mutual_information(indep) == pytest.approx(0.0, abs=1e-15)
    assert conditional_entropy(indep) == pytest.approx(entropy([0.2, 0.5, 0.3]), rel=1e-14)
    # Y a function of X: H(Y|X) = 0, I = H(Y)
    assert conditional_entropy(np.diag([0.2, 0.3, 0.5])) == 0.0
    # a row of zeros (nu(x) = 0) contributes nothing
    assert conditional_entropy(np.array([[0.0, 0.0], [0.5, 0.5]])) == pytest.approx(LN2, rel=1e-15)


def test_hand_computed_divergences():
    joint = np.array([[0.25, 0.25], [0.5, 0.0]])
    q = np.array([[0.75, 0.25], [0.5, 0.5]])
    # row 0: nu(y|x) = (1/2, 1/2) against (3/4, 1/4), weight 1/2; row 1: (1, 0) against (1/2, 1/2), weight 1/2
    kl0 = 0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(0.5 / 0.25)
    kl1 = math.log(2)
    assert conditional_kl(joint, q) == pytest.approx(0.5 * kl0 + 0.5 * kl1, rel=1e-14)
    ce = -(0.25 * math.log(0.75) + 0.25 * math.log(0.25) + 0.5 * math.log(0.5))
    assert cross_entropy(joint, q) == pytest.approx(ce, rel=1e-14)
    # (8): L(nu, q) = H_nu(Y|X) + KL(nu_{Y|X} || q | nu_X)
    assert cross_entropy(joint, q) == pytest.approx(conditional_entropy(joint) + conditional_kl(joint, q), rel=1e-14)
    # q = 0 where nu > 0: infinite; q = 0 where nu = 0: harmless
    assert cross_entropy(joint, np.array([[1.0, 0.0], [1.0, 0.0]])) == math.inf
    assert conditional_kl(joint, np.array([[1.0, 0.0], [1.0, 0.0]])) == math.inf
    assert cross_entropy(joint, np.array([[0.5, 0.5], [1.0, 0.0]])) == pytest.approx(0.5 * LN2, rel=1e-15)
    assert conditional_kl(joint, np.array([[0.5, 0.5], [1.0, 0.0]])) == 0.0


@settings(max_examples=examples(100))
@given(tables(max_n=6, max_m=5), st.integers(0, 2**32 - 1))
def test_against_scipy_on_random_pmfs(mu, seed):
    rng = np.random.default_rng(seed)
    flat = mu.ravel()
    assert entropy(flat) == pytest.approx(scipy_entropy(flat), rel=1e-12, abs=1e-15)
    px, py = mu.sum(axis=1), mu.sum(axis=0)
    h_cond = sum(px[i] * scipy_entropy(mu[i] / px[i]) for i in range(len(px)) if px[i] > 0)
    assert conditional_entropy(mu) == pytest.approx(h_cond, rel=1e-10, abs=1e-14)
    assert label_entropy(mu) == pytest.approx(scipy_entropy(py), rel=1e-12, abs=1e-15)
    # I(X; Y) = KL(mu || px py) and chain rule H(X, Y) = H(X) + H(Y|X)
    mi = scipy_entropy(flat, np.outer(px, py).ravel())
    assert mutual_information(mu) == pytest.approx(mi, rel=1e-9, abs=1e-12)
    assert mutual_information(mu) >= -1e-12
    assert entropy(flat) == pytest.approx(entropy(px) + conditional_entropy(mu), rel=1e-12, abs=1e-14)
    # conditional KL against scipy's KL row by row, and (8)
    q = rng.dirichlet(np.ones(mu.shape[1]), size=mu.shape[0])
    kl = sum(px[i] * scipy_entropy(mu[i] / px[i], q[i]) for i in range(len(px)) if px[i] > 0)
    assert conditional_kl(mu, q) == pytest.approx(kl, rel=1e-9, abs=1e-12)
    assert cross_entropy(mu, q) == pytest.approx(conditional_entropy(mu) + kl, rel=1e-9, abs=1e-12)
    # bits
    assert to_units(entropy(flat), "bits") == pytest.approx(scipy_entropy(flat, base=2), rel=1e-12, abs=1e-15)


def test_units():
    assert NATS_PER_BIT == pytest.approx(LN2, rel=1e-16)
    assert to_units(LN2, "bits") == pytest.approx(1.0, rel=1e-15)
    assert to_units(1.234, "nats") == 1.234
    np.testing.assert_allclose(to_units(np.array([LN2, 2 * LN2, 0.0]), "bits"), [1.0, 2.0, 0.0], rtol=1e-15)
    assert to_units(math.inf, "bits") == math.inf
    assert to_units(entropy([0.125] * 8), "bits") == pytest.approx(3.0, rel=1e-15)
    with pytest.raises(ValueError, match="units"):
        to_units(1.0, "hartleys")
