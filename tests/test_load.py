"""The load harness (scripts/load.py), reduced: 20 simulated browsers on the heaviest pages of a real server.

No wall-clock assertions (the closing note of issue 6 quotes the full run's latencies); what must hold on
any machine: every run finishes with no exception or error element, every session completes, and after the
clients leave no session is connected or held and the script threads are back to the baseline.

The same reduced run through the proxy with 2 replicas (scripts/serve.py), and again with one replica killed
mid-run, is tests/test_deploy.py::test_serve_two_replicas_through_the_proxy_survives_a_killed_replica_and_stops_clean.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOAD = ROOT / "scripts" / "load.py"


@pytest.mark.slow
def test_twenty_sessions_with_five_slider_moves_each(tmp_path):
    result = subprocess.run(
        [sys.executable, str(LOAD), "--sessions", "20", "--reruns", "5", "--ramp", "5", "--think", "0.2",
         "--session-ttl", "2", "--deadline", "600", "--json", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=700, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["errors"] == 0, report["error_examples"]
    assert report["finished_sessions"] == 20
    assert report["first_load"]["count"] == 20 and report["move"]["count"] == 100
    (server,) = report["servers"]
    assert server["active_sessions_after"] == 0 and server["sessions_held_after"] == 0
    assert server["session_threads"]["after"] <= server["session_threads"]["baseline"]
    assert report["largest_message_kb"] < 20 * 1024  # under .streamlit/config.toml's maxMessageSize


@pytest.mark.parametrize("argv, words", [(["--pages", "nowhere"], "not an Explore page"),
                                         (["--pages", "certified-robustness"], "not an Explore page"),
                                         (["--sessions", "0"], "between 1 and"),
                                         (["--timeout", "0"], "--timeout")])
def test_bad_options_get_a_sentence(argv, words):
    result = subprocess.run([sys.executable, str(LOAD), *argv], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr
