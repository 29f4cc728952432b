"""Time bounds the harness enforces (issue 15): a reproducer must end within its bound, or the test fails.

``run_engine`` runs ``python -m engine ...`` as a subprocess killed at its timeout (subprocess.run's, with the whole
process group: a hung reader or solver cannot outlive the test); ``within`` runs a call in a thread and fails when
the join times out (the thread is a daemon: a hang cannot block pytest's exit). Neither asserts on elapsed time: the
bound is where the harness stops waiting.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# A CLI call: the interpreter and engine imports take 1-3 s on two busy cores; the bound allows for that.
CLI_SECONDS = 60


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def run_engine(*args, timeout: float = CLI_SECONDS, cwd=ROOT, env=None) -> Result:
    """``python -m engine *args``, killed (with its process group) if it runs past ``timeout`` seconds."""
    process = subprocess.Popen([sys.executable, "-m", "engine", *map(str, args)], cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, start_new_session=True,
                               env={**os.environ, **(env or {})})
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"python -m engine {' '.join(map(str, args))} did not end within {timeout:g} s")
    return Result(process.returncode, stdout, stderr)


def assert_sentence(result: Result, *words: str) -> str:
    """Exit 2, one line 'error: ...' on stderr (no traceback), naming ``words``; returns the sentence."""
    err = result.stderr
    assert result.returncode == 2, (result.returncode, err)
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, (word, err)
    return err[len("error: "):].strip()


def within(seconds: float, function, *args, **kwargs):
    """``function(*args, **kwargs)`` in a daemon thread; its result, its exception, or a failure after ``seconds``."""
    out: dict = {}

    def target():
        try:
            out["value"] = function(*args, **kwargs)
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            out["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"{getattr(function, '__name__', function)} did not return within {seconds:g} s")
    if "error" in out:
        raise out["error"]
    return out["value"]
