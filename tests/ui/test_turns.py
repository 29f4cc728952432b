"""ui/turns.py: script runs take turns, first come first served; a computation steps aside and its run queues
again only outside the cache's lock, so two runs asking for the same answer, or nested cached calls, never
deadlock; and on a real server concurrent sessions' runs draw one at a time."""

from __future__ import annotations

import asyncio
import inspect
import json
import sys
import threading
import time
from pathlib import Path

import pytest
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

from ui import turns
from ui.compute import cached

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
import harness  # noqa: E402

WAIT = 30


def wait_until(condition, seconds: float = WAIT) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_the_turn_goes_to_the_waiting_threads_in_the_order_they_asked():
    t = turns.Turns()
    t.take()
    order = []

    def wait_then_record(k):
        t.take()
        order.append(k)
        t.give()

    threads = []
    for k in range(6):
        threads.append(threading.Thread(target=wait_then_record, args=(k,)))
        threads[-1].start()
        wait_until(lambda k=k: t.waiting() == k + 1)  # each asks after the one before it
    t.give()
    for thread in threads:
        thread.join(WAIT)
    assert order == list(range(6)) and t.waiting() == 0
    t.take()  # free again
    t.give()


def in_run(target, *args):
    """A thread that runs ``target`` as a script run would: holding a turn of ``turns.TURNS`` from the start."""
    def run():
        turns.begin_run()
        try:
            target(*args)
        finally:
            turns.end_run()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_computation_gives_the_turn_up_and_the_run_takes_it_back_after():
    steps, inside = [], threading.Event()
    release = threading.Event()

    def computing():
        with turns.aside():
            inside.set()
            turns.retake()  # inside a computation: does nothing (it could hold a cache's lock here)
            release.wait(WAIT)
        steps.append("computed")
        turns.retake()
        steps.append("retook")

    a = in_run(computing)
    assert inside.wait(WAIT)
    b = in_run(lambda: steps.append("other run drew"))  # gets the turn while the first one computes
    b.join(WAIT)
    assert steps == ["other run drew"]
    release.set()
    a.join(WAIT)
    assert steps == ["other run drew", "computed", "retook"]
    assert turns.TURNS.waiting() == 0


def test_runs_asking_for_the_same_slow_answer_with_nested_cached_calls_do_not_deadlock():
    """Run A misses and computes aside (holding the cache's lock on the arguments); run B takes the turn and waits
    for that lock; A's nested cached call and its own return must not wait for B's turn inside the lock."""
    calls = []

    @cached(max_entries=4, show_spinner=False)
    def inner(x: int) -> int:
        time.sleep(0.2)
        return x + 1

    @cached(max_entries=4, show_spinner=False)
    def outer(x: int) -> int:
        calls.append(x)
        time.sleep(0.3)
        return inner(x) * 10

    outer.clear()
    inner.clear()
    results = []
    a = in_run(lambda: results.append(outer(7)))
    wait_until(lambda: calls)  # A is computing
    b = in_run(lambda: results.append(outer(7)))
    a.join(WAIT)
    b.join(WAIT)
    assert not a.is_alive() and not b.is_alive(), "deadlocked"
    assert results == [80, 80] and calls == [7]  # computed once; the other run read it
    assert turns.TURNS.waiting() == 0


def test_outside_a_run_the_turns_do_nothing():
    with turns.aside():
        turns.retake()
    turns.retake()
    taker = threading.Thread(target=turns.TURNS.take)  # the turn is free: not taken by the calls above
    taker.start()
    taker.join(WAIT)
    assert not taker.is_alive() and turns.TURNS.waiting() == 0
    turns.TURNS.give()


def test_streamlit_still_runs_a_script_through_the_method_it_wraps():
    assert list(inspect.signature(turns._ORIGINAL).parameters) == ["self", "rerun_data"]
    was = turns.installed()
    turns.install()
    turns.install()
    assert ScriptRunner._run_script is turns._run_script
    turns.uninstall()
    assert ScriptRunner._run_script is turns._ORIGINAL
    if was:
        turns.install()


SCRIPT = '''
import json, sys, threading, time
sys.path.insert(0, {root!r})
import streamlit as st
from ui import turns
turns.install()
began = time.monotonic()
for k in range(30):
    st.caption(f"row {{k}}")
    time.sleep(0.002)
with open({log!r}, "a") as f:
    f.write(json.dumps([began, time.monotonic()]) + "\\n")
'''


async def one_session(base: str) -> None:
    async with websockets.connect(base.replace("http://", "ws://") + "/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None, ping_interval=None, compression=None) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.widget_states.SetInParent()
        await ws.send(msg.SerializeToString())
        while ForwardMsg.FromString(await ws.recv()).WhichOneof("type") != "script_finished":
            pass


@pytest.mark.slow
def test_on_a_served_app_concurrent_sessions_draw_one_at_a_time(tmp_path):
    spans = tmp_path / "spans.jsonl"
    app = tmp_path / "app.py"
    app.write_text(SCRIPT.format(root=str(ROOT), log=str(spans)))
    proc, base = harness.start_server(tmp_path / "server.log", app=app)
    try:
        asyncio.run(one_session(base))  # the first run installs it

        async def hall():
            await asyncio.gather(*(one_session(base) for _ in range(8)))

        asyncio.run(hall())
    finally:
        harness.stop_server(proc)
    rows = sorted(json.loads(line) for line in spans.read_text().splitlines())[1:]
    assert len(rows) == 8
    for (_, end), (start, _) in zip(rows, rows[1:], strict=False):
        assert start >= end - 1e-3, rows  # no two runs drew at the same time
