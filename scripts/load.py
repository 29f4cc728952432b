"""Load harness: a lecture hall of simulated browsers against a real ``streamlit run`` on loopback.

    .venv/bin/python scripts/load.py                          # 200 sessions x 5 slider moves, a table
    .venv/bin/python scripts/load.py --sessions 20 --json     # the reduced run of the test command
    .venv/bin/python scripts/load.py --soak 600               # waves of sessions for 10 minutes: memory growth
    .venv/bin/python scripts/load.py --post-script-gc true    # compare Streamlit's post-run garbage collection

Each session speaks the browser's protocol on ``/_stcore/stream`` (protobuf BackMsg out, ForwardMsg in): it
opens one of the heaviest pages (a deep link, as a student pasting the lecturer's link), waits for the script
to finish, then moves the eps slider ``--reruns`` times, one grid step each, with a think pause between moves.
Sessions arrive spread evenly over ``--ramp`` seconds (a hall opening a link within a minute) and leave
(close their websocket) when done.

Reported: latency of the first load and of a slider rerun (request sent to ``script_finished`` received;
p50, p95, max), errors (exception elements, error alerts, refused or dropped connections, timeouts), and
the server's vital signs from scripts/load_server.py: resident memory and threads at baseline, peak and
after the clients left, and the sessions it still holds then.

Bounded and loopback only: the server binds 127.0.0.1 on a free port, at most MAX_SESSIONS clients, every
wait has a timeout, and ``--deadline`` seconds after the start everything still open is cancelled and the
server is stopped (its whole process group).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import harness  # noqa: E402  (free_port, wait_healthy, stop_server)

HEAVY_PAGES = ("worst-case", "tradeoff")
# The pages with the shared eps slider (the Explore pages): the harness moves it. The Context pages have their
# own controls (eps_inf, sigma, ...), so they are not offered.
EPS_PAGES = ("worst-case", "tradeoff", "stochastic-vs-deterministic", "privacy")
MAX_SESSIONS = 1000
EPS_LABEL = "Attack budget eps"
DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
SETTLE_MARGIN_SECONDS = 30.0  # waited beyond the session TTL for sessions and threads to come back to baseline


@dataclass
class Slider:
    """The eps slider as the server described it."""

    id: str
    lo: float
    hi: float
    step: float
    value: float

    def next_value(self) -> float:
        """One step right, or back to the left end at the right end (a student sweeping eps)."""
        ahead = round(self.value + self.step, 10)
        return ahead if ahead <= self.hi + 1e-12 else self.lo


@dataclass
class Run:
    """What one script run sent back."""

    seconds: float
    errors: list[str]
    slider: Slider | None
    page_hash: str
    largest: int  # bytes of the largest message


@dataclass
class Tally:
    """Everything the sessions measured."""

    first: list[float] = field(default_factory=list)
    reruns: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    finished_sessions: int = 0
    largest_message: int = 0


def rerun_request(page: str, base: str, page_hash: str = "", slider: Slider | None = None,
                  value: float | None = None) -> bytes:
    """The BackMsg a browser sends: a first run of a deep link, or a rerun with the slider at ``value``."""
    msg = BackMsg()
    state = msg.rerun_script
    state.page_name = page
    state.context_info.url = f"{base}/{page}"
    state.context_info.timezone = "UTC"
    state.context_info.locale = "en-US"
    state.widget_states.SetInParent()
    if page_hash:
        state.page_script_hash = page_hash
    if slider is not None and value is not None:
        state.query_string = f"eps={value:g}"
        widget = state.widget_states.widgets.add()
        widget.id = slider.id
        widget.double_array_value.data.append(value)
    return msg.SerializeToString()


async def one_run(ws, request: bytes, timeout: float) -> Run:
    """Send a rerun request and read the server's messages until its script has finished."""
    start = time.perf_counter()
    await ws.send(request)
    errors, slider, page_hash, largest = [], None, "", 0
    async with asyncio.timeout(timeout):
        while True:
            raw = await ws.recv()
            if not isinstance(raw, bytes):
                continue
            largest = max(largest, len(raw))
            msg = ForwardMsg.FromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "navigation":  # the page that ran (new_session names the main script, app.py)
                page_hash = msg.navigation.page_script_hash
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                what = element.WhichOneof("type")
                if what == "exception":
                    errors.append(f"exception: {element.exception.type}: {element.exception.message[:200]}")
                elif what == "alert" and element.alert.format == element.alert.ERROR:
                    errors.append(f"error alert: {element.alert.body[:200]}")
                elif what == "slider" and element.slider.label == EPS_LABEL:
                    s = element.slider
                    value = s.value[0] if s.value else s.default[0]
                    slider = Slider(s.id, s.min, s.max, s.step, value)
            elif kind == "script_finished" and msg.script_finished in DONE:
                return Run(time.perf_counter() - start, errors, slider, page_hash, largest)


async def session(url: str, base: str, page: str, reruns: int, think: float, timeout: float, tally: Tally) -> None:
    """One student: open the page, move the slider ``reruns`` times, leave."""
    try:
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=timeout,
                                      ping_interval=None, compression=None) as ws:
            first = await one_run(ws, rerun_request(page, base), timeout)
            tally.first.append(first.seconds)
            tally.largest_message = max(tally.largest_message, first.largest)
            tally.errors += [f"{page} first load: {e}" for e in first.errors]
            slider, page_hash = first.slider, first.page_hash
            if slider is None:
                tally.errors.append(f"{page}: no eps slider was drawn")
                return
            for _ in range(reruns):
                await asyncio.sleep(think)
                value = slider.next_value()
                run = await one_run(ws, rerun_request(page, base, page_hash, slider, value), timeout)
                tally.reruns.append(run.seconds)
                tally.errors += [f"{page} eps={value:g}: {e}" for e in run.errors]
                slider = run.slider or Slider(slider.id, slider.lo, slider.hi, slider.step, value)
                slider.value = value
            tally.finished_sessions += 1
    except TimeoutError:
        tally.errors.append(f"{page}: no answer within {timeout:g} s")
    except (OSError, websockets.WebSocketException) as error:
        tally.errors.append(f"{page}: connection failed ({type(error).__name__}: {error})")


async def wave(base: str, sessions: int, reruns: int, ramp: float, think: float, timeout: float,
               pages: tuple[str, ...], tally: Tally) -> None:
    """``sessions`` students arriving evenly over ``ramp`` seconds, round-robin over ``pages``."""
    url = base.replace("http://", "ws://") + "/_stcore/stream"

    async def arrive(k: int, page: str) -> None:
        await asyncio.sleep(ramp * k / max(sessions, 1))
        await session(url, base, page, reruns, think, timeout, tally)

    await asyncio.gather(*(arrive(k, page) for k, page in zip(range(sessions), itertools.cycle(pages))))


def vital_signs(stats: Path) -> list[dict]:
    """Every line the server has written to its stats file so far."""
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


def start(stats: Path, log: Path, post_script_gc: bool, session_ttl: float) -> tuple[subprocess.Popen, str]:
    """The app under scripts/load_server.py on a free loopback port, healthy."""
    port = harness.free_port()
    cmd = [sys.executable, str(ROOT / "scripts" / "load_server.py"), str(stats), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
           "--runner.postScriptGC", str(post_script_gc).lower(), "--server.disconnectedSessionTTL", f"{session_ttl:g}"]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        harness.wait_healthy(base, proc, log)
    except BaseException:
        harness.stop_server(proc)
        raise
    return proc, base


async def settle(stats: Path, baseline: dict, seconds: float) -> tuple[dict, float]:
    """Wait (up to ``seconds``) until no session is connected or held and the threads are back to the baseline;
    the server's signs then, and how long that took."""
    began = time.monotonic()
    now = latest(stats)
    while time.monotonic() - began < seconds:
        await asyncio.sleep(1.0)
        now = latest(stats)
        if (now.get("active_sessions", 0) == 0 and now.get("sessions", 0) == 0
                and now["python_threads"] <= baseline["python_threads"]):
            break
    return now, time.monotonic() - began


async def drive(args, stats: Path, base: str) -> dict:
    """Warm-up, the measured wave (or the soak's waves), then the settling; the report as a dict."""
    warm = Tally()
    await wave(base, len(args.pages), 0, 0.0, 0.0, args.timeout, args.pages, warm)  # caches filled once
    await asyncio.sleep(2.0)
    baseline = latest(stats)
    tally, waves, began = Tally(), 0, time.monotonic()
    memory = []  # (seconds since the start, RSS) after each wave
    while True:
        await wave(base, args.sessions, args.reruns, args.ramp, args.think, args.timeout, args.pages, tally)
        waves += 1
        memory.append((round(time.monotonic() - began, 1), latest(stats)["rss_mb"]))
        if time.monotonic() - began >= args.soak:
            break
    elapsed = time.monotonic() - began
    peak = vital_signs(stats)
    after, settled = await settle(stats, baseline, args.session_ttl + SETTLE_MARGIN_SECONDS)
    during = [row for row in peak if row["t"] >= baseline["t"]]
    return {
        "sessions": args.sessions * waves, "waves": waves, "reruns_per_session": args.reruns,
        "pages": list(args.pages), "post_script_gc": args.post_script_gc, "seconds": round(elapsed, 1),
        "first_load_s": summary(tally.first), "rerun_s": summary(tally.reruns),
        "errors": len(tally.errors) + len(warm.errors), "error_examples": (warm.errors + tally.errors)[:10],
        "finished_sessions": tally.finished_sessions,
        "largest_message_kb": round(max(tally.largest_message, warm.largest_message) / 1024, 1),
        "rss_mb": {"baseline": baseline["rss_mb"], "peak": max(r["rss_mb"] for r in during),
                   "after": after["rss_mb"], "after_first_wave": memory[0][1], "after_last_wave": memory[-1][1]},
        "rss_growth_mb": round(memory[-1][1] - memory[0][1], 1),
        "memory_by_wave": memory,
        "python_threads": {"baseline": baseline["python_threads"], "peak": max(r["python_threads"] for r in during),
                           "after": after["python_threads"]},
        "os_threads": {"baseline": baseline["os_threads"], "peak": max(r["os_threads"] for r in during),
                       "after": after["os_threads"]},
        "active_sessions_after": after.get("active_sessions"), "sessions_held_after": after.get("sessions"),
        "session_ttl_s": args.session_ttl, "settled_after_s": round(settled, 1),
    }


def summary(values: list[float]) -> dict:
    return {"count": len(values), "p50": round(percentile(values, 50), 3), "p95": round(percentile(values, 95), 3),
            "max": round(max(values), 3) if values else math.nan}


def table(report: dict) -> str:
    """The report as text."""
    f, r = report["first_load_s"], report["rerun_s"]
    lines = [
        f"{report['sessions']} sessions ({report['waves']} wave(s)) x {report['reruns_per_session']} slider moves on "
        f"{', '.join(report['pages'])}; postScriptGC={str(report['post_script_gc']).lower()}; "
        f"{report['seconds']} s",
        f"{'':16}{'count':>7}{'p50 s':>9}{'p95 s':>9}{'max s':>9}",
        f"{'first load':16}{f['count']:>7}{f['p50']:>9.3f}{f['p95']:>9.3f}{f['max']:>9.3f}",
        f"{'slider rerun':16}{r['count']:>7}{r['p50']:>9.3f}{r['p95']:>9.3f}{r['max']:>9.3f}",
        f"errors: {report['errors']}   sessions finished: {report['finished_sessions']}   "
        f"largest message: {report['largest_message_kb']} kB",
        "server RSS MB: baseline {baseline:.0f}, peak {peak:.0f}, after {after:.0f}; first wave {after_first_wave:.0f}"
        " -> last wave {after_last_wave:.0f}".format(**report["rss_mb"]) + f" (growth {report['rss_growth_mb']} MB)",
        "python threads: baseline {baseline}, peak {peak}, after {after}".format(**report["python_threads"]),
        "OS threads: baseline {baseline}, peak {peak}, after {after}".format(**report["os_threads"]),
        f"{report['settled_after_s']} s after the clients left: {report['active_sessions_after']} sessions connected, "
        f"{report['sessions_held_after']} held for reconnection (disconnectedSessionTTL {report['session_ttl_s']:g} s)",
    ]
    return "\n".join(lines + [f"  error: {e}" for e in report["error_examples"]])


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200, help="sessions per wave (default 200)")
    parser.add_argument("--reruns", type=int, default=5, help="slider moves per session (default 5)")
    parser.add_argument("--ramp", type=float, default=60.0, help="seconds over which a wave arrives (default 60)")
    parser.add_argument("--think", type=float, default=2.0, help="seconds between a session's moves (default 2)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for any one run (default 120)")
    parser.add_argument("--soak", type=float, default=0.0, help="repeat waves until this many seconds have passed")
    parser.add_argument("--deadline", type=float, default=1800.0, help="stop everything after this many seconds")
    parser.add_argument("--pages", default=",".join(HEAVY_PAGES), help="comma-separated url paths")
    parser.add_argument("--post-script-gc", choices=("true", "false"), default="false",
                        help="Streamlit's runner.postScriptGC for the server (the app's config says false)")
    parser.add_argument("--session-ttl", type=float, default=120.0,
                        help="server.disconnectedSessionTTL: seconds a left session is held for reconnection "
                             "(default 120, Streamlit's and the app's)")
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
    if min(args.reruns, args.ramp, args.think, args.session_ttl) < 0 or min(args.timeout, args.deadline) <= 0:
        parser.error("--reruns, --ramp, --think and --session-ttl must be >= 0, --timeout and --deadline > 0")
    args.post_script_gc = args.post_script_gc == "true"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    stats, log = args.out / "stats.jsonl", args.out / "server.log"
    proc, base = start(stats, log, args.post_script_gc, args.session_ttl)
    try:
        report = asyncio.run(asyncio.wait_for(drive(args, stats, base), args.deadline))
    except TimeoutError:
        print(f"load.py: stopped at the {args.deadline:g} s deadline", file=sys.stderr)
        return 1
    finally:
        harness.stop_server(proc)
    print(json.dumps(report, indent=1) if args.json else table(report))
    return 0 if report["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
