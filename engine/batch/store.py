"""Durable results of a batch: one Parquet part per finished task, and the consolidated tidy table.

Layout of the output folder ``OUT``::

    OUT/parts/<task>.parquet          a finished task's rows, in nats (the part schema below)
    OUT/parts/<task>.failed.parquet   a task whose solve raised: its rows say so; the next run retries it
    OUT/config.json                   the config as run, grid spelt out (provenance)
    OUT/results.parquet | .csv        the tidy table, rebuilt from the parts at the end of every run
    OUT/.tradeoff-batch               the marker: this folder's files of the names above are the batch's own
    OUT/.tradeoff-batch.lock          held (flock) by the run writing into the folder, released when it ends or dies

**Ownership.** The store writes only files it owns. A folder without the marker is taken only when it holds none of
the names above (an earlier batch's folder, recognised by its config.json, is adopted); otherwise it is refused with
a sentence, so a user's own config.json or results.csv is never replaced. **One run at a time**: a second run into
a folder whose lock is held is refused at once (no work is done twice); the lock dies with its process.
**Damaged parts** (empty, truncated, another schema, other budgets) are not trusted: the task is solved again.

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

try:
    import fcntl
except ImportError:  # not POSIX: no lock (the marker still protects the user's files)
    fcntl = None

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
MARKER, LOCK = ".tradeoff-batch", ".tradeoff-batch.lock"
OWNED = ("config.json", "results.parquet", "results.csv")  # the names in OUT the store replaces
MARKER_TEXT = json.dumps({"written_by": "python -m engine batch (Tradeoff Lab)", "owns": ["parts/", *OWNED],
                          "note": "the batch replaces these files; remove this marker and they are left alone"},
                         indent=1) + "\n"


class PartStore:
    """The output folder of one batch: parts in, tidy table out. ``close()`` (or ``with``) releases the lock."""

    def __init__(self, out) -> None:
        self.out = Path(out)
        self.parts = self.out / "parts"
        self._lock = None
        self.damaged: list[str] = []  # tasks whose part could not be trusted (solved again)
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ProblemError(f"Cannot create the output folder {str(self.out)!r} ({e.strerror or e}).") from None
        if not self.out.is_dir():
            raise ProblemError(f"The output folder {str(self.out)!r} is a file; give --out a folder.")
        self._claim()
        try:
            self._take_lock()
            self._write_marker()
            self.parts.mkdir(exist_ok=True)
            if not self.parts.is_dir():
                raise ProblemError(f"{str(self.parts)!r} is a file; the batch keeps its parts in a folder there.")
            self._remove_stale_temporaries()
        except OSError as e:
            self.close()
            raise ProblemError(f"Cannot create the output folder {str(self.parts)!r} ({e.strerror or e}).") from None
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> PartStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Release the folder's lock (the process's end releases it too, also after a kill)."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    # -- ownership and the lock ---------------------------------------------------------------------
    def _claim(self) -> None:
        """Refuse a folder holding files of the store's names that an earlier batch did not write."""
        if (self.out / MARKER).is_file():
            return
        foreign = [name for name in OWNED if os.path.lexists(self.out / name)]
        if not foreign or ("config.json" in foreign and _batch_config(self.out)):
            return  # nothing to lose, or a folder written by a batch before the marker existed
        names = " and ".join(repr(n) for n in foreign)
        raise ProblemError(f"The output folder {str(self.out)!r} already holds {names}, which this batch did not "
                           f"write; give --out a new or empty folder (the batch writes parts/, config.json and "
                           f"results.* there and would replace them).")

    def _take_lock(self) -> None:
        """Hold an exclusive lock on the folder for this run, or refuse at once if another run holds it."""
        if fcntl is None:
            return
        handle = open(self.out / LOCK, "a+")  # noqa: SIM115 - held open for the whole run
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise ProblemError(f"Another batch ({holder}) is writing into {str(self.out)!r} now; wait for it to "
                               f"finish (then run this again to use its results) or give another --out.") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        self._lock = handle

    def _write_marker(self) -> None:
        if not (self.out / MARKER).is_file():
            self._atomic(self.out / MARKER, lambda f: f.write(MARKER_TEXT.encode()))

    # -- parts ----------------------------------------------------------------------------------------
    def finished(self, expected: dict | None = None) -> dict:
        """The tasks with a finished (not failed) part that can be trusted: {task id: its rows (a pyarrow Table)}.

        ``expected`` ({task id: its eps grid}) limits the answer to those tasks and checks each part against its
        grid. A part that cannot be read (empty, truncated: pyarrow's ArrowInvalid), has another schema, another
        task id or other budgets is removed and listed in ``self.damaged``: its task is solved again."""
        names = [name for name in os.listdir(self.parts)
                 if name.endswith(PART) and not name.endswith(FAILED_PART) and not name.startswith(".")]
        out = {}
        for name in names:
            task = name[: -len(PART)]
            if expected is not None and task not in expected:
                continue
            table = self._read_part(self.parts / name, task, None if expected is None else expected[task])
            if table is not None:
                out[task] = table
        return out

    def _read_part(self, path: Path, task: str, eps) -> pa.Table | None:
        """A part's rows, or None (and the part removed) when it cannot be trusted."""
        import numpy as np

        try:
            table = pq.read_table(path)
            schema = ERROR_SCHEMA if "error" in table.schema.names else PART_SCHEMA  # with errors or without
            ok = sorted(table.schema.names) == sorted(schema.names) and table.num_rows > 0
            table = table.select(schema.names).cast(schema) if ok else table  # other types raise: not a good part
            ok = ok and set(table.column("task").to_pylist()) == {task}
            if ok and eps is not None:
                got = np.asarray(table.column("eps").to_pylist(), dtype=float)
                ok = got.shape == np.shape(eps) and bool(np.array_equal(got, eps))
        except Exception:  # noqa: BLE001 - ArrowInvalid, OSError, a schema mismatch: all mean "not a good part"
            ok = False
        if ok:
            return table
        self.damaged.append(task)
        with contextlib.suppress(OSError):
            path.unlink()
        return None

    def write(self, task_id: str, rows: dict, failed: bool) -> None:
        """Store a task's rows durably; a finished part replaces a failed one."""
        schema = ERROR_SCHEMA if "error" in rows else PART_SCHEMA
        table = pa.Table.from_pydict({"task": [task_id] * len(rows["eps"]), **rows}, schema=schema)
        final = self.parts / (task_id + (FAILED_PART if failed else PART))
        self._atomic(final, lambda f: pq.write_table(table, f))
        if not failed:
            (self.parts / (task_id + FAILED_PART)).unlink(missing_ok=True)

    def read(self, task_ids, schema: pa.Schema = PART_SCHEMA) -> pa.Table:
        """The stored rows of these tasks (a finished part if there is one, else a failed one), in ``schema`` (the
        error schema for a config asking for errors); a part that cannot be read is left out (its task is
        unfinished and the next run solves it)."""
        tables = []
        for t in task_ids:
            done, failed = self.parts / (t + PART), self.parts / (t + FAILED_PART)
            for path in (done, failed):
                if path.exists():
                    table = self._read_part(path, t, None)
                    if table is not None:
                        tables.append(table)
                        break
        if not tables:
            return schema.empty_table()
        return pa.concat_tables(tables)

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


def _batch_config(out: Path) -> bool:
    """Whether ``out/config.json`` is the provenance file an earlier batch wrote ({"batch_version", "config"})."""
    path = out / "config.json"
    try:
        if not path.is_file() or path.stat().st_size > 5_000_000:
            return False
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(data, dict) and set(data) == {"batch_version", "config"}


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
