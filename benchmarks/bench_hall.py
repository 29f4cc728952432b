"""A lecture hall, side by side: one process against N replicas behind the proxy, then a replica killed mid-run.

    .venv/bin/python benchmarks/bench_hall.py                      # 200 sessions within 10 s, 5 moves each
    .venv/bin/python benchmarks/bench_hall.py --base 0284a70       # also the single process of that commit
    .venv/bin/python benchmarks/bench_hall.py --soak 600           # instead: 10 minutes of waves of 50 via the proxy

Everything on this machine: the servers and the load generator (scripts/load.py) share its cores. Each session
fetches its page (GET), opens it over the WebSocket, and moves the eps slider five times, 2 s apart; sessions
alternate between the worst-case and the tradeoff pages. Columns:

- **one process (base)**, with ``--base``: that commit's plain ``streamlit run`` (before this tree's cheaper reruns),
  its caches filled by one session per page (what the harness always did);
- **one process**: this tree's app as one warmed replica (scripts/replica.py), straight to its port;
- **N replicas + proxy**: ``scripts/serve.py --replicas N`` (HAProxy in front), through the proxy's port;
- **killed replica**: the same deployment again, one replica SIGKILLed ``--kill-at`` seconds into the wave
  (serve.py restarts it; its sessions reconnect through the proxy to the other one).

Printed: errors, reconnects, first load and slider move p50 / p95 / max (seconds), resident memory per server
(after warming, peak), start-up time with warming, and the load average. Not a test: one run each.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import harness  # noqa: E402

OUT = ROOT / "test-artifacts" / "bench-hall"


def load(url: str, stats: list[Path], args, out: Path, extra: list[str] = ()) -> dict:
    files = [a for s in stats for a in ("--stats", str(s))]
    cmd = [sys.executable, str(ROOT / "scripts" / "load.py"), "--url", url, *files,
           "--sessions", str(args.sessions), "--reruns", str(args.reruns), "--ramp", str(args.ramp),
           "--think", str(args.think), "--session-ttl", "5", "--timeout", "180", "--deadline", "3000", "--json",
           "--out", str(out), *extra]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=3600, cwd=ROOT)
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"load.py failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}") from None


def single(root: Path, warmed: bool, out: Path) -> tuple[subprocess.Popen, str, Path | None, float]:
    """One server: this tree's warmed replica (with stats) or a tree's plain streamlit run."""
    port = harness.free_port()
    out.mkdir(parents=True, exist_ok=True)
    flags = ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
             "--server.fileWatcherType", "none", "--server.disconnectedSessionTTL", "5"]
    stats = out / "stats.jsonl" if warmed else None
    if warmed:
        cmd = [sys.executable, str(root / "scripts" / "replica.py"), "--stats", str(stats), *flags]
    else:
        cmd = [sys.executable, "-m", "streamlit", "run", "app.py", *flags]
    log = out / "server.log"
    began = time.monotonic()
    with log.open("w") as f:
        proc = subprocess.Popen(cmd, cwd=root, stdout=f, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    harness.wait_healthy(base, proc, log, timeout=900)
    return proc, base, stats, time.monotonic() - began


def deployment(replicas: int, out: Path) -> tuple[subprocess.Popen, str, dict, float]:
    port = harness.free_port()
    shutil.rmtree(out, ignore_errors=True)  # the replicas' logs of an earlier run would be read for their warm-up
    out.mkdir(parents=True, exist_ok=True)
    log = out / "serve.log"
    began = time.monotonic()
    f = log.open("w")
    proc = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "serve.py"), "--replicas", str(replicas),
                             "--port", str(port), "--run-dir", str(out / "run"), "--session-ttl", "5"],
                            cwd=ROOT, stdout=f, stderr=subprocess.STDOUT, start_new_session=True)
    while "Give the students" not in log.read_text():
        if proc.poll() is not None or time.monotonic() - began > 900:
            raise RuntimeError(f"serve.py did not come up:\n{log.read_text()}")
        time.sleep(0.5)
    ready = time.monotonic() - began
    state = json.loads((out / "run" / "state.json").read_text())
    return proc, f"http://127.0.0.1:{port}", state, ready


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def warm_times(logs: list[Path]) -> list[float]:
    found = []
    for log in logs:
        m = re.search(r"warm-up: (\d+) views in ([\d.]+) s .*ready ([\d.]+) s after the start", log.read_text())
        if m:
            found.append(float(m.group(3)))
    return found


def fmt(r: dict, key: str) -> str:
    s = r[key]
    return f"{s['p50']:.2f} / {s['p95']:.2f} / {s['max']:.2f}"


def memory(r: dict) -> str:
    servers = [s for s in r["servers"] if not s.get("missing")]
    if not servers:
        return "-"
    return ", ".join(f"{s['rss_mb']['baseline']:.0f}->{s['rss_mb']['peak']:.0f}" for s in servers)


def table(columns: list[tuple[str, dict]]) -> str:
    rows = [("errors", lambda r: str(r["errors"])), ("reconnects", lambda r: str(r["reconnects"])),
            ("sessions finished", lambda r: f"{r['finished_sessions']} of {r['sessions']}"),
            ("first load p50/p95/max s", lambda r: fmt(r, "first_load")),
            ("slider move p50/p95/max s", lambda r: fmt(r, "move")),
            ("RSS MB per server (start->peak)", memory),
            ("start-up until healthy s", lambda r: r.get("startup", "-")),
            ("solves during the run", lambda r: ", ".join(str(s.get("solves_during")) for s in r["servers"]) or "-"),
            ("server CPU s during the run", lambda r: ", ".join(str(s.get("cpu_s_during")) for s in r["servers"])
             or "-"),
            ("run wall s / load generator CPU s", lambda r: f"{r['seconds']:.0f} / {r.get('client_cpu_s', '-')}"),
            ("load average (1 min) after", lambda r: f"{r['loadavg'][0]:.2f}")]
    width = max(28, *(len(label) + 2 for label, _ in columns))
    lines = [f"{'':34}" + "".join(f"{label:>{width}}" for label, _ in columns)]
    for name, get in rows:
        lines.append(f"{name:34}" + "".join(f"{get(r):>{width}}" for _, r in columns))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--reruns", type=int, default=5)
    parser.add_argument("--ramp", type=float, default=10.0)
    parser.add_argument("--think", type=float, default=2.0)
    parser.add_argument("--kill-at", type=float, default=5.0)
    parser.add_argument("--base", metavar="COMMIT", help="also the single process of this commit (plain streamlit)")
    parser.add_argument("--soak", type=float, default=0.0, help="instead: waves of --sessions (50) via the proxy")
    parser.add_argument("--json", type=Path, help="also write every report here")
    args = parser.parse_args(argv)
    columns: list[tuple[str, dict]] = []
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    if args.soak:
        proc, url, state, ready = deployment(args.replicas, OUT / "soak")
        try:
            stats = [Path(r["stats"]) for r in state["replicas"]]
            r = load(url, stats, args, OUT / "soak-load", ["--soak", str(args.soak)])
        finally:
            stop(proc)
        r["startup"] = f"{ready:.1f}"
        print(soak_table(r))
        if args.json:
            args.json.write_text(json.dumps(r, indent=1))
        return 0 if r["errors"] == 0 else 1
    if args.base:
        from bench_browser import checkout

        tree = checkout(args.base)
        try:
            proc, url, _, up = single(tree, False, OUT / "base")
            try:
                r = load(url, [], args, OUT / "base-load")
            finally:
                harness.stop_server(proc)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)
            shutil.rmtree(tree.parent, ignore_errors=True)
        r["startup"] = f"{up:.1f} (cold)"
        columns.append((f"1 process ({args.base})", r))
        print(f"done: {columns[-1][0]}", flush=True)
    proc, url, stats, up = single(ROOT, True, OUT / "single")
    try:
        r = load(url, [stats], args, OUT / "single-load")
    finally:
        harness.stop_server(proc)
    r["startup"] = f"{up:.1f}"
    columns.append(("1 process", r))
    print(f"done: {columns[-1][0]}", flush=True)
    proc, url, state, ready = deployment(args.replicas, OUT / "replicas")
    try:
        stats = [Path(x["stats"]) for x in state["replicas"]]
        r = load(url, stats, args, OUT / "replicas-load")
        warm = warm_times([Path(x["log"]) for x in state["replicas"]])
        r["startup"] = f"{ready:.1f} ({'/'.join(f'{w:.0f}' for w in warm)})"
        columns.append((f"{args.replicas} replicas + proxy", r))
        print(f"done: {columns[-1][0]}", flush=True)
        time.sleep(8)  # the sessions of the run before leave (TTL 5 s)
        victim = state["replicas"][0]["pid"]
        r = load(url, stats, args, OUT / "fault-load", ["--kill", str(victim), "--kill-at", str(args.kill_at)])
        r["startup"] = "-"
        columns.append((f"killed 1 at {args.kill_at:g} s", r))
        print(f"done: {columns[-1][0]} ({'; '.join(r['faults'])})", flush=True)
    finally:
        stop(proc)
    print()
    print(f"{args.sessions} sessions arriving within {args.ramp:g} s, each: GET the page, open it, {args.reruns} eps "
          f"moves {args.think:g} s apart (worst-case and tradeoff alternately); all on this {os.cpu_count()}-core "
          "machine with the load generator")
    print(table(columns))
    if args.json:
        args.json.write_text(json.dumps(dict(columns), indent=1))
    return 0


def soak_table(r: dict) -> str:
    lines = [f"soak through the proxy: {r['waves']} waves of {r['sessions'] // max(r['waves'], 1)} sessions in "
             f"{r['seconds']:.0f} s ({r['sessions']} sessions, {r['move']['count']} moves); load average after "
             f"{r['loadavg'][0]:.2f}",
             f"errors {r['errors']}, reconnects {r['reconnects']}; first load p50/p95/max {fmt(r, 'first_load')} s; "
             f"move {fmt(r, 'move')} s"]
    for k, s in enumerate(r["servers"]):
        lines.append(f"replica {k + 1}: RSS {s['rss_mb']['baseline']:.0f} MB at the start, "
                     f"{s['rss_mb']['after_first_wave']:.0f} after wave 1, {s['rss_mb']['after_last_wave']:.0f} after "
                     f"the last (growth {s['rss_growth_mb']} MB), peak {s['rss_mb']['peak']:.0f}; sessions after "
                     f"{s['active_sessions_after']} connected / {s['sessions_held_after']} held; session threads "
                     "{baseline} -> {peak} -> {after}".format(**s["session_threads"])
                     + "; python threads {baseline} -> {peak} -> {after}".format(**s["python_threads"]))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
