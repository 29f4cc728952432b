"""Browser tests: one ``streamlit run`` server and one Chromium per pytest process (each xdist worker that
runs a browser test gets its own, on its own free port), a fresh browser context per test, and a full-page
screenshot in test-artifacts/browser/ when a test fails."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # --import-mode=importlib does not put test folders on sys.path
    sys.path.insert(0, str(HERE))

import harness  # noqa: E402

ARTIFACTS = harness.ARTIFACTS
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember whether a test's call failed (the page fixture then keeps a screenshot)."""
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def server():
    """The app's base URL; the server is killed (its whole process group) when the session ends."""
    proc, base = harness.start_server(ARTIFACTS / f"streamlit-{WORKER}.log")
    yield base
    harness.stop_server(proc)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = harness.launch(p)
        yield b
        b.close()


@pytest.fixture
def page(browser, server, request):
    """A fresh context (no cookies, no state) at 1400 x 1000; a screenshot is kept if the test fails."""
    context = harness.new_context(browser)
    pg = context.new_page()
    yield pg
    if request.node.stash.get(FAILED, False):
        harness.screenshot(pg, ARTIFACTS / "failures" / f"{request.node.name}.png", full_page=True)
    context.close()


@pytest.fixture
def new_page(browser):
    """Another fresh context, for opening a copied link as a new visitor would."""
    contexts = []

    def make():
        context = harness.new_context(browser)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
