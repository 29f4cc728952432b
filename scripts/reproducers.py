"""Run issue 15's reproducers against the command line and print what each gets now, with its wall time.

    .venv/bin/python scripts/reproducers.py            # a Markdown table on stdout (about a minute on 2 cores)

Each case runs ``python -m engine ...`` in a subprocess killed after --timeout seconds (default 60); the table
shows the exit status, the first line the user sees and the seconds it took. The tests that hold these results
are tests/engine/{formats,core,io,cli,batch}/test_hardening.py, tests/views/test_hardening.py and
tests/browser/test_scenario_upload.py.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(args, timeout: float, cwd=ROOT) -> tuple[str, str, float]:
    start = time.perf_counter()
    p = subprocess.Popen([sys.executable, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return "killed", f"still running after {timeout:g} s", time.perf_counter() - start
    seconds = time.perf_counter() - start
    line = (err.strip().splitlines() or out.strip().splitlines() or [""])[0]
    if p.returncode == 0 and out.lstrip().startswith("{"):
        data = json.loads(out)
        line = f"status {data.get('status', '')}" + (f", h* {data['h_star']:.6f}" if "h_star" in data else "")
    return str(p.returncode), line, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=60)
    timeout = parser.parse_args().timeout
    tmp = Path(tempfile.mkdtemp(prefix="issue15-"))
    (tmp / "c.csv").write_text("x,a" + "," * 2_000_000 + "\n1,1\n")
    os.mkfifo(tmp / "f.csv")
    (tmp / "t.csv").write_text("x,a,b\n1,0.25,0.25\n2,0.25,0.25\n")

    def config(name, data):
        (tmp / name).write_text(data if isinstance(data, str) else json.dumps(data))
        return str(tmp / name)

    m = ["-m", "engine"]
    own = tmp / "own"
    own.mkdir()
    config("own/config.json", {"problems": [{"preset": "figure2"}], "eps": "0:1:3"})
    cases = [
        ("2 MB header of commas", m + ["solve", "--mu", str(tmp / "c.csv"), "--eps", "1", "--json"]),
        ("kappa 1e308 (joint, figure2)", m + ["solve", "--preset", "figure2", "--constraint", "joint",
                                              "--label-cost", "1e308", "--eps", "0.5", "--json"]),
        ("kappa 1e12", m + ["solve", "--preset", "figure2", "--constraint", "joint", "--label-cost", "1e12",
                            "--eps", "0.5", "--json"]),
        ("FIFO as --mu", m + ["solve", "--mu", str(tmp / "f.csv"), "--eps", "1"]),
        ("FIFO as --metric", m + ["solve", "--preset", "figure2", "--metric", str(tmp / "f.csv"), "--eps", "1"]),
        ("FIFO as the batch config", m + ["batch", str(tmp / "f.csv"), "--out", str(tmp / "o1"), "--quiet"]),
        ("FIFO matched by a csv glob", m + ["batch", config("g.json", {"problems": [{"csv": "*.csv"}],
                                                                       "eps": [0.5]}), "--out", str(tmp / "o2")]),
        ('batch "eps": "0:5e-324:3"', m + ["batch", config("e.json", {"problems": [{"preset": "figure2"}],
                                                                      "eps": "0:5e-324:3"}), "--out", str(tmp / "o3")]),
        ('batch "eps": "1:1.0000000000000002:3"',
         m + ["batch", config("e2.json", {"problems": [{"preset": "figure2"}], "eps": "1:1.0000000000000002:3"}),
              "--out", str(tmp / "o4")]),
        ("batch random 2000x200 x 1e6", m + ["batch", config("big.json", {"problems": [
            {"random": "big", "n": 2000, "m": 200, "count": 1000000, "seed": 0}], "eps": "0:1:3"}),
            "--out", str(tmp / "o5")]),
        ("Problem.from_arrays(10**6 x 1)", ["-c", "import numpy as np, engine\ntry:\n"
                                            " engine.Problem.from_arrays(np.full((10**6, 1), 1e-6))\n"
                                            "except engine.ProblemError as e: print('error:', e)"]),
        ("batch config with a 5000-digit integer",
         m + ["batch", config("d.json", '{"problems": [{"preset": "figure2"}], "eps": ' + "9" * 5000 + "}"),
              "--out", str(tmp / "o6")]),
        ("TOML nested 100,000 deep", m + ["batch", config("deep.toml", "a = " + "[" * 100000 + "]" * 100000),
                                          "--out", str(tmp / "o7")]),
        ('load_preset(["figure2"])', ["-c", "import engine\ntry: engine.load_preset(['figure2'])\n"
                                            "except engine.ProblemError as e: print('error:', e)"]),
        ("batch config.json --out . (user's config)", m + ["batch", str(own / "config.json"), "--out", str(own)]),
        ("sweep --mu t.csv --out t.csv", m + ["sweep", "--mu", str(tmp / "t.csv"), "--eps-rule", "0:1:2",
                                              "--eps-attack", "0:1:2", "--out", str(tmp / "t.csv")]),
        ("sweep --out /nonexist/x.csv", m + ["sweep", "--preset", "figure2", "--eps-rule", "0:1:2", "--eps-attack",
                                             "0:1:2", "--out", "/nonexist/x.csv"]),
        ("--eps -1,0", m + ["sweep", "--preset", "figure2", "--eps-rule", "-1,0", "--eps-attack", "0:1:2"]),
        ("--workers 1000000000", m + ["batch", str(own / "config.json"), "--out", str(tmp / "o8"), "--quiet",
                                      "--workers", "1000000000"]),
    ]
    print("| reproducer | exit | what the user gets now | seconds |")
    print("|---|---|---|---|")
    for name, args in cases:
        code, line, seconds = run(args, timeout)
        line = line.replace("|", "\\|")
        print(f"| {name} | {code} | {line[:150] + ('…' if len(line) > 150 else '')} | {seconds:.1f} |", flush=True)


if __name__ == "__main__":
    main()
