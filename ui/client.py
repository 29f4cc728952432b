"""A minimal browser for the app's own protocol: open a page, read what the script sent, move the eps slider.

A browser speaks to Streamlit over one WebSocket, ``/_stcore/stream``: it sends a ``BackMsg`` asking for a script
run (the page, the query string, the widgets' values) and reads ``ForwardMsg``s until ``script_finished``. The
warm-up of a replica (ui/warm.py) and the load harness (scripts/load.py) both drive the app this way, so what they
run is exactly what a student's browser makes the server run.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

EPS_LABEL = "Attack budget eps"
DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
        ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


@dataclass
class Slider:
    """The eps slider as the server described it."""

    id: str
    lo: float
    hi: float
    step: float
    value: float
    fragment: str = ""  # the fragment that drew it (a page's live part, ui.frame.live): a move reruns only that

    def next_value(self) -> float:
        """One step right, or back to the left end at the right end (a student sweeping eps)."""
        ahead = round(self.value + self.step, 10)
        return ahead if ahead <= self.hi + 1e-12 else self.lo


@dataclass
class Run:
    """What one script run sent back."""

    seconds: float
    errors: list[str]
    slider: Slider | None
    page_hash: str
    largest: int  # bytes of the largest message
    pages: list[str] = field(default_factory=list)  # the url paths st.navigation offers ("" for the default page)
    widget_keys: set[str] = field(default_factory=set)  # the user keys of the widgets drawn (``key=``)
    messages: int = 0


def rerun_request(page: str, base: str, page_hash: str = "", slider: Slider | None = None,
                  value: float | None = None, query: str = "") -> bytes:
    """The BackMsg a browser sends: a first run of a deep link (``/page?query``), or a rerun with the eps slider at
    ``value`` (of the fragment that drew the slider, as the browser asks, when one did)."""
    msg = BackMsg()
    state = msg.rerun_script
    state.page_name = page
    state.context_info.url = f"{base}/{page}" + (f"?{query}" if query else "")
    state.context_info.timezone = "UTC"
    state.context_info.locale = "en-US"
    state.widget_states.SetInParent()
    state.query_string = query
    if page_hash:
        state.page_script_hash = page_hash
    if slider is not None and value is not None:
        state.query_string = "&".join(q for q in (query, f"eps={value:g}") if q)
        widget = state.widget_states.widgets.add()
        widget.id = slider.id
        widget.double_array_value.data.append(value)
        if slider.fragment:
            state.fragment_id = slider.fragment
    return msg.SerializeToString()


def user_key(widget_id: str) -> str | None:
    """The ``key=`` of a widget from its element id ('$$ID-<hash>-<key>'), None for a widget without one."""
    parts = widget_id.split("-", 2)
    return parts[2] if len(parts) == 3 and parts[2] != "None" else None


async def one_run(ws, request: bytes, timeout: float) -> Run:
    """Send a rerun request and read the server's messages until its script has finished."""
    start = time.perf_counter()
    await ws.send(request)
    errors, slider, page_hash, largest, pages, keys, count = [], None, "", 0, [], set(), 0
    async with asyncio.timeout(timeout):
        while True:
            raw = await ws.recv()
            if not isinstance(raw, bytes):
                continue
            count += 1
            largest = max(largest, len(raw))
            msg = ForwardMsg.FromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "navigation":  # the page that ran (new_session names the main script, app.py)
                page_hash = msg.navigation.page_script_hash
                pages = [p.url_pathname for p in msg.navigation.app_pages]
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                what = element.WhichOneof("type")
                if what == "exception":
                    errors.append(f"exception: {element.exception.type}: {element.exception.message[:200]}")
                elif what == "alert" and element.alert.format == element.alert.ERROR:
                    errors.append(f"error alert: {element.alert.body[:200]}")
                elif what == "slider" and element.slider.label == EPS_LABEL:
                    s = element.slider
                    value = s.value[0] if s.value else s.default[0]
                    slider = Slider(s.id, s.min, s.max, s.step, value, msg.delta.fragment_id)
                widget_id = getattr(getattr(element, what), "id", "") if what else ""
                if isinstance(widget_id, str) and widget_id.startswith("$$ID-"):
                    key = user_key(widget_id)
                    if key:
                        keys.add(key)
            elif kind == "script_finished" and msg.script_finished in DONE:
                return Run(time.perf_counter() - start, errors, slider, page_hash, largest, pages, keys, count)
