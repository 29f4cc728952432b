"""Shared figures (ui/figcache.py), in the page's style and in the hall's, and the Explore pages' lazy boxes and
handout button: what makes a first load and a move cheap must not change what a student sees."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import plotly.io as pio
import plotly.tools
import pytest

import engine
from figures.tables import table_heatmap
from figures.tradeoff import clean_robust_bars
from ui import figcache

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "views"))


@pytest.fixture
def case():
    p = engine.load_preset("figure2")
    return p, engine.worst_case(p, 0.5)


def test_a_shared_figure_is_what_streamlit_would_have_sent(case):
    p, w = case
    built = table_heatmap(w.nu, p.positions, p.labels, "nu", "nu*")
    frozen = figcache.shared(table_heatmap, w.nu, p.positions, p.labels, "nu", "nu*")
    as_sent = plotly.tools.return_figure_from_figure_or_data(frozen, validate_figure=True)  # st.plotly_chart's path
    assert json.loads(pio.to_json(as_sent, validate=False)) == json.loads(pio.to_json(built, validate=False))


def test_equal_arguments_share_one_figure_and_others_do_not(case):
    p, w = case
    figcache.clear()
    a = figcache.shared(table_heatmap, w.nu, p.positions, p.labels, "nu", "nu*")
    b = figcache.shared(table_heatmap, w.nu.copy(), tuple(p.positions), tuple(p.labels), "nu", "nu*")
    c = figcache.shared(table_heatmap, w.q, p.positions, p.labels, "nu", "nu*")
    d = figcache.shared(table_heatmap, w.nu, p.positions, p.labels, "nu", "nu*", zmax=1.0)
    assert a is b and a is not c and a is not d
    assert figcache.stats()["hits"] == 1 and figcache.stats()["figures"] == 3


def test_results_and_units_are_part_of_the_key(case):
    p, w = case
    cvr = engine.clean_vs_robust(p, 0.5)
    assert figcache.shared(clean_robust_bars, cvr, "nats") is not figcache.shared(clean_robust_bars, cvr, "bits")
    other = engine.clean_vs_robust(p, 1.0)
    assert figcache.shared(clean_robust_bars, cvr, "nats") is not figcache.shared(clean_robust_bars, other, "nats")


def test_arguments_it_cannot_digest_build_as_before(case):
    p, w = case
    calls = []

    def builder(thing):
        calls.append(thing)
        return table_heatmap(w.nu, p.positions, p.labels, "nu", "nu*")

    thing = object()
    figcache.shared(builder, thing)
    figcache.shared(builder, thing)
    assert calls == [thing, thing]


def test_the_store_is_bounded(case, monkeypatch):
    p, w = case
    monkeypatch.setattr(figcache, "_STORE", figcache._Store(3, figcache.MAX_BYTES))
    for k in range(5):
        figcache.shared(table_heatmap, w.nu * (k + 1), p.positions, p.labels, "nu", "nu*")
    assert figcache.stats()["figures"] == 3


def test_the_store_is_bounded_in_bytes_least_recently_used_first(case, monkeypatch):
    p, w = case
    one = len(pio.to_json(table_heatmap(w.nu, p.positions, p.labels, "nu", "nu*"), validate=False))
    monkeypatch.setattr(figcache, "_STORE", figcache._Store(1000, int(2.5 * one)))
    first = figcache.shared(table_heatmap, w.nu, p.positions, p.labels, "nu", "nu*")
    assert first._frozen_bytes == one
    figcache.shared(table_heatmap, w.nu * 2, p.positions, p.labels, "nu", "nu*")
    assert figcache.shared(table_heatmap, w.nu, p.positions, p.labels, "nu", "nu*") is first  # now the most recent
    figcache.shared(table_heatmap, w.nu * 3, p.positions, p.labels, "nu", "nu*")  # the x2 figure goes, not the first
    stats = figcache.stats()
    assert stats["figures"] == 2 and stats["bytes"] <= 2.5 * one
    assert figcache.shared(table_heatmap, w.nu, p.positions, p.labels, "nu", "nu*") is first
    assert figcache.shared(table_heatmap, w.nu * 2, p.positions, p.labels, "nu", "nu*") is not None
    assert figcache.stats()["misses"] == 4


def test_a_figure_larger_than_the_whole_bound_is_drawn_but_not_kept(case, monkeypatch):
    p, w = case
    monkeypatch.setattr(figcache, "_STORE", figcache._Store(1000, 100))
    fig = figcache.shared(table_heatmap, w.nu, p.positions, p.labels, "nu", "nu*")
    assert fig.to_dict()["data"] and figcache.stats() == {"hits": 0, "misses": 1, "figures": 0, "bytes": 0}


@pytest.mark.parametrize("theme", ["projector", "dark"])
def test_lecture_mode_gets_the_hall_style_of_a_shared_figure_and_the_page_keeps_its_own(case, theme):
    from figures.style import for_hall

    p, w = case
    figcache.clear()
    page = figcache.shared(table_heatmap, w.nu, p.positions, p.labels, "nu", "nu*")
    before = json.dumps(page.to_dict(), sort_keys=True)
    hall = figcache.for_hall_shared(page, theme, 540)
    expected = for_hall(table_heatmap(w.nu, p.positions, p.labels, "nu", "nu*"), theme, 540)
    assert hall.to_dict() == json.loads(pio.to_json(expected, validate=False))
    assert hall.to_dict()["layout"]["meta"] == {"hall": theme} and hall.to_dict()["layout"]["height"] == 540
    assert json.dumps(page.to_dict(), sort_keys=True) == before  # the shared page figure is untouched
    assert figcache.for_hall_shared(page, theme, 540) is hall  # styled once for every session
    assert figcache.for_hall_shared(page, theme, None) is not hall


def test_a_figure_not_from_the_store_is_styled_in_place(case):
    p, w = case
    fig = table_heatmap(w.nu, p.positions, p.labels, "nu", "nu*")
    assert figcache.for_hall_shared(fig, "projector") is fig and fig.layout.meta == {"hall": "projector"}


def test_a_frozen_figure_of_a_resource_cache_is_styled_as_a_copy(case):
    p, w = case
    frozen = figcache.freeze(table_heatmap(w.nu, p.positions, p.labels, "nu", "nu*"))
    before = json.dumps(frozen.to_dict(), sort_keys=True)
    hall = figcache.for_hall_shared(frozen, "dark", 500)
    assert hall.layout.meta == {"hall": "dark"} and hall.layout.height == 500
    assert json.dumps(frozen.to_dict(), sort_keys=True) == before


def test_explore_pages_send_the_code_and_the_animation_only_when_opened():
    from pagekit import WORST_CASE, open_page

    at = open_page(WORST_CASE)
    assert not at.code and len(at.get("plotly_chart")) == 6
    assert [b for b in at.get("download_button") if b.proto.label == "Download as a standalone page"]
    at.session_state["reproduce"] = True
    at.run()
    assert "engine.worst_case(p, 0.5)" in at.code[0].value and at.code[1].value.startswith("python -m engine solve")
    # the handout button stays while the box is open (it follows the box, whose code is then drawn)
    assert [b for b in at.get("download_button") if b.proto.label == "Download as a standalone page"]


def test_a_stamped_result_keeps_its_digest_through_pickling_and_differs_from_another():
    """ui/compute.py stamps what its caches return; the stamp survives st.cache_data's pickling, so each
    session's copy is looked up by one string (not walked), and different content gets a different stamp."""
    import pickle

    p = engine.load_preset("figure2")
    a, b = engine.clean_vs_robust(p, 0.5), engine.clean_vs_robust(p, 1.0)
    again = pickle.loads(pickle.dumps(engine.clean_vs_robust(p, 0.5)))
    for result in (a, b, again):
        figcache.stamped(result)
    copy = pickle.loads(pickle.dumps(a))
    assert copy.__dict__[figcache.STAMP] == a.__dict__[figcache.STAMP] == again.__dict__[figcache.STAMP]
    assert a.__dict__[figcache.STAMP] != b.__dict__[figcache.STAMP]
    assert figcache.digest(clean_robust_bars, (copy, "nats"), {}) == figcache.digest(clean_robust_bars, (a, "nats"), {})
    assert figcache.digest(clean_robust_bars, (a, "nats"), {}) != figcache.digest(clean_robust_bars, (b, "nats"), {})
    figcache.clear()
    assert figcache.shared(clean_robust_bars, copy, "nats") is figcache.shared(clean_robust_bars, a, "nats")


def test_content_it_cannot_digest_is_left_unstamped():
    import dataclasses

    @dataclasses.dataclass(frozen=True)
    class Odd:
        thing: object

    odd = figcache.stamped(Odd(object()))
    assert figcache.STAMP not in odd.__dict__
