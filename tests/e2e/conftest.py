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


@pytest.fixture(scope="package", autouse=True)
def _allow_orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API marks an asyncio loop as running in this thread from start to
    stop, and Django then refuses ORM calls. Fixtures and assertions here query the database
    from the test thread between browser steps, never concurrently, so the guard is lifted,
    but only while these journeys run: set for the whole process it would leak into other
    tests' subprocesses (`check --deploy` reports it as async.E001)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


# Package scope: one Chromium for all journeys, stopped (and its loop with it) before any
# test outside tests/e2e runs.
@pytest.fixture(scope="package")
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
    http://localhost (and loopback addresses) as a secure context and keeps Secure
    cookies there, so nothing is relaxed for the browser.
    """
    settings.ALLOWED_HOSTS = ["localhost"]
    return live_server.url.replace("127.0.0.1", "localhost")


@pytest.fixture
def watch() -> PageWatch:
    return PageWatch()


def _open_page(browser, base_url: str, watch: PageWatch):
    context = browser.new_context(
        base_url=base_url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    watch.attach(page)
    return page


def _assert_watched_cleanly(request, watch: PageWatch) -> None:
    call = getattr(request.node, "report_call", None)
    if call is not None and call.passed:  # a failed step already explains itself
        watch.assert_all_scanned()
        assert not watch.problems, "Browser console problems:\n" + "\n".join(watch.problems)


@pytest.fixture
def page(request, browser, base_url: str, watch: PageWatch) -> Iterator:
    """A fresh browser profile per test; every page it lands on must be axe-scanned."""
    page = _open_page(browser, base_url, watch)
    yield page
    page.context.close()
    _assert_watched_cleanly(request, watch)


@pytest.fixture
def another_browser(request, browser, base_url: str) -> Iterator:
    """`page, check_page = another_browser()`: a second person's own browser profile,
    with its own watcher: every page it lands on must be axe-scanned too."""
    opened: list[tuple[object, PageWatch]] = []

    def open_page():
        watch = PageWatch()
        page = _open_page(browser, base_url, watch)
        opened.append((page, watch))
        return page, lambda: watch.check(page)

    yield open_page
    for page, _ in opened:
        page.context.close()
    for _, watch in opened:
        _assert_watched_cleanly(request, watch)


@pytest.fixture
def check_page(page, watch: PageWatch):
    """`check_page()`: axe-scan the current page; fail on console errors or CSP violations."""
    return lambda: watch.check(page)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so teardown checks can tell a failed test."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report
