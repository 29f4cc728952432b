"""``python -m engine batch``: many problems x kinds x an eps grid, resumable, into one tidy table (engine.batch)."""

from __future__ import annotations

import sys

from engine.batch.run import run_batch
from engine.cli.errors import Unfinished
from engine.errors import ProblemError

NAME = "batch"
HELP = "many problems x kinds x an eps grid, resumable, into one tidy table"


def add_arguments(p) -> None:
    """The command's options."""
    p.add_argument("config", metavar="CONFIG", help="a JSON or TOML batch config (see docs/batch.md)")
    p.add_argument("--out", required=True, metavar="DIR", help="the output folder: parts/ and results.*")
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="the table's format")
    p.add_argument("--workers", metavar="N", help="local worker processes (default: the CPU count)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a dask.distributed scheduler, e.g. tcp://host:8786")
    p.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")


def run(args) -> dict:
    """Many problems x kinds x an eps grid, resumable, into one tidy table (engine.batch)."""
    if args.scheduler is not None and args.workers is not None:
        raise ProblemError("--workers sets the local processes; a Dask cluster at --scheduler has its own workers.")
    workers = None
    if args.workers is not None:
        try:
            workers = int(args.workers)
        except ValueError:
            raise ProblemError(f"--workers must be a whole number >= 1; got {args.workers!r}.") from None
    s = run_batch(args.config, args.out, workers=workers, scheduler=args.scheduler, format=args.format,
                  progress=not args.quiet)
    for note in s.notes:  # e.g. --workers capped, damaged parts solved again: said, never silent
        print(f"note: {note}.", file=sys.stderr)
    if s.unfinished:
        raise Unfinished(f"{s.unfinished} of {s.tasks} tasks are unfinished ({s.reason}); run the same command "
                         f"again to resume: the {s.tasks - s.unfinished} finished ones are kept in {args.out!r}.",
                         s.as_dict())
    return s.as_dict()


def text(out: dict) -> str:
    """A person's view of ``batch``."""
    where = "a Dask cluster" if out["backend"] == "dask" else f"{out['workers']} {out['backend']} worker(s)"
    statuses = ", ".join(f"{v} {k}" for k, v in out["statuses"].items())
    return "\n".join([
        f"{out['tasks']} tasks: {out['done']} solved, {out['skipped']} skipped (already finished), "
        f"{out['failed']} failed; {out['seconds']:.1f} s on {where}",
        f"{out['rows']} rows ({statuses or 'none'}) in {out['units']}: {out['table']}",
    ])
