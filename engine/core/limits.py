"""The sizes the engine takes, stated once and checked on the product of sizes before anything is built.

A solve at one budget works on the *transport moves* of its kind (``engine.core.moves``): up to n²·m of them, or
(n·m)² for the joint kind (``dense_size``). Memory and time grow with that product, not with n or m alone, so the
limits are on it:

- :data:`INTERACTIVE_MOVES` (8,000): what the app solves while you wait (a page precomputes a grid of 41 budgets;
  at 8,000 moves one solve takes about 0.15 s here, so a cold page is ready in about 6 s);
- :data:`MAX_MOVES` (2,000,000): what the engine builds at all, for the command line, the Python API and each
  problem of a batch (the moves alone then take about 70 MB, the solvers several times that);
- :data:`MAX_FEATURES` and :data:`MAX_LABELS` (2,000 and 200, the CSV files' limits): a problem's n and m, checked
  before its n-by-n cost is built;
- :data:`BATCH_CELLS` (50,000,000): the table entries (n·m + n² per problem) of all the problems of one batch
  config together, checked before any of them is built (about 400 MB of tables).
"""

from __future__ import annotations

from engine.errors import ProblemError
from engine.formats.tables import MAX_COLUMNS, MAX_ROWS

INTERACTIVE_MOVES = 8_000
MAX_MOVES = 2_000_000
MAX_FEATURES = MAX_ROWS
MAX_LABELS = MAX_COLUMNS
BATCH_CELLS = 50_000_000


def moves_of(n: int, m: int, kind: str) -> int:
    """The most moves a budget of ``kind`` allows on n feature values and m labels: n²·m, or (n·m)² for joint."""
    return (n * m) ** 2 if kind == "joint" else n * n * m


def describe_moves(kind: str) -> str:
    return "(n·m)² for the joint kind" if kind == "joint" else "n²·m"


def check_shape(n: int, m: int) -> None:
    """n and m within MAX_FEATURES and MAX_LABELS (before a problem's cost matrix is built)."""
    if n > MAX_FEATURES:
        raise ProblemError(f"The table has {n:,} feature values (rows); the engine takes at most {MAX_FEATURES:,} "
                           f"(its n-by-n cost alone would hold {n * n:,} numbers).")
    if m > MAX_LABELS:
        raise ProblemError(f"The table has {m:,} labels (columns); the engine takes at most {MAX_LABELS:,}.")


def check_moves(n: int, m: int, kind: str, limit: int = MAX_MOVES, where: str = "the engine") -> None:
    """The product of sizes within ``limit`` moves, or a sentence saying what it is and what to do."""
    moves = moves_of(n, m, kind)
    if moves > limit:
        raise ProblemError(f"{n:,} feature values and {m:,} labels under the {kind} kind give up to {moves:,} "
                           f"transport moves per budget ({describe_moves(kind)}); {where} takes at most {limit:,}. "
                           f"Use fewer feature values (bin them) or fewer labels.")
