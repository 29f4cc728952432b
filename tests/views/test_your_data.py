"""The 'Your data' page (AppTest): a bundled data set binned as its URL-bound controls say, h* and e* shown as the
engine computes them with their certificates, every model beside the ideal, and a sentence for what cannot run."""

from __future__ import annotations

import numpy as np
import pytest
from pagekit import YOUR_DATA, metric, open_page, set_widget, unescaped

import engine
from ui.state import eps_grid
from ui.widgets import percent

pytestmark = pytest.mark.slow


def expected(bins=20, features=("petal length (cm)", "petal width (cm)"), cost="l2"):
    p = engine.from_samples(engine.load_dataset("iris"), features=list(features), bins=bins, cost=cost)
    return p, engine.data_limits(p, eps_grid(0.0, 1.0, 21))


def test_iris_shows_the_engines_numbers_with_certificates():
    at = open_page(YOUR_DATA)
    p, d = expected()
    eps = float(at.select_slider(key="data_eps").value)
    k = int(np.argmin(np.abs(d.eps - eps)))
    assert metric(at, "samples used") == "150 of 150"
    assert metric(at, "h* = least worst-case loss") == f"{d.saddles[k].certificate.lower:.4f} nats"
    assert metric(at, "e* = least worst-case error") == percent(d.robust_error[k])
    assert metric(at, "logistic regression: error under attack") == percent(d.models["logistic"].error[k])
    badges = [m.value for m in at.markdown if "badge" in m.value]
    assert any("verified, gap" in b for b in badges) and any("e*: verified" in b for b in badges)
    assert len(at.get("plotly_chart")) == 3
    table = at.dataframe[-1].value
    assert (table["above h*"] >= -1e-6).all() and (table["above e*"] >= -1e-9).all()


def test_the_controls_come_from_the_link_and_move_the_numbers():
    at = open_page(YOUR_DATA, {"bins": "8", "cost": "squared l2: ||z - z'||^2", "data_eps": "0.5"})
    p, d = expected(bins=8, cost="sql2")
    assert float(at.select_slider(key="data_eps").value) == 0.5
    k = int(np.argmin(np.abs(d.eps - 0.5)))
    assert metric(at, "h* = least worst-case loss") == f"{d.saddles[k].certificate.lower:.4f} nats"
    set_widget(at, "select_slider", "data_eps", 0.25)
    k = int(np.argmin(np.abs(d.eps - 0.25)))
    assert metric(at, "h* = least worst-case loss") == f"{d.saddles[k].certificate.lower:.4f} nats"


def test_the_pages_budget_is_its_own_and_the_shared_eps_passes_through():
    """Its eps is a distance between standardised bin centres: a link's eps (the presets' budget) is not read as
    it, and goes on unchanged to the other pages' links."""
    at = open_page(YOUR_DATA, {"eps": "1.5", "data_eps": "0.25"})
    assert float(at.select_slider(key="data_eps").value) == 0.25
    assert at.query_params["eps"] == "1.5" and at.query_params["data_eps"] == "0.25"


@pytest.mark.parametrize(("raw", "shown"), [("0.37", 0.35), ("0.38", 0.4), ("7", 1.0), ("-1", 0.0)])
def test_a_links_budget_between_grid_points_opens_at_the_nearest(raw, shown):
    """As the other pages' eps: the view opens at the grid point nearest the link's, and the link says so."""
    at = open_page(YOUR_DATA, {"data_eps": raw})
    assert float(at.select_slider(key="data_eps").value) == pytest.approx(shown)
    assert float(at.query_params["data_eps"]) == pytest.approx(shown)


def test_a_grid_too_large_to_wait_for_gets_a_sentence():
    at = open_page(YOUR_DATA, {"data": "digits (bundled with scikit-learn)", "axes": "PCA projection (2-D)",
                               "bins": "30"})
    errors = [unescaped(e.value) for e in at.error]
    assert any("too large to solve while you wait" in e and "8,100,000 moves" in e for e in errors), errors


def test_an_uploaded_model_is_kept_in_lecture_mode_and_after_it():
    """The uploader is not drawn on a projector, but the model the user uploaded is still drawn, and is there again
    when lecture mode is left (the uploader is then empty; a caption says the earlier table is shown)."""
    import json

    from pagekit import APP, TIMEOUT, _registry
    from streamlit.testing.v1 import AppTest

    from engine.io.rule_table import grid_table, read_rule_table

    MODEL_KEY = "_your_model"  # views/your_data.py (a page script, not importable)
    p, _ = expected()
    table = read_rule_table(grid_table(p.binning).encode(), p.binning)  # the uniform rule, as the template comes
    for query, uploader in (({"lecture": "1"}, False), ({}, True)):
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.query_params.update(query)
        at._registered_pages = dict(_registry())
        at.switch_page(YOUR_DATA)
        at.session_state[MODEL_KEY] = (p.key, table)  # what an upload left in the session
        at.run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        specs = json.dumps([json.loads(c.proto.spec) for c in at.get("plotly_chart")])
        assert "your model" in specs
        assert any("uploaded earlier" in c.value for c in at.caption) == uploader
