"""Warm a replica before it takes students: open every page's default view for every preset, as a browser would.

scripts/replica.py starts ``streamlit run`` with /_stcore/health answering "warming up" (503), calls ``warm`` on
its own loopback port, and only then lets the health check say ok. Each view is a real session on the real
server (ui/client.py): the same scripts, the same st.cache_data and st.cache_resource entries, the same engine
caches that a student's first load hits, so nothing the pages compute can be missed or computed differently.

The views: every page st.navigation offers, at its defaults, and there at every position of its eps slider
(``?eps=...``: the pages that precompute their grid answer from cache, the deterministic page searches each eps
once); on every page that draws the example selectbox (key ``preset``), every other preset at its default eps
(``?preset=<name>``, what a link copied from the page carries: ui/state.py writes values, not shown texts); and
the lecture-mode link (``?lecture=1``) of each page. One session at a time (the work is one interpreter's).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import quote_plus

import websockets

import engine
from ui import client

TIMEOUT = 600.0  # seconds for one view (a cold page solves its whole eps grid)


@dataclass
class WarmReport:
    """What the warm-up ran."""

    views: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    slowest: list[tuple[float, str]] = field(default_factory=list)  # (seconds, view), the five slowest

    def line(self) -> str:
        slow = ", ".join(f"{view} {s:.1f} s" for s, view in self.slowest[:3])
        return (f"warm-up: {self.views} views in {self.seconds:.1f} s ({len(self.errors)} errors); slowest: {slow}")


def preset_queries() -> list[str]:
    """``preset=<name>`` for every preset (the link carries a selectbox's value: ui/state.py)."""
    return [f"preset={quote_plus(name)}" for name in engine.preset_names()]


def slider_values(slider: client.Slider | None) -> list[float]:
    """Every position of the eps slider but the default one (none for a page without it)."""
    if slider is None or slider.step <= 0:
        return []
    count = int(round((slider.hi - slider.lo) / slider.step)) + 1
    values = [round(slider.lo + k * slider.step, 10) for k in range(count)]
    return [v for v in values if abs(v - slider.value) > slider.step / 2]


async def view(base: str, page: str, query: str = "", timeout: float = TIMEOUT) -> client.Run:
    """One visitor opening ``/page?query`` (a session of its own, closed afterwards)."""
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=timeout,
                                  ping_interval=None, compression=None) as ws:
        return await client.one_run(ws, client.rerun_request(page, base, query=query), timeout)


async def warm(base: str, timeout: float = TIMEOUT) -> WarmReport:
    """Open every page's default view for every preset (and in lecture mode) on the server at ``base``."""
    report, began, timings = WarmReport(), time.monotonic(), []

    async def run(page: str, query: str = "") -> client.Run:
        name = f"/{page}" + (f"?{query}" if query else "")
        result = await view(base, page, query, timeout)
        report.views += 1
        timings.append((result.seconds, name))
        report.errors += [f"{name}: {e}" for e in result.errors]
        return result

    first = await run("")
    for page in first.pages:
        shown = first if page == "" else await run(page)
        for eps in slider_values(shown.slider):  # every slider position of the default view (a hall sweeping eps)
            await run(page, f"eps={eps:g}")
        if "preset" in shown.widget_keys:
            for query in preset_queries():
                await run(page, query)
        await run(page, "lecture=1")
    report.seconds = time.monotonic() - began
    report.slowest = sorted(timings, reverse=True)[:5]
    return report
