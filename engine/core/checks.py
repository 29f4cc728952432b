"""Every validator of the engine: a value in, the checked value out, or a ProblemError sentence naming it.

The public functions of the facade call these once, at the door; internals receive checked values and call
kernels (docs/design.md, "Layers"). True and False are not numbers here, though Python calls them 1 and 0:
a flag passed where a number belongs is a mistake to name, not to use.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from engine.errors import ProblemError

RULE_SUM_TOLERANCE = 1e-9


def check_real(value, what: str) -> float:
    """A finite float, or a ProblemError naming ``what``."""
    if isinstance(value, bool | np.bool_):
        raise ProblemError(f"{what} must be a number; got {value!r}.")
    try:
        x = float(value)
    except OverflowError:
        raise ProblemError(f"{what} must be finite; got a number too large for a float.") from None
    except (TypeError, ValueError):
        raise ProblemError(f"{what} must be a number; got {value!r}.") from None
    if not math.isfinite(x):
        raise ProblemError(f"{what} must be finite; got {x}.")
    return x


def check_eps(eps, what: str = "eps") -> float:
    """A budget must be a finite non-negative number."""
    value = check_real(eps, what)
    if value < 0:
        raise ProblemError(f"{what} must be non-negative; got {value:g}.")
    return value


def check_eps_values(eps_values, what: str = "eps") -> np.ndarray:
    """Validate a scalar or a 1-D sequence of budgets; return a 1-D float array."""
    arr = np.atleast_1d(np.asarray(eps_values, dtype=object))
    if arr.ndim != 1 or arr.size == 0:
        raise ProblemError(f"{what} must be a number or a non-empty list of numbers.")
    return np.array([check_eps(e, what) for e in arr], dtype=float)


def check_probability(p, what: str = "p") -> float:
    """p in [0, 1]."""
    x = check_real(p, what)
    if not 0.0 <= x <= 1.0:
        raise ProblemError(f"{what} must be a probability in [0, 1]; got {x:g}.")
    return x


def check_open_probability(p, what: str, purpose: str = "") -> float:
    """A probability strictly inside (0, 1); ``purpose`` (e.g. " for the Gaussian mechanism") ends the sentence."""
    x = check_probability(p, what)
    if not 0.0 < x < 1.0:
        raise ProblemError(f"{what} must be strictly between 0 and 1{purpose}; got {x:g}.")
    return x


def check_scores(p_a, p_b) -> tuple[float, float]:
    """Two classes' expected scores: each in [0, 1], summing to at most 1."""
    p_a, p_b = check_probability(p_a, "p_A"), check_probability(p_b, "p_B")
    if p_a + p_b > 1.0 + 1e-12:
        raise ProblemError(f"p_A + p_B = {p_a + p_b:g} exceeds 1; they are two different labels' scores.")
    return p_a, p_b


def check_delta(delta) -> float:
    """The DP delta of the Gaussian mechanism: 0 < delta < 1."""
    return check_open_probability(delta, "delta", " for the Gaussian mechanism")


def check_positive(value, what: str) -> float:
    """A finite number > 0."""
    x = check_real(value, what)
    if x <= 0:
        raise ProblemError(f"{what} must be positive; got {x:g}.")
    return x


def check_count(value, what: str, most: int | None = None) -> int:
    """A whole number >= 1, and <= ``most`` when given (an integral float such as 100.0 is accepted)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        n = int(value)
    else:
        x = check_real(value, what)
        if x != int(x):
            raise ProblemError(f"{what} must be a whole number; got {x:g}.")
        n = int(x)
    if n < 1:
        raise ProblemError(f"{what} must be at least 1; got {n}.")
    if most is not None and n > most:
        raise ProblemError(f"{what} must be at most {most}; got {n}.")
    return n


def check_seed(seed) -> int:
    """A seed for numpy.random.default_rng: a whole number >= 0."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ProblemError(f"seed must be a whole number >= 0; got {seed!r}.")
    return int(seed)


def check_two_numbers(value, what: str) -> tuple[float, float]:
    """Two finite numbers (not bools, not a string) as a tuple of floats."""
    try:
        if isinstance(value, str | bytes):
            raise TypeError
        items = tuple(value)
        if len(items) == 2:
            return check_real(items[0], what), check_real(items[1], what)
    except (TypeError, ProblemError):
        pass
    raise ProblemError(f"{what} must be two finite numbers; got {value!r}.")


def check_rule(q, n: int, m: int) -> np.ndarray:
    """A rule is an n-by-m table of finite non-negative rows summing to 1 (within 1e-9)."""
    try:
        a = np.array(q, dtype=float)
    except (TypeError, ValueError):
        raise ProblemError("The rule q must be a table of numbers.") from None
    if a.shape != (n, m):
        raise ProblemError(f"The rule q must be {n}-by-{m} (feature values by labels); it is {a.shape}.")
    bad = ~np.isfinite(a) | (a < 0)
    if bad.any():  # the first bad cell in reading order
        i, j = np.argwhere(bad)[0]
        raise ProblemError(f"Row {i + 1}, column {j + 1} of the rule q is {a[i, j]:g}; it must be in [0, 1].")
    sums = a.sum(axis=1)
    off = np.flatnonzero(np.abs(sums - 1) > RULE_SUM_TOLERANCE)
    if len(off):
        raise ProblemError(f"Row {off[0] + 1} of the rule q sums to {sums[off[0]]:.12g}, not 1.")
    return a
