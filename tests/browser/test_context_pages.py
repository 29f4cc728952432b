"""The two pages from the lecture notes in Chromium: robust statistics and concentration of measure. The main
slider writes the URL and moves the number to the engine's, the link reproduces the view for a new visitor,
lecture mode at 1920 x 1080 shows only that slider and the main chart without scrolling, and the sidebar leads
from one page to the other and back with each page's own view.

One server and one browser per pytest process (see conftest.py); the expected numbers come from the engine.
(Every page drawing without an exception, with its green check, is test_app.py's test over harness.PAGES.)
"""

from __future__ import annotations

import math
import re

import harness
import pytest
from playwright.sync_api import expect

from engine.context.concentration import cap_expansion
from engine.context.robust_statistics import corruption_study
from ui.widgets import percent

pytestmark = pytest.mark.browser
WAIT = harness.RUN_MS
LECTURE = {"width": 1920, "height": 1080}

def mean_error(n: int, eps: float, trim: float, shift: float) -> str:
    """The sample mean's error as the robust-statistics page shows it (200 samples, seed 0: its defaults)."""
    return f"{corruption_study(n, eps, shift, trim=trim, repeats=200, seed=0).summary('mean')[0]:.3f}"


# page -> (the main slider's label and URL key, the other sliders' labels, the metric it moves, that metric from the
# sliders' values: the other ones, then the main one; the hidden controls at their defaults)
PAGES = {
    "robust-statistics": (
        "Bump location S (drag it away)", "bump",
        ("Samples n", "Corrupted fraction eps", "Trimmed mean: cut at each end"), "sample mean",
        lambda n, eps, trim, s: mean_error(int(n), eps, trim, s)),
    "concentration-of-measure": (
        "Expansion radius delta (Euclidean)", "radius",
        ("Dimension d (the sphere S^(d-1) in R^d)", "Measure of the set E (an error rate)"), "exact sigma(E_delta)",
        lambda d, p, delta: percent(cap_expansion(int(d), p, delta).expansion, 3)),
}


def thumb(page, label: str):
    """The thumb of the slider labelled ``label``."""
    return page.locator('[data-testid="stSlider"]').filter(has_text=label).locator(
        'input[type="range"], [role="slider"]').first


def slider_value(page, label: str) -> float:
    return float(thumb(page, label).input_value())


def param_in_url(url: str, key: str) -> float | None:
    found = re.search(rf"[?&]{key}=([^&]+)", url)
    return float(found.group(1)) if found else None


def press_right(page, label: str, key: str) -> float:
    """One step right on the slider, with the keyboard; wait for the URL to carry the new value; return it."""
    start = slider_value(page, label)
    thumb(page, label).focus()
    harness.rerun_after(page, lambda: page.keyboard.press("ArrowRight"))
    moved = slider_value(page, label)
    assert moved > start
    page.wait_for_url(lambda url: param_in_url(url, key) is not None
                      and math.isclose(param_in_url(url, key), moved, abs_tol=1e-9), timeout=WAIT)
    return moved


@pytest.mark.parametrize("name", list(PAGES))
def test_main_slider_updates_the_url_and_the_value_and_the_link_reproduces_it(page, new_page, server, name):
    label, key, others, shown, show = PAGES[name]
    harness.open_view(page, server, name)
    assert param_in_url(page.url, key) == slider_value(page, label)  # in the link at its default too
    fixed = [slider_value(page, other) for other in others]
    value = harness.metric(page, shown)
    expect(value).to_have_text(show(*fixed, slider_value(page, label)))
    before = value.inner_text()

    moved = press_right(page, label, key)
    want = show(*fixed, moved)
    assert want != before
    expect(value).to_have_text(want, timeout=WAIT)

    visitor = new_page()  # a new browser context: nothing shared but the link
    harness.open_view(visitor, page.url, name, base_is_url=True)
    expect(harness.metric(visitor, shown)).to_have_text(want, timeout=WAIT)
    assert math.isclose(slider_value(visitor, label), moved, abs_tol=1e-9)


LECTURE_LINKS = {
    "robust-statistics": ("?lecture=1&sample_size=100&eps_poison=0.2&bump=30&trim=0.2", (100, 0.2, 0.2)),
    "concentration-of-measure": ("?lecture=1&dim=400&measure=0.6&radius=0.05", (400, 0.6)),
}


@pytest.mark.parametrize("name", list(LECTURE_LINKS))
def test_lecture_mode_shows_the_main_slider_and_chart_without_scrolling(browser, server, name):
    label, key, _, shown, show = PAGES[name]
    query, hidden = LECTURE_LINKS[name]
    context = harness.new_context(browser, LECTURE)
    try:
        page = context.new_page()
        harness.open_view(page, server, name, query)
        expect(page.get_by_test_id("stSidebar")).to_be_hidden()
        expect(page.locator('[data-testid="stSlider"]')).to_have_count(1)
        expect(page.get_by_test_id("stSelectbox")).to_have_count(0)
        value = harness.metric(page, shown)
        expect(value).to_have_text(show(*hidden, slider_value(page, label)))
        chart = page.locator('.st-key-main_chart [data-testid="stPlotlyChart"]').bounding_box()
        assert chart["y"] >= 0 and chart["y"] + chart["height"] <= LECTURE["height"], chart  # no scrolling
        moved = press_right(page, label, key)  # the main slider still works, and the link keeps lecture mode
        assert "lecture=1" in page.url
        expect(value).to_have_text(show(*hidden, moved), timeout=WAIT)
        harness.screenshot(page, harness.ARTIFACTS / f"lecture-{name}.png")
    finally:
        context.close()


def test_sidebar_leads_from_one_page_to_the_other_and_back(page, server):
    """Move the bump, follow the sidebar to Concentration of measure: it opens on its own defaults, none of the
    other page's controls in its link; follow it back: Robust statistics shows the moved bump again, in its link
    too (the session keeps each page's controls)."""
    label, key, others, shown, show = PAGES["robust-statistics"]
    harness.open_view(page, server, "robust-statistics")
    fixed = [slider_value(page, other) for other in others]
    moved = press_right(page, label, key)
    nav = harness.nav(page)
    harness.rerun_after(page, nav.get_by_role("link", name="Concentration of measure").click)
    assert re.search(r"/concentration-of-measure(\?|$)", page.url) and "bump=" not in page.url, page.url
    harness.wait_for_view(page, "concentration-of-measure")
    c_label, _, c_others, c_shown, c_show = PAGES["concentration-of-measure"]
    expect(harness.metric(page, c_shown)).to_have_text(
        c_show(*[slider_value(page, o) for o in c_others], slider_value(page, c_label)), timeout=WAIT)
    harness.rerun_after(page, nav.get_by_role("link", name="Robust statistics").click)
    harness.wait_for_view(page, "robust-statistics")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(harness.metric(page, shown)).to_have_text(show(*fixed, moved), timeout=WAIT)
    assert math.isclose(slider_value(page, label), moved, abs_tol=1e-9)
    page.wait_for_url(lambda url: param_in_url(url, key) is not None
                      and math.isclose(param_in_url(url, key), moved, abs_tol=1e-9), timeout=WAIT)


PHONE = {"width": 390, "height": 844}
LAYOUT_VIEWS = {"lecture": (LECTURE, "?lecture=1"), "phone": (PHONE, "")}
LAYOUT_PAGES = ("concentration-of-measure", "robust-statistics", "robustness-vs-accuracy")
SLACK = 2  # px: rounding of the browser's boxes
BOXES_JS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].map(chart => {
  const box = e => { const r = e.getBoundingClientRect();
                     return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
  const parts = [];
  for (const [selector, kind] of [['.gtitle', 'title'], ['.xtitle', 'x title'], ['.ytitle', 'y title'],
                                  ['.legend rect.bg', 'legend'], ['.annotation-text', 'label']]) {
    for (const e of chart.querySelectorAll(selector)) {
      const b = box(e);
      if (b.right - b.left > 0 && b.bottom - b.top > 0) parts.push({kind, text: e.textContent.slice(0, 60), ...b});
    }
  }
  return {chart: box(chart.querySelector('.main-svg')), parts};
})"""


def _chart_boxes(page) -> list[dict]:
    """Every chart's box and the boxes of its title, axis titles, legend and labels, once Plotly's automargin
    redraws have settled (two reads 300 ms apart agree)."""
    before = page.evaluate(BOXES_JS)
    for _ in range(20):
        page.wait_for_timeout(300)
        now = page.evaluate(BOXES_JS)
        if now == before:
            return now
        before = now
    return now


def _overlap(a: dict, b: dict) -> bool:
    return (min(a["right"], b["right"]) - max(a["left"], b["left"]) > SLACK
            and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > SLACK)


def _collisions(charts: list[dict]) -> list[str]:
    """What lies outside its chart, or over another text of the chart (the title, the axis titles, the legend and
    the labels of the plot, each against every other)."""
    found = []
    for i, c in enumerate(charts):
        box, parts = c["chart"], c["parts"]
        for p in parts:
            if (p["left"] < box["left"] - SLACK or p["top"] < box["top"] - SLACK
                    or p["right"] > box["right"] + SLACK or p["bottom"] > box["bottom"] + SLACK):
                found.append(f"chart {i}: the {p['kind']} {p['text']!r} is cut off: {p} outside {box}")
        for j, a in enumerate(parts):
            for b in parts[j + 1:]:
                if _overlap(a, b):
                    found.append(f"chart {i}: the {a['kind']} {a['text']!r} overlaps the {b['kind']} {b['text']!r}")
    return found


@pytest.mark.parametrize("view", list(LAYOUT_VIEWS))
@pytest.mark.parametrize("name", LAYOUT_PAGES)
def test_chart_titles_axis_titles_legends_and_labels_neither_overlap_nor_clip(browser, server, name, view):
    """In lecture mode (text of 22 px and more) at 1920 x 1080 and on a 390 px phone, no chart's title, axis title,
    legend or label runs into another or out of the chart (the y title into the chart title, the x title into a
    legend placed under the plot, the estimators' labels into each other)."""
    viewport, query = LAYOUT_VIEWS[view]
    context = harness.new_context(browser, viewport)
    try:
        page = context.new_page()
        harness.open_view(page, server, name, query)
        charts = _chart_boxes(page)
        assert len(charts) >= harness.PAGES[name][3]
        assert all(any(p["kind"] == "title" for p in c["parts"]) for c in charts)  # the selectors still find them
        collisions = _collisions(charts)
        if collisions:
            harness.screenshot(page, harness.ARTIFACTS / "failures" / f"layout-{view}-{name}.png", full_page=True)
        assert not collisions, "\n".join(collisions)
    finally:
        context.close()
