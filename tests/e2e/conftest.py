"""Browser journeys: Debian's Chromium driven by Playwright against pytest-django's live server.

Run with `.venv/bin/python -m pytest tests/e2e -m e2e`. No browser is downloaded: Playwright
drives /usr/bin/chromium. With CI=true a browser that cannot start fails the run; locally
the journeys are skipped with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.browser import PageWatch

# Playwright's sync API keeps an asyncio loop running in this thread, and Django refuses
# ORM calls while a loop runs. Fixtures and assertions here query the database from the
# test thread between browser steps, never concurrently, so the guard is safe to lift.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machine has no internet access: nothing may phone home.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"Browser journeys cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"Browser journeys skipped: {reason}")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:  # pragma: no cover - dev dependency missing
        _unavailable(f"Playwright is not installed ({exc})")
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Error as exc:
        playwright.stop()
        _unavailable(f"{CHROMIUM} did not start: {exc.message.splitlines()[0]}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def base_url(live_server, settings) -> str:
    """The live server as http://localhost:<port>.

    Production cookie settings stay on (`__Host-` names, Secure): Chromium treats
    http://localhost as a secure context and accepts Secure cookies there, but not on
    http://127.0.0.1, so the journeys browse by name.
    """
    settings.ALLOWED_HOSTS = ["localhost"]
    return live_server.url.replace("127.0.0.1", "localhost")


@pytest.fixture
def watch() -> PageWatch:
    return PageWatch()


@pytest.fixture
def page(browser, base_url: str, watch: PageWatch) -> Iterator:
    """A fresh browser profile per test; every page it lands on must be axe-scanned."""
    context = browser.new_context(
        base_url=base_url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    watch.attach(page)
    yield page
    context.close()
    watch.assert_all_scanned()


@pytest.fixture
def check_page(page, watch: PageWatch):
    """`check_page()`: axe-scan the current page; fail on console errors or CSP violations."""
    return lambda: watch.check(page)
