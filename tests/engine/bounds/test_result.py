"""One result protocol (engine.bounds.result): every certified result at one budget extends ``Certified`` (eps,
certificate, status, method, message) instead of repeating those fields, and its status is a ``Status``."""

from __future__ import annotations

import dataclasses

import pytest

import engine
from engine import Certificate, Certified, Status

PUBLIC_RESULTS = [getattr(engine, name) for name in engine.__all__
                  if isinstance(getattr(engine, name), type) and dataclasses.is_dataclass(getattr(engine, name))]


@pytest.mark.parametrize("cls", PUBLIC_RESULTS, ids=lambda c: c.__name__)
def test_a_result_with_one_certificate_extends_certified(cls):
    fields = {f.name: f for f in dataclasses.fields(cls)}
    if "certificate" not in fields or cls is Certified:
        return
    assert issubclass(cls, Certified), f"{cls.__name__} repeats the certified fields instead of extending Certified"
    own = set(cls.__annotations__)
    assert not own & {"eps", "certificate", "status", "method", "message"}, (cls.__name__, own)


def test_clean_versus_robust_carries_the_solve_it_came_from():
    p = engine.load_preset("figure2")
    c, w = engine.clean_vs_robust(p, 0.5), engine.worst_case(p, 0.5)
    assert isinstance(c, Certified) and isinstance(c.status, Status) and isinstance(c.certificate, Certificate)
    assert (c.eps, c.status, c.method) == (w.eps, w.status, w.method) and c.method
    assert c.certificate.lower == w.certificate.lower and c.h_star == w.value
