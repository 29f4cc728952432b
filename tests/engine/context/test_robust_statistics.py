"""Robust statistics under corruption in one dimension (engine.context.robust_statistics): the mean's error is
unbounded as the bump moves while the median's stays below a computed constant; the worst placements against brute
force over every choice of replaced points; the MAD's ceiling against random corruptions; breakdown points;
seeded Monte Carlo with confidence intervals.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.stats import median_abs_deviation, trim_mean

from engine.context.robust_statistics import (
    ESTIMATORS,
    breakdown_curve,
    breakdown_points,
    bump,
    corrupted_count,
    corruption_study,
    estimate,
    interval,
    shift_sweep,
    worst_case_errors,
)
from engine.errors import ProblemError

SHIFTS = np.concatenate([-np.logspace(12, -1, 14), [0.0], np.logspace(-1, 12, 14)])


def clean_sample(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(n)


# -- the bump: unbounded mean, bounded median --------------------------------------------------------------
@pytest.mark.parametrize(("n", "eps"), [(11, 0.1), (100, 0.05), (200, 0.3), (1000, 0.45)])
def test_the_means_error_follows_the_bump_to_infinity(n, eps):
    clean = clean_sample(n, n)
    k = corrupted_count(n, eps)
    errors = np.array([estimate(bump(clean, k, s))["mean"] for s in SHIFTS[SHIFTS > 0]])
    rest = clean[k:].sum() / n
    np.testing.assert_allclose(errors, k / n * SHIFTS[SHIFTS > 0] + rest, rtol=1e-12, atol=1e-12)  # linear in S
    assert errors[-1] > 1e10 * k / n  # unbounded: 1e12 away, the mean is 1e12 k / n away
    assert np.all(np.diff(errors) > 0)
    assert np.isinf(worst_case_errors(clean, eps)["mean"])


@pytest.mark.parametrize(("n", "eps"), [(11, 0.1), (100, 0.05), (200, 0.3), (1000, 0.45), (1001, 0.49)])
def test_the_medians_error_stays_below_its_computed_constant(n, eps):
    """Wherever the bump goes (1e12 away, inside the data, on either side), the median moves less than the sup of
    worst_case_errors: the order statistic x_(k + m) of the clean sample, a finite number."""
    clean = clean_sample(n, n + 1)
    k = corrupted_count(n, eps)
    constant = float(worst_case_errors(clean, eps)["median"])
    assert math.isfinite(constant)
    xs = np.sort(clean)
    m = (n + 1) // 2 if n % 2 else n // 2
    if n % 2:  # odd n: the median's sup is the k-th order statistic beyond the middle, on the worse side
        assert constant == pytest.approx(max(xs[m - 1 + k], -xs[m - 1 - k]))
    errors = [abs(float(np.median(bump(clean, k, s)))) for s in SHIFTS]
    assert max(errors) <= constant + 1e-12
    assert max(errors) >= 0.5 * constant  # a far bump on the worse side nearly reaches it


def test_trimmed_mean_is_bounded_only_while_eps_is_at_most_the_trim():
    clean = clean_sample(200, 5)
    assert math.isfinite(worst_case_errors(clean, 0.1, trim=0.1)["trimmed"])
    assert np.isinf(worst_case_errors(clean, 0.15, trim=0.1)["trimmed"])
    far = [float(trim_mean(bump(clean, corrupted_count(200, 0.15), s), 0.1)) for s in (1e3, 1e6, 1e9)]
    assert far[2] > 1e6 * far[0] / 1e3 / 2  # past the trim the bump drags it along, linearly


# -- the worst placement, exactly ------------------------------------------------------------------------
@pytest.mark.parametrize(("n", "k", "trim"), [(7, 1, 0.15), (7, 2, 0.3), (8, 3, 0.4), (9, 2, 0.25), (6, 2, 0.2)])
def test_worst_placement_against_brute_force(n, k, trim):
    """Every choice of k replaced points, each put at a value from a grid (far on both sides, and among the data):
    the largest error equals the sup the engine computes for the median and the trimmed mean (far values stand in
    for +-infinity; they are beyond every data point, where the estimates no longer change)."""
    clean = clean_sample(n, 10 * n + k)
    eps = k / n
    sup = worst_case_errors(clean, eps, trim=trim)
    values = np.concatenate([[-1e9, 1e9], clean, clean + 0.01])
    placements = np.array(list(itertools.combinations_with_replacement(values, k)))
    best = {"median": 0.0, "trimmed": 0.0}
    for replaced in itertools.combinations(range(n), k):
        keep = np.broadcast_to(np.delete(clean, replaced), (len(placements), n - k))
        x = np.concatenate([keep, placements], axis=1)
        best["median"] = max(best["median"], float(np.abs(np.median(x, axis=1)).max()))
        best["trimmed"] = max(best["trimmed"], float(np.abs(trim_mean(x, trim, axis=1)).max()))
    for name, value in best.items():
        if math.isinf(sup[name]):
            assert value > 1e8
        else:
            assert value == pytest.approx(float(sup[name]), rel=1e-12, abs=1e-12), name


@pytest.mark.parametrize(("n", "eps"), [(9, 0.2), (30, 0.1), (31, 0.4), (200, 0.25)])
def test_mad_never_exceeds_its_computed_ceiling(n, eps):
    """Random corruptions (random subsets; far, clustered, spread and mid-sample placements) stay within the MAD's
    ceiling max(upper - sigma, sigma - lower)."""
    rng = np.random.default_rng(n)
    clean = rng.standard_normal(n)
    k = corrupted_count(n, eps)
    ceiling = float(worst_case_errors(clean, eps)["mad"])
    assert math.isfinite(ceiling)
    worst = 0.0
    for trial in range(1500):
        x = clean.copy()
        idx = rng.choice(n, size=k, replace=False)
        kind = trial % 4
        if kind == 0:
            x[idx] = rng.choice([-1, 1]) * 10.0 ** rng.uniform(0, 9)
        elif kind == 1:
            x[idx] = np.median(clean) + rng.normal(0, 1e-3, k)  # implode the deviations
        elif kind == 2:
            x[idx] = rng.choice([-1, 1], k) * 10.0 ** rng.uniform(0, 6, k)  # split far on both sides
        else:
            x[idx] = rng.uniform(clean.min(), clean.max(), k)
        worst = max(worst, abs(float(median_abs_deviation(x, scale="normal")) - 1.0))
    assert worst <= ceiling + 1e-12


# -- breakdown points ----------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [10, 11, 101])
def test_breakdown_points_are_where_the_sup_becomes_infinite(n):
    trim = 0.2
    b = breakdown_points(n, trim)
    assert b["mean"].k == b["std"].k == 1 and b["mean"].asymptotic == 0.0
    assert b["median"].k == b["mad"].k == math.ceil(n / 2) and b["median"].asymptotic == 0.5
    assert b["trimmed"].k == math.floor(trim * n) + 1 and b["trimmed"].asymptotic == trim
    clean = clean_sample(n, 3)
    for name in ("median", "trimmed", "mad", "mean", "std"):
        k = b[name].k
        if k - 1 < n / 2:
            below = worst_case_errors(clean, (k - 1) / n, trim=trim)[name]
            assert math.isfinite(below), (name, k - 1)
        if k / n < 0.5:
            assert np.isinf(worst_case_errors(clean, k / n, trim=trim)[name]), (name, k)
        assert b[name].fraction == k / n


def test_breakdown_curve_is_finite_exactly_below_each_breakdown_point():
    eps = np.round(np.arange(0, 0.5, 0.01), 2)
    c = breakdown_curve(101, eps, trim=0.2, repeats=30, seed=4)
    assert np.array_equal(c.k, np.floor(eps * 101 + 1e-9).astype(int))
    for name in ESTIMATORS:
        finite = np.isfinite(c.worst[name])
        np.testing.assert_array_equal(finite, c.k < c.breakdown[name].k, err_msg=name)
    for name in ("median", "trimmed"):  # more corruption, a larger sup
        w = c.worst[name][np.isfinite(c.worst[name])]
        assert np.all(np.diff(w) >= -1e-12), name
    assert c.status == "estimate" and set(c.value) == set(ESTIMATORS)


# -- Monte Carlo ------------------------------------------------------------------------------------------
def test_corruption_study_is_seeded_and_its_intervals_cover_the_truth():
    """No corruption: E|mean - mu| = sigma sqrt(2 / (pi n)); the 95 % interval over 4000 repetitions holds it, and
    the same seed gives the same study."""
    s = corruption_study(50, 0.0, 0.0, repeats=4000, seed=11)
    m, lo, hi = s.summary("mean")
    truth = math.sqrt(2 / (math.pi * 50))
    assert lo <= truth <= hi and hi - lo < 0.1 * truth
    again = corruption_study(50, 0.0, 0.0, repeats=4000, seed=11)
    assert all(np.array_equal(s.errors[k], again.errors[k]) for k in ESTIMATORS)
    assert s.status == "estimate" and set(s.value) == set(ESTIMATORS)


def test_corruption_study_bump_and_worst_placement():
    s = corruption_study(200, 0.1, 50.0, repeats=100, seed=0)
    assert s.k == 20 and len(s.sample) == 200 and np.sum(s.sample == 50.0) == 20
    assert s.estimates["mean"] == pytest.approx(float(np.mean(s.sample)))
    assert s.summary("mean")[0] == pytest.approx(5.0, abs=0.05)  # (k / n) S
    assert s.summary("median")[0] < 0.3 and s.summary("mad")[0] < 0.4
    assert s.summary("std")[0] > 10
    assert np.isinf(s.summary("mean", "worst")[0]) and np.isinf(s.summary("std", "worst")[0])
    for name in ("median", "trimmed", "mad"):
        assert np.all(s.errors[name] <= s.worst[name] + 1e-12), name


def test_shift_sweep_mean_linear_median_flat():
    shifts = np.linspace(0, 100, 11)
    w = shift_sweep(100, 0.2, shifts, repeats=200, seed=1)
    slope = np.polyfit(shifts[3:], w.mean["mean"][3:], 1)[0]
    assert slope == pytest.approx(0.2, rel=1e-3)
    assert np.ptp(w.mean["median"][3:]) < 1e-12  # beyond the data, the bump's place no longer matters
    assert w.mean["median"].max() <= w.worst["median"] and math.isfinite(w.worst["median"])
    assert np.all(w.low["median"] <= w.mean["median"]) and np.all(w.mean["median"] <= w.high["median"])
    assert np.isinf(w.worst["mean"])


def test_interval_is_a_student_t_interval():
    v = np.array([1.0, 2.0, 3.0, 4.0])
    m, lo, hi = interval(v)
    assert m == 2.5 and hi - m == pytest.approx(3.182446305284263 * np.std(v, ddof=1) / 2)
    assert interval([np.inf, 1.0]) == (np.inf, np.inf, np.inf)


@pytest.mark.parametrize(("call", "words"), [
    (lambda: corruption_study(100, 0.5, 1.0), "eps must be below 1/2"),
    (lambda: corruption_study(1, 0.1, 1.0), "n must be at least 2"),
    (lambda: corruption_study(10.5, 0.1, 1.0), "n must be a whole number; got 10.5"),
    (lambda: corruption_study(100, 0.1, "far"), "shift must be a number; got 'far'"),
    (lambda: corruption_study(100, 0.1, 1.0, trim=0.6), "trim must be below 1/2"),
    (lambda: corruption_study(100, 0.1, 1.0, sigma=0), "sigma must be positive"),
    (lambda: corruption_study(100, 0.1, 1.0, seed=1.5), "seed must be a whole number >= 0"),
    (lambda: shift_sweep(10**5, 0.1, range(100), repeats=100), "more than the limit"),
])
def test_bad_input_gets_a_sentence(call, words):
    with pytest.raises(ProblemError) as err:
        call()
    assert words in str(err.value)
