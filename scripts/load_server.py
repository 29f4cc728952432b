"""``streamlit run app.py`` that also writes its own vital signs: the server the load harness drives.

    python scripts/load_server.py STATS.jsonl [streamlit run options ...]

Every half second a line of JSON is appended to STATS.jsonl: the time, the process's resident memory (VmRSS)
and OS threads (both from /proc/self/status), its Python threads, and the sessions Streamlit's session
manager holds (all, and those with a connected websocket). The session counts come from Streamlit's runtime
(a private attribute, read-only); when a Streamlit release moves it, they are left out and the harness says so.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

PERIOD_SECONDS = 0.5
ROOT = Path(__file__).resolve().parent.parent


def vital_signs() -> dict:
    """This process's memory, threads and Streamlit sessions right now."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    row = {"t": time.time(), "rss_mb": int(status["VmRSS"].split()[0]) / 1024,
           "os_threads": int(status["Threads"]), "python_threads": threading.active_count()}
    try:
        from streamlit.runtime import Runtime

        if Runtime.exists():
            manager = Runtime.instance()._session_mgr
            row["sessions"] = manager.num_sessions()
            row["active_sessions"] = manager.num_active_sessions()
    except (AttributeError, ImportError, RuntimeError):
        pass
    return row


def report(path: Path) -> None:
    """Append vital_signs() to ``path`` forever (a daemon thread: it ends with the server)."""
    while True:
        with path.open("a") as out:
            out.write(json.dumps(vital_signs()) + "\n")
        time.sleep(PERIOD_SECONDS)


def main(argv: list[str]) -> int:
    stats = Path(argv[0])
    stats.write_text("")
    from streamlit.web import cli  # imported before the reporter thread starts, which imports from it too

    threading.Thread(target=report, args=(stats,), daemon=True, name="vital-signs").start()

    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *argv[1:]]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
