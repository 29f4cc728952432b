"""Issue 15: ``load_preset(["figure2"])`` was an internal error (unhashable list); any non-name gets a sentence."""

from __future__ import annotations

import pytest
from bounded import within

import engine


@pytest.mark.parametrize("name", [["figure2"], None, 3, {"figure2": 1}, b"figure2"])
def test_a_preset_named_by_anything_but_text_gets_a_sentence(name):
    with pytest.raises(engine.ProblemError, match=r"^A preset is named by text \(one of figure2, "):
        within(5, engine.load_preset, name)
    with pytest.raises(engine.ProblemError, match="named by text"):
        within(5, engine.preset_info, name)
