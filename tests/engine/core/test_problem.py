"""Problem.from_arrays and check_eps: every bad input gives one ProblemError that names the bad cell or value."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.core.checks import check_eps, check_eps_values
from engine.core.problem import ZERO_MASS, Problem
from engine.errors import ProblemError

MU = [[0.1, 0.2], [0.3, 0.4]]


def error(call, *args, **kwargs) -> str:
    """The message of the ProblemError that call(*args, **kwargs) raises."""
    with pytest.raises(ProblemError) as info:
        call(*args, **kwargs)
    message = str(info.value)
    assert message.endswith(".") and "\n" not in message and "Traceback" not in message
    return message


# -- a valid problem --------------------------------------------------------------------------
def test_valid_table_builds_with_defaults():
    p = Problem.from_arrays(MU)
    assert p.mu.shape == (2, 2) and (p.n, p.m) == (2, 2)
    assert p.positions == (1.0, 2.0) and p.labels == ("1", "2")
    assert p.metric == "squared" and p.constraint == "expected"
    np.testing.assert_array_equal(p.cost, [[0.0, 1.0], [1.0, 0.0]])


def test_arrays_are_read_only_copies():
    mu = np.array(MU)
    p = Problem.from_arrays(mu)
    mu[0, 0] = 0.5
    assert p.mu[0, 0] == 0.1
    with pytest.raises(ValueError):
        p.mu[0, 0] = 0.2
    with pytest.raises(ValueError):
        p.cost[0, 1] = 0.0


def test_named_metrics_and_case():
    xs = [0.0, 0.5, 2.0]
    mu = np.full((3, 1), 1 / 3)
    np.testing.assert_array_equal(Problem.from_arrays(mu, xs, metric=" ABS ").cost[0], [0.0, 0.5, 2.0])
    np.testing.assert_array_equal(Problem.from_arrays(mu, xs, metric="squared").cost[0], [0.0, 0.25, 4.0])
    np.testing.assert_array_equal(Problem.from_arrays(mu, xs, metric="hamming").cost, 1 - np.eye(3))


# -- entries of the table ---------------------------------------------------------------------
def test_negative_entry_is_named():
    msg = error(Problem.from_arrays, [[0.5, -0.1], [0.3, 0.3]], labels=["cat", "dog"], positions=[1, 7])
    # one way of naming a cell: its row as a spreadsheet numbers it (header row 1), the feature value, the column
    assert "The entry in row 2 (x = 1), column 'dog' is negative (-0.1)" in msg


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_entry_is_named(bad):
    msg = error(Problem.from_arrays, [[0.5, 0.5], [bad, 0.0]])
    assert "row 3 (x = 2), column '1'" in msg and str(bad) in msg and "finite" in msg


def test_non_numeric_entry_is_named():
    msg = error(Problem.from_arrays, [[0.5, 0.25], [0.25, "abc"]])
    assert "row 3 (x = 2), column '2'" in msg and "'abc'" in msg and "not a number" in msg


def test_integer_beyond_the_float_range():
    assert "row 2 (x = 1), column '2' of the table mu is too large" in error(Problem.from_arrays, [[0, 10**400]])
    assert "row 3, column 'x' is not finite" in error(Problem.from_arrays, MU, positions=[0, 10**400])
    assert "must be finite" in error(check_eps, 10**400)


def test_table_not_summing_to_one():
    msg = error(Problem.from_arrays, [[0.5, 0.4]])
    assert "sums to 0.9" in msg and "1e-9" in msg


def test_sum_tolerance_is_1e_minus_9():
    Problem.from_arrays([[0.5, 0.5 + 5e-10]])
    assert "sums to" in error(Problem.from_arrays, [[0.5, 0.5 + 5e-9]])


def test_normalise_only_when_asked():
    assert "sums to 4" in error(Problem.from_arrays, [[1.0, 3.0]])
    p = Problem.from_arrays([[1.0, 3.0]], normalise=True)
    np.testing.assert_array_equal(p.mu, [[0.25, 0.75]])


def test_normalise_needs_positive_mass():
    assert "sums to 0" in error(Problem.from_arrays, [[0.0, 0.0]], normalise=True)


def test_masses_below_1e_minus_15_become_exact_zeros():
    tiny = 0.5 * ZERO_MASS
    p = Problem.from_arrays([[0.5, tiny], [0.5 - tiny, ZERO_MASS]])
    assert p.mu[0, 1] == 0.0 and not math.copysign(1.0, p.mu[0, 1]) < 0
    assert p.mu[1, 1] == ZERO_MASS  # the threshold itself is kept


def test_negative_zero_becomes_zero():
    p = Problem.from_arrays([[1.0, -0.0]])
    assert math.copysign(1.0, p.mu[0, 1]) == 1.0


# -- shapes -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("mu", "words"),
    [
        ([0.5, 0.5], "1 dimension"),
        ([[[1.0]]], "3 dimension"),
        (1.0, "0 dimension"),
        ([], "1 dimension"),
        ([[]], "0 columns"),
        (np.zeros((0, 3)), "0 rows"),
        ([[0.5], [0.25, 0.25]], "2 entries in row 3 but 1 in row 2"),
        ("abc", "rectangular table of numbers"),
    ],
)
def test_wrong_or_empty_shape(mu, words):
    assert words in error(Problem.from_arrays, mu)


# -- positions --------------------------------------------------------------------------------
def test_wrong_number_of_positions():
    assert "3 positions for 2 feature values" in error(Problem.from_arrays, MU, positions=[1, 2, 3])


def test_positions_not_a_list():
    assert "list of 2 numbers" in error(Problem.from_arrays, MU, positions=5)


@pytest.mark.parametrize("metric", ["abs", "squared", "hamming"])
def test_non_numeric_position_is_named(metric):
    msg = error(Problem.from_arrays, MU, positions=[1, "b"], metric=metric)
    assert "The position in row 3, column 'x' is not a number: 'b'" in msg


def test_non_finite_position_is_named():
    msg = error(Problem.from_arrays, MU, positions=[1, math.inf])
    assert "row 3, column 'x'" in msg and "not finite" in msg


@pytest.mark.parametrize("metric", ["abs", "squared"])
def test_duplicate_positions_are_an_error_for_distance_metrics(metric):
    msg = error(Problem.from_arrays, [[0.2], [0.3], [0.5]], positions=[1, 4, 1], metric=metric)
    assert "Feature values 1 and 3" in msg and "same position 1" in msg


def test_duplicate_positions_are_fine_for_hamming_and_custom():
    mu = [[0.5], [0.5]]
    assert Problem.from_arrays(mu, positions=[1, 1], metric="hamming").cost[0, 1] == 1.0
    assert Problem.from_arrays(mu, positions=[1, 1], metric=[[0, 2], [3, 0]]).cost[1, 0] == 3.0


def test_positions_too_far_apart_for_a_float():
    msg = error(Problem.from_arrays, [[0.5], [0.5]], positions=[1e200, -1e200], metric="squared")
    assert "feature values 1 and 2" in msg and "too large" in msg


# -- labels, metric names, constraint ---------------------------------------------------------
@pytest.mark.parametrize(
    ("labels", "words"),
    [(["a"], "1 label names for 2"), (["a", " "], "Label 2 has an empty name"),
     (["a", " a"], "Labels 1 and 2 have the same name 'a'"), ("ab", "list of 2 names")],
)
def test_bad_labels(labels, words):
    assert words in error(Problem.from_arrays, MU, labels=labels)


def test_unknown_metric_and_constraint():
    assert "'euclid'" in error(Problem.from_arrays, MU, metric="euclid")
    assert "'minimax'" in error(Problem.from_arrays, MU, constraint="minimax")


@pytest.mark.parametrize("kappa", [-1.0, math.nan, math.inf, "cheap"])
def test_bad_label_cost(kappa):
    assert "kappa" in error(Problem.from_arrays, MU, constraint="joint", label_cost=kappa)


# -- custom metric ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("metric", "words"),
    [
        ([[0, 1, 2], [1, 0, 2]], "square; it has shape 2-by-3"),
        ([0, 1], "square; it has shape 2"),
        ([[0, 1, 1], [1, 0, 1], [1, 1, 0]], "3-by-3 but the table has 2"),
        ([[0, -1], [1, 0]], "distance at row 2 (x = 1), column '2' is negative (-1)"),
        ([[0.5, 1], [1, 0]], "distance at row 2 (x = 1), column '1' (from x = 1 to itself) is 0.5"),
        ([[0, 1], [math.nan, 0]], "distance at row 3 (x = 2), column '1' is nan"),
        ([[0, 1], ["far", 0]], "table of numbers"),
    ],
)
def test_bad_custom_metric(metric, words):
    assert words in error(Problem.from_arrays, MU, metric=metric)


def test_custom_metric_need_not_be_symmetric():
    p = Problem.from_arrays(MU, metric=np.array([[0.0, 1.0], [2.0, 0.0]]))
    assert p.metric == "custom" and p.cost[1, 0] == 2.0


# -- budgets ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("eps", "words"),
    [(-0.5, "non-negative; got -0.5"), (math.nan, "finite; got nan"), (math.inf, "finite; got inf"),
     ("big", "a number; got 'big'"), (None, "a number; got None")],
)
def test_bad_eps(eps, words):
    assert words in error(check_eps, eps)


def test_eps_values():
    assert check_eps(0) == 0.0 and isinstance(check_eps(1), float)
    np.testing.assert_array_equal(check_eps_values(0.5), [0.5])
    np.testing.assert_array_equal(check_eps_values([0, 1.5]), [0.0, 1.5])
    assert "non-negative" in error(check_eps_values, [0.1, -1])
    assert "non-empty" in error(check_eps_values, [])
    assert "eps_rule" in error(check_eps_values, [math.inf], "eps_rule")


# -- identity ---------------------------------------------------------------------------------
def test_key_and_equality():
    p = Problem.from_arrays(MU, labels=["a", "b"])
    same = Problem.from_arrays(np.array(MU), labels=("a", "b"), name="other", description="words")
    assert p.key == same.key and p == same and hash(p) == hash(same)
    assert Problem.from_arrays(MU, labels=["a", "c"]).key == p.key
    assert Problem.from_arrays(MU, labels=["a", "c"]) != p
    assert Problem.from_arrays(MU, constraint="max").key != p.key
    assert Problem.from_arrays(MU, metric="abs", positions=[0, 2]).key != Problem.from_arrays(MU, positions=[0, 2]).key


def test_label_cost_only_matters_for_joint():
    assert Problem.from_arrays(MU, label_cost=2).key == Problem.from_arrays(MU, label_cost=3).key
    a = Problem.from_arrays(MU, constraint="joint", label_cost=2)
    assert a.key != Problem.from_arrays(MU, constraint="joint", label_cost=3).key


def test_named_and_custom_metric_with_the_same_cost_are_equal():
    named = Problem.from_arrays(MU, positions=[0, 3], metric="abs")
    assert Problem.from_arrays(MU, positions=[0, 3], metric=[[0, 3], [3, 0]]) == named


def test_replace_validates_again():
    p = Problem.from_arrays(MU, labels=["a", "b"], metric="abs")
    q = p.replace(constraint="max")
    assert q.constraint == "max" and q.labels == p.labels and q.metric == "abs"
    assert "'bogus'" in error(p.replace, metric="bogus")


def test_to_dict_rebuilds_the_problem():
    for p in (Problem.from_arrays(MU, metric=[[0, 1], [2, 0]]), Problem.from_arrays(MU, constraint="joint")):
        d = p.to_dict()
        assert Problem.from_arrays(**d) == p
