"""Server-side time of a slider rerun on each page (AppTest, warm caches): the median of 5 moves.

    .venv/bin/python tests/views/rerun_timing.py                     # every page
    .venv/bin/python tests/views/rerun_timing.py accuracy certify    # pages whose file name contains a word

Not a test (timings depend on the machine); docs/design.md ("Pages") wants a slider move to feel instant (target
150 ms).
Each page is opened at its defaults, the slider visits two grid points once to warm the caches, then five
timed moves alternate between them; the time covers ``set_value(...).run()`` (script run plus AppTest's
bookkeeping, so slightly more than the server would spend). The Context pages compute everything per move
(closed forms, a seeded simulator, Monte Carlo certificates) rather than from a precomputed grid, so each of
their sliders is timed, and also on five values not seen before (the 'new values' column: cold caches).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
for path in (HERE, HERE.parent.parent):
    sys.path.insert(0, str(path))

from pagekit import ACCURACY, CERTIFY, DETERMINISTIC, OVERVIEW, PRIVACY, TRADEOFF, WORST_CASE, open_page  # noqa: E402

TARGET_MS = 150

SLIDERS = [(page, "eps") for page in (OVERVIEW, WORST_CASE, TRADEOFF, DETERMINISTIC, PRIVACY)] + [
    (ACCURACY, "eps_inf"), (ACCURACY, "p"), (ACCURACY, "eta"), (ACCURACY, "d"), (CERTIFY, "sigma"), (CERTIFY, "p_a")]
FRESH = {ACCURACY, CERTIFY}


def _value(slider, fraction: float):
    """The slider's value at ``fraction`` of its range (a whole number for an int slider)."""
    v = slider.min + fraction * (slider.max - slider.min)
    return round(v) if isinstance(slider.value, int) else v


def _timed(at, key: str, value) -> float:
    at.slider(key=key).set_value(value)
    start = time.perf_counter()
    at.run()
    assert not at.exception
    return (time.perf_counter() - start) * 1000


def rerun_ms(page: str, key: str = "eps", moves: int = 5) -> list[float]:
    at = open_page(page)
    slider = at.slider(key=key)
    a, b = _value(slider, 10 / 40), _value(slider, 12 / 40)
    for v in (a, b):  # warm-up: solves and caches both budgets
        at.slider(key=key).set_value(v).run()
    return [_timed(at, key, a if k % 2 == 0 else b) for k in range(moves)]


def fresh_ms(page: str, key: str, moves: int = 5) -> list[float]:
    """Moves to values no run has seen (between 20 % and 80 % of the range)."""
    at = open_page(page)
    slider = at.slider(key=key)
    return [_timed(at, key, _value(slider, 0.2 + 0.6 * (k + 0.5) / moves)) for k in range(moves)]


def main(words: list[str]) -> int:
    print(f"{'page':<24} {'slider':<7} {'median ms':>9}  runs (ms){'':<16} {'new values':>10}  runs (ms)")
    slow = 0
    for page, key in SLIDERS:
        if words and not any(w in page for w in words):
            continue
        times = rerun_ms(page, key)
        median = statistics.median(times)
        slow += median > TARGET_MS
        line = f"{page:<24} {key:<7} {median:>9.0f}  {' '.join(f'{t:.0f}' for t in times):<25}"
        if page in FRESH:
            cold = fresh_ms(page, key)
            line += f" {statistics.median(cold):>10.0f}  {' '.join(f'{t:.0f}' for t in cold)}"
        print(line + ("  over target" if median > TARGET_MS else ""))
    return 0 if not slow else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
