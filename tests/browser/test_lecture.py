"""Lecture mode for a hall and the phone, in Chromium (issue 14): at 1920 x 1080 every page's main chart is on
screen without scrolling, every text of its charts is at least 22 px (read from the rendered SVG), headings and
headline numbers are big; the dark theme is dark; on a 390 x 844 phone a chart and the page's main control are on
screen at once. Screenshots of every page, normal and lecture at 1920 x 1080 and on the phone, are kept in
test-artifacts/browser/screenshots/ (scripts/screenshots.py refreshes the README's docs/*.png the same way).
"""

from __future__ import annotations

import harness
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
HALL = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
SHOTS = harness.ARTIFACTS / "screenshots"
# every non-empty text of every chart, with its rendered font size in CSS pixels
TEXT_SIZES = """root => [...root.querySelectorAll('.main-svg text')]
  .filter(t => t.textContent.trim() !== '' && t.getBBox().width > 0)
  .map(t => [t.textContent.trim(), parseFloat(getComputedStyle(t).fontSize)])"""


@pytest.fixture
def hall(browser):
    context = harness.new_context(browser, HALL)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser):
    context = harness.new_context(browser, PHONE)
    yield context.new_page()
    context.close()


def box(locator) -> dict:
    return locator.bounding_box()


@pytest.mark.parametrize("name", list(harness.PAGES))
def test_lecture_mode_fits_the_main_chart_on_a_1920_by_1080_screen_with_22_px_text(hall, server, name):
    harness.open_view(hall, server, name, "?lecture=1")
    hall.mouse.move(0, 0)
    main = hall.locator('.st-key-main_chart [data-testid="stPlotlyChart"]')
    expect(main).to_have_count(1)
    chart = box(main)
    assert chart["y"] >= 0 and chart["x"] >= 0, chart
    assert chart["y"] + chart["height"] <= HALL["height"], f"the main chart ends at {chart['y'] + chart['height']}"
    assert chart["x"] + chart["width"] <= HALL["width"], chart
    assert hall.evaluate("document.querySelector('[data-testid=stMain]')?.scrollTop ?? 0") == 0
    small = [(text, size) for text, size in main.evaluate(TEXT_SIZES) if size < 22]
    assert not small, small
    for other in hall.locator('[data-testid="stPlotlyChart"]').all():  # every chart of the page, not only the main
        small = [(text, size) for text, size in other.evaluate(TEXT_SIZES) if size < 22]
        assert not small, small
    axis_colour = main.locator(".xtick text").first.evaluate("t => getComputedStyle(t).fill")
    assert axis_colour in ("rgb(0, 0, 0)", "#000000"), axis_colour  # dark axis text on the projector theme
    title = hall.locator("h1").first.evaluate("h => parseFloat(getComputedStyle(h).fontSize)")
    assert title >= 48, title
    numbers = [float(v) for v in hall.get_by_test_id("stMetricValue").evaluate_all(
        "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")]
    assert numbers and min(numbers) >= 44, numbers
    expect(hall.get_by_test_id("stSidebar")).to_be_hidden()
    expect(hall.get_by_test_id("stDownloadButton")).to_have_count(0)
    expect(hall.locator(".st-key-lecture_links")).to_be_visible()
    harness.screenshot(hall, SHOTS / f"lecture-{name}.png")


def test_the_dark_theme_is_dark_and_its_charts_too(hall, server):
    harness.open_view(hall, server, "tradeoff", "?lecture=1&theme=dark")
    background = hall.locator(".stApp").evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(14, 17, 23)", background
    main = hall.locator('.st-key-main_chart [data-testid="stPlotlyChart"]')
    paper = main.locator(".main-svg .bg").first.evaluate("e => getComputedStyle(e).fill")
    assert paper == "rgb(14, 17, 23)", paper
    tick = main.locator(".xtick text").first.evaluate("t => getComputedStyle(t).fill")
    assert tick == "rgb(245, 245, 245)", tick
    harness.screenshot(hall, SHOTS / "lecture-dark-tradeoff.png")


@pytest.mark.parametrize("name", list(harness.PAGES))
def test_normal_mode_screenshot(hall, server, name):
    harness.open_view(hall, server, name)
    hall.mouse.move(0, 0)
    expect(hall.locator(".st-key-share").get_by_test_id("copy-link")).to_be_visible()  # on every page
    harness.screenshot(hall, SHOTS / f"normal-{name}.png")


@pytest.mark.parametrize("name", list(harness.PAGES))
def test_a_phone_shows_a_chart_and_the_main_control_at_once(phone, server, name):
    """390 x 844: the sidebar starts closed, and once a chart is scrolled into view the page's main control
    (eps, or the context page's slider) is still on screen beside it (the controls stay at the top)."""
    harness.open_view(phone, server, name)
    sidebar = phone.get_by_test_id("stSidebar")
    if sidebar.count():
        side = box(sidebar)
        assert side is None or side["x"] + side["width"] <= 0.1 * PHONE["width"], side  # closed
    control = phone.locator('.st-key-controls [data-testid="stSlider"]').first
    expect(control).to_be_visible()
    harness.screenshot(phone, SHOTS / f"phone-{name}.png")
    chart = phone.locator('[data-testid="stPlotlyChart"]').first
    # scroll the page (its main area, as a finger does) until the chart's top is 200 px below the screen's top:
    # past where the control was drawn, so only a control that stays at the top can still be on screen
    chart.evaluate("""c => { const main = document.querySelector('[data-testid="stMain"]');
                             main.scrollBy(0, c.getBoundingClientRect().top - 200); }""")
    phone.wait_for_timeout(400)
    c, s = box(chart), box(control)
    visible = min(c["y"] + c["height"], PHONE["height"]) - max(c["y"], 0)
    assert visible >= min(250, c["height"]), (c, visible)
    assert s["y"] >= 0 and s["y"] + s["height"] <= PHONE["height"], s  # the control is still on screen
    harness.screenshot(phone, SHOTS / f"phone-scrolled-{name}.png")
