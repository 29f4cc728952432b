"""One replica of the app: ``streamlit run app.py`` that warms itself before its health check answers ok.

    python scripts/replica.py [--no-warm] [--stats STATS.jsonl] [streamlit run options ...]
    python scripts/replica.py --server.port 8501 --server.address 127.0.0.1

The server starts at once, but ``/_stcore/health`` answers 503 "warming up" until every page's default view for
every preset has been opened on it (ui/warm.py: real sessions over its own loopback WebSocket, so the same caches
a student's first load hits are filled). A proxy (deploy/haproxy.cfg) or Docker's HEALTHCHECK sends it students
only after that. The log says how long the warm-up took ("warm-up: N views in S s").

``--stats FILE`` appends a line of JSON every half second: the time, resident memory and OS threads
(/proc/self/status), CPU seconds used so far, Python threads, the sessions Streamlit holds (all, and those with a
connected WebSocket), the engine's cached saddle solves, and whether the warm-up is done. The load harness
(scripts/load.py) reads it. The session counts come from Streamlit's runtime (a private attribute, read-only); when
a Streamlit release moves it they are left out.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PERIOD_SECONDS = 0.5
POOL_THREADS = ("MainThread", "vital-signs", "warm-up", "ThreadPoolExecutor", "AnyIO worker thread", "asyncio_")
WARMED = threading.Event()
LOG = logging.getLogger("tradeoff_lab.replica")
STARTED = time.monotonic()


def vital_signs() -> dict:
    """This process's memory, threads, Streamlit sessions and engine cache right now."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    row = {"t": time.time(), "rss_mb": int(status["VmRSS"].split()[0]) / 1024,
           "os_threads": int(status["Threads"]), "python_threads": threading.active_count(), "warm": WARMED.is_set(),
           "cpu_s": round(sum(os.times()[:2]), 2)}
    names = [t.name for t in threading.enumerate()]
    # Threads that belong to a session (its script runner), not to the server's bounded pools, which grow to their
    # size under load and stay: what must come back to the baseline once the students left.
    row["session_threads"] = sum(1 for name in names if not name.startswith(POOL_THREADS))
    try:
        from streamlit.runtime import Runtime

        if Runtime.exists():
            manager = Runtime.instance()._session_mgr
            row["sessions"] = manager.num_sessions()
            row["active_sessions"] = manager.num_active_sessions()
    except (AttributeError, ImportError, RuntimeError):
        pass
    chain = sys.modules.get("engine.solvers.chain")
    solves = getattr(chain, "cached_solves", None)  # None while the module is still being imported
    if solves is not None:
        row["solves"] = solves()
    return row


def report(path: Path) -> None:
    """Append vital_signs() to ``path`` forever (a daemon thread: it ends with the server)."""
    while True:
        try:
            line = json.dumps(vital_signs())
        except Exception:  # noqa: BLE001 - one bad reading must not end the reports
            LOG.exception("vital signs")
        else:
            with path.open("a") as out:
                out.write(line + "\n")
        time.sleep(PERIOD_SECONDS)


def gate_health() -> None:
    """/_stcore/health answers 503 "warming up" until WARMED is set (then Streamlit's own answer).

    Streamlit's health route awaits ``Runtime.is_ready_for_browser_connection`` (an async property); it is
    wrapped, nothing else changes. The WebSocket does not consult it, so the warm-up's own sessions run."""
    from streamlit.runtime.runtime import Runtime

    original = Runtime.is_ready_for_browser_connection

    async def ready(self) -> tuple[bool, str]:
        ok, message = await original.fget(self)
        if ok and not WARMED.is_set():
            return False, "warming up"
        return ok, message

    Runtime.is_ready_for_browser_connection = property(ready)


def local_base(address: str | None, port: int) -> str:
    """Where this process reaches its own server (a wildcard address is reached on loopback)."""
    host = "127.0.0.1" if address in (None, "", "0.0.0.0", "::") else address
    return f"http://{host}:{port}"


def wait_serving(base: str, timeout: float = 120.0) -> None:
    """Until the server answers on its port (with 503 while warming: any HTTP answer will do)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"the server did not answer on {base} within {timeout:.0f} s")


def warm_up(base: str) -> None:
    """Warm the server, then open the health check (also when the warm-up failed: the pages still work, cold)."""
    from ui.warm import warm

    try:
        wait_serving(base)
        result = asyncio.run(warm(base))
        print(result.line() + f"; ready {time.monotonic() - STARTED:.1f} s after the start", flush=True)
        for error in result.errors[:10]:
            print(f"warm-up error: {error}", flush=True)
    except Exception:  # noqa: BLE001 - a replica that could not warm still serves (and says so in its log)
        LOG.exception("warm-up failed; serving cold")
    finally:
        # What the warm-up built (modules, caches, figures) lives as long as the process: out of the collector's
        # way, so that a full collection during a hall scans only the sessions' own objects (measured: 4 full
        # collections of about 100 ms each, holding the interpreter lock, in 360 reruns of a warm process).
        gc.collect()
        gc.freeze()
        WARMED.set()


def option(argv: list[str], name: str) -> str | None:
    """The value of a streamlit option given as ``--name value`` or ``--name=value``."""
    for k, arg in enumerate(argv):
        if arg == name and k + 1 < len(argv):
            return argv[k + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], add_help=True)
    parser.add_argument("--no-warm", action="store_true", help="answer the health check at once (no warm-up)")
    parser.add_argument("--stats", type=Path, help="append vital signs as JSON lines to this file")
    ours, streamlit_args = parser.parse_known_args(argv)
    sys.path.insert(0, str(ROOT))
    from streamlit.web import cli  # imported before the threads start, which import from it too

    if ours.stats:
        ours.stats.parent.mkdir(parents=True, exist_ok=True)
        ours.stats.write_text("")
        threading.Thread(target=report, args=(ours.stats,), daemon=True, name="vital-signs").start()
    if ours.no_warm:
        WARMED.set()
    else:
        gate_health()
        port = int(option(streamlit_args, "--server.port") or 8501)
        base = local_base(option(streamlit_args, "--server.address"), port)
        threading.Thread(target=warm_up, args=(base,), daemon=True, name="warm-up").start()
    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *streamlit_args]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
