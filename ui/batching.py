"""Streamlit's hand-off from a script thread to the event loop: one wake-up per burst of elements, not one each.

Every element a script run draws reaches the browser in two hops. The script thread calls
``AppSession._call_soon_on_event_loop(callback)``, which is ``loop.call_soon_threadsafe``: a byte written to the
loop's self-pipe, a wake-up of the loop, and a handle run for that one element. On the loop, the callback queues the
message and calls ``Runtime._enqueued_some_message``, which does ``call_soon_threadsafe(need_send_data.set)`` again,
although it is already on the loop's thread. A slider move of the tradeoff page sends about 80 messages, and a
sampling profile of a served replica (py-spy, 200 tradeoff moves) put 13 % of the server's busy samples in those
self-pipe writes, plus the loop's reads of them and one handle per element.

``install()`` changes only the hand-off, not what is handed over or its order:

- a session's callbacks go into a queue of its own, in the order its threads produced them. The first one wakes
  the loop; while more keep coming, the loop takes them every ``POLL_SECONDS`` (2 ms) by a timer instead of being
  woken for each, and a drain that finds none stops the timer. ``_Batch.drain`` runs them in order; one that raises
  goes to the loop's exception handler, as ``call_soon_threadsafe`` would have sent it, and the rest still run.
  A message may wait up to 2 ms longer for the loop; a move's run takes 20-30 ms.
- ``_enqueued_some_message`` sets the event directly when it is already on the loop's thread (the case above), and
  through ``call_soon_threadsafe`` from any other thread, as before.

Measured side by side (two servers, rounds of bench_pages' sessions interleaved, 10 rounds, medians; quiet
machine): a move 25.3 -> 20.0 CPU ms (worst-case) and 22.7 -> 17.6 ms (tradeoff); a page of one slider and 90
captions 0.125 -> 0.092 ms a message. Sessions created before ``install()`` keep Streamlit's own hand-off for
``_enqueued_some_message`` (it is bound when a session starts); app.py installs it on the first run (ui/boot.py).

Streamlit is pinned (requirements.lock); tests/ui/test_batching.py checks that the two methods still have the
shape this relies on and that a served page draws and reruns as before. Idempotent; ``uninstall()`` restores both.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque

from streamlit.runtime.app_session import AppSession
from streamlit.runtime.runtime import Runtime

LOG = logging.getLogger(__name__)
_ORIGINAL = {"call_soon": AppSession._call_soon_on_event_loop, "enqueued": Runtime._enqueued_some_message}
POLL_SECONDS = 0.002  # while a run is sending: a message waits at most this long for the loop


class _Batch:
    """The callbacks one session's threads handed to the loop and the loop has not run yet (FIFO).

    ``armed``: a drain is on its way (woken through the self-pipe, or a timer). While callbacks keep coming, each
    drain arms a timer for the next one ``POLL_SECONDS`` later instead of waiting to be woken, so a script run's
    elements cost one self-pipe write for the run's first burst, not one each; a drain that finds nothing disarms,
    and the next callback wakes the loop again."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.callbacks: deque = deque()
        self.armed = False

    def add(self, loop: asyncio.AbstractEventLoop, callback) -> None:
        with self.lock:
            self.callbacks.append(callback)
            if self.armed:
                return  # the drain already on its way runs this one too
            self.armed = True
        try:
            loop.call_soon_threadsafe(self.drain, loop)
        except RuntimeError:
            with self.lock:
                self.callbacks.clear()
                self.armed = False
            if not loop.is_closed():
                raise
            LOG.debug("Dropped event-loop callback (the loop is closed)", exc_info=True)

    def drain(self, loop: asyncio.AbstractEventLoop) -> None:
        with self.lock:
            batch = list(self.callbacks)
            self.callbacks.clear()
            self.armed = bool(batch)  # still arriving: poll again soon; nothing came: the next one wakes the loop
        for callback in batch:
            try:
                callback()
            except Exception as error:  # noqa: BLE001 - as asyncio reports a failing callback, then goes on
                loop.call_exception_handler({"message": "Exception in a batched event-loop callback",
                                             "exception": error})
        if batch:
            loop.call_later(POLL_SECONDS, self.drain, loop)


def _call_soon_on_event_loop(self: AppSession, callback) -> None:
    batch = self.__dict__.get("_lab_batch") or self.__dict__.setdefault("_lab_batch", _Batch())  # setdefault: atomic
    batch.add(self._event_loop, callback)


def _enqueued_some_message(self: Runtime) -> None:
    objects = self._get_async_objs()
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is objects.eventloop:
        objects.need_send_data.set()
    else:
        objects.eventloop.call_soon_threadsafe(objects.need_send_data.set)


def install() -> None:
    """Batch the hand-off (sessions created from now on wake the loop once per burst; see the module)."""
    AppSession._call_soon_on_event_loop = _call_soon_on_event_loop
    Runtime._enqueued_some_message = _enqueued_some_message


def uninstall() -> None:
    AppSession._call_soon_on_event_loop = _ORIGINAL["call_soon"]
    Runtime._enqueued_some_message = _ORIGINAL["enqueued"]


def installed() -> bool:
    return AppSession._call_soon_on_event_loop is _call_soon_on_event_loop
