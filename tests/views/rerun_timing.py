"""Server-side time of an eps-slider rerun on each page (AppTest, warm caches): the median of 5 moves.

    .venv/bin/python tests/views/rerun_timing.py

Not a test (timings depend on the machine); DESIGN.md §5 wants a slider move to feel instant (target 150 ms).
Each page is opened at its defaults, the slider visits two grid points once to warm the caches, then five
timed moves alternate between them; the time covers ``set_value(...).run()`` (script run plus AppTest's
bookkeeping, so slightly more than the server would spend).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
for path in (HERE, HERE.parent.parent):
    sys.path.insert(0, str(path))

from pagekit import DETERMINISTIC, OVERVIEW, PRIVACY, TRADEOFF, WORST_CASE, open_page  # noqa: E402

TARGET_MS = 150


def rerun_ms(page: str, moves: int = 5) -> list[float]:
    at = open_page(page)
    slider = at.slider(key="eps")
    step = (slider.max - slider.min) / 40
    a, b = slider.min + 10 * step, slider.min + 12 * step
    for v in (a, b):  # warm-up: solves and caches both budgets
        at.slider(key="eps").set_value(v).run()
    times = []
    for k in range(moves):
        at.slider(key="eps").set_value(a if k % 2 == 0 else b)
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
        assert not at.exception
    return times


def main() -> int:
    print(f"{'page':<32} {'median ms':>9}  runs (ms)")
    slow = 0
    for page in (OVERVIEW, WORST_CASE, TRADEOFF, DETERMINISTIC, PRIVACY):
        times = rerun_ms(page)
        median = statistics.median(times)
        slow += median > TARGET_MS
        print(f"{page:<32} {median:>9.0f}  {' '.join(f'{t:.0f}' for t in times)}"
              + ("  over target" if median > TARGET_MS else ""))
    return 0 if not slow else 1


if __name__ == "__main__":
    sys.exit(main())
