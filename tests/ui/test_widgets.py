"""ui.widgets' number formatting: values in the chosen units, never '-0.0000'."""

from __future__ import annotations

import math

import pytest

from ui.widgets import amount


@pytest.mark.parametrize("value", [-1e-12, -4e-5, 0.0, -0.0, 4e-5])
def test_tiny_values_show_as_zero_without_a_sign(value):
    assert amount(value, "nats") == "0.0000 nats"


def test_units_and_digits():
    assert amount(math.log(2), "bits") == "1.0000 bits"
    assert amount(0.6365141574, "nats", 6) == "0.636514 nats"
    assert amount(-0.25, "nats") == "-0.2500 nats"  # a real negative number keeps its sign
