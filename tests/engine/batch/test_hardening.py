"""Issue 15, batch: every reproducer gets its sentence (exit 2) or just works, within a bound the harness enforces
(subprocesses killed at their timeout, tests/engine/bounded.py); the batch writes only files it owns, rebuilds a
damaged part, runs once per folder at a time, and its workers die with it."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest
from bounded import ROOT, assert_sentence, run_engine, within

from engine.batch.run import load_table, run_batch
from engine.batch.store import LOCK, MARKER, PartStore
from engine.errors import ProblemError

SMALL = {"problems": [{"preset": "figure2"}], "eps": "0:1:3"}


def write(path, data) -> str:
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


@pytest.mark.parametrize("eps", ["0:5e-324:3", "1:1.0000000000000002:3"])
def test_a_grid_that_collapses_after_spacing_is_refused(tmp_path, eps):
    """It was accepted and exited 3 ("run again to resume") forever."""
    config = write(tmp_path / "c.json", {"problems": [{"preset": "figure2"}], "eps": eps})
    assert_sentence(run_engine("batch", config, "--out", tmp_path / "out", "--quiet", timeout=30),
                    "are not distinct numbers")


@pytest.mark.parametrize("family, words", [
    ({"random": "big", "n": 2000, "m": 200, "count": 1000000, "seed": 0}, "800,000,000 transport moves"),
    ({"random": "many", "n": 20, "m": 5, "count": 1000000, "seed": 0}, "500,000,000 table entries"),
])
def test_random_families_are_checked_as_products_before_anything_is_built(tmp_path, family, words):
    """The first ended after 102 s in 'internal error: MemoryError'."""
    config = write(tmp_path / "c.json", {"problems": [family], "eps": "0:1:3"})
    assert_sentence(run_engine("batch", config, "--out", tmp_path / "out", "--quiet", timeout=30), words)


def test_a_joint_kind_is_checked_under_its_own_product(tmp_path):
    family = {"random": "j", "n": 40, "m": 40, "count": 1, "seed": 0}
    with pytest.raises(ProblemError, match=r"under the joint kind give up to 2,560,000 transport moves"):
        within(20, run_batch, {"problems": [family], "eps": [0.5], "kinds": ["joint"]}, tmp_path / "o")


@pytest.mark.parametrize("name, text, words", [
    ("big.json", '{"problems": [{"preset": "figure2"}], "eps": ' + "9" * 5000 + "}", "more than 4,300 digits"),
    ("deep.toml", "a = " + "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
])
def test_configs_that_were_internal_errors_get_sentences(tmp_path, name, text, words):
    config = write(tmp_path / name, text)
    assert_sentence(run_engine("batch", config, "--out", tmp_path / "out", "--quiet", timeout=30), words)


def test_a_fifo_as_the_config_a_csv_entry_or_a_glob_match_is_refused(tmp_path):
    fifo = tmp_path / "f.csv"
    os.mkfifo(fifo)
    assert_sentence(run_engine("batch", fifo, "--out", tmp_path / "o1", "--quiet", timeout=30), "named pipe")
    for entry in ("f.csv", "*.csv"):
        config = write(tmp_path / "c.json", {"problems": [{"csv": entry}], "eps": [0.5]})
        assert_sentence(run_engine("batch", config, "--out", tmp_path / "o2", "--quiet", timeout=30), "named pipe")


def test_the_users_own_config_json_in_the_out_folder_is_never_replaced(tmp_path):
    """``batch config.json --out .`` replaced the user's config with {"batch_version": ...}."""
    config = write(tmp_path / "config.json", SMALL)
    before = (tmp_path / "config.json").read_bytes()
    assert_sentence(run_engine("batch", config, "--out", tmp_path, "--quiet", timeout=30),
                    "already holds 'config.json', which this batch did not write")
    assert (tmp_path / "config.json").read_bytes() == before
    assert not (tmp_path / "parts").exists() and not (tmp_path / MARKER).exists()


@pytest.mark.parametrize("name", ["results.csv", "results.parquet"])
def test_foreign_results_files_are_never_replaced(tmp_path, name):
    (tmp_path / name).write_text("mine")
    with pytest.raises(ProblemError, match=f"already holds '{name}'"):
        within(20, run_batch, SMALL, tmp_path, backend="serial")
    assert (tmp_path / name).read_text() == "mine"


def test_a_folder_of_an_earlier_batch_is_adopted_and_resumed(tmp_path):
    first = within(120, run_batch, SMALL, tmp_path, backend="serial")
    (tmp_path / MARKER).unlink()  # as an earlier version left it
    again = within(60, run_batch, SMALL, tmp_path, backend="serial")
    assert (again.skipped, again.done) == (first.tasks, 0) and (tmp_path / MARKER).is_file()


@pytest.mark.parametrize("damage", ["empty", "truncated", "other budgets"])
def test_a_damaged_part_is_solved_again(tmp_path, damage):
    """A zero-byte or truncated part made every resume fail with ArrowInvalid (an internal error)."""
    first = within(120, run_batch, SMALL, tmp_path, backend="serial")
    (part,) = (tmp_path / "parts").glob("*.parquet")
    good = load_table(first.table)
    if damage == "empty":
        part.write_bytes(b"")
    elif damage == "truncated":
        part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    else:
        other = within(120, run_batch, {"problems": [{"preset": "figure2"}], "eps": "0:1:2"}, tmp_path / "b",
                       backend="serial")
        assert other.done == 1
        next((tmp_path / "b" / "parts").glob("*.parquet")).replace(part)
    again = within(120, run_batch, SMALL, tmp_path, backend="serial")
    assert (again.done, again.skipped) == (1, 0) and any("damaged" in n for n in again.notes)
    fixed = load_table(again.table)
    assert fixed.drop(columns="seconds").equals(good.drop(columns="seconds"))


def test_a_second_run_into_a_locked_folder_is_refused_at_once(tmp_path):
    config = write(tmp_path / "c.json", SMALL)
    with PartStore(tmp_path / "out"):  # another run holds the folder
        sentence = assert_sentence(run_engine("batch", config, "--out", tmp_path / "out", "--quiet", timeout=30),
                                   "is writing into")
        assert f"pid {os.getpid()}" in sentence
    assert (tmp_path / "out" / LOCK).exists()
    r = run_engine("batch", config, "--out", tmp_path / "out", "--quiet", timeout=120)  # released: it runs
    assert r.returncode == 0, r.stderr


def test_workers_are_capped_and_the_cap_is_said(tmp_path):
    config = write(tmp_path / "c.json", SMALL)
    r = run_engine("batch", config, "--out", tmp_path / "out", "--quiet", "--workers", "1000000000", "--json",
                   timeout=120)
    assert r.returncode == 0, r.stderr
    assert "note: 1,000,000,000 workers asked for; using" in r.stderr
    summary = json.loads(r.stdout)
    assert summary["workers"] <= 2 * len(os.sched_getaffinity(0)) and summary["notes"]


KILLABLE = {"problems": [{"random": "k", "n": 10, "m": 4, "count": 40, "seed": 11}], "eps": "0:2:11"}


def test_the_workers_die_with_a_killed_driver(tmp_path):
    """A SIGKILL of the driver left the forkserver, 2 workers and the resource tracker (about 340 MB) running."""
    config = write(tmp_path / "c.json", KILLABLE)
    driver = subprocess.Popen([sys.executable, "-m", "engine", "batch", config, "--out", str(tmp_path / "out"),
                               "--workers", "2", "--quiet"], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not list((tmp_path / "out" / "parts").glob("*.parquet")):  # the workers are solving
            assert driver.poll() is None and time.monotonic() < deadline, "no part was written"
            time.sleep(0.02)
        children = psutil.Process(driver.pid).children(recursive=True)
        assert len(children) >= 3  # the forkserver, its workers, the resource tracker
        driver.kill()  # SIGKILL: the driver runs no clean-up
        driver.wait(timeout=10)
        _, alive = psutil.wait_procs(children, timeout=20)
        assert not alive, [p.cmdline()[-1][:80] for p in alive]
    finally:  # whatever is left of the run's process group (nothing, when the test passes)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(driver.pid, signal.SIGKILL)
        driver.wait(timeout=10)
