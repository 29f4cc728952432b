"""Issue 15, the command line: every reproducer ends with its one-sentence error (exit 2) or its answer, within a
bound the harness enforces (a subprocess killed at its timeout, tests/engine/bounded.py); never a hang, a traceback,
solver output on stdout, or an input overwritten."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from bounded import ROOT, assert_sentence, run_engine

import engine

TABLE = "x,a,b\n1,0.25,0.25\n2,0.25,0.25\n"


@pytest.mark.parametrize("kappa", ["1e12", "1e308"])
def test_a_huge_label_price_answers_exactly_and_fast(kappa):
    """kappa 1e308 took 112-227 s and 1e12 left a gap of 0.33: now verified, equal to the labels-fixed h*."""
    r = run_engine("solve", "--preset", "figure2", "--constraint", "joint", "--label-cost", kappa, "--eps", "0.5",
                   "--json", timeout=60)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["status"] == "verified"
    fixed = engine.worst_case(engine.load_preset("figure2", constraint="expected"), 0.5)
    assert out["h_star"] == pytest.approx(fixed.value, abs=2e-6)


def test_a_fifo_as_the_table_or_the_metric_gets_a_sentence(tmp_path):
    fifo = tmp_path / "f.csv"
    os.mkfifo(fifo)
    assert_sentence(run_engine("solve", "--mu", fifo, "--eps", "1", timeout=30), "named pipe (FIFO)")
    assert_sentence(run_engine("solve", "--preset", "figure2", "--metric", fifo, "--eps", "1", timeout=30),
                    "named pipe (FIFO)", "not a metric file")


def test_a_header_with_two_million_trailing_commas_just_works(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("x,a" + "," * 2_000_000 + "\n1,1\n")
    r = run_engine("solve", "--mu", path, "--eps", "1", "--json", timeout=30)
    assert r.returncode == 0 and json.loads(r.stdout)["status"] == "verified", r.stderr


@pytest.mark.parametrize("args, words", [
    (["solve", "--preset", "figure2", "--eps", "-1,0"], "--eps must be a number; got '-1,0'."),
    (["solve", "--preset", "figure2", "--eps", "-0.5"], "--eps must be non-negative; got -0.5."),
    (["sweep", "--preset", "figure2", "--eps-rule", "-1,0", "--eps-attack", "0:1:2"],
     "--eps-rule must be non-negative; got -1."),
    (["privacy-curve", "--preset", "figure2", "--eps", "-1:1:3"], "must be non-negative; got -1."),
])
def test_negative_looking_values_are_values_and_get_the_sentence_about_them(args, words):
    assert_sentence(run_engine(*args, timeout=30), words)


def test_sweep_never_overwrites_its_input(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text(TABLE)
    link = tmp_path / "link.csv"
    link.symlink_to(table)
    for out in (table, link):
        assert_sentence(run_engine("sweep", "--mu", table, "--eps-rule", "0:1:2", "--eps-attack", "0:1:2",
                                   "--out", out, timeout=30), "it is an input of this command")
    assert table.read_text() == TABLE


def test_a_failed_write_says_cannot_write(tmp_path):
    r = run_engine("sweep", "--preset", "figure2", "--eps-rule", "0:1:2", "--eps-attack", "0:1:2", "--out",
                   "/nonexist/x.csv", timeout=30)
    sentence = assert_sentence(r, "Cannot write")
    assert "cannot read" not in sentence.lower()
    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    assert_sentence(run_engine("sweep", "--preset", "figure2", "--eps-rule", "0:1:2", "--eps-attack", "0:1:2",
                               "--out", fifo, timeout=30), "Cannot write", "named pipe")


def test_a_table_beyond_the_engines_size_gets_a_sentence_before_any_work(tmp_path):
    rows = "".join(f"{i},{1 / 4000!r},{1 / 4000!r}\n" for i in range(2000))
    path = tmp_path / "big.csv"
    path.write_text("x,a,b\n" + rows)
    assert_sentence(run_engine("solve", "--mu", path, "--eps", "0.5", timeout=60),
                    "8,000,000 transport moves", "at most 2,000,000")


NOISY = textwrap.dedent("""
    import os, sys, warnings
    from engine.cli import main
    from engine.solvers.chain import DEFAULT_CHAIN, Attempt, chain_override

    def noisy(problem, moves, eps):
        os.write(1, b"ERROR: could not determine problem status.\\n")  # as SCS does, from C
        os.write(2, b"solver chatter on stderr\\n")
        warnings.warn("Solution may be inaccurate.", UserWarning)    # as cvxpy does
        raise RuntimeError("no answer")

    with chain_override((Attempt("noisy", noisy), *DEFAULT_CHAIN)):
        sys.exit(main(sys.argv[1:]))
""")


def run_python(code: str, *args, timeout: float = 60):
    """``python -c code *args`` from the repository root, bounded like run_engine."""
    process = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                             timeout=timeout, stdin=subprocess.DEVNULL)
    return process


def test_solver_output_never_reaches_stdout_or_the_sentence():
    ok = run_python(NOISY, "solve", "--preset", "figure2", "--eps", "0.5", "--json")
    assert ok.returncode == 0 and ok.stderr == "", ok.stderr
    assert json.loads(ok.stdout)["status"] == "verified"  # stdout is JSON and only JSON
    bad = run_python(NOISY, "solve", "--preset", "figure2", "--eps", "-1", "--json")
    assert bad.returncode == 2 and bad.stdout == "" and bad.stderr.count("\n") == 1, bad.stderr


def test_a_real_scs_solve_prints_nothing():
    """The plain cvxpy program with SCS (its C code writes to descriptor 1 when it fails): stdout stays JSON."""
    script = textwrap.dedent("""
        import sys
        from engine.cli import main
        from engine.solvers.chain import chain_override, cvxpy_attempt
        with chain_override((cvxpy_attempt("SCS"),)):
            sys.exit(main(sys.argv[1:]))
    """)
    r = run_python(script, "solve", "--preset", "stochastic-vs-deterministic", "--eps", "1", "--json", timeout=120)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    json.loads(r.stdout)
