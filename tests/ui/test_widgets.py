"""ui.widgets' number formatting: values in the chosen units, never '-0.0000'."""

from __future__ import annotations

import math

import pytest

from engine.bounds.result import Certificate
from ui.widgets import amount, badge_text, bounded, interval, percent


@pytest.mark.parametrize("value", [-1e-12, -4e-5, 0.0, -0.0, 4e-5])
def test_tiny_values_show_as_zero_without_a_sign(value):
    assert amount(value, "nats") == "0.0000 nats"


def test_units_and_digits():
    assert amount(math.log(2), "bits") == "1.0000 bits"
    assert amount(0.6365141574, "nats", 6) == "0.636514 nats"
    assert amount(-0.25, "nats") == "-0.2500 nats"  # a real negative number keeps its sign


def test_interval_is_a_number_only_when_exact():
    assert interval(0.61, 0.64, True, "nats") == "0.6100 nats"
    assert interval(0.61, 0.64, False, "nats") == "0.6100 to 0.6400 nats"
    assert interval(-1e-9, math.log(2), False, "bits", 2) == "0.00 to 1.00 bits"


def test_bounded_follows_the_certificate_status():
    certificate = Certificate(0.61, 0.64)
    assert bounded(certificate, "verified", "nats") == "0.6100 nats"
    for status in ("approximate", "failed"):
        assert bounded(certificate, status, "nats") == "0.6100 to 0.6400 nats"


@pytest.mark.parametrize(("value", "text"), [(0.97724, "97.72 %"), (-1e-7, "0.00 %"), (1.0, "100.00 %")])
def test_percent(value, text):
    assert percent(value) == text


@pytest.mark.parametrize(("lower", "upper", "text"), [
    (1.25, 1.25, "verified: bounds within rounding (they meet)"),
    (1.2284, math.nextafter(math.nextafter(1.2284, 2), 2), "verified: bounds within rounding (they meet)"),
    (0.5, 0.5 + 3e-8, "verified: bounds within 3.0e-08 nats"),
    (0.0, 1e-15, "verified: bounds within 1.0e-15 nats"),
])
def test_the_badge_says_bounds_meet_only_to_rounding(lower, upper, text):
    assert badge_text(Certificate(lower, upper), "verified", "nats") == text
