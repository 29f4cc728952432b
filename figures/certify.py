"""Certified robustness from noise (seeds/004; Lecuyer et al., IEEE S&P 2019; Cohen, Rosenfeld and Kolter, ICML
2019): certified radius against the noise scale for the same scores, and certified balls on a 2-D toy.

The radii come from engine/certify.py: randomized smoothing R = sigma/2 (Phi^{-1}(p_A) - Phi^{-1}(p_B)); PixelDP
with the Gaussian mechanism R = sigma eps* / (sqrt(2 ln(1.25/delta)) Delta), eps* the largest eps <= 1 with
p_A > e^{2 eps} p_B + (1 + e^eps) delta; PixelDP with the Laplace mechanism R_1 = b eps* / Delta (an l1 radius).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from engine.context.toy_classifiers import ABSTAIN, DiscClassifier, LinearClassifier
from figures.style import colour, layout

SMOOTHING_COLOUR, GAUSSIAN_COLOUR, LAPLACE_COLOUR = colour(0), colour(5), colour(2)
LABEL_COLOURS = (colour(0), colour(1))  # the toy's labels 0 and 1
REGION_TINTS = ("#DCEAF5", "#FBECD3")  # light versions of the two label colours, for the base classifier's regions
ABSTAIN_COLOUR = "#555555"


def _rgba(hex_colour: str, alpha: float) -> str:
    """'#0072B2' with opacity alpha, as a CSS rgba() string."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def radius_against_noise(curves: dict, sigma_now: float, now: dict) -> go.Figure:
    """Certified radius against the noise scale for fixed scores p_A, p_B: smoothing and PixelDP (Gaussian, both
    l2), and PixelDP with Laplace noise of scale b = sigma (an l1 radius, dashed: another norm and another noise).

    ``curves``: {"sigma", "smoothing", "gaussian", "laplace"} arrays; ``now``: the three radii at sigma_now."""
    sigma = np.asarray(curves["sigma"], dtype=float)
    traces = []
    for name, label, line in (
        ("smoothing", "randomized smoothing (l2, Cohen et al.)", {"color": SMOOTHING_COLOUR, "width": 3}),
        ("gaussian", "PixelDP, Gaussian (l2, Lecuyer et al.)", {"color": GAUSSIAN_COLOUR, "width": 3}),
        ("laplace", "PixelDP, Laplace, scale b = sigma (l1 radius)", {"color": LAPLACE_COLOUR, "width": 2,
                                                                      "dash": "dash"}),
    ):
        traces.append(go.Scatter(x=sigma, y=curves[name], mode="lines", name=label, line=line,
                                 hovertemplate="noise scale=%{x:.3g}<br>radius=%{y:.4f}<extra></extra>"))
        traces.append(go.Scatter(x=[sigma_now], y=[now[name]], mode="markers", showlegend=False,
                                 marker={"color": line["color"], "size": 12, "symbol": "diamond"},
                                 hovertemplate=f"{label}<br>noise scale=%{{x:.3g}}<br>radius=%{{y:.4f}}"
                                               "<extra></extra>"))
    finite = np.concatenate([np.asarray(curves[k], dtype=float) for k in ("smoothing", "gaussian", "laplace")])
    finite = finite[np.isfinite(finite)]
    top = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    return go.Figure(traces, layout=layout(
        "Certified radius (larger: more robust)", "noise scale sigma (more noise ->)",
        "certified radius (input units)",
        xaxis={"range": [0.0, float(sigma[-1]) * 1.02]}, yaxis={"range": [0.0, top * 1.08]}))


def _half_plane(weights, offset: float, lo: float, hi: float) -> list[tuple[float, float]]:
    """The polygon {w.x + c >= 0} inside the square [lo, hi]^2 (Sutherland-Hodgman: clip the square by one line)."""
    square = [(lo, lo), (hi, lo), (hi, hi), (lo, hi)]
    side = [weights[0] * x + weights[1] * y + offset for x, y in square]
    out = []
    for k, (v, s) in enumerate(zip(square, side, strict=True)):
        u, t = square[k - 1], side[k - 1]
        if (s >= 0) != (t >= 0):  # the edge from u to v crosses the line
            f = t / (t - s)
            out.append((u[0] + f * (v[0] - u[0]), u[1] + f * (v[1] - u[1])))
        if s >= 0:
            out.append(v)
    return out


def _regions(classifier, lo: float, hi: float) -> tuple[dict | None, tuple[list, list]]:
    """The base classifier's label-1 region as a filled layout shape (label 0 is the plot's background) and its
    decision boundary as a polyline, from the classifier's own parameters (exact, and light to draw)."""
    if isinstance(classifier, DiscClassifier):
        (cx, cy), r = classifier.center, classifier.radius
        t = np.linspace(0.0, 2 * np.pi, 181)
        shape = {"type": "circle", "xref": "x", "yref": "y", "x0": cx - r, "x1": cx + r, "y0": cy - r, "y1": cy + r,
                 "fillcolor": REGION_TINTS[1], "line": {"width": 0}, "layer": "below"}
        return shape, ((cx + r * np.cos(t)).tolist(), (cy + r * np.sin(t)).tolist())
    if isinstance(classifier, LinearClassifier):
        polygon = _half_plane(classifier.weights, classifier.offset, lo, hi)
        shape = None
        if polygon:
            path = "M " + " L ".join(f"{x:.6g},{y:.6g}" for x, y in polygon) + " Z"
            shape = {"type": "path", "xref": "x", "yref": "y", "path": path, "fillcolor": REGION_TINTS[1],
                     "line": {"width": 0}, "layer": "below"}
        (w1, w2), c = classifier.weights, classifier.offset
        s = np.linspace(lo, hi, 2)
        if abs(w2) >= abs(w1):
            return shape, (s.tolist(), (-(w1 * s + c) / w2).tolist())
        return shape, ((-(w2 * s + c) / w1).tolist(), s.tolist())
    return None, ([], [])


def toy_figure(classifier, certificate, exact_radius, extent: float, title: str) -> go.Figure:
    """The base classifier's two regions (light tints) and boundary on [-extent, extent]^2; each sample point
    coloured by the smoothed classifier's certified label, with its certified l2 ball (filled) and the smoothed
    classifier's radius sigma Phi^{-1}(p_A) at the exact p_A (dotted; engine.smoothed_radius: for a line the
    distance to it, for the disc Cohen et al.'s radius, not the distance to the circle). Abstentions are grey
    crosses."""
    lo, hi = -float(extent), float(extent)
    region, (bx, by) = _regions(classifier, 2 * lo, 2 * hi)  # beyond the axes, which clip it
    traces = [go.Scatter(x=bx, y=by, mode="lines", name="base classifier's boundary",
                         line={"color": "#333333", "width": 2}, hoverinfo="skip")]
    shapes = [region] if region is not None else []
    pts = certificate.points
    for label, name in ((0, "certified label 0"), (1, "certified label 1"), (ABSTAIN, "abstains")):
        idx = np.flatnonzero(certificate.prediction == label)
        col = ABSTAIN_COLOUR if label == ABSTAIN else LABEL_COLOURS[label]
        for i in idx:
            cx, cy = pts[i]
            if certificate.radius[i] > 0:
                r = float(certificate.radius[i])
                shapes.append({"type": "circle", "xref": "x", "yref": "y", "x0": cx - r, "x1": cx + r, "y0": cy - r,
                               "y1": cy + r, "line": {"color": col, "width": 1.5}, "fillcolor": _rgba(col, 0.15),
                               "layer": "below"})
            e = float(exact_radius[i])
            if label != ABSTAIN and np.isfinite(e) and e > 0:
                shapes.append({"type": "circle", "xref": "x", "yref": "y", "x0": cx - e, "x1": cx + e, "y0": cy - e,
                               "y1": cy + e, "line": {"color": col, "width": 1, "dash": "dot"}, "layer": "below"})
        data = np.column_stack([certificate.p_lower[idx], certificate.radius[idx], np.asarray(exact_radius)[idx],
                                certificate.counts[idx]]) if idx.size else np.zeros((0, 4))
        traces.append(go.Scatter(
            x=pts[idx, 0], y=pts[idx, 1], mode="markers", name=name, customdata=data,
            marker={"color": col, "size": 10 if label != ABSTAIN else 12, "symbol": "x" if label == ABSTAIN else
                    "circle", "line": {"color": "white", "width": 1}},
            hovertemplate="(%{x:.2f}, %{y:.2f})<br>p_A lower bound=%{customdata[0]:.4f}<br>"
                          "certified radius=%{customdata[1]:.4f}<br>radius at exact p_A=%{customdata[2]:.4f}<br>"
                          f"votes=%{{customdata[3]:.0f}} of {certificate.n}<extra>{name}</extra>"))
    return go.Figure(traces, layout=layout(
        title, "x1", "x2", height=560, shapes=shapes,
        plot_bgcolor=REGION_TINTS[0],
        xaxis={"range": [lo, hi], "constrain": "domain"},
        yaxis={"range": [lo, hi], "scaleanchor": "x", "scaleratio": 1, "constrain": "domain"}))


def describe_radius(curves: dict, sigma_now: float, now: dict) -> str:
    """Alt text for radius_against_noise."""
    return (f"Line chart of certified radius against noise scale from {curves['sigma'][0]:.3g} to "
            f"{curves['sigma'][-1]:.3g}: at sigma = {sigma_now:.3g} randomized smoothing certifies "
            f"{now['smoothing']:.4f}, PixelDP with Gaussian noise {now['gaussian']:.4f} (both l2), PixelDP with "
            f"Laplace noise {now['laplace']:.4f} (l1).")


def describe_toy(certificate, name: str) -> str:
    """Alt text for toy_figure."""
    certified = certificate.certified_count
    return (f"Scatter of {len(certificate.points)} points around the {name}: {certified} certified with l2 balls "
            f"of radius up to {float(certificate.radius.max()):.3f}, {len(certificate.points) - certified} "
            f"abstain (sigma = {certificate.sigma:.3g}, {certificate.n} noisy samples a point).")
