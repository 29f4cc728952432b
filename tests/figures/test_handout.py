"""The handout (figures/handout.py): every number in it is the engine's, it is self-contained, user text stays
text, and the command line writes it. The browser test (tests/browser/test_handout.py) moves its slider offline."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import engine
from engine.core.information import to_units
from figures.handout import eps_grid, handout_data, handout_html

ROOT = Path(__file__).resolve().parents[2]


def decoded(value) -> np.ndarray:
    """A Plotly array as JSON gives it: a list, or a typed array {dtype, bdata[, shape]}."""
    if isinstance(value, dict):
        a = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        return a.reshape([int(s) for s in str(value["shape"]).split(",")]) if "shape" in value else a
    return np.asarray(value, dtype=float)


def parts(text: str) -> tuple[dict, dict]:
    """The handout's data block and its Plotly figure (data, layout, frames), read back from the HTML."""
    data = json.loads(re.search(r'<script type="application/json" id="handout-data">(.*?)</script>', text,
                                re.S).group(1))
    call = text[text.index('Plotly.newPlot('):]
    decoder = json.JSONDecoder()
    start = call.index("[")
    traces, end = decoder.raw_decode(call, start)
    rest = call[end:].lstrip(", \n")
    layout, end = decoder.raw_decode(rest)
    rest = rest[end:].lstrip(", \n")
    config, end = decoder.raw_decode(rest)
    frames_at = text.index("Plotly.addFrames(")
    frames, _ = decoder.raw_decode(text, text.index("[", frames_at))
    return data, {"data": traces, "layout": layout, "frames": frames}


@pytest.fixture(scope="module", params=["figure2", "stochastic-vs-deterministic"])
def made(request):
    name = request.param
    problem, info = engine.load_preset(name), engine.preset_info(name)
    if name == "stochastic-vs-deterministic":
        problem = problem.replace(constraint="max")
    grid = eps_grid(info.eps_min, info.eps_max)
    cases = [engine.worst_case(problem, e) for e in grid]
    return problem, grid, cases, handout_html(problem, cases, info.eps_default, units="bits", link="http://x/y?eps=1")


def test_every_number_is_the_engines(made):
    problem, grid, cases, text = made
    data, fig = parts(text)
    assert data["eps"] == list(grid) and data["units"] == "bits"
    for k, eps in enumerate(grid):
        w = engine.worst_case(problem, eps)  # the engine, asked again
        assert data["lower"][k] == pytest.approx(to_units(w.certificate.lower, "bits"), abs=1e-12)
        assert data["upper"][k] == pytest.approx(to_units(w.certificate.upper, "bits"), abs=1e-12)
        assert data["h_star"][k] == pytest.approx(to_units(w.value, "bits"), abs=1e-12)
        assert data["status"][k] == w.status
        frame = fig["frames"][k]
        assert frame["name"] == data["frames"][k]
        marker, nu, q = frame["data"]
        assert decoded(marker["y"])[0] == pytest.approx(to_units(w.certificate.lower, "bits"), abs=1e-12)
        np.testing.assert_allclose(decoded(nu["z"]), w.nu, atol=1e-12)
        np.testing.assert_allclose(decoded(q["z"]), w.q, atol=1e-12)
        shown = f"{to_units(w.value, 'bits'):.6f} bits" if w.status == "verified" else None
        if shown:
            assert data["shown"][k] == shown and f"h* = {shown}" in frame["layout"]["title"]["text"]
    steps = fig["layout"]["sliders"][0]["steps"]
    assert [s["args"][0][0] for s in steps] == data["frames"]  # the slider walks every frame


def test_it_starts_at_the_pages_eps_and_links_back(made):
    problem, grid, cases, text = made
    data, fig = parts(text)
    start = fig["layout"]["sliders"][0]["active"]
    info = engine.preset_info("figure2" if problem.constraint != "max" else "stochastic-vs-deterministic")
    assert data["eps"][start] == min(grid, key=lambda e: abs(e - info.eps_default))
    assert 'href="http://x/y?eps=1"' in text


def test_it_is_self_contained(made):
    text = made[3]
    assert "<script src" not in text and "<link" not in text
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?://', text)
    assert len(text) > 3_000_000  # Plotly.js is inside


def test_user_text_stays_text():
    mu = np.array([[0.25, 0.25], [0.25, 0.25]])
    problem = engine.Problem.from_arrays(mu, positions=[0, 1], labels=["<script>alert(1)</script>", "</script>"],
                                         metric="abs", constraint="max", name="<b>x</b> & y")
    cases = [engine.worst_case(problem, e) for e in (0.0, 1.0)]
    text = handout_html(problem, cases, 1.0, link='http://h/p?a="><script>')
    assert "<script>alert(1)</script>" not in text and '"><script>' not in text
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in text
    data, _ = parts(text)
    assert data["eps"] == [0.0, 1.0]


def test_handout_data_matches_the_shown_interval_when_not_verified():
    problem = engine.load_preset("figure2")
    w = engine.worst_case(problem, 0.5)
    fake = type("W", (), {"eps": w.eps, "value": w.value, "nu": w.nu, "q": w.q, "status": "approximate",
                          "certificate": type("C", (), {"lower": 1.0, "upper": 1.25, "gap": 0.25})()})()
    data = handout_data(problem, [fake])
    assert data["shown"] == ["1.000000 to 1.250000 nats"] and data["status"] == ["approximate"]


def test_command_line_writes_the_handout(tmp_path):
    out = tmp_path / "h.html"
    script = str(ROOT / "scripts" / "handout.py")
    result = subprocess.run([sys.executable, script, "--preset", "binary-source", "--eps", "0.1",
                             "--out", str(out), "--link", "http://127.0.0.1:8080/privacy"],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "41 budgets" in result.stdout and out.stat().st_size > 3_000_000
    data, _ = parts(out.read_text())
    info = engine.preset_info("binary-source")
    assert data["eps"] == list(eps_grid(info.eps_min, info.eps_max))
    bad = subprocess.run([sys.executable, script, "--preset", "nowhere", "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "nowhere" in bad.stderr
