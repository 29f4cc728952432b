"""The exported handout in Chromium, opened from a file with every network request refused: it draws, its eps
slider moves the frames, and the readout then shows the engine's h* at the new eps (figures/handout.py)."""

from __future__ import annotations

import harness
import pytest
from playwright.sync_api import expect

import engine
from figures.handout import eps_grid, handout_html

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    problem, info = engine.load_preset("figure2"), engine.preset_info("figure2")
    grid = eps_grid(info.eps_min, info.eps_max)
    cases = [engine.worst_case(problem, e) for e in grid]
    path = tmp_path_factory.mktemp("handout") / "handout.html"
    path.write_text(handout_html(problem, cases, info.eps_default, link="http://127.0.0.1:8501/worst-case?eps=0.5"),
                    encoding="utf-8")
    return path, problem, grid


def test_handout_works_offline_and_its_slider_moves_h_star(browser, handout):
    path, problem, grid = handout
    context = harness.new_context(browser)
    refused = []

    def block(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", block)
    try:
        page = context.new_page()
        page.goto(path.as_uri())
        expect(page.locator("#handout-figure .main-svg").first).to_be_visible()
        expect(page.locator("#handout-eps")).to_have_text("0.5")
        expect(page.locator("#handout-hstar")).to_have_text(f"{engine.worst_case(problem, 0.5).value:.6f} nats")
        expect(page.locator("#handout-status")).to_have_text("verified")

        # Drag the Plotly slider (a click on its rail) to about three quarters of the range.
        rail = page.locator("#handout-figure .slider-rail-touch-rect").first
        rail.scroll_into_view_if_needed()
        box = rail.bounding_box()
        page.mouse.click(box["x"] + 0.75 * box["width"], box["y"] + box["height"] / 2)
        moved = page.locator("#handout-eps")
        expect(moved).not_to_have_text("0.5")
        eps = float(moved.inner_text())
        assert eps in [float(f"{e:.4g}") for e in grid] and eps > 1.0
        expected = f"{engine.worst_case(problem, min(grid, key=lambda e: abs(e - eps))).value:.6f} nats"
        expect(page.locator("#handout-hstar")).to_have_text(expected)
        # the frame's own title says the same (the figure moved, not only the readout)
        expect(page.locator("#handout-figure .gtitle")).to_contain_text(f"h* = {expected}")
        harness.screenshot(page, harness.ARTIFACTS / "handout.png", full_page=True)
    finally:
        context.close()
    assert refused == [], f"the handout asked the network for {refused}"
