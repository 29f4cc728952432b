"""Figures built once and serialised once for every session: ``shared(builder, *args)``.

A page's figures depend only on what their builder is given (figures/ is pure: data in, go.Figure out), and at a
given eps every student of a lecture sees the same ones. Yet each script run built each figure again (Plotly
validates every property as a figure is built: 5-25 ms a chart), and ``st.plotly_chart`` then deep-copied it
(``to_dict``) and serialised it, on every first load and every slider move of every session (benchmarks/
bench_pages.py measured it as most of a rerun's CPU).

``shared(table_heatmap, w.nu, p.positions, ...)`` looks the figure up by a digest of the builder and of its
arguments' content (numpy arrays by dtype, shape and bytes; engine results field by field; a Problem by its
canonical key), builds it on a miss, and keeps its JSON form. What it returns is a ``FrozenFigure``: a
``go.Figure`` whose ``to_dict`` hands ``st.plotly_chart`` that stored form, so the chart costs one serialisation of
plain JSON values (well under a millisecond) and no validation or copy. A frozen figure must not be modified;
build a figure the usual way when a page wants to change it. Arguments the digest does not know (an arbitrary
object) make ``shared`` build the figure as before, uncached. Lecture mode restyles every chart for the hall
(figures.style.for_hall): ``for_hall_shared`` builds a shared figure again with the hall's style and keeps that
form too, under the same digest with the theme and height added.

Bounded (``ENTRIES`` figures, least recently used first out) and safe to call from every session's thread.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import threading
from collections import OrderedDict

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from figures.style import for_hall

ENTRIES = 1024  # about 10 kB each (the Play animation 45 kB): a few MB at most ...
MAX_BYTES = 64 * 1024 * 1024  # ... and never more than this much JSON: a 6x200 table's charts are 0.4 MB each


class FrozenFigure(go.Figure):
    """A built figure's JSON form, read by ``st.plotly_chart`` (through ``to_dict``) and never changed.

    It skips ``go.Figure.__init__``: nothing is validated again, and only the stored form is there to read."""

    def __init__(self, spec: dict, size: int = 0):  # noqa: D107 - no super().__init__ on purpose (see the class)
        object.__setattr__(self, "_frozen_spec", spec)
        object.__setattr__(self, "_frozen_bytes", size)  # the length of its JSON (the store's byte bound)

    def to_dict(self) -> dict:
        return self._frozen_spec

    def to_plotly_json(self) -> dict:
        return self._frozen_spec

    def __repr__(self) -> str:
        return f"FrozenFigure({len(json.dumps(self._frozen_spec))} bytes)"


def freeze(fig: go.Figure) -> FrozenFigure:
    """A figure as plain JSON values (typed arrays already encoded), for ``st.plotly_chart`` to read as it is."""
    if isinstance(fig, FrozenFigure):
        return fig
    text = pio.to_json(fig, validate=False)
    return FrozenFigure(json.loads(text), len(text))


STAMP = "_content_digest"  # where ``stamped`` keeps a result's digest (an instance attribute, pickled with it)


def stamped(value):
    """``value`` (an engine result, a frozen dataclass) with the digest of its content kept on it, so that
    ``shared`` reads one string instead of walking its arrays and fields again on every run of every session.
    The cached calls of ui/compute.py stamp what they return; the stamp travels through ``st.cache_data``'s
    pickling, so each session's copy carries it. A stamped value must not be changed afterwards (none is: the
    results are frozen and the pages only read them)."""
    h = hashlib.blake2b(digest_size=20)
    try:
        _feed(h, value)
    except Unhashable:
        return value  # content the digest does not know: its charts are built as before (``shared``)
    object.__setattr__(value, STAMP, h.hexdigest())
    return value


class Unhashable(TypeError):
    """An argument whose content the digest does not know."""


def _feed(h, value) -> None:
    """Update the hash with ``value``'s type and content."""
    if value is None or isinstance(value, bool | int | float | complex | str | bytes):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, enum.Enum):
        h.update(f"enum:{type(value).__qualname__}.{value.name};".encode())
    elif isinstance(value, np.generic):
        h.update(f"np:{value.dtype.str}:{value.item()!r};".encode())
    elif isinstance(value, np.ndarray):
        if value.dtype == object:
            h.update(f"objarray:{value.shape};".encode())
            for item in value.ravel():
                _feed(h, item)
        else:
            h.update(f"array:{value.dtype.str}:{value.shape};".encode())
            h.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, list | tuple):
        h.update(f"{type(value).__name__}:{len(value)}[".encode())
        for item in value:
            _feed(h, item)
        h.update(b"]")
    elif isinstance(value, dict):
        h.update(f"dict:{len(value)}{{".encode())
        for k in sorted(value, key=repr):
            _feed(h, k)
            _feed(h, value[k])
        h.update(b"}")
    elif type(value).__name__ == "Problem" and isinstance(getattr(value, "key", None), str):
        h.update(f"problem:{value.key};".encode())  # engine.Problem: its canonical hash (mu, cost, kind) ...
        _feed(h, (value.positions, value.labels, value.name))  # ... and what it names, which the key leaves out
    elif STAMP in getattr(value, "__dict__", ()):
        h.update(f"stamped:{type(value).__qualname__}:{value.__dict__[STAMP]};".encode())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        h.update(f"dataclass:{type(value).__module__}.{type(value).__qualname__}(".encode())
        for f in dataclasses.fields(value):
            h.update(f.name.encode())
            _feed(h, getattr(value, f.name))
        h.update(b")")
    else:
        raise Unhashable(type(value).__qualname__)


def digest(builder, args: tuple, kwargs: dict) -> str:
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{builder.__module__}.{builder.__qualname__};".encode())
    _feed(h, args)
    _feed(h, kwargs)
    return h.hexdigest()


class _Store:
    """Least recently used figures, at most ``entries`` of them and ``max_bytes`` of their JSON; a figure larger
    than the whole bound is returned to its caller but not kept."""

    def __init__(self, entries: int, max_bytes: int):
        self.entries, self.max_bytes, self.lock, self.figures = entries, max_bytes, threading.Lock(), OrderedDict()
        self.hits = self.misses = self.bytes = 0

    def get(self, key: str) -> FrozenFigure | None:
        with self.lock:
            fig = self.figures.get(key)
            if fig is not None:
                self.figures.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
            return fig

    def put(self, key: str, fig: FrozenFigure) -> None:
        size = fig._frozen_bytes
        if size > self.max_bytes:
            return
        with self.lock:
            old = self.figures.pop(key, None)
            if old is not None:
                self.bytes -= old._frozen_bytes
            self.figures[key] = fig
            self.bytes += size
            while len(self.figures) > self.entries or self.bytes > self.max_bytes:
                _, dropped = self.figures.popitem(last=False)
                self.bytes -= dropped._frozen_bytes

    def clear(self) -> None:
        with self.lock:
            self.figures.clear()
            self.hits = self.misses = self.bytes = 0


_STORE = _Store(ENTRIES, MAX_BYTES)


def shared(builder, *args, **kwargs) -> go.Figure:
    """``builder(*args, **kwargs)`` as a FrozenFigure, built once for every session with the same arguments."""
    try:
        key = digest(builder, args, kwargs)
    except Unhashable:
        return builder(*args, **kwargs)
    fig = _STORE.get(key)
    if fig is None:
        fig = freeze(builder(*args, **kwargs))
        object.__setattr__(fig, "_recipe", (key, builder, args, kwargs))
        _STORE.put(key, fig)
    return fig


def for_hall_shared(fig: go.Figure, theme: str, height: int | None = None) -> go.Figure:
    """``fig`` in the hall's style (figures.style.for_hall): a figure from ``shared`` is built again and styled,
    once for every session; another frozen figure is styled as a copy; a plain figure in place, as for_hall does."""
    if not isinstance(fig, FrozenFigure):
        return for_hall(fig, theme, height)
    recipe = getattr(fig, "_recipe", None)
    if recipe is None:  # frozen elsewhere (a resource cache's figure): style a copy, never the shared form
        return for_hall(go.Figure(fig.to_dict()), theme, height)
    key, builder, args, kwargs = recipe
    hall_key = f"{key}:hall:{theme}:{height}"
    styled = _STORE.get(hall_key)
    if styled is None:
        styled = freeze(for_hall(builder(*args, **kwargs), theme, height))
        _STORE.put(hall_key, styled)
    return styled


def stats() -> dict:
    """Hits, misses, figures held and their bytes of JSON (tests, the warm-up's report)."""
    with _STORE.lock:
        return {"hits": _STORE.hits, "misses": _STORE.misses, "figures": len(_STORE.figures), "bytes": _STORE.bytes}


def clear() -> None:
    _STORE.clear()
