"""Screenshots of every page for the README: docs/<page>.png (normal, 1920 x 1080), docs/lecture-<page>.png (lecture
mode, 1920 x 1080) and docs/phone-<page>.png (390 x 844), each page at its defaults.

    .venv/bin/python scripts/screenshots.py                          # starts its own server on a free port
    .venv/bin/python scripts/screenshots.py --modes lecture tradeoff # one mode, one page
    .venv/bin/python scripts/screenshots.py --base http://127.0.0.1:8501 --out /tmp/shots

Uses the browser tests' harness (tests/browser/harness.py): Debian's chromium through Playwright, and the
same waits (health endpoint, script stopped, every Plotly chart drawn). tests/browser/test_lecture.py keeps the
same three views of every page as test artefacts (test-artifacts/browser/screenshots/).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import harness  # noqa: E402

MODES = {  # mode -> (viewport, query, file name prefix)
    "normal": ({"width": 1920, "height": 1080}, "", ""),
    "lecture": ({"width": 1920, "height": 1080}, "?lecture=1", "lecture-"),
    "phone": ({"width": 390, "height": 844}, "", "phone-"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder for the PNGs (default: docs/)")
    parser.add_argument("--base", help="a running app's URL (default: start one on a free port)")
    parser.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES), help="which views")
    parser.add_argument("pages", nargs="*", choices=[[], *harness.PAGES], help="pages to shoot (default: all)")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    proc = None
    base = args.base
    if base is None:
        proc, base = harness.start_server(harness.ARTIFACTS / "screenshots-server.log")
    try:
        with sync_playwright() as p:
            browser = harness.launch(p)
            for mode in args.modes:
                viewport, query, prefix = MODES[mode]
                context = harness.new_context(browser, viewport)
                page = context.new_page()
                for name in args.pages or harness.PAGES:
                    harness.open_view(page, base.rstrip("/"), name, query)
                    page.mouse.move(0, 0)  # no hover tooltips
                    path = harness.screenshot(page, args.out / f"{prefix}{name}.png")
                    print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
                context.close()
            browser.close()
    finally:
        if proc is not None:
            harness.stop_server(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
