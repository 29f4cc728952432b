"""The engine's caches, forgotten together: ``engine.clear_cache()`` (benchmarks and tests start cold with it).

Each module that keeps a cache registers how to forget it; ``clear_all`` calls them all, whatever layer they live
in, so a lower layer's ``clear_cache`` never has to import a higher one.
"""

from __future__ import annotations

from collections.abc import Callable

_CLEARERS: list[Callable[[], None]] = []


def register(clear: Callable[[], None]) -> Callable[[], None]:
    """Remember ``clear`` (a cache's own clear function) so that ``clear_all`` calls it; returns it."""
    if clear not in _CLEARERS:
        _CLEARERS.append(clear)
    return clear


def clear_all() -> None:
    """Forget every registered cache."""
    for clear in _CLEARERS:
        clear()
