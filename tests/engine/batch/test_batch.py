"""Batch sweeps (engine.batch, ``python -m engine batch``): config sentences, backends, resumability.

The claims: a config mistake is one sentence naming the key and value; local processes, a
dask.distributed LocalCluster and the in-process loop give identical tables; every row agrees with
``engine.worst_case`` within its certificate (also where bounds were carried along the grid); a run killed
mid-way (a worker, then the driver) and run again ends complete, with no duplicate keys; a solver exception is a
``failed`` row, retried by the next run; CLI errors exit 2 with one sentence on stderr.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pytest

import engine
import engine.batch.run
from engine.batch.config import load_config, random_problem
from engine.batch.run import KEY, load_table, make_tasks, run_batch, solve_eps_grid
from engine.cli import main
from engine.errors import ProblemError

ROOT = Path(__file__).resolve().parents[3]
SMALL = {"problems": [{"random": "r", "n": 5, "m": 3, "count": 4, "seed": 3, "concentration": 0.7},
                      {"preset": "stochastic-vs-deterministic", "id": "sec5a"}],
         "eps": "0:1.5:7", "kinds": ["expected", "max", "joint"], "kappa": 0.5}
# Enough work that a kill after the first part lands mid-run, little enough for a few seconds on 2 cores.
KILLABLE = {"problems": [{"random": "k", "n": 10, "m": 4, "count": 24, "seed": 11}], "eps": "0:2:11"}
TASKS = KILLABLE["problems"][0]["count"]


def without_timing(table: pd.DataFrame) -> pd.DataFrame:
    return table.drop(columns="seconds")


def assert_complete(table: pd.DataFrame, config: dict) -> None:
    """One row per (problem, kind, kappa, eps) of the config, and no other."""
    c = load_config(config)
    expected = len(c.problems) * len(c.kinds) * len(c.eps)
    assert len(table) == expected
    assert not table.duplicated(KEY).any()
    assert set(table["eps"]) == set(c.eps.tolist())


# -- the config ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("change, words", [
    ({"epss": 1}, "unknown key 'epss'"),
    ({"eps": "0:1"}, "'A:B:N'"),
    ({"eps": "0:1:x"}, "count N must be a whole number; got 'x'"),
    ({"eps": [0.1, -1]}, "must be non-negative; got -1"),
    ({"eps": [0.5, 0.5]}, "lists the budget 0.5 twice"),
    ({"eps": "2:1:3"}, "the stop 1 is below the start 2"),
    ({"kinds": ["expected", "worst"]}, "'kinds' lists 'worst'"),
    ({"kinds": ["max"], "kappa": 0.5}, "has no joint"),
    ({"units": "hartleys"}, "'units' must be nats or bits; got 'hartleys'"),
    ({"problems": []}, "non-empty list"),
    ({"problems": [{"preset": "figure3"}]}, "problems[0] (preset): unknown preset 'figure3'"),
    ({"problems": [{"random": "r", "n": 5, "m": 3, "count": "ten", "seed": 1}]}, "'count' must be a whole number"),
    ({"problems": [{"random": "r", "n": 5, "m": 3, "seed": 1}]}, "has no 'count'"),
    ({"problems": [{"random": "r", "n": 5, "m": 3, "count": 2, "seed": 1, "concentration": 0}]}, "'concentration'"),
    ({"problems": [{"random": "r", "n": 5, "m": 3, "count": 2, "seed": 1, "size": 4}]}, "unknown key 'size'"),
    ({"problems": [{"random": "r", "n": 0, "m": 3, "count": 2, "seed": 1}]}, "'n' must be between 1 and 2000"),
    ({"problems": [{"random": "r", "n": 5, "m": 3, "count": 2, "seed": 1, "metric": "cosine"}]}, "'cosine'"),
    ({"problems": [{"random": "r", "n": 5, "m": 3, "count": 2, "seed": 1, "metric": "cost.csv"}]},
     "(random): 'metric' must be one of abs, squared, hamming; got 'cost.csv'"),
    ({"problems": [{"random": "r", "n": 5, "m": 3, "count": 2, "seed": 1, "concentration": True}]},
     "'concentration' must be a number; got True"),
    ({"problems": [{"random": "r", "n": 5, "m": 3, "count": 2, "seed": 1, "concentration": "nan"}]},
     "'concentration' must be finite; got nan"),
    ({"problems": [{"random": "r", "n": 5, "m": 3, "count": 2, "seed": 1, "concentration": -2}]},
     "'concentration' must be a positive number; got -2"),
    ({"eps": [0.5, None]}, "The config's 'eps' must be a number; got None"),
    ({"eps": [1, "1e999"]}, "The config's 'eps' must be finite; got inf"),
    ({"kinds": ["joint"], "kappa": [1, 1.0]}, "'kappa' lists the same price twice"),
    ({"problems": [{"csv": "nowhere/*.csv"}]}, "no file matches 'nowhere/*.csv'"),
    ({"problems": [{"csv": "nowhere.csv"}]}, "(csv): there is no mu file at 'nowhere.csv'"),
    ({"problems": [{"preset": ["figure2", "binary-source"], "id": "x"}]}, "'id' names one problem"),
    ({"kinds": ["joint"], "kappa": -1}, "'kappa' must be non-negative; got -1"),
    ({"problems": [{"preset": "figure2", "csv": "a.csv"}]},
     "exactly one of the keys preset, random, csv, dataset or samples"),
    ({"problems": [{"preset": "figure2"}, {"preset": "figure2"}]}, "two problems 'figure2'"),
])
def test_config_mistakes_are_sentences_naming_the_key(change, words):
    config = {"problems": [{"preset": "figure2"}], "eps": "0:1:3"} | change
    with pytest.raises(ProblemError) as error:
        load_config(config)
    message = str(error.value)
    assert words in message, message
    assert message.endswith(".") and "\n" not in message


def test_config_files_json_and_toml_agree(tmp_path):
    (tmp_path / "c.toml").write_text('eps = "0:1:3"\nkinds = ["expected", "joint"]\nkappa = [0.5, 2]\n'
                                     '[[problems]]\npreset = "figure2"\n'
                                     '[[problems]]\nrandom = "r"\nn = 4\nm = 2\ncount = 3\nseed = 9\n')
    (tmp_path / "c.json").write_text(json.dumps({
        "eps": [1, 0, 0.5], "kinds": ["expected", "joint"], "kappa": [0.5, 2],
        "problems": [{"preset": "figure2"}, {"random": "r", "n": 4, "m": 2, "count": 3, "seed": 9}]}))
    a, b = load_config(tmp_path / "c.toml"), load_config(tmp_path / "c.json")
    assert [p.id for p in a.problems] == ["figure2", "r-0", "r-1", "r-2"] == [p.id for p in b.problems]
    assert np.array_equal(a.eps, [0, 0.5, 1]) and np.array_equal(b.eps, a.eps)  # sorted
    assert [(k.name, k.kappa) for k in a.kinds] == [("expected", None), ("joint", 0.5), ("joint", 2.0)]
    assert [t.id for t in make_tasks(a)[0]] == [t.id for t in make_tasks(b)[0]]
    (tmp_path / "bad.json").write_text('{"eps": [0,}')
    with pytest.raises(ProblemError, match=r"not valid JSON \(line 1, column 12"):
        load_config(tmp_path / "bad.json")


@pytest.mark.parametrize("name, data, words", [
    ("latin1.json", '{"problems": [{"preset": "figure2", "id": "caf\u00e9"}], "eps": [0]}'.encode("latin-1"),
     "The config file '{}': the file is not UTF-8 text (byte 47 is 0xe9); save it as JSON (UTF-8)."),
    ("binary.toml", b'eps = "0:1:3"\x00\x01', "The config file '{}': the file is not text"),
    ("huge.json", b'{"eps": [0], "problems": [' + b" " * 5_000_000 + b"]}",
     "The config file '{}': the file is larger than the limit of 5 MB"),
])
def test_config_files_that_are_not_text_or_too_large_are_refused_with_a_sentence(tmp_path, name, data, words):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ProblemError) as error:
        load_config(tmp_path / name)
    message = str(error.value)
    assert message.startswith(words.format(tmp_path / name)) and message.endswith("."), message


def test_metric_names_are_case_insensitive_for_every_source():
    config = {"problems": [{"random": "r", "n": 3, "m": 2, "count": 1, "seed": 1, "metric": " Squared"},
                           {"preset": "figure2", "metric": "ABS"}], "eps": [0]}
    random, preset = (p.problem for p in load_config(config).problems)
    assert np.array_equal(random.mu, random_problem(3, 2, 1.0, 1, 0, "squared").mu)
    assert np.array_equal(random.metric, random_problem(3, 2, 1.0, 1, 0, "squared").metric)
    assert np.array_equal(preset.metric, engine.load_preset("figure2", metric="abs").metric)


def test_the_documented_example_config_loads():
    c = load_config(ROOT / "docs" / "batch-example.json")
    assert len(c.problems) == 23 and len(c.eps) == 21 and len(c.kinds) == 4


def test_random_family_member_does_not_depend_on_count_and_task_ids_are_canonical():
    short = load_config({"problems": [{"random": "r", "n": 4, "m": 3, "count": 2, "seed": 5}], "eps": [0, 1]})
    long = load_config({"problems": [{"random": "s", "n": 4, "m": 3, "count": 9, "seed": 5}], "eps": [1, 0]})
    assert np.array_equal(long.problems[1].problem.mu, random_problem(4, 3, 1.0, 5, 1).mu)
    # the same problems under new names: the same tasks (renaming recomputes nothing)
    assert [t.id for t in make_tasks(short)[0]] == [t.id for t in make_tasks(long)[0]][:2]
    other_grid = load_config({"problems": [{"random": "r", "n": 4, "m": 3, "count": 2, "seed": 5}], "eps": [0, 2]})
    assert not {t.id for t in make_tasks(short)[0]} & {t.id for t in make_tasks(other_grid)[0]}
    twice = load_config({"problems": [{"preset": "figure2"}, {"preset": "figure2", "id": "again"}], "eps": [0.5]})
    tasks, listing = make_tasks(twice)
    assert len(tasks) == 1 and [row["problem"] for row in listing] == ["figure2", "again"]


# -- the numbers -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["expected", "max", "joint"])
def test_every_row_agrees_with_worst_case_within_its_certificate(kind):
    p = engine.load_preset("stochastic-vs-deterministic").replace(constraint=kind, label_cost=0.5)
    eps = np.linspace(0, 3, 13)
    engine.clear_cache()
    rows = solve_eps_grid(p, eps)
    assert "carried" in rows["method"]  # bounds carried along the grid do occur here
    for e, h, lo, up, status in zip(eps, rows["h_star"], rows["lower"], rows["upper"], rows["status"], strict=True):
        engine.clear_cache()  # an independent solve, not the saddle point the grid just cached
        w = engine.worst_case(p, e)
        assert status == "verified" and lo <= up + 1e-12 and up - lo <= 1e-6
        assert abs(h - w.value) <= 1e-6
        assert lo <= w.certificate.upper + 1e-12 and w.value <= up + 1e-12  # both certificates hold h*


@pytest.mark.parametrize("eps, words", [
    ([-1, 0.5], "A budget of the eps grid must be non-negative; got -1."),
    ([0, float("nan")], "A budget of the eps grid must be finite; got nan."),
    ([0.5, 0.2], "must be a list of increasing budgets."),
    ([0.5, 0.5], "must be a list of increasing budgets."),
    (0.5, "must be a list of increasing budgets."),
])
def test_a_task_grid_that_is_not_increasing_budgets_is_refused(eps, words):
    with pytest.raises(ProblemError) as error:
        solve_eps_grid(engine.load_preset("figure2"), eps)
    assert str(error.value).endswith(words), str(error.value)


def test_local_processes_and_a_dask_local_cluster_give_identical_tables(tmp_path):
    """The three backends, each solving from cold caches, write equal tables (every column but ``seconds``,
    exactly): the local pool's forkserver worker processes, a Dask LocalCluster of worker processes
    (processes=True, not threads sharing this process's caches), and the serial loop in this process after its
    saddle and loss-curve caches were cleared."""
    from distributed import LocalCluster

    engine.clear_cache()
    local = run_batch(SMALL, tmp_path / "local", workers=2)
    engine.clear_cache()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask = run_batch(SMALL, tmp_path / "dask", scheduler=cluster.scheduler_address)
    engine.clear_cache()
    serial = run_batch(SMALL, tmp_path / "serial", backend="serial")
    assert (local.backend, dask.backend, serial.backend) == ("local", "dask", "serial")
    for s in (local, dask, serial):
        assert (s.tasks, s.done, s.skipped, s.failed, s.unfinished) == (15, 15, 0, 0, 0)
    a, b, c = (without_timing(load_table(s.table)) for s in (local, dask, serial))
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    assert_complete(a, SMALL)
    assert list(a["problem"].unique()) == ["r-0", "r-1", "r-2", "r-3", "sec5a"]  # config order
    assert a.loc[a["kind"] == "joint", "kappa"].eq(0.5).all() and a.loc[a["kind"] != "joint", "kappa"].isna().all()


def test_csv_sources_units_in_bits_and_a_csv_table(tmp_path):
    tables = tmp_path / "tables"
    tables.mkdir()
    for name, mu in (("a", [[0.3, 0.1], [0.1, 0.5]]), ("b", [[0.2, 0.2], [0.1, 0.1], [0.3, 0.1]])):
        rows = "".join(f"{i + 1},{r[0]},{r[1]}\n" for i, r in enumerate(mu))
        (tables / f"{name}.csv").write_text("x,no,yes\n" + rows)
    config = {"problems": [{"csv": "tables/*.csv", "metric": "abs"}], "eps": [0, 0.25, 1], "units": "bits"}
    (tmp_path / "c.json").write_text(json.dumps(config))
    s = run_batch(str(tmp_path / "c.json"), tmp_path / "out", backend="serial", format="csv")
    t = load_table(s.table)
    assert s.table.endswith("results.csv") and list(t["problem"].unique()) == ["a", "b"]
    assert set(t["source"]) == {"csv"} and set(t["units"]) == {"bits"} and t["kappa"].isna().all()
    for _, row in t.iterrows():
        w = engine.worst_case(engine.Problem.from_csv(row["origin"], metric="abs"), row["eps"])
        assert row["h_star"] == pytest.approx(w.value / math.log(2), abs=1e-6)
        assert row["status"] == "verified"


# -- resumability ------------------------------------------------------------------------------------------------
def test_a_rerun_skips_finished_tasks_and_recomputes_only_missing_parts(tmp_path):
    first = run_batch(SMALL, tmp_path, backend="serial")
    parts = sorted((tmp_path / "parts").glob("*.parquet"))
    assert len(parts) == first.tasks
    for p in parts[:2]:
        p.unlink()
    (tmp_path / "parts" / f".{parts[3].name}.999999999.tmp").write_bytes(b"half a part")  # a killed write
    (tmp_path / ".results.parquet.999999999.tmp").write_bytes(b"half a table")
    again = run_batch(SMALL, tmp_path, backend="serial")
    assert (again.done, again.skipped, again.unfinished) == (2, first.tasks - 2, 0)
    assert not list((tmp_path / "parts").glob(".*.tmp")) and not list(tmp_path.glob(".*.tmp"))
    pd.testing.assert_frame_equal(without_timing(load_table(first.table)), without_timing(load_table(again.table)))


def test_only_the_stores_own_stale_temporaries_are_removed(tmp_path):
    """A user's dot-files ending in .tmp in the --out folder (or parts/) survive a run; the store's own
    ``.<final name>.<pid>.tmp`` of a dead process do not."""
    (tmp_path / "parts").mkdir()
    user = [".notes.tmp", ".emacs.d.tmp", ".notes.999999999.tmp", ".results.txt.999999999.tmp",
            ".config.json.tmp", ".0123456789abcdef01234567.parquet.tmp", ".results.csv.x.tmp"]
    for folder in (tmp_path, tmp_path / "parts"):
        for name in user:
            (folder / name).write_text("mine")
    ours = [tmp_path / ".config.json.999999999.tmp", tmp_path / ".results.csv.999999999.tmp",
            tmp_path / "parts" / ".0123456789abcdef01234567.failed.parquet.999999999.tmp",
            tmp_path / "parts" / f".0123456789abcdef01234567.parquet.{10**30}.tmp"]
    live = tmp_path / "parts" / f".0123456789abcdef01234567.parquet.{os.getpid()}.tmp"  # a run writing now
    for path in (*ours, live):
        path.write_bytes(b"half")
    run_batch({"problems": [{"preset": "figure2"}], "eps": [0.5]}, tmp_path, backend="serial")
    for folder in (tmp_path, tmp_path / "parts"):
        assert sorted(p.name for p in folder.glob(".*.tmp") if p != live) == sorted(user)
        assert all((folder / name).read_text() == "mine" for name in user)
    assert live.exists() and not any(path.exists() for path in ours)


def test_a_failed_write_leaves_no_temporary_file_and_reraises(tmp_path):
    from engine.batch.store import PartStore

    store = PartStore(tmp_path)

    def broken(f):
        f.write(b"half")
        raise ValueError("not an OSError")

    with pytest.raises(ValueError, match="not an OSError"):
        store._atomic(tmp_path / "results.csv", broken)
    def full(f):
        raise OSError(28, "No space left on device")

    with pytest.raises(ProblemError, match=r"^Cannot write .*results\.parquet' \(No space left on device\)\.$"):
        store._atomic(tmp_path / "results.parquet", full)
    assert not list(tmp_path.glob(".*.tmp")) and not list(tmp_path.glob("results.*"))


def test_a_solver_exception_is_a_failed_row_and_the_next_run_retries_it(tmp_path, monkeypatch):
    real = engine.batch.run.worst_case_at

    def flaky(problem, eps):
        if eps == 0.5:
            raise RuntimeError("solver crashed")
        return real(problem, eps)

    config = {"problems": [{"preset": "figure2"}], "eps": [0, 0.5, 1]}
    monkeypatch.setattr(engine.batch.run, "worst_case_at", flaky)
    first = run_batch(config, tmp_path, backend="serial")
    t = load_table(first.table)
    assert (first.done, first.failed) == (0, 1) and first.statuses == {"verified": 2, "failed": 1}
    bad = t[t["status"] == "failed"].iloc[0]
    assert bad["eps"] == 0.5 and bad["method"] == "error" and bad["message"] == "RuntimeError: solver crashed"
    assert math.isnan(bad["h_star"]) and len(list((tmp_path / "parts").glob("*.failed.parquet"))) == 1
    monkeypatch.setattr(engine.batch.run, "worst_case_at", real)
    second = run_batch(config, tmp_path, backend="serial")
    assert (second.done, second.failed, second.skipped) == (1, 0, 0) and second.statuses == {"verified": 3}
    assert not list((tmp_path / "parts").glob("*.failed.parquet"))


def start_cli(config_path: Path, out: Path) -> subprocess.Popen:
    """``python -m engine batch`` on 2 local workers, in its own process group."""
    return subprocess.Popen([sys.executable, "-m", "engine", "batch", str(config_path), "--out", str(out),
                             "--workers", "2", "--quiet", "--json"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for_parts(out: Path, process: subprocess.Popen, count: int = 1, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while len(list((out / "parts").glob("*.parquet"))) < count:
        assert process.poll() is None, process.stderr.read()
        assert time.monotonic() < deadline, "no part was written"
        time.sleep(0.005)


def finish_cli(process: subprocess.Popen) -> dict:
    stdout, stderr = process.communicate(timeout=180)
    assert process.returncode == 0, stderr
    return json.loads(stdout)


def test_a_killed_worker_then_a_killed_run_lose_nothing_and_the_rerun_completes_without_duplicates(tmp_path):
    config = tmp_path / "c.json"
    config.write_text(json.dumps(KILLABLE))
    out = tmp_path / "out"
    process = start_cli(config, out)

    def workers() -> set:
        """The pool's processes: the children of the driver's forkserver."""
        return {w.pid for child in psutil.Process(process.pid).children()
                if "forkserver" in " ".join(child.cmdline()) for w in child.children()}

    wait_for_parts(out, process)
    first = workers()
    assert first, "no worker process found"
    os.kill(min(first), signal.SIGKILL)  # one worker, mid-task: the pool is rebuilt and the run goes on
    deadline = time.monotonic() + 60
    while not workers() - first:
        assert process.poll() is None and time.monotonic() < deadline, "the pool was not rebuilt"
        time.sleep(0.005)
    wait_for_parts(out, process, count=len(list((out / "parts").glob("*.parquet"))) + 1)
    assert process.poll() is None
    os.killpg(process.pid, signal.SIGKILL)  # now the driver and its workers, mid-run
    process.wait(timeout=30)
    kept = len(list((out / "parts").glob("*.parquet")))
    assert 2 <= kept < TASKS and not (out / "results.parquet").exists()

    summary = finish_cli(start_cli(config, out))
    assert (summary["skipped"], summary["done"], summary["unfinished"]) == (kept, TASKS - kept, 0)
    table = load_table(summary["table"])
    assert_complete(table, KILLABLE)
    assert (table["status"] == "verified").all()
    for index in (0, TASKS - 1):  # a spot check against the direct solve
        p = load_config(KILLABLE).problems[index].problem
        rows = table[table["problem"] == f"k-{index}"]
        assert np.allclose(rows["h_star"], [engine.worst_case(p, e).value for e in rows["eps"]], atol=1e-6, rtol=0)
    rerun = run_batch(config, out)  # nothing left to do: no pool is even started
    assert (rerun.done, rerun.skipped) == (0, TASKS)
    pd.testing.assert_frame_equal(without_timing(load_table(rerun.table)), without_timing(table))


# -- the command line ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args, words", [
    (["batch", "missing.json", "--out", "{tmp}"], "There is no config file at 'missing.json'."),
    (["batch", "{config}"], "the following arguments are required: --out"),
    (["batch", "{config}", "--out", "{tmp}", "--workers", "0"], "workers must be a whole number >= 1; got 0."),
    (["batch", "{config}", "--out", "{tmp}", "--workers", "two"], "--workers must be a whole number >= 1; got 'two'."),
    (["batch", "{config}", "--out", "{tmp}", "--workers", "2", "--scheduler", "tcp://127.0.0.1:9"], "own workers."),
    (["batch", "{bad}", "--out", "{tmp}"], "The config's 'kinds' lists 'worst': choose from expected, max, joint."),
    (["batch", "{config}", "--out", "{tmp}", "--scheduler", "tcp://127.0.0.1:9"], "Cannot reach the Dask scheduler"),
])
def test_cli_errors_exit_2_with_one_sentence(args, words, tmp_path, capsys):
    import dask

    (tmp_path / "c.json").write_text(json.dumps({"problems": [{"preset": "figure2"}], "eps": [0.5]}))
    (tmp_path / "bad.json").write_text(json.dumps({"problems": [{"preset": "figure2"}], "eps": [0.5],
                                                   "kinds": ["worst"]}))
    names = {"tmp": str(tmp_path / "out"), "config": str(tmp_path / "c.json"), "bad": str(tmp_path / "bad.json")}
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        status = main([a.format(**names) for a in args])
    err = capsys.readouterr().err
    assert status == 2 and err.startswith("error: ") and err.count("\n") == 1, err
    assert words.lower() in err.lower(), err
    assert "Traceback" not in err


def test_cli_runs_a_batch_and_prints_its_summary(tmp_path, capsys):
    (tmp_path / "c.json").write_text(json.dumps({"problems": [{"preset": "binary-source"}], "eps": "0:0.5:3"}))
    assert main(["batch", str(tmp_path / "c.json"), "--out", str(tmp_path / "out"), "--workers", "1",
                 "--format", "csv", "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "1 tasks: 1 solved, 0 skipped (already finished), 0 failed" in text
    assert "3 rows (3 verified) in nats" in text and text.rstrip().endswith("results.csv")
