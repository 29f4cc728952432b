"""Load harness: a lecture hall of simulated browsers against the app, its own server or a running deployment.

    .venv/bin/python scripts/load.py                          # 200 sessions x 5 slider moves, a table
    .venv/bin/python scripts/load.py --sessions 20 --json     # the reduced run of the test command
    .venv/bin/python scripts/load.py --soak 600               # waves of sessions for 10 minutes: memory growth
    .venv/bin/python scripts/load.py --url http://127.0.0.1:8080 --stats RUN/replica-1.stats.jsonl ...
                                                              # a deployment (scripts/serve.py), through its proxy
    .venv/bin/python scripts/load.py --post-script-gc true    # compare Streamlit's post-run garbage collection

Each session does what a browser does: it fetches the page (``GET /page``, keeping the cookies, so a proxy's
sticky-session cookie is sent with the WebSocket as a browser would), then speaks Streamlit's protocol on
``/_stcore/stream`` (ui/client.py): it opens one of the heaviest pages (a deep link), waits for the script to
finish, then moves the eps slider ``--reruns`` times, one grid step each, with a think pause between moves.
Sessions arrive spread evenly over ``--ramp`` seconds and leave (close their WebSocket) when done.

When the WebSocket drops (a replica went away), the session reconnects as Streamlit's frontend does (retrying for
up to ``--reconnect`` seconds, the same cookies; a proxy sends it to a healthy replica) and reruns its view, eps
included, from the URL: that counts as a reconnect, not an error, when it succeeds. ``--kill PID --kill-at S``
sends SIGKILL to a process (a replica) S seconds into the measured wave: the fault drill.

Reported: latency of the first load and of a slider move (request sent to ``script_finished`` received; p50,
p95, max, in seconds), errors (exception elements, error alerts, refused or dropped connections that did not
reconnect, timeouts), reconnects, and each server's vital signs (scripts/replica.py ``--stats``): resident memory
and threads at baseline, peak and after the clients left, and the sessions it still holds then. ``--json``
prints {"errors", "first_load": {"p50", "p95", "max", "count"}, "move": {...}, "reconnects", "servers": [...],
...}.

Bounded and loopback only: its own server binds 127.0.0.1 on a free port; ``--url`` must name a loopback address;
at most MAX_SESSIONS clients; every wait has a timeout, and ``--deadline`` seconds after the start everything
still open is cancelled and its own server is stopped (its whole process group).
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import itertools
import json
import math
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import harness  # noqa: E402  (free_port, wait_healthy, stop_server)

from ui.client import EPS_LABEL, Run, Slider, one_run, rerun_request  # noqa: E402, F401  (re-exported)

HEAVY_PAGES = ("worst-case", "tradeoff")
# The pages with the shared eps slider (the Explore pages): the harness moves it. The Context pages have their
# own controls (eps_inf, sigma, ...), so they are not offered.
EPS_PAGES = ("worst-case", "tradeoff", "stochastic-vs-deterministic", "privacy")
MAX_SESSIONS = 1000
SETTLE_MARGIN_SECONDS = 30.0  # waited beyond the session TTL for sessions and threads to come back to baseline


@dataclass
class Tally:
    """Everything the sessions measured."""

    first: list[float] = field(default_factory=list)
    reruns: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    reconnects: list[float] = field(default_factory=list)  # seconds from the drop to the view drawn again
    finished_sessions: int = 0
    largest_message: int = 0
    replicas_seen: set[str] = field(default_factory=set)  # the sticky cookies handed out (one per replica)


class Dropped(Exception):
    """The WebSocket closed under a session (its server went away)."""


async def fetch_page(base: str, page: str, cookies: dict, timeout: float) -> None:
    """``GET /page`` as a browser's first request: the HTML, and any cookie set (a proxy's sticky cookie)."""
    parts = urlsplit(base)
    host, port = parts.hostname, parts.port or 80
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        request = (f"GET /{page} HTTP/1.1\r\nHost: {parts.netloc}\r\nAccept: text/html\r\nConnection: close\r\n"
                   + (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n")
        writer.write(request.encode())
        await writer.drain()
        async with asyncio.timeout(timeout):
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            for line in head.decode("latin-1").split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "set-cookie":
                    for morsel in SimpleCookie(value.strip()).values():
                        cookies[morsel.key] = morsel.value
            await reader.read()  # the body, to the end (Connection: close)
        if status >= 400:
            raise OSError(f"GET /{page} answered {status}")
    finally:
        writer.close()


async def connect(base: str, cookies: dict, timeout: float):
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else None
    return await websockets.connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=timeout,
                                    ping_interval=None, compression=None, additional_headers=headers)


async def run_or_drop(ws, request: bytes, timeout: float) -> Run:
    try:
        return await one_run(ws, request, timeout)
    except websockets.ConnectionClosed as closed:
        raise Dropped(str(closed)) from closed


async def session(base: str, page: str, reruns: int, think: float, timeout: float, reconnect: float,
                  tally: Tally) -> None:
    """One student: fetch the page, open it, move the slider ``reruns`` times, leave; reconnect on a drop."""
    cookies: dict = {}
    ws = None
    try:
        await fetch_page(base, page, cookies, timeout)
        tally.replicas_seen.update(v for k, v in cookies.items() if k == "lab_replica")
        try:
            ws = await connect(base, cookies, timeout)
            first = await run_or_drop(ws, rerun_request(page, base), timeout)
        except Dropped:
            ws, first, seconds = await reconnect_view(base, page, "", cookies, timeout, reconnect)
            tally.reconnects.append(seconds)
        tally.first.append(first.seconds)
        tally.largest_message = max(tally.largest_message, first.largest)
        tally.errors += [f"{page} first load: {e}" for e in first.errors]
        slider, page_hash = first.slider, first.page_hash
        if slider is None:
            tally.errors.append(f"{page}: no eps slider was drawn")
            return
        moved = 0
        while moved < reruns:
            await asyncio.sleep(think)
            value = slider.next_value()
            try:
                run = await run_or_drop(ws, rerun_request(page, base, page_hash, slider, value), timeout)
            except Dropped:
                # What Streamlit's frontend does: reconnect (same cookies), then the view reruns from its URL.
                ws, run, seconds = await reconnect_view(base, page, f"eps={value:g}", cookies, timeout, reconnect)
                tally.reconnects.append(seconds)
                page_hash = run.page_hash
            tally.reruns.append(run.seconds)
            tally.errors += [f"{page} eps={value:g}: {e}" for e in run.errors]
            slider = run.slider or slider  # the same slider (its fragment too), at the value just sent
            slider.value = value
            moved += 1
        tally.finished_sessions += 1
    except TimeoutError:
        tally.errors.append(f"{page}: no answer within {timeout:g} s")
    except (OSError, websockets.WebSocketException, Dropped) as error:
        tally.errors.append(f"{page}: connection failed ({type(error).__name__}: {error})")
    finally:
        if ws is not None:
            await ws.close()


async def reconnect_view(base: str, page: str, query: str, cookies: dict, timeout: float, budget: float):
    """Reconnect within ``budget`` seconds and rerun the view of ``/page?query``: (websocket, run, seconds)."""
    began, delay = time.monotonic(), 0.25
    while True:
        ws = None
        try:
            ws = await connect(base, cookies, timeout)
            run = await run_or_drop(ws, rerun_request(page, base, query=query), timeout)
            return ws, run, time.monotonic() - began
        except (OSError, websockets.WebSocketException, Dropped):
            if ws is not None:
                await ws.close()
            if time.monotonic() - began + delay > budget:
                raise
            await asyncio.sleep(delay)
            delay = min(2 * delay, 2.0)


async def wave(base: str, sessions: int, reruns: int, ramp: float, think: float, timeout: float, reconnect: float,
               pages: tuple[str, ...], tally: Tally) -> None:
    """``sessions`` students arriving evenly over ``ramp`` seconds, round-robin over ``pages``."""

    async def arrive(k: int, page: str) -> None:
        await asyncio.sleep(ramp * k / max(sessions, 1))
        await session(base, page, reruns, think, timeout, reconnect, tally)

    await asyncio.gather(*(arrive(k, page) for k, page in zip(range(sessions), itertools.cycle(pages))))


def vital_signs(stats: Path) -> list[dict]:
    """Every line a server has written to its stats file so far."""
    if not stats.exists():
        return []
    return [json.loads(line) for line in stats.read_text().splitlines() if line.strip()]


def latest(stats: Path) -> dict:
    rows = vital_signs(stats)
    return rows[-1] if rows else {}


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank), NaN for no values."""
    if not values:
        return math.nan
    ranked = sorted(values)
    return ranked[min(len(ranked) - 1, max(0, math.ceil(q / 100 * len(ranked)) - 1))]


def start(stats: Path, log: Path, post_script_gc: bool, session_ttl: float, warm: bool = False
          ) -> tuple[subprocess.Popen, str]:
    """The app under scripts/replica.py on a free loopback port, healthy (warmed first with ``warm``)."""
    port = harness.free_port()
    cmd = [sys.executable, str(ROOT / "scripts" / "replica.py"), "--stats", str(stats),
           *([] if warm else ["--no-warm"]), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
           "--runner.postScriptGC", str(post_script_gc).lower(), "--server.disconnectedSessionTTL", f"{session_ttl:g}"]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        harness.wait_healthy(base, proc, log, timeout=900 if warm else harness.STARTUP_SECONDS)
    except BaseException:
        harness.stop_server(proc)
        raise
    return proc, base


def settled(row: dict, baseline: dict) -> bool:
    return (row.get("active_sessions", 0) == 0 and row.get("sessions", 0) == 0
            and row.get("session_threads", 0) <= baseline.get("session_threads", 0))


async def settle(stats: list[Path], baselines: list[dict], seconds: float) -> tuple[list[dict], float]:
    """Wait (up to ``seconds``) until no server holds a session and their threads are back to the baseline;
    their signs then, and how long that took."""
    began = time.monotonic()
    now = [latest(s) for s in stats]
    while stats and time.monotonic() - began < seconds:
        await asyncio.sleep(1.0)
        now = [latest(s) for s in stats]
        if all(settled(row, base) for row, base in zip(now, baselines, strict=True)):
            break
    return now, time.monotonic() - began


async def kill_later(pid: int, seconds: float, note: list) -> None:
    await asyncio.sleep(seconds)
    try:
        os.kill(pid, signal.SIGKILL)
        note.append(f"SIGKILL to {pid} at {seconds:g} s")
    except ProcessLookupError:
        note.append(f"{pid} was gone at {seconds:g} s")


async def drive(args, stats: list[Path], base: str) -> dict:
    """Warm-up, the measured wave (or the soak's waves), then the settling; the report as a dict."""
    warm = Tally()
    await wave(base, len(args.pages), 0, 0.0, 0.0, args.timeout, args.reconnect, args.pages, warm)
    await asyncio.sleep(2.0)
    baselines = [latest(s) for s in stats]
    tally, waves, began = Tally(), 0, time.monotonic()
    memory = []  # (seconds since the start, [RSS of each server]) after each wave
    faults: list[str] = []
    killer = asyncio.create_task(kill_later(args.kill, args.kill_at, faults)) if args.kill else None
    while True:
        await wave(base, args.sessions, args.reruns, args.ramp, args.think, args.timeout, args.reconnect, args.pages,
                   tally)
        waves += 1
        memory.append((round(time.monotonic() - began, 1), [latest(s).get("rss_mb") for s in stats]))
        if time.monotonic() - began >= args.soak:
            break
    if killer is not None:
        await killer
    elapsed = time.monotonic() - began
    after, settle_seconds = await settle(stats, baselines, args.session_ttl + SETTLE_MARGIN_SECONDS)
    servers = []
    for k, (path, baseline, end) in enumerate(zip(stats, baselines, after, strict=True)):
        during = [row for row in vital_signs(path) if row["t"] >= baseline.get("t", 0)]
        if not during or not baseline:
            servers.append({"stats": str(path), "missing": True})
            continue
        first_wave, last_wave = memory[0][1][k], memory[-1][1][k]
        servers.append({
            "stats": str(path),
            "rss_mb": {"baseline": round(baseline["rss_mb"], 1), "peak": round(max(r["rss_mb"] for r in during), 1),
                       "after": round(end["rss_mb"], 1), "after_first_wave": first_wave, "after_last_wave": last_wave},
            "rss_growth_mb": round(last_wave - first_wave, 1) if None not in (first_wave, last_wave) else None,
            "python_threads": {"baseline": baseline["python_threads"],
                               "peak": max(r["python_threads"] for r in during), "after": end["python_threads"]},
            "session_threads": {"baseline": baseline.get("session_threads"),
                                "peak": max(r.get("session_threads", 0) for r in during),
                                "after": end.get("session_threads")},
            "os_threads": {"baseline": baseline["os_threads"], "peak": max(r["os_threads"] for r in during),
                           "after": end["os_threads"]},
            "active_sessions_after": end.get("active_sessions"), "sessions_held_after": end.get("sessions"),
            "solves_during": (end.get("solves", 0) - baseline.get("solves", 0)) if "solves" in baseline else None,
            "cpu_s_during": round(end["cpu_s"] - baseline["cpu_s"], 1) if "cpu_s" in baseline else None,
        })
    return {
        "url": base, "sessions": args.sessions * waves, "waves": waves, "reruns_per_session": args.reruns,
        "pages": list(args.pages), "ramp_s": args.ramp, "post_script_gc": args.post_script_gc,
        "seconds": round(elapsed, 1),
        "errors": len(tally.errors) + len(warm.errors), "error_examples": (warm.errors + tally.errors)[:10],
        "first_load": summary(tally.first), "move": summary(tally.reruns),
        "reconnects": len(tally.reconnects), "reconnect_s": summary(tally.reconnects), "faults": faults,
        "finished_sessions": tally.finished_sessions, "replicas_seen": len(tally.replicas_seen),
        "largest_message_kb": round(max(tally.largest_message, warm.largest_message) / 1024, 1),
        "servers": servers, "memory_by_wave": memory,
        "session_ttl_s": args.session_ttl, "settled_after_s": round(settle_seconds, 1),
        "loadavg": [round(v, 2) for v in os.getloadavg()],
        "client_cpu_s": round(sum(os.times()[:2]), 1),  # the load generator's own CPU (it shares the machine)
    }


def summary(values: list[float]) -> dict:
    return {"count": len(values), "p50": round(percentile(values, 50), 3), "p95": round(percentile(values, 95), 3),
            "max": round(max(values), 3) if values else math.nan}


def table(report: dict) -> str:
    """The report as text."""
    f, r = report["first_load"], report["move"]
    lines = [
        f"{report['sessions']} sessions ({report['waves']} wave(s), {report['ramp_s']:g} s arrival) x "
        f"{report['reruns_per_session']} slider moves on {', '.join(report['pages'])} at {report['url']}; "
        f"postScriptGC={str(report['post_script_gc']).lower()}; {report['seconds']} s; "
        f"load average {report['loadavg'][0]:.2f}",
        f"{'':16}{'count':>7}{'p50 s':>9}{'p95 s':>9}{'max s':>9}",
        f"{'first load':16}{f['count']:>7}{f['p50']:>9.3f}{f['p95']:>9.3f}{f['max']:>9.3f}",
        f"{'slider move':16}{r['count']:>7}{r['p50']:>9.3f}{r['p95']:>9.3f}{r['max']:>9.3f}",
        f"errors: {report['errors']}   sessions finished: {report['finished_sessions']}   reconnects: "
        f"{report['reconnects']}   largest message: {report['largest_message_kb']} kB",
    ]
    if report["faults"]:
        c = report["reconnect_s"]
        lines.append(f"faults: {'; '.join(report['faults'])}; reconnected views drawn after p50 {c['p50']} s, "
                     f"max {c['max']} s")
    for k, s in enumerate(report["servers"]):
        if s.get("missing"):
            lines.append(f"server {k + 1}: no vital signs ({s['stats']})")
            continue
        lines += [
            f"server {k + 1}: RSS MB baseline {s['rss_mb']['baseline']:.0f}, peak {s['rss_mb']['peak']:.0f}, after "
            f"{s['rss_mb']['after']:.0f} (growth first -> last wave {s['rss_growth_mb']} MB); python threads "
            "{baseline} -> {peak} -> {after}".format(**s["python_threads"])
            + "; session threads {baseline} -> {peak} -> {after}".format(**s["session_threads"])
            + f"; sessions after: {s['active_sessions_after']} connected, {s['sessions_held_after']} held; "
              f"solves during the run: {s['solves_during']}",
        ]
    lines.append(f"settled {report['settled_after_s']} s after the clients left "
                 f"(disconnectedSessionTTL {report['session_ttl_s']:g} s)")
    return "\n".join(lines + [f"  error: {e}" for e in report["error_examples"]])


def loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running deployment (its proxy), e.g. http://127.0.0.1:8080; "
                                      "default: start the app's own server")
    parser.add_argument("--stats", type=Path, action="append", default=[],
                        help="with --url: a replica's stats file (scripts/replica.py --stats), once per replica")
    parser.add_argument("--warm", action="store_true", help="own server: warm it before it answers (replica.py)")
    parser.add_argument("--sessions", type=int, default=200, help="sessions per wave (default 200)")
    parser.add_argument("--reruns", type=int, default=5, help="slider moves per session (default 5)")
    parser.add_argument("--ramp", type=float, default=60.0, help="seconds over which a wave arrives (default 60)")
    parser.add_argument("--think", type=float, default=2.0, help="seconds between a session's moves (default 2)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for any one run (default 120)")
    parser.add_argument("--reconnect", type=float, default=30.0,
                        help="seconds a dropped session keeps trying to reconnect (default 30)")
    parser.add_argument("--soak", type=float, default=0.0, help="repeat waves until this many seconds have passed")
    parser.add_argument("--deadline", type=float, default=1800.0, help="stop everything after this many seconds")
    parser.add_argument("--pages", default=",".join(HEAVY_PAGES), help="comma-separated url paths")
    parser.add_argument("--kill", type=int, metavar="PID", help="SIGKILL this process during the measured wave")
    parser.add_argument("--kill-at", type=float, default=5.0, help="seconds into the wave for --kill (default 5)")
    parser.add_argument("--post-script-gc", choices=("true", "false"), default="false",
                        help="own server: Streamlit's runner.postScriptGC (the app's config says false)")
    parser.add_argument("--session-ttl", type=float, default=120.0,
                        help="server.disconnectedSessionTTL: seconds a left session is held for reconnection "
                             "(default 120, Streamlit's and the app's); with --url, what the deployment uses")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "load", help="server log and stats")
    args = parser.parse_args(argv)
    args.pages = tuple(p for p in args.pages.split(",") if p)
    unknown = [p for p in args.pages if p not in EPS_PAGES]
    if unknown or not args.pages:
        parser.error(f"--pages: {', '.join(unknown) or 'none given'} is not an Explore page; "
                     f"choose from {', '.join(EPS_PAGES)}")
    if not 1 <= args.sessions <= MAX_SESSIONS:
        parser.error(f"--sessions must be between 1 and {MAX_SESSIONS}, not {args.sessions}")
    if min(args.reruns, args.ramp, args.think, args.session_ttl, args.kill_at) < 0 or \
            min(args.timeout, args.deadline, args.reconnect) <= 0:
        parser.error("--reruns, --ramp, --think, --session-ttl and --kill-at must be >= 0, --timeout, --deadline "
                     "and --reconnect > 0")
    if args.url is not None:
        args.url = args.url.rstrip("/")
        if not args.url.startswith("http://") or not loopback(args.url):
            parser.error(f"--url must be an http:// address on this machine (loopback), not {args.url}")
    elif args.stats:
        parser.error("--stats goes with --url (the harness's own server writes its own)")
    args.post_script_gc = args.post_script_gc == "true"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    proc = None
    if args.url:
        base, stats = args.url, list(args.stats)
    else:
        stats, log = [args.out / "stats.jsonl"], args.out / "server.log"
        proc, base = start(stats[0], log, args.post_script_gc, args.session_ttl, args.warm)
    try:
        report = asyncio.run(asyncio.wait_for(drive(args, stats, base), args.deadline))
    except TimeoutError:
        print(f"load.py: stopped at the {args.deadline:g} s deadline", file=sys.stderr)
        return 1
    finally:
        if proc is not None:
            harness.stop_server(proc)
    print(json.dumps(report, indent=1) if args.json else table(report))
    return 0 if report["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
