"""Time from navigation to every chart drawn, per page, in Debian's Chromium: cold and warm server, median of 5.

    .venv/bin/python benchmarks/bench_browser.py                         # this tree, every page
    .venv/bin/python benchmarks/bench_browser.py --base 0284a70          # that commit beside this tree, side by side
    .venv/bin/python benchmarks/bench_browser.py --pages worst-case,tradeoff --repeat 3

A student opening the lecturer's deep link: a fresh browser context (empty cache, no cookies), ``page.goto``, and
the clock (the page's own ``performance.now()``, whose origin is the navigation) stops at the first animation frame
in which the script has finished, the app is idle and every chart on the page is drawn (each
``stPlotlyChart`` holds Plotly's ``.main-svg``, each ``stGraphVizChart`` its ``svg``).

- **cold**: the first visitor of the page on a server just started. The app as the tree starts it: this tree's
  replica (scripts/replica.py: warmed before it binds) and a commit before it as plain ``streamlit run``; a plain
  server is restarted for every cold visit of every page (else a page would profit from the solves of the one
  before), a warmed replica once per repetition (its warm-up covered every page already).
- **warm**: a later visitor of the same page on that server (again a fresh context).

Not a test: times depend on the machine; the load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import harness  # noqa: E402

PAGES = ("overview", "worst-case", "tradeoff", "stochastic-vs-deterministic", "privacy", "robustness-vs-accuracy",
         "certified-robustness")
DRAWN_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (app === null || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]') !== null) return false;
  if (document.querySelector('h1') === null) return false;
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  const graphs = [...document.querySelectorAll('[data-testid="stGraphVizChart"]')];
  if (charts.length + graphs.length === 0) return false;
  if (!charts.every(c => c.querySelector('.js-plotly-plot .main-svg') !== null)) return false;
  if (!graphs.every(g => g.querySelector('svg') !== null)) return false;
  return performance.now();
}"""
TIMEOUT_MS = 180_000


def start(root: Path, warmed: bool, log: Path) -> tuple[subprocess.Popen, str]:
    """The app of ``root`` on a free loopback port: as a warmed replica, or plain ``streamlit run``."""
    port = harness.free_port()
    flags = ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
             "--server.fileWatcherType", "none"]
    if warmed:
        cmd = [sys.executable, str(root / "scripts" / "replica.py"), *flags]
    else:
        cmd = [sys.executable, "-m", "streamlit", "run", "app.py", *flags]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=root, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        harness.wait_healthy(base, proc, log, timeout=900)
    except BaseException:
        harness.stop_server(proc)
        raise
    return proc, base


def visit(browser, url: str) -> float:
    """Seconds from navigation to every chart drawn, for a new visitor."""
    context = browser.new_context(viewport=harness.VIEWPORT)
    try:
        page = context.new_page()
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        handle = page.wait_for_function(DRAWN_JS, timeout=TIMEOUT_MS, polling="raf")
        return float(handle.json_value()) / 1000
    finally:
        context.close()


def measure(browser, root: Path, pages, repeat: int, warmed: bool, out: Path) -> dict:
    cold = {p: [] for p in pages}
    warm = {p: [] for p in pages}
    for k in range(repeat):
        groups = [pages] if warmed else [[p] for p in pages]
        for group in groups:
            proc, base = start(root, warmed, out / f"server-{k}.log")
            try:
                for name in group:
                    url = f"{base}/{harness.PAGES[name][0]}"
                    cold[name].append(visit(browser, url))
                    if k == 0:  # the warm visits need no new server: all five on the first one
                        warm[name] += [visit(browser, url) for _ in range(repeat)]
            finally:
                harness.stop_server(proc)
    return {name: {"cold": cold[name], "warm": warm[name]} for name in pages}


def checkout(commit: str) -> Path:
    """A detached worktree of ``commit`` (removed by the caller)."""
    where = Path(tempfile.mkdtemp(prefix="bench-browser-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(where), commit], cwd=ROOT, check=True,
                   capture_output=True)
    return where


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--base", metavar="COMMIT", help="also measure this commit (plain streamlit run), side by side")
    parser.add_argument("--plain", action="store_true", help="run this tree as plain streamlit run too (no warm-up)")
    parser.add_argument("--json", type=Path, help="also write the raw times here")
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "bench-browser")
    args = parser.parse_args(argv)
    pages = [p for p in args.pages.split(",") if p]
    from playwright.sync_api import sync_playwright

    trees = [("this tree", ROOT, not args.plain)]
    base_tree = None
    if args.base:
        base_tree = checkout(args.base)
        trees.insert(0, (args.base, base_tree, (base_tree / "scripts" / "replica.py").exists() and not args.plain))
    results, loads = {}, {}
    try:
        with sync_playwright() as p:
            browser = harness.launch(p)
            for label, root, warmed in trees:
                loads[label] = [os.getloadavg()[0]]
                began = time.monotonic()
                results[label] = measure(browser, root, pages, args.repeat, warmed, args.out / label.replace(" ", "-"))
                loads[label].append(os.getloadavg()[0])
                loads[label].append(round(time.monotonic() - began))
            browser.close()
    finally:
        if base_tree is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(base_tree)], cwd=ROOT, capture_output=True)
            shutil.rmtree(base_tree.parent, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps({"results": results, "loadavg": loads}, indent=1))
    labels = list(results)
    head = f"{'page':30}" + "".join(f"{label + ' cold':>22}{label + ' warm':>22}" for label in labels)
    print(f"navigation -> every chart drawn, seconds, median of {args.repeat} (fresh browser context each)")
    print(head)
    for name in pages:
        row = f"{name:30}"
        for label in labels:
            r = results[label][name]
            row += f"{statistics.median(r['cold']):>22.2f}{statistics.median(r['warm']):>22.2f}"
        print(row)
    for label in labels:
        print(f"{label}: load average {loads[label][0]:.2f} before, {loads[label][1]:.2f} after, {loads[label][2]} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
