"""Server CPU per first load and per slider move, per page: what one student costs a warm server.

    .venv/bin/python benchmarks/bench_pages.py                       # every page, 12 sessions each
    .venv/bin/python benchmarks/bench_pages.py --sessions 20 --pages worst-case,tradeoff
    .venv/bin/python benchmarks/bench_pages.py --base 0284a70       # that commit beside this tree, side by side
    .venv/bin/python benchmarks/bench_pages.py --profile worst-case  # cProfile of a first load and a move (AppTest)

A real ``streamlit run app.py`` on a free loopback port (of this tree, and with ``--base`` of a commit checked out
beside it), its caches filled by one session per page first. Then, one session at a time (no concurrency, so the
numbers are the cost of the work and not of waiting), each session opens the page by its deep link and moves the
eps slider ``--moves`` times. The server's CPU time (user + system, every thread: /proc/PID/stat) is read before
and after each step; the table gives the mean CPU ms per first load and per move (the clock ticks at 10 ms, so
single steps are averaged over many) and the median wall time. Not a test: timings depend on the machine (the load
average is printed with them).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import harness  # noqa: E402
import load  # noqa: E402

PAGES = ("overview", "worst-case", "tradeoff", "stochastic-vs-deterministic", "privacy", "robustness-vs-accuracy",
         "certified-robustness")
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (all its threads, living and ended)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


async def one_session(base: str, page: str, moves: int, pid: int) -> tuple[float, float, list[float], list[float]]:
    """(CPU s of the first load, its wall s, CPU s of each move, wall s of each move)."""
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None, ping_interval=None,
                                  compression=None) as ws:
        before = cpu_seconds(pid)
        first = await load.one_run(ws, load.rerun_request(page, base), 120)
        first_cpu = cpu_seconds(pid) - before
        if first.errors:
            raise RuntimeError(f"{page}: {first.errors}")
        move_cpu, move_wall, slider = [], [], first.slider
        for _ in range(moves if slider is not None else 0):
            await asyncio.sleep(0.05)
            value = slider.next_value()
            before = cpu_seconds(pid)
            run = await load.one_run(ws, load.rerun_request(page, base, first.page_hash, slider, value), 120)
            move_cpu.append(cpu_seconds(pid) - before)
            move_wall.append(run.seconds)
            if run.errors:
                raise RuntimeError(f"{page} eps={value:g}: {run.errors}")
            slider = run.slider or slider
            slider.value = value
    await asyncio.sleep(0.1)  # the session's teardown, before the next one's clock starts
    return first_cpu, first.seconds, move_cpu, move_wall


async def measure(base: str, pid: int, pages, sessions: int, moves: int) -> dict:
    for page in pages:  # caches filled (a cold page solves its whole grid): not measured
        await one_session(base, page, 2, pid)
    out = {}
    for page in pages:
        firsts, first_walls, move_cpus, move_walls = [], [], [], []
        for _ in range(sessions):
            fc, fw, mc, mw = await one_session(base, page, moves, pid)
            firsts.append(fc)
            first_walls.append(fw)
            move_cpus += mc
            move_walls += mw
        out[page] = {
            "first_load_cpu_ms": round(1000 * statistics.fmean(firsts), 1),
            "first_load_wall_ms": round(1000 * statistics.median(first_walls), 1),
            "move_cpu_ms": round(1000 * statistics.fmean(move_cpus), 1) if move_cpus else None,
            "move_wall_ms": round(1000 * statistics.median(move_walls), 1) if move_walls else None,
            "sessions": sessions, "moves": len(move_cpus),
        }
    return out


def table(results: dict, label: str) -> str:
    lines = [f"{label}: server CPU per step (mean) and wall time (median), sequential sessions on a warm server",
             f"{'page':30}{'first load CPU ms':>19}{'wall ms':>9}{'move CPU ms':>13}{'wall ms':>9}"]
    for page, r in results.items():
        move = f"{r['move_cpu_ms']:>13.1f}{r['move_wall_ms']:>9.1f}" if r["move_cpu_ms"] is not None else \
            f"{'-':>13}{'-':>9}"
        lines.append(f"{page:30}{r['first_load_cpu_ms']:>19.1f}{r['first_load_wall_ms']:>9.1f}{move}")
    return "\n".join(lines)


def profile(page: str, moves: int, out: Path) -> None:
    """cProfile of one first load and ``moves`` slider moves of ``page`` in AppTest, warm caches."""
    import cProfile
    import pstats

    sys.path.insert(0, str(ROOT / "tests" / "views"))
    sys.path.insert(0, str(ROOT))
    import pagekit

    file = {"overview": pagekit.OVERVIEW, "worst-case": pagekit.WORST_CASE, "tradeoff": pagekit.TRADEOFF,
            "stochastic-vs-deterministic": pagekit.DETERMINISTIC, "privacy": pagekit.PRIVACY}[page]
    at = pagekit.open_page(file)  # warm
    slider = at.slider(key="eps")
    values = [slider.min + (k % 3 + 5) * (slider.max - slider.min) / 40 for k in range(moves)]
    for v in values[:3]:
        at.slider(key="eps").set_value(v).run()
    out.mkdir(parents=True, exist_ok=True)
    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.ScriptRunner._run_script
    for name, work in (("first", lambda: pagekit.open_page(file)),
                       ("move", lambda: [at.slider(key="eps").set_value(v).run() for v in values])):
        prof = cProfile.Profile()

        def run_script(self, *a, _prof=prof, **kw):  # the script runs in a thread of its own: profile it there
            _prof.enable()
            try:
                return original(self, *a, **kw)
            finally:
                _prof.disable()

        script_runner.ScriptRunner._run_script = run_script
        try:
            work()
        finally:
            script_runner.ScriptRunner._run_script = original
        path = out / f"{page}-{name}.prof"
        prof.dump_stats(str(path))
        print(f"== {page} {name} ({path})")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(35)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--sessions", type=int, default=12)
    parser.add_argument("--moves", type=int, default=5)
    parser.add_argument("--label", default="this tree")
    parser.add_argument("--base", metavar="COMMIT", help="also measure this commit, side by side")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--profile", metavar="PAGE", help="cProfile a first load and the moves of PAGE instead")
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "bench-pages")
    args = parser.parse_args(argv)
    if args.profile:
        profile(args.profile, args.moves, args.out)
        return 0
    pages = tuple(p for p in args.pages.split(",") if p)
    trees, base_tree = [(args.label, ROOT)], None
    if args.base:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from bench_browser import checkout

        base_tree = checkout(args.base)
        trees.insert(0, (args.base, base_tree))
    everything = {}
    try:
        for label, root in trees:
            load_before, began = os.getloadavg(), time.monotonic()
            proc, base = plain_server(root, args.out / f"{label.replace(' ', '-')}.log")
            try:
                results = asyncio.run(measure(base, proc.pid, pages, args.sessions, args.moves))
            finally:
                harness.stop_server(proc)
            everything[label] = {"pages": results, "loadavg": [load_before[0], os.getloadavg()[0]],
                                 "seconds": round(time.monotonic() - began)}
    finally:
        if base_tree is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(base_tree)], cwd=ROOT, capture_output=True)
            shutil.rmtree(base_tree.parent, ignore_errors=True)
    if args.json:
        print(json.dumps(everything, indent=1))
        return 0
    print(side_by_side(everything) if len(everything) > 1 else table(everything[args.label]["pages"], args.label))
    for label, r in everything.items():
        print(f"{label}: {r['seconds']} s; load average {r['loadavg'][0]:.2f} before, {r['loadavg'][1]:.2f} after")
    return 0


def plain_server(root: Path, log: Path):
    """``streamlit run app.py`` of ``root`` on a free loopback port (the pid is the server's own)."""
    port = harness.free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
           "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
           "--server.disconnectedSessionTTL", "2"]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=root, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        harness.wait_healthy(base, proc, log)
    except BaseException:
        harness.stop_server(proc)
        raise
    return proc, base


def side_by_side(everything: dict) -> str:
    (a, ra), (b, rb) = list(everything.items())
    lines = ["server CPU ms per step (mean over sequential sessions on a warm server): before -> after",
             f"{'page':30}{'first load ' + a:>20}{b:>10}{'ratio':>7}{'move ' + a:>16}{b:>10}{'ratio':>7}"]
    for page, x in ra["pages"].items():
        y = rb["pages"][page]
        row = f"{page:30}{x['first_load_cpu_ms']:>20.1f}{y['first_load_cpu_ms']:>10.1f}" \
              f"{x['first_load_cpu_ms'] / max(y['first_load_cpu_ms'], 1e-9):>6.1f}x"
        if x["move_cpu_ms"] is not None:
            ratio = x["move_cpu_ms"] / max(y["move_cpu_ms"], 1e-9)
            row += f"{x['move_cpu_ms']:>16.1f}{y['move_cpu_ms']:>10.1f}{ratio:>6.1f}x"
        lines.append(row)
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
