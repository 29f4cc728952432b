"""Durable results of a batch: one Parquet part per finished task, and the consolidated tidy table.

Layout of the output folder ``OUT``::

    OUT/parts/<task>.parquet          a finished task's rows, in nats (the part schema below)
    OUT/parts/<task>.failed.parquet   a task whose solve raised: its rows say so; the next run retries it
    OUT/config.json                   the config as run, grid spelt out (provenance)
    OUT/results.parquet | .csv        the tidy table, rebuilt from the parts at the end of every run

Every file is written atomically: to a temporary file in the same folder, flushed and fsynced, then
``os.replace``-d over its final name, and the folder fsynced. A process killed at any moment leaves a
part whole or absent (at most a stray temporary file, removed by the next run), so a re-run recomputes
only the tasks that have no part, and a part is never read half-written.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from engine.errors import ProblemError

PART_SCHEMA = pa.schema([
    ("task", pa.string()), ("eps", pa.float64()), ("h_star", pa.float64()), ("lower", pa.float64()),
    ("upper", pa.float64()), ("gap", pa.float64()), ("status", pa.string()), ("method", pa.string()),
    ("message", pa.string()), ("seconds", pa.float64()),
])
# With a config's "error": true, each part also holds the robust 0-1 error (engine.analyses.robust_error).
ERROR_SCHEMA = pa.schema([*PART_SCHEMA, ("error", pa.float64()), ("error_upper", pa.float64()),
                          ("error_gap", pa.float64()), ("error_status", pa.string())])
PART, FAILED_PART, TEMP = ".parquet", ".failed.parquet", ".tmp"
# The temporary names this store creates, ``.<final name>.<pid>.tmp``, and no others: a part of a task (ids are
# 24 hex digits, engine.batch.run.task_id) in parts/, config.json or a results table in the folder itself. Only
# files matching these are ever deleted; a user's own ``.notes.tmp`` is left alone. Group 1 is the pid.
_PART_TEMP = re.compile(r"\.[0-9a-f]{24}(?:\.failed)?\.parquet\.([0-9]+)\.tmp")
_OUT_TEMP = re.compile(r"\.(?:config\.json|results\.parquet|results\.csv)\.([0-9]+)\.tmp")


class PartStore:
    """The output folder of one batch: parts in, tidy table out."""

    def __init__(self, out) -> None:
        self.out = Path(out)
        self.parts = self.out / "parts"
        try:
            self.parts.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ProblemError(f"Cannot create the output folder {str(self.parts)!r} ({e.strerror or e}).") from None
        self._remove_stale_temporaries()

    def finished(self) -> set[str]:
        """Ids of the tasks with a finished (not failed) part."""
        return {name[: -len(PART)] for name in os.listdir(self.parts)
                if name.endswith(PART) and not name.endswith(FAILED_PART) and not name.startswith(".")}

    def write(self, task_id: str, rows: dict, failed: bool) -> None:
        """Store a task's rows durably; a finished part replaces a failed one."""
        schema = ERROR_SCHEMA if "error" in rows else PART_SCHEMA
        table = pa.Table.from_pydict({"task": [task_id] * len(rows["eps"]), **rows}, schema=schema)
        final = self.parts / (task_id + (FAILED_PART if failed else PART))
        self._atomic(final, lambda f: pq.write_table(table, f))
        if not failed:
            (self.parts / (task_id + FAILED_PART)).unlink(missing_ok=True)

    def read(self, task_ids, schema: pa.Schema = PART_SCHEMA) -> pa.Table:
        """The stored rows of these tasks (a finished part if there is one, else a failed one)."""
        paths = []
        for t in task_ids:
            done, failed = self.parts / (t + PART), self.parts / (t + FAILED_PART)
            if done.exists() or failed.exists():
                paths.append(done if done.exists() else failed)
        if not paths:
            return schema.empty_table()
        return pa.concat_tables([pq.read_table(p, schema=schema) for p in paths])

    def write_table(self, frame, fmt: str) -> Path:
        """Write the tidy table as results.parquet or results.csv (atomically)."""
        final = self.out / f"results.{fmt}"
        if fmt == "parquet":
            self._atomic(final, lambda f: frame.to_parquet(f, index=False, engine="pyarrow"))
        else:
            self._atomic(final, lambda f: f.write(frame.to_csv(index=False, lineterminator="\n").encode()))
        return final

    def write_json(self, name: str, data: dict) -> None:
        """A small JSON file in the output folder (atomically)."""
        text = json.dumps(data, indent=1, default=str) + "\n"
        self._atomic(self.out / name, lambda f: f.write(text.encode()))

    # -- atomic writes ---------------------------------------------------------------------------
    def _atomic(self, final: Path, write) -> None:
        """``write(binary file)`` to a temporary file, fsync it, rename it over ``final``, fsync the folder.

        On any exception (also one raised by ``write``, or an interrupt) the temporary file is removed and the
        exception re-raised; an OSError becomes a ProblemError naming the file.
        """
        temp = final.with_name(f".{final.name}.{os.getpid()}{TEMP}")
        try:
            with open(temp, "wb") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temp, final)
            _fsync_folder(final.parent)
        except BaseException as e:
            with contextlib.suppress(OSError):  # never hide the original error behind a failed clean-up
                temp.unlink(missing_ok=True)
            if isinstance(e, OSError):
                raise ProblemError(f"Cannot write {str(final)!r} ({e.strerror or e}).") from None
            raise

    def _remove_stale_temporaries(self) -> None:
        """Delete this store's temporary files whose process no longer runs (a run killed mid-write)."""
        for folder, pattern in ((self.out, _OUT_TEMP), (self.parts, _PART_TEMP)):
            for name in os.listdir(folder):
                match = pattern.fullmatch(name)
                if match and not _alive(int(match.group(1))):
                    (folder / name).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    """Whether a process with this id runs (another batch may be writing into the same folder)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # OverflowError: more digits than any pid has
        return False
    except PermissionError:
        return True
    return True


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX); a no-op where folders cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
