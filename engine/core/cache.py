"""A least-recently-used cache bounded in bytes as well as in entries (the engine's solve, move and curve caches).

``functools.lru_cache`` counts entries only, and an entry's size grows with the problem: a saddle point holds a
plan of one number per move, so 512 cached solves of a 25x12 table took about 30 MB, of a batch-sized problem
gigabytes. :func:`bounded_cache` also evicts the least recently used entries while the arrays held exceed
``max_bytes`` (counted by :func:`nbytes`: the numpy arrays of a value, of its dataclass fields and of the tuples,
lists and dicts in it, one level deep). A single value larger than the bound is returned but not kept.

The wrapper offers ``cache_clear()`` and ``cache_info()`` (``currsize``, ``maxsize``, ``bytes``, ``max_bytes``) like
``lru_cache``. It is thread-safe; two threads missing the same key at once may both compute it (as ``lru_cache``).

Every cache of the engine is forgotten together by ``clear_all`` (``engine.clear_cache()``: benchmarks and tests
start cold with it): a bounded cache registers itself, any other cache ``register``s its clear function, whatever
layer it lives in, so a lower layer never has to import a higher one to clear it.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections import OrderedDict
from typing import NamedTuple

import numpy as np

_CLEARERS: list = []


def register(clear):
    """Remember ``clear`` (a cache's own clear function) so that ``clear_all`` calls it; returns it."""
    if clear not in _CLEARERS:
        _CLEARERS.append(clear)
    return clear


def clear_all() -> None:
    """Forget every registered cache."""
    for clear in _CLEARERS:
        clear()


class CacheInfo(NamedTuple):
    hits: int
    misses: int
    maxsize: int
    currsize: int
    bytes: int
    max_bytes: int


def nbytes(value, depth: int = 2) -> int:
    """The bytes of the numpy arrays a value holds (shared arrays are counted once per value)."""
    seen: set[int] = set()

    def walk(v, d: int) -> int:
        if isinstance(v, np.ndarray):
            base = v if v.base is None else v.base
            if id(base) in seen or not isinstance(base, np.ndarray):
                return 0 if id(base) in seen else v.nbytes
            seen.add(id(base))
            return base.nbytes
        if d <= 0:
            return 0
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return sum(walk(getattr(v, f.name), d - 1) for f in dataclasses.fields(v))
        if isinstance(v, (tuple, list)):
            return sum(walk(x, d - 1) for x in v)
        if isinstance(v, dict):
            return sum(walk(x, d - 1) for x in v.values())
        return 0

    return walk(value, depth) + 64


def bounded_cache(maxsize: int, max_bytes: int):
    """Decorator: an LRU cache of at most ``maxsize`` entries holding at most ``max_bytes`` of arrays."""

    def decorate(function):
        entries: OrderedDict = OrderedDict()  # key -> (value, bytes)
        lock = threading.Lock()
        stats = {"hits": 0, "misses": 0, "bytes": 0}

        @functools.wraps(function)
        def cached(*args):
            key = args
            with lock:
                if key in entries:
                    entries.move_to_end(key)
                    stats["hits"] += 1
                    return entries[key][0]
                stats["misses"] += 1
            value = function(*args)
            size = nbytes(value)
            if size > max_bytes:
                return value
            with lock:
                if key not in entries:
                    entries[key] = (value, size)
                    stats["bytes"] += size
                while entries and (len(entries) > maxsize or stats["bytes"] > max_bytes):
                    _, (_, dropped) = entries.popitem(last=False)
                    stats["bytes"] -= dropped
            return value

        def cache_clear() -> None:
            with lock:
                entries.clear()
                stats.update(hits=0, misses=0, bytes=0)

        def cache_info() -> CacheInfo:
            with lock:
                return CacheInfo(stats["hits"], stats["misses"], maxsize, len(entries), stats["bytes"], max_bytes)

        cached.cache_clear = register(cache_clear)
        cached.cache_info = cache_info
        return cached

    return decorate
