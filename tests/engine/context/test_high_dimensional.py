"""Robust means in d dimensions (engine.context.high_dimensional): the mean's error grows like eps sqrt(d), fitted on
the simulation against the closed form E|err|^2 = d ((eps c)^2 + (1 - eps) sigma^2 / n); the coordinate-wise median
too; the spectral filter removes the bump and stays near the clean points' own mean.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import ndtri

from engine.context.high_dimensional import (
    HIGH,
    dimension_sweep,
    filtered_mean,
    fit_sqrt_d,
    mean_coefficient,
    robust_mean,
)
from engine.errors import ProblemError

DIMS = (2, 4, 8, 16, 32, 64, 128)


@pytest.fixture(scope="module")
def sweep():
    return dimension_sweep(2000, 0.1, DIMS, repeats=8, seed=0)


def test_the_means_error_grows_like_eps_sqrt_d(sweep):
    """Fitted on the simulation: log-log slope 1/2, and err = a eps sqrt(d) with a the closed form's
    sqrt(c^2 + (1 - eps) sigma^2 / (n eps^2)) (c = 1: the bump at sigma sqrt(d), each coordinate off by sigma)."""
    fit = sweep.fit
    assert fit.exponent == pytest.approx(0.5, abs=3 * fit.exponent_se + 0.01)
    assert fit.expected == pytest.approx(mean_coefficient(2000, 0.1)) == pytest.approx(math.sqrt(1 + 0.9 / 20))
    assert fit.coefficient == pytest.approx(fit.expected, abs=4 * fit.coefficient_se + 0.01 * fit.expected)
    mean = sweep.summary("mean")[0]
    big = sweep.dims >= 8  # below, 8 repetitions leave the noise part's spread visible
    np.testing.assert_allclose(mean[big] / (0.1 * np.sqrt(sweep.dims[big])), fit.expected, rtol=0.05)


def test_the_error_is_proportional_to_eps():
    """Doubling eps doubles the mean's error (the sampling part aside), in high dimension."""
    errs = [dimension_sweep(4000, eps, (64, 128, 256), repeats=4, seed=2).fit.coefficient * eps for eps in (0.1, 0.2)]
    assert errs[1] / errs[0] == pytest.approx(2.0, rel=0.03)


def test_squared_error_closed_form():
    n, eps, d = 500, 0.2, 50
    errs = np.array([robust_mean(n, eps, d, math.sqrt(d), seed=s).mean_error for s in range(400)])
    expected = d * ((eps * 1.0) ** 2 + (1 - eps) / n)
    se = np.std(errs**2, ddof=1) / math.sqrt(len(errs))
    assert abs(np.mean(errs**2) - expected) <= 4 * se


def test_coordinatewise_median_also_moves_by_order_eps_sqrt_d(sweep):
    """Each coordinate's median moves to the 1 / (2 (1 - eps)) quantile of N(0, 1): the error is about
    Phi^{-1}(1 / (2 (1 - eps))) sqrt(d) (the sampling error aside)."""
    per_coordinate = float(ndtri(1 / (2 * 0.9)))
    median = sweep.summary("median")[0]
    np.testing.assert_allclose(median / np.sqrt(sweep.dims), per_coordinate, rtol=0.12)


def test_the_filter_removes_the_bump_and_does_not_grow_like_eps_sqrt_d(sweep):
    """From d = 32 on (where the bump's variance eps (1 - eps) d stands out) the filter removes every corrupted point
    and keeps the clean ones: its error is the clean points' own mean's, sigma sqrt(d / n), far below eps sqrt(d)."""
    big = sweep.dims >= 32
    filt, clean, mean = (sweep.summary(name)[0] for name in ("filter", "clean", "mean"))
    np.testing.assert_allclose(filt[big], clean[big], rtol=0.02)
    assert np.all(filt[big] < 0.35 * mean[big])
    r = robust_mean(2000, 0.1, 64, 8.0, seed=3)
    assert r.filter_removed_corrupted == r.corrupted == 200 and r.filter_removed_clean <= 10
    assert r.filter_rounds >= 2


def test_the_filter_leaves_clean_data_alone():
    x = np.random.default_rng(4).standard_normal((3000, 40))
    f = filtered_mean(x, 0.1)
    assert f.kept.sum() >= 2990
    assert np.linalg.norm(f.mean - x.mean(axis=0)) < 0.02


def test_robust_mean_is_seeded_and_reports_every_estimator():
    a, b = robust_mean(300, 0.1, 20, 5.0, seed=9), robust_mean(300, 0.1, 20, 5.0, seed=9)
    assert a == b and a.corrupted == 30 and set(a.value) == set(HIGH) and a.status == "estimate"
    assert robust_mean(300, 0.1, 20, 5.0, seed=10) != a
    # one dimension: the median is the ordinary median
    one = robust_mean(301, 0.1, 1, 7.0, seed=1)
    x = np.random.default_rng(1).standard_normal((301, 1))
    x[:30] = 7.0
    assert one.median_error == pytest.approx(abs(float(np.median(x))))
    assert one.mean_error == pytest.approx(abs(float(np.mean(x))))


def test_fit_needs_three_dimensions_and_corruption():
    with pytest.raises(ProblemError, match="at least three dimensions"):
        fit_sqrt_d([1, 2], [0.1, 0.2], 0.1)
    fit = fit_sqrt_d([1, 4, 16], [0.1, 0.2, 0.4], 0.1)
    assert fit.exponent == pytest.approx(0.5) and fit.coefficient == pytest.approx(1.0)
    assert dimension_sweep(200, 0.0, (1, 2, 4), repeats=2).fit is None


@pytest.mark.parametrize(("call", "words"), [
    (lambda: robust_mean(100, 0.6, 2, 1.0), "eps must be below 1/2"),
    (lambda: robust_mean(100, 0.1, 0, 1.0), "dim must be at least 1"),
    (lambda: robust_mean(100, 0.1, 5000, 1.0), "dim must be at most 2000"),
    (lambda: robust_mean(100, 0.1, 2, float("inf")), "shift must be finite"),
    (lambda: robust_mean(100, 0.1, 2, 1.0, seed=-3), "seed must be a whole number >= 0"),
    (lambda: robust_mean(100_000, 0.1, 2000, 1.0), "more than the limit"),
    (lambda: filtered_mean(np.zeros(5), 0.1), "n-by-d array"),
])
def test_bad_input_gets_a_sentence(call, words):
    with pytest.raises(ProblemError) as err:
        call()
    assert words in str(err.value)
