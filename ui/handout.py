"""'Download as a standalone page': the current view as one HTML file that needs no server (figures/handout.py).

Every Explore page gets the button through ``reproduce`` (ui/widgets.py), beside the code that reproduces its
numbers. The file is written only when the button is clicked (Streamlit's deferred download): it inlines Plotly.js
(about 5 MB), which no rerun should pay for; its numbers too are gathered then. They are the page's own: the worst
case at every eps of the page's grid (the engine's cached solves), in the page's units, the slider starting at the
page's eps, with a link back to this view.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import streamlit as st

import engine
from figures.handout import handout_html
from ui import frame, state

TITLES = {"worst-case": "Worst-case perturbation", "tradeoff": "Robustness tradeoff",
          "stochastic-vs-deterministic": "Stochastic versus deterministic adversary", "privacy": "Privacy-utility"}


def live_link() -> str | None:
    """This view's URL (the page and every control's value, as the address bar will show it: ui/state.py), for
    the handout's link back; lecture mode left out (a reader opens the view on their own screen)."""
    if not st.context.url:
        return None
    return frame.full_link(state.view_params(state.current_url()))


def file_name(text: str) -> str:
    """A safe file name from a page and a problem name."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:80] or "handout"


def handout_button(setup, cli: str | None = None) -> None:
    """The download button for the current view (nothing when the page has no problem)."""
    if setup.problem is None:
        return
    link = live_link()
    page = urlsplit(link or "").path.rstrip("/").rsplit("/", 1)[-1]
    title = TITLES.get(page, "Worst case over eps")
    problem, grid, eps, units = setup.problem, setup.eps_grid, setup.eps, setup.units

    def page() -> str:  # on the click, not on every rerun: the page's own solves, cached by the engine
        return handout_html(problem, [engine.worst_case(problem, e) for e in grid], eps, title=title, units=units,
                            link=link, cli=cli)

    st.download_button(
        "Download as a standalone page", page,
        f"{file_name(title + '-' + (problem.name or 'table'))}.html", "text/html", key="handout", on_click="ignore",
        icon=":material/download:",
        help="One HTML file with this view over the whole eps range (Plotly frames with h*, the certificate and the "
             "status at each eps): it opens in any browser without this server or a network.")
