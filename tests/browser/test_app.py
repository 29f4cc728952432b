"""The real app in Chromium: every page draws without an exception, the eps slider writes the URL and moves
h* to the engine's value, the link reproduces the view for a new visitor, lecture mode hides the controls,
and a bad cell typed into the table editor gets a sentence while the edit stays.

One server and one browser per pytest process (see conftest.py); the expected numbers come from the engine.
"""

from __future__ import annotations

import math
import re

import harness
import pytest
from playwright.sync_api import expect

import engine
from engine.information import label_entropy
from ui.state import eps_grid

pytestmark = pytest.mark.browser
WAIT = harness.RUN_MS


def h_star(preset: str, eps: float, digits: int = 4, **changes) -> str:
    """h* as the pages show it."""
    return f"{engine.worst_case(engine.load_preset(preset, **changes), eps).value:.{digits}f} nats"


def grid(preset: str) -> tuple[float, ...]:
    info = engine.preset_info(preset)
    return eps_grid(info.eps_min, info.eps_max)


def nearest(values, eps: float) -> float:
    return min(values, key=lambda e: abs(e - eps))


def eps_in_url(url: str) -> float | None:
    found = re.search(r"[?&]eps=([^&]+)", url)
    return float(found.group(1)) if found else None


def press_eps(page, to: float) -> None:
    """Move the eps slider one step right with the keyboard (as a user tabbing to it would), to ``to``.

    Callers first wait for what the previous action must show: a rerun still on its way could redraw the
    slider (a new example brings a new range) and swallow the key press.
    """
    thumb = harness.eps_thumb(page)
    thumb.focus()
    harness.rerun_after(page, lambda: page.keyboard.press("ArrowRight"))
    expect(thumb).to_have_attribute("aria-valuetext", f"{to:.3g}")
    page.wait_for_url(lambda url: eps_in_url(url) is not None and math.isclose(eps_in_url(url), to, abs_tol=1e-9),
                      timeout=WAIT)


@pytest.mark.parametrize("name", list(harness.PAGES))
def test_every_page_draws_without_an_exception(page, server, name):
    harness.open_view(page, server, name)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlert")).to_have_count(0)
    charts = harness.PAGES[name][3]
    if charts:
        expect(page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot .main-svg').first).to_be_visible()
        assert page.locator('[data-testid="stPlotlyChart"]').count() == charts
    else:
        expect(page.get_by_test_id("stGraphVizChart")).to_be_visible()
    expect(page.get_by_text("verified, gap").first).to_be_visible()
    harness.screenshot(page, harness.ARTIFACTS / f"{name}.png", full_page=True)


# page -> (the metric that shows h* or a value of h*, the page's preset, how to compute it from h*)
SLIDER_PAGES = {
    "worst-case": ("h* = max H(Y|X')", "figure2", lambda h, p: f"{h:.4f} nats"),
    "overview": ("maximin: best perturbation's H(Y|X')", "figure2", lambda h, p: f"{h:.6f} nats"),
    "privacy": ("least leakage I(Y;Z)", "binary-source",
                lambda h, p: f"{label_entropy(engine.load_preset(p).mu) - h:.4f} nats"),
}


@pytest.mark.parametrize("name", list(SLIDER_PAGES))
def test_eps_slider_updates_the_url_and_the_value_and_the_link_reproduces_it(page, new_page, server, name):
    label, preset, show = SLIDER_PAGES[name]
    values = grid(preset)
    start = nearest(values, engine.preset_info(preset).eps_default)
    harness.open_view(page, server, name)
    assert eps_in_url(page.url) is None  # the default is not written
    value = harness.metric(page, label)
    expect(value).to_have_text(show(engine.worst_case(engine.load_preset(preset), start).value, preset))

    moved = values[values.index(start) + 1]
    press_eps(page, moved)  # the URL has eps=<moved>
    want = show(engine.worst_case(engine.load_preset(preset), moved).value, preset)
    expect(value).to_have_text(want, timeout=WAIT)
    assert want != show(engine.worst_case(engine.load_preset(preset), start).value, preset)

    visitor = new_page()  # a new browser context: nothing shared but the link
    harness.open_view(visitor, page.url, name, base_is_url=True)
    expect(harness.metric(visitor, label)).to_have_text(want, timeout=WAIT)
    expect(harness.eps_thumb(visitor)).to_have_attribute("aria-valuetext", f"{moved:.3g}")


def test_lecture_mode_hides_the_controls_but_keeps_eps(page, server):
    harness.open_view(page, server, "worst-case", "?lecture=1&preset=Binary+source%2C+Hamming+distortion&eps=0.2")
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    expect(page.get_by_test_id("stSelectbox")).to_have_count(0)
    expect(page.get_by_text("Example", exact=True)).to_be_hidden()
    thumb = harness.eps_thumb(page)
    expect(thumb).to_have_attribute("aria-valuetext", "0.2")
    expect(harness.metric(page, "h* = max H(Y|X')")).to_have_text(h_star("binary-source", 0.2))
    press_eps(page, grid("binary-source")[17])  # eps still works, in the main area
    assert "lecture=1" in page.url
    expect(harness.metric(page, "h* = max H(Y|X')")).to_have_text(h_star("binary-source", grid("binary-source")[17]))
    harness.screenshot(page, harness.ARTIFACTS / "lecture-worst-case.png")


def test_overview_lecture_link_shows_the_chosen_example(page, new_page, server):
    """Pick an example and eps on the overview, follow 'Open this view in lecture mode': the same numbers."""
    harness.open_view(page, server, "overview")
    page.get_by_test_id("stSelectbox").filter(has_text="Example").click()
    harness.rerun_after(page, page.get_by_role("option", name=engine.preset_info("label-noise").title).click)
    values = grid("label-noise")  # its default 0.5 lies between grid points: the slider starts at the nearest
    start = nearest(values, engine.preset_info("label-noise").eps_default)
    maximin = harness.metric(page, "maximin: best perturbation's H(Y|X')")
    expect(maximin).to_have_text(h_star("label-noise", start, 6), timeout=WAIT)
    expect(harness.eps_thumb(page)).to_have_attribute("aria-valuetext", f"{start:.3g}")
    eps = values[values.index(start) + 1]
    press_eps(page, eps)
    want = h_star("label-noise", eps, 6)
    expect(maximin).to_have_text(want, timeout=WAIT)
    link = page.get_by_role("link", name="Open this view in lecture mode")
    expect(link).to_have_attribute("href", re.compile(rf"[?&]eps={eps:g}(&|$)"))
    href = link.get_attribute("href")
    assert "lecture=1" in href and "preset=" in href, href

    lecture = new_page()
    harness.open_view(lecture, f"{server}/{href}", "overview", base_is_url=True)
    expect(lecture.get_by_test_id("stSelectbox")).to_have_count(0)
    expect(harness.metric(lecture, "maximin: best perturbation's H(Y|X')")).to_have_text(want, timeout=WAIT)


def test_sidebar_navigation_keeps_each_pages_own_example(page, server):
    """From the overview (figure2) to the privacy page: it opens on its own example, the binary source."""
    harness.open_view(page, server, "overview")
    harness.rerun_after(page, page.get_by_test_id("stSidebarNav").get_by_role("link", name="Privacy-utility").click)
    assert re.search(r"/privacy(\?|$)", page.url), page.url
    harness.wait_for_view(page, "privacy")
    leak = label_entropy(engine.load_preset("binary-source").mu) - engine.worst_case(
        engine.load_preset("binary-source"), 0.1).value
    expect(harness.metric(page, "least leakage I(Y;Z)")).to_have_text(f"{leak:.4f} nats", timeout=WAIT)


def edit_cell(page, row: int, column: int, text: str) -> None:
    """Type into a cell of the table editor (a canvas grid): select the cell, Enter opens its editor."""
    box = page.get_by_test_id("data-grid-canvas").bounding_box()
    marker, header, row_height = 33, 36, 35  # the row-marker column and the header, in CSS pixels
    width = (box["width"] - marker) / 6  # x and five label columns share the width
    x, y = box["x"] + marker + width * (column + 0.5), box["y"] + header + row_height * (row + 0.5)
    page.mouse.click(x, y)  # the first click may only focus the grid (after another control had the focus)
    page.wait_for_timeout(600)  # not a double click
    page.mouse.click(x, y)
    cell = page.locator("input.gdg-input, textarea.gdg-input")
    page.wait_for_timeout(200)
    if not cell.count():
        page.keyboard.press("Enter")
    cell.fill(text, timeout=10_000)
    harness.rerun_after(page, lambda: cell.press("Enter"))
    expect(cell).to_have_count(0)


def test_a_bad_cell_typed_into_the_table_gets_a_sentence_and_stays(page, server):
    """The sentence names the cell; the edit survives reruns; eps survives the slip; fixing it restores h*."""
    start = engine.load_preset("stochastic-vs-deterministic")  # the editor's starting table
    table = engine.Problem.from_arrays(start.mu, positions=start.positions, labels=start.labels, metric="squared")
    want = f"{engine.worst_case(table, 4.4).value:.4f} nats"
    harness.open_view(page, server, "worst-case", "?source=My+own+table&eps=4.4")
    h = harness.metric(page, "h* = max H(Y|X')")
    expect(h).to_have_text(want)

    edit_cell(page, row=1, column=2, text="-0.1")  # x = 1, label '1'
    error = page.get_by_test_id("stAlert")
    sentence = "The entry for feature value 2 (x = 1), label '1' is negative (-0.1); every entry must be a probability."
    expect(error).to_have_text(sentence, timeout=WAIT)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    units = page.get_by_test_id("stSidebar").get_by_test_id("stRadio")
    harness.rerun_after(page, units.get_by_text("bits", exact=True).click)  # another rerun: the edit stays
    assert "units=bits" in page.url
    expect(error).to_have_text(sentence)
    harness.rerun_after(page, units.get_by_text("nats", exact=True).click)
    expect(harness.eps_thumb(page)).to_have_attribute("aria-valuetext", "4.4")

    edit_cell(page, row=1, column=2, text="0")  # the table is the starting one again
    expect(error).to_have_count(0, timeout=WAIT)
    expect(h).to_have_text(want, timeout=WAIT)
    expect(harness.eps_thumb(page)).to_have_attribute("aria-valuetext", "4.4")
