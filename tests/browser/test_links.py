"""A link is the view (issue 14), in Chromium against ``streamlit run``: on every page a view changed with its
controls reopens from its link in a fresh browser context with the same numbers; from a shared link every other
page keeps the settings and lecture mode; a new example starts at its own eps; a custom table says it travels as
a scenario file; Copy link copies the address; the QR code decodes to the link and its short form opens the same
view; the guided path moves eps and the step is in the link; a slider move reruns only the page's live part
(ui.frame.live) while the sidebar's links follow it, and lecture mode switched on after a move redraws the frame.

One server and one browser per pytest process (see conftest.py).
"""

from __future__ import annotations

import io
import math

import harness
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

import engine
from engine.core.information import label_entropy
from ui.frame import SHORT_TITLES
from ui.state import eps_grid

pytestmark = pytest.mark.browser
WAIT = harness.RUN_MS
EPS = "Attack budget eps"
# page -> the main slider a user moves (the Explore pages' and the overview's: eps)
SLIDERS = {"robustness-vs-accuracy": "Attack radius eps (l_inf)", "certified-robustness": "Noise scale sigma",
           "robust-statistics": "Bump location S (drag it away)",
           "concentration-of-measure": "Expansion radius delta (Euclidean)"}
# pages with the example selector above the first chart, and the example a test picks there
EXAMPLES = {"overview": "label-noise", "worst-case": "binary-source", "tradeoff": "uniform-5ary",
            "stochastic-vs-deterministic": "figure2", "privacy": "label-noise"}


def thumb(page, label: str):
    return page.locator('[data-testid="stSlider"]').filter(has_text=label).locator(
        'input[type="range"], [role="slider"]').first


def step_right(page, label: str) -> None:
    """One step right on the slider ``label`` with the keyboard; wait until the link has followed."""
    before = harness.query(page.url)
    thumb(page, label).focus()
    harness.rerun_after(page, lambda: page.keyboard.press("ArrowRight"))
    page.wait_for_url(lambda url: harness.query(url) != before, timeout=WAIT)


def pick_example(page, preset: str) -> None:
    """Choose an example in the selectbox above the chart (by its shown title)."""
    page.locator(".st-key-controls").get_by_test_id("stSelectbox").click()
    harness.rerun_after(page, page.get_by_role("option", name=engine.preset_info(preset).title).click)
    page.wait_for_url(lambda url: harness.query(url).get("preset") == preset, timeout=WAIT)


def settled_metrics(page) -> list[str]:
    """The headline numbers once two reads agree (a redraw may still be on its way)."""
    last = None
    for _ in range(40):
        now = harness.metrics(page)
        if now and now == last:
            return now
        last = now
        page.wait_for_timeout(250)
    return last


@pytest.mark.parametrize("name", list(harness.PAGES))
def test_a_changed_view_reopens_from_its_link_with_the_same_numbers(page, new_page, server, name):
    harness.open_view(page, server, name)
    before = settled_metrics(page)
    if name in EXAMPLES:
        pick_example(page, EXAMPLES[name])
        harness.wait_for_view(page, name)
    step_right(page, SLIDERS.get(name, EPS))
    harness.wait_for_view(page, name)
    numbers, link = settled_metrics(page), page.url
    assert numbers != before, "the controls did not change the view"
    q = harness.query(link)
    if name in EXAMPLES:
        assert q["preset"] == EXAMPLES[name] and "eps" in q  # values, not shown text; eps always in the link

    visitor = new_page()  # a new browser context: nothing shared but the link
    harness.open_view(visitor, link, name, base_is_url=True)
    assert settled_metrics(visitor) == numbers
    assert harness.query(visitor.url) == q


def expected_leakage(preset: str, eps: float, units: str = "nats") -> str:
    p = engine.load_preset(preset)
    leak = label_entropy(p.mu) - engine.worst_case(p, eps).value
    return f"{leak / (math.log(2) if units == 'bits' else 1):.4f} {units}"


SHARED = {"preset": "label-noise", "eps": "1.5", "units": "bits"}


@pytest.mark.parametrize("lecture", [False, True], ids=["sidebar", "lecture bar"])
def test_from_a_shared_link_every_page_keeps_the_settings_and_lecture_mode(page, server, lecture):
    """Open a shared link, then click through every other page: each link carries the example, eps, the units
    and lecture mode (the first click used to lose them all), and the Explore pages show that example at that eps."""
    query = "?" + "&".join(f"{k}={v}" for k, v in SHARED.items()) + ("&lecture=1" if lecture else "")
    harness.open_view(page, server, "worst-case", query)
    h = engine.worst_case(engine.load_preset("label-noise"), 1.5).value / math.log(2)
    expect(harness.metric(page, "h* = max H(Y|X')")).to_have_text(f"{h:.4f} bits")
    for name in [n for n in harness.PAGES if n != "worst-case"]:
        label = SHORT_TITLES[name] if lecture else harness.PAGES[name][1]
        harness.rerun_after(page, harness.nav(page).get_by_role("link", name=label, exact=True).click)
        harness.wait_for_view(page, name)
        q = harness.query(page.url)
        assert {k: q.get(k) for k in SHARED} == SHARED, (name, page.url)
        assert (q.get("lecture") == "1") is lecture, (name, page.url)
        if lecture:
            expect(page.get_by_test_id("stSidebar")).to_be_hidden()
        if name in EXAMPLES:
            expect(page.locator(".st-key-controls").get_by_role("combobox", name="Example")).to_have_value(
                engine.preset_info("label-noise").title)
            expect(harness.eps_thumb(page)).to_have_attribute("aria-valuetext", "1.5")
        if name == "privacy":
            expect(harness.metric(page, "least leakage I(Y;Z)")).to_have_text(expected_leakage("label-noise", 1.5,
                                                                                               "bits"))


def test_a_new_example_starts_at_its_own_eps_and_the_link_says_so(page, new_page, server):
    harness.open_view(page, server, "worst-case", "?eps=1.5")
    pick_example(page, "binary-source")
    harness.wait_for_view(page, "worst-case")
    default = engine.preset_info("binary-source").eps_default
    expect(harness.eps_thumb(page)).to_have_attribute("aria-valuetext", f"{default:g}")
    assert harness.query(page.url)["eps"] == f"{default:g}"
    want = f"{engine.worst_case(engine.load_preset('binary-source'), default).value:.4f} nats"
    expect(harness.metric(page, "h* = max H(Y|X')")).to_have_text(want)
    visitor = new_page()
    harness.open_view(visitor, page.url, "worst-case", base_is_url=True)
    expect(harness.metric(visitor, "h* = max H(Y|X')")).to_have_text(want)


def test_a_custom_table_says_beside_copy_link_that_it_travels_as_a_scenario_file(page, server):
    harness.open_view(page, server, "worst-case", "?source=custom")
    share = page.locator(".st-key-share")
    expect(share.get_by_test_id("copy-link")).to_be_visible()
    expect(share).to_contain_text("Your own table is not in the link")
    expect(share.get_by_test_id("stDownloadButton")).to_contain_text("Download the scenario (JSON)")


@pytest.mark.parametrize("name", ["overview", "privacy", "certified-robustness"])
def test_copy_link_copies_the_address_of_this_view(browser, server, name):
    context = harness.new_context(browser)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    try:
        page = context.new_page()
        harness.open_view(page, server, name)
        step_right(page, SLIDERS.get(name, EPS))
        button = page.get_by_test_id("copy-link")
        button.click()
        expect(button).to_have_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == page.url
    finally:
        context.close()


def test_the_qr_code_decodes_to_the_link_and_the_short_link_opens_the_same_view(browser, new_page, server):
    """In lecture mode the QR code (shown on request) reads, with zxing-cpp, as this view's link without lecture
    mode (students open it on their own screens); its short form, typed, opens the same numbers."""
    context = harness.new_context(browser, {"width": 1920, "height": 1080})
    try:
        page = context.new_page()
        harness.open_view(page, server, "privacy", "?preset=label-noise&eps=1.5&units=bits&lecture=1")
        expect(page.locator(".st-key-qr_card")).to_have_count(0)  # hidden until the lecturer asks
        harness.rerun_after(page, page.locator(".st-key-lecture_links").get_by_text("QR code", exact=True).click)
        card = page.locator(".st-key-qr_card")
        image = card.locator("img").first
        expect(image).to_be_visible()
        page.wait_for_timeout(300)
        found = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.screenshot())))
        assert len(found) == 1 and found[0].format == zxingcpp.BarcodeFormat.QRCode
        decoded = found[0].text
        here = harness.query(page.url)
        assert here["lecture"] == "1" and here["qr"] == "1"
        view = {k: v for k, v in here.items() if k not in ("lecture", "theme", "qr")}
        assert decoded.split("?")[0] == page.url.split("?")[0] and harness.query(decoded) == view
        numbers = settled_metrics(page)
        short = card.locator("code").inner_text().strip()
        assert len(short) < len(decoded) and "lecture" not in short
        harness.screenshot(page, harness.ARTIFACTS / "screenshots" / "lecture-qr-privacy.png")
    finally:
        context.close()
    for link in (decoded, f"http://{short}"):
        student = new_page()
        harness.open_view(student, link, "privacy", base_is_url=True)
        assert settled_metrics(student) == numbers
        expect(student.get_by_test_id("stSidebar")).to_be_attached()  # the student's view, not lecture mode


def test_the_guided_path_moves_eps_and_keeps_its_step_in_the_link(page, new_page, server):
    harness.open_view(page, server, "worst-case")
    guide = page.locator(".st-key-guide")
    expect(guide).to_contain_text("step 1 of 4")
    harness.rerun_after(page, guide.get_by_role("button", name="Move eps to 0").click)
    expect(harness.eps_thumb(page)).to_have_attribute("aria-valuetext", "0")
    expect(guide).to_contain_text("the clean data's own uncertainty")
    harness.rerun_after(page, guide.get_by_role("button", name="Next step").click)
    expect(guide).to_contain_text("step 2 of 4")
    values = eps_grid(0.0, 2.0)
    target = min(values, key=lambda e: abs(e - 0.25))
    page.wait_for_url(lambda url: harness.query(url).get("step") == "2", timeout=WAIT)
    harness.rerun_after(page, guide.get_by_role("button", name=f"Move eps to {target:g}").click)
    page.wait_for_url(lambda url: harness.query(url).get("eps") == f"{target:g}", timeout=WAIT)
    visitor = new_page()  # the lecturer's prepared link opens at the step
    harness.open_view(visitor, page.url, "worst-case", base_is_url=True)
    expect(visitor.locator(".st-key-guide")).to_contain_text("step 2 of 4")


EXPLORE = ["worst-case", "tradeoff", "stochastic-vs-deterministic", "privacy"]


@pytest.mark.parametrize("name", EXPLORE)
def test_a_slider_move_reruns_only_the_live_part_and_the_links_follow_it(page, server, name):
    """The eps slider lives in a fragment: a move reruns only that (the server's run ends as a fragment run), yet
    the sidebar's links, drawn from inside it, carry the new eps, and following one opens that page at it."""
    harness.open_view(page, server, name)
    step_right(page, EPS)
    assert harness.endings(page)[-1] == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY", harness.endings(page)
    q = harness.query(page.url)
    other = "privacy" if name != "privacy" else "worst-case"
    link = harness.nav(page).get_by_role("link", name=harness.PAGES[other][1], exact=True)
    target = harness.query(link.get_attribute("href"))
    assert {k: target.get(k) for k in ("preset", "eps")} == {k: q[k] for k in ("preset", "eps")}
    harness.rerun_after(page, link.click)
    harness.wait_for_view(page, other)
    expect(harness.eps_thumb(page)).to_have_attribute("aria-valuetext", f"{float(q['eps']):.3g}")
    assert harness.query(page.url)["eps"] == q["eps"]


def test_lecture_mode_switched_on_after_a_move_redraws_the_whole_page(page, server):
    """The lecture switch is drawn from inside the live part, but lecture mode changes the frame outside it (the
    sidebar goes, the lecture bar comes): switching it asks for a whole run, and the moved eps stays."""
    harness.open_view(page, server, "tradeoff")
    step_right(page, EPS)
    eps = harness.query(page.url)["eps"]
    page.get_by_test_id("stCheckbox").filter(has_text="Lecture mode").locator("label").click()
    page.wait_for_url(lambda url: harness.query(url).get("lecture") == "1", timeout=WAIT)
    expect(page.get_by_test_id("stSidebar")).to_be_hidden(timeout=WAIT)
    expect(page.locator(".st-key-lecture_bar")).to_be_visible(timeout=WAIT)
    harness.settle(page)
    assert "FINISHED_SUCCESSFULLY" in harness.endings(page)[-2:], harness.endings(page)
    assert harness.query(page.url)["eps"] == eps
    expect(harness.eps_thumb(page)).to_have_attribute("aria-valuetext", f"{float(eps):.3g}")
