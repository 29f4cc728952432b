"""The 'Your data' page in Chromium on iris (two features, 20 bins): the decision regions are drawn, h* and the
optimal robust error are shown with their certificates as the engine computes them, and every model's curve lies
above the ideal one at every budget (read from the charts plotly.js drew)."""

from __future__ import annotations

import harness
import numpy as np
import pytest
from playwright.sync_api import expect

import engine
from ui.state import eps_grid
from ui.widgets import percent

pytestmark = pytest.mark.browser

CURVES_JS = """() => {
  const plots = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')];
  const curves = plots.find(p => p._fullData.some(t => (t.name || '').startsWith('ideal h*')));
  const regions = plots.find(p => p._fullData.filter(t => t.type === 'heatmap').length === 2);
  return {  // _fullData: the traces as plotly.js drew them (arrays decoded)
    traces: curves._fullData.map(t => ({name: t.name || '', axis: t.xaxis || 'x', y: Array.from(t.y || []),
                                        fill: t.fill || 'none'})),
    heatmaps: regions ? regions._fullData.filter(t => t.type === 'heatmap').map(t => t.z.length) : [],
    frames: regions ? (regions._transitionData._frames || []).length : 0,
  };
}"""


def test_iris_regions_certificates_and_models_above_the_ideal(page, server):
    harness.open_view(page, server, "your-data", "?bins=20")
    p = engine.from_samples(engine.load_dataset("iris"), features=[2, 3], bins=20)
    grid = eps_grid(0.0, 1.0, 21)
    d = engine.data_limits(p, grid)
    eps = float(harness.eps_thumb(page).get_attribute("aria-valuetext"))
    k = int(np.argmin(np.abs(np.asarray(grid) - eps)))
    expect(harness.metric(page, "h* = least worst-case loss")).to_have_text(
        f"{d.saddles[k].certificate.lower:.4f} nats")
    expect(harness.metric(page, "e* = least worst-case error")).to_have_text(percent(d.robust_error[k]))
    expect(page.get_by_text("verified, gap").first).to_be_visible()
    expect(page.get_by_text("e*: verified, gap").first).to_be_visible()
    drawn = page.evaluate(CURVES_JS)
    assert drawn["heatmaps"] == [20, 20] and drawn["frames"] == 21  # both panels' regions, one frame per budget
    traces = [t for t in drawn["traces"] if t["fill"] == "none"]
    for axis, ideal_name in (("x", "ideal h*"), ("x2", "ideal e*")):
        ideal = next(t for t in traces if t["axis"] == axis and t["name"].startswith(ideal_name))["y"]
        models = [t for t in traces if t["axis"] == axis and not t["name"].startswith("ideal")]
        assert len(models) == 4 and len(ideal) == 21
        for model in models:
            assert all(m >= i - 1e-9 for m, i in zip(model["y"], ideal, strict=True)), model["name"]
    harness.screenshot(page, harness.ARTIFACTS / "your-data-iris.png", full_page=True)
