"""ui/batching.py: the script thread's hand-off to the event loop, batched. Same callbacks, same order, fewer
wake-ups; a failing one is reported and the rest run; a closed loop drops them as Streamlit does; and a real
server sends the same messages in the same order with it as without it."""

from __future__ import annotations

import asyncio
import inspect
import sys
import threading
import types
from pathlib import Path

import pytest
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.runtime import Runtime

from ui import batching

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
import harness  # noqa: E402


class LoopThread:
    """An event loop running in a thread of its own (the server's main thread, in miniature)."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.wakeups = 0
        original = self.loop.call_soon_threadsafe

        def counted(*args, **kwargs):
            self.wakeups += 1
            return original(*args, **kwargs)

        self.loop.call_soon_threadsafe = counted
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def block(self) -> threading.Event:
        """Hold the loop inside a callback until the returned event is set."""
        release, held = threading.Event(), threading.Event()

        def hold():
            held.set()
            release.wait(30)

        self.loop.call_soon_threadsafe(hold)
        assert held.wait(30)
        return release

    def settle(self) -> None:
        """Until every callback (and timer) scheduled so far has run."""
        for _ in range(3):
            asyncio.run_coroutine_threadsafe(asyncio.sleep(3 * batching.POLL_SECONDS), self.loop).result(30)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)
        self.loop.close()


@pytest.fixture
def loop_thread():
    lt = LoopThread()
    yield lt
    if not lt.loop.is_closed():
        lt.stop()


def session(loop):
    return types.SimpleNamespace(_event_loop=loop)


def test_a_burst_runs_in_order_on_the_loop_after_one_wakeup(loop_thread):
    fake, ran = session(loop_thread.loop), []
    release = loop_thread.block()
    before = loop_thread.wakeups
    for k in range(1000):  # while the loop is busy: the first wakes it, the rest ride along
        batching._call_soon_on_event_loop(fake, lambda k=k: ran.append((k, threading.current_thread())))
    assert loop_thread.wakeups - before == 1
    release.set()
    loop_thread.settle()
    assert [k for k, _ in ran] == list(range(1000))
    assert {t for _, t in ran} == {loop_thread.thread}


def test_after_a_quiet_spell_the_next_callback_wakes_the_loop_again(loop_thread):
    fake, ran = session(loop_thread.loop), []
    for k in range(3):
        before = loop_thread.wakeups
        batching._call_soon_on_event_loop(fake, lambda k=k: ran.append(k))
        loop_thread.settle()  # its drain ran, then a drain found nothing and disarmed
        assert loop_thread.wakeups - before >= 1
    assert ran == [0, 1, 2]


def test_callbacks_from_two_threads_all_run_each_threads_in_its_order(loop_thread):
    fake, ran = session(loop_thread.loop), []

    def produce(name):
        for k in range(500):
            batching._call_soon_on_event_loop(fake, lambda k=k: ran.append((name, k)))

    threads = [threading.Thread(target=produce, args=(name,)) for name in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    loop_thread.settle()
    assert len(ran) == 1000
    for name in "ab":
        assert [k for n, k in ran if n == name] == list(range(500))


def test_a_failing_callback_goes_to_the_exception_handler_and_the_rest_still_run(loop_thread):
    fake, ran, reported = session(loop_thread.loop), [], []
    loop_thread.loop.set_exception_handler(lambda loop, context: reported.append(context))
    release = loop_thread.block()
    batching._call_soon_on_event_loop(fake, lambda: ran.append(1))
    batching._call_soon_on_event_loop(fake, lambda: 1 / 0)
    batching._call_soon_on_event_loop(fake, lambda: ran.append(3))
    release.set()
    loop_thread.settle()
    assert ran == [1, 3]
    assert len(reported) == 1 and isinstance(reported[0]["exception"], ZeroDivisionError)


def test_a_closed_loop_drops_the_callback_as_streamlit_does(loop_thread):
    fake = session(loop_thread.loop)
    loop_thread.stop()
    batching._call_soon_on_event_loop(fake, lambda: None)  # no "Event loop is closed" error
    batch = fake.__dict__["_lab_batch"]
    assert not batch.callbacks and not batch.armed


def test_enqueued_some_message_sets_the_event_on_the_loop_and_schedules_it_from_elsewhere(loop_thread):
    async def make_event():
        return asyncio.Event()

    event = asyncio.run_coroutine_threadsafe(make_event(), loop_thread.loop).result(30)
    runtime = types.SimpleNamespace(_get_async_objs=lambda: types.SimpleNamespace(
        eventloop=loop_thread.loop, need_send_data=event))

    async def on_loop():
        batching._enqueued_some_message(runtime)
        return event.is_set()  # set at once: no round trip through the self-pipe

    assert asyncio.run_coroutine_threadsafe(on_loop(), loop_thread.loop).result(30)
    loop_thread.loop.call_soon_threadsafe(event.clear)
    loop_thread.settle()
    before = loop_thread.wakeups
    batching._enqueued_some_message(runtime)  # from this (another) thread
    assert loop_thread.wakeups == before + 1
    loop_thread.settle()
    assert event.is_set()


def test_the_streamlit_methods_it_replaces_still_have_the_shape_it_relies_on():
    original = batching._ORIGINAL["call_soon"]
    assert list(inspect.signature(original).parameters) == ["self", "callback"]
    assert "self._event_loop.call_soon_threadsafe(callback)" in inspect.getsource(original)
    assert "self._call_soon_on_event_loop(" in inspect.getsource(AppSession._on_scriptrunner_event)
    assert list(inspect.signature(batching._ORIGINAL["enqueued"]).parameters) == ["self"]
    assert "need_send_data.set" in inspect.getsource(batching._ORIGINAL["enqueued"])
    assert "message_enqueued_callback=self._enqueued_some_message" in inspect.getsource(Runtime)


def test_install_is_idempotent_and_uninstall_restores_streamlit():
    was = batching.installed()
    try:
        batching.install()
        batching.install()
        assert batching.installed() and Runtime._enqueued_some_message is batching._enqueued_some_message
        batching.uninstall()
        assert not batching.installed()
        assert AppSession._call_soon_on_event_loop is batching._ORIGINAL["call_soon"]
        assert Runtime._enqueued_some_message is batching._ORIGINAL["enqueued"]
    finally:
        (batching.install if was else batching.uninstall)()


SCRIPT = '''
import sys
sys.path.insert(0, {root!r})
import streamlit as st
if {batched!r}:
    from ui import batching
    batching.install()
eps = st.slider("Attack budget eps", 0.0, 1.0, 0.5, step=0.05, key="eps")
for k in range(40):
    a, b = st.columns(2)
    a.caption(f"row {{k}} at {{eps}}")
    with b.container(key=f"box{{k}}"):
        st.markdown(f"**{{k}}**")
st.sidebar.write("done")
'''


async def messages(base: str, widget: str | None = None) -> tuple[list[tuple], str | None]:
    """The (type, delta path, element) of every message a run sends, and the slider's id; a rerun if ``widget``."""
    async with websockets.connect(base.replace("http://", "ws://") + "/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None, ping_interval=None, compression=None) as ws:
        out, slider = [], None
        for value in (None, 0.7):
            msg = BackMsg()
            msg.rerun_script.query_string = ""
            msg.rerun_script.widget_states.SetInParent()
            if value is not None:
                w = msg.rerun_script.widget_states.widgets.add()
                w.id, _ = slider, w.double_array_value.data.append(value)
            await ws.send(msg.SerializeToString())
            while True:
                fm = ForwardMsg.FromString(await ws.recv())
                kind = fm.WhichOneof("type")
                element = ""
                if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                    e = fm.delta.new_element
                    element = e.WhichOneof("type")
                    if element == "slider":
                        slider = e.slider.id
                    element += ":" + getattr(getattr(e, element), "body", "")
                if kind not in ("new_session", "session_status_changed"):  # they carry ids and times
                    out.append((kind, tuple(fm.metadata.delta_path), element))
                if kind == "script_finished":
                    break
        return out, slider


@pytest.mark.slow
def test_a_served_script_sends_the_same_messages_in_the_same_order_with_and_without_it(tmp_path):
    seen = {}
    for batched in (False, True):
        app = tmp_path / f"app_{batched}.py"
        app.write_text(SCRIPT.format(root=str(ROOT), batched=batched))
        proc, base = harness.start_server(tmp_path / f"{batched}.log", app=app)
        try:
            asyncio.run(messages(base))  # the first session installs it (sessions after it use it throughout)
            seen[batched], _ = asyncio.run(messages(base))
        finally:
            harness.stop_server(proc)
    assert len(seen[True]) > 2 * 40 * 4  # two runs of 40 rows (a block, two columns, two elements, a container)
    assert seen[True] == seen[False]
    assert any("0.7" in element for _, _, element in seen[True])  # the rerun saw the moved slider
