"""Drive the real app: start ``streamlit run`` on a free loopback port, open it in Debian's Chromium through
Playwright, and wait the way Streamlit's own end-to-end suite does (health endpoint, then the script state).

Shared by tests/browser and scripts/screenshots.py. Playwright's bundled-browser download needs a host
outside the package registries, so the system ``chromium`` (apt) is launched instead (docs/design.md, "Testing").
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import weakref
from pathlib import Path

from google.protobuf.message import DecodeError
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 1000}
ARTIFACTS = ROOT / "test-artifacts" / "browser"  # gitignored: screenshots, server logs
PAGES = {  # name (also the screenshot's file name) -> url path, sidebar link, title, Plotly charts drawn
    "overview": ("", "Overview", "Tradeoff Lab", 1),
    "worst-case": ("worst-case", "Worst-case perturbation", "Worst-case perturbation", 6),  # Play: when opened
    "tradeoff": ("tradeoff", "Robustness tradeoff", "Robustness tradeoff (the paper's Figure 2)", 4),
    "stochastic-vs-deterministic": ("stochastic-vs-deterministic", "Stochastic vs deterministic",
                                    "Stochastic versus deterministic adversary", 3),
    "privacy": ("privacy", "Privacy-utility", "Privacy-utility tradeoff", 2),
    "your-data": ("your-data", "Your data", "Your data: the limits of robustness", 3),
    "robustness-vs-accuracy": ("robustness-vs-accuracy", "Robustness vs accuracy", "Robustness vs accuracy", 2),
    "certified-robustness": ("certified-robustness", "Certified robustness", "Certified robustness from privacy", 2),
    "robust-statistics": ("robust-statistics", "Robust statistics", "Robust statistics under corruption", 5),
    "concentration-of-measure": ("concentration-of-measure", "Concentration of measure", "Concentration of measure", 2),
}
STARTUP_SECONDS = 60
RUN_MS = 90_000  # one script run, cold caches, two busy cores
IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const link = document.querySelector('[data-test-connection-state]');
  return app !== null && app.getAttribute('data-test-script-state') === 'notRunning'
    && (link === null || link.getAttribute('data-test-connection-state') === 'CONNECTED')
    && document.querySelector('[data-testid="stStatusWidget"]') === null;
}"""


def chromium() -> str:
    """The system Chromium, or a failure that says how to install it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise RuntimeError("Debian's chromium is not installed: apt-get install chromium (scripts/test.sh does it)")
    return path


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(log: Path, port: int | None = None, app: Path | None = None) -> tuple[subprocess.Popen, str]:
    """``streamlit run app.py`` headless on loopback, in its own process group; returns it and its base URL.
    ``app``: another script instead (a test's own page), run from its own folder."""
    port = port or free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "streamlit", "run", str(app or "app.py"), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=app.parent if app else ROOT, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, log)
    except BaseException:
        stop_server(proc)
        raise
    return proc, base


def wait_healthy(base: str, proc: subprocess.Popen, log: Path, timeout: float = STARTUP_SECONDS) -> None:
    """Poll /_stcore/health until it answers 'ok' (or fail with the server's log)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"streamlit did not answer {base}/_stcore/health within {timeout:.0f} s:\n{log.read_text()}")


def stop_server(proc: subprocess.Popen) -> None:
    """Terminate the server's whole process group (then kill it if it lingers)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def launch(playwright):
    """Debian's Chromium, headless."""
    return playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)


def new_context(browser, viewport: dict | None = None):
    """A fresh browser context (no cookies, no session) with generous timeouts; its pages count script runs."""
    context = browser.new_context(viewport=viewport or VIEWPORT)
    context.set_default_timeout(RUN_MS)
    context.on("page", _watch_runs)
    return context


_FINISHED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # page -> script runs finished so far
_ENDINGS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # page -> how each run ended, in order


def _watch_runs(page) -> None:
    """Count the server's 'script finished' messages on the page's websocket (the definite end of a run,
    which the DOM may skip: a fast run can go from 'notRunning' to 'notRunning' between two renders)."""
    _FINISHED[page] = 0
    _ENDINGS[page] = []

    def on_frame(payload) -> None:
        if isinstance(payload, bytes):
            try:
                msg = ForwardMsg.FromString(payload)
            except DecodeError:
                return
            if msg.WhichOneof("type") == "script_finished":
                _FINISHED[page] = _FINISHED.get(page, 0) + 1
                _ENDINGS.setdefault(page, []).append(ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished))

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))


def runs(page) -> int:
    """How many script runs the server has finished for this page so far."""
    return _FINISHED[page]


def endings(page) -> list[str]:
    """How each of the page's script runs ended so far ('FINISHED_SUCCESSFULLY' for a whole run,
    'FINISHED_FRAGMENT_RUN_SUCCESSFULLY' for a rerun of a fragment only, ...)."""
    return list(_ENDINGS.get(page, []))


def rerun_after(page, action, timeout_ms: int = RUN_MS) -> None:
    """Do ``action()`` (a click, a key press, a page switch, ...) and wait until the run it causes has ended
    and the browser has drawn the result."""
    before = runs(page)
    action()
    deadline = time.monotonic() + timeout_ms / 1000
    while runs(page) <= before:  # Playwright delivers the websocket events while it waits
        if time.monotonic() > deadline:
            raise TimeoutError(f"no script run finished within {timeout_ms / 1000:.0f} s of the action")
        page.wait_for_timeout(50)
    settle(page, timeout_ms)


def settle(page, timeout_ms: int = RUN_MS) -> None:
    """Wait until the app is connected and its script has stopped running (and no status widget shows)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(IDLE_JS, timeout=timeout_ms, polling=100)


def open_view(page, base: str, name: str, query: str = "", timeout_ms: int = RUN_MS, base_is_url: bool = False):
    """Load a page by its URL (a deep link; ``base`` is the whole link if base_is_url) and wait until drawn."""
    url = base if base_is_url else f"{base}/{PAGES[name][0]}{query}"
    rerun_after(page, lambda: page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms), timeout_ms)
    wait_for_view(page, name, timeout_ms)


def wait_for_view(page, name: str, timeout_ms: int = RUN_MS) -> None:
    """The page's title is shown, its script has stopped, and all its Plotly charts are drawn.

    The script state turns 'notRunning' when the server finishes, which can be seconds before a busy
    browser has drawn what it sent, so the charts are counted too (and tests wait for the values they
    expect with Playwright's auto-retrying ``expect``).
    """
    _, _, title, charts = PAGES[name]
    page.get_by_role("heading", name=title, level=1, exact=True).wait_for(timeout=timeout_ms)
    settle(page, timeout_ms)
    page.wait_for_function(
        """n => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                 .filter(c => c.querySelector('.js-plotly-plot .main-svg') !== null).length >= n""",
        arg=charts, timeout=timeout_ms, polling=200)


def metric(page, label: str):
    """The value element of the st.metric whose label is exactly ``label`` (read it with inner_text or expect)."""
    labels = page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    return page.get_by_test_id("stMetric").filter(has=labels).get_by_test_id("stMetricValue")


def nav(page):
    """The navigation links: the sidebar's, or lecture mode's bar (Streamlit's own navigation is hidden: ours
    carries the settings, see ui/frame.py)."""
    return page.locator('.st-key-nav, .st-key-lecture_links').first


def query(url: str) -> dict[str, str]:
    """A URL's query parameters (the last value of each)."""
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def metrics(page) -> list[str]:
    """Every headline number on the page, in order (what "the same numbers" compares)."""
    return page.get_by_test_id("stMetricValue").all_inner_texts()


def eps_thumb(page):
    """The eps slider's thumb (a visually hidden range input under react-aria)."""
    return page.locator('[data-testid="stSlider"]').filter(has_text="Attack budget eps").locator(
        'input[type="range"], [role="slider"]').first


def screenshot(page, path: Path, full_page: bool = False) -> Path:
    """A PNG of the page as the user sees it (animations settled)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)  # Plotly's transitions and fonts
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path
