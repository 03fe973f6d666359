"""Helpers for browser journeys: axe-core scans, reflow checks, console watching and one-time
codes."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.e2e.coverage import SCANNED_PATHS
from tests.factories import TEST_PASSWORD

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import ConsoleMessage, Page, Request

    from accounts.models import User

AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
FAILED_LOAD = "Failed to load resource: the server responded with a status of"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@cache
def axe_source() -> str:
    if not AXE_PATH.exists():
        raise FileNotFoundError(f"{AXE_PATH} is missing: run `npm ci`")
    return AXE_PATH.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core on the current page for WCAG 2.2 A and AA rules.

    The pages' CSP forbids injected <script> tags, so axe is evaluated through the
    DevTools protocol, which the page's CSP does not govern.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return results["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        lines.extend(f"    at {json.dumps(node['target'])}" for node in v["nodes"])
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail listing every WCAG 2.2 A/AA violation axe-core finds on the current page."""
    violations = axe_violations(page)
    assert not violations, (
        f"{len(violations)} accessibility violation(s) on {page.url}:\n"
        + format_violations(violations)
    )


# Reflow (WCAG 1.4.10): the page is no wider than the window, and the only things that scroll
# sideways are tables in their own labelled, focusable pane (<div class="app-table-scroll"
# role="region" aria-label="..." tabindex="0">). Nothing is cut off either: an element that
# hides what overflows it loses nothing sideways (form fields, which scroll their own text, and
# visually hidden text excepted).
REFLOW_PROBLEMS = """() => {
  const width = window.innerWidth;
  const problems = [];
  const describe = (el) => {
    const caption = el.querySelector('caption');
    const text = (caption || el).textContent.trim().replace(/\\s+/g, ' ').slice(0, 60);
    return `<${el.tagName.toLowerCase()} class="${el.className}"> (${text})`;
  };
  const paneName = (el) => {
    const label = (el.getAttribute('aria-label') || '').trim();
    if (label) return label;
    return (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
      .map((id) => (document.getElementById(id) || {textContent: ''}).textContent.trim())
      .join(' ').trim();
  };
  const isPane = (el) => el !== null && el.classList.contains('app-table-scroll')
    && el.getAttribute('role') === 'region' && el.getAttribute('tabindex') === '0'
    && paneName(el) !== '' && el.querySelector('table') !== null;

  const page = document.documentElement.scrollWidth;
  if (page > width) problems.push(`the page is ${page}px wide in a ${width}px window`);
  for (const pane of document.querySelectorAll('.app-table-scroll')) {
    if (!isPane(pane)) problems.push(`${describe(pane)} is not a labelled, focusable pane around a table`);
  }
  for (const el of document.body.querySelectorAll('*')) {
    if (el.scrollWidth <= el.clientWidth + 1 || el.clientWidth <= 1) continue;
    if (['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)) continue;
    const overflow = getComputedStyle(el).overflowX;
    if (overflow === 'visible') continue;
    if (overflow === 'auto' || overflow === 'scroll') {
      if (!isPane(el)) problems.push(`${describe(el)} scrolls sideways: only a table's pane may`);
    } else {
      problems.push(`${describe(el)} cuts off ${el.scrollWidth - el.clientWidth}px of its content`);
    }
  }
  for (const table of document.querySelectorAll('table')) {
    const box = table.getBoundingClientRect();
    if ((box.right > width + 0.5 || box.left < -0.5) && !isPane(table.closest('.app-table-scroll'))) {
      problems.push(`${describe(table)} is wider than the window and not in its own pane`);
    }
  }
  return problems;
}"""


def assert_reflows(page: Page) -> None:
    """Fail if the page scrolls sideways at its window's width, or cuts anything off, other
    than a wide table scrolling inside its labelled pane."""
    problems = page.evaluate(REFLOW_PROBLEMS)
    width = page.evaluate("() => window.innerWidth")
    assert not problems, f"{page.url} does not reflow at {width}px wide:\n- " + "\n- ".join(
        problems
    )


@dataclass
class PageWatch:
    """Console errors, CSP violations and uncaught exceptions, plus pages not yet scanned.

    Chromium reports CSP violations as console errors ("... violates the following
    Content Security Policy directive ..."), so one console listener catches both.
    It also logs an error page's own status (404, 429...) as a failed load; that is the
    page's answer, which the journey asserts, so only failed loads of other resources
    count as problems.
    """

    problems: list[str] = field(default_factory=list)
    unscanned: list[str] = field(default_factory=list)
    current: str | None = None
    scanned: bool = True
    documents: set[str] = field(default_factory=set)

    def attach(self, page: Page) -> None:
        page.on("request", self._on_request)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))
        # A new document (not a same-page #fragment jump) must be scanned before the next.
        page.on("domcontentloaded", self._on_new_document)

    def _on_request(self, request: Request) -> None:
        if request.is_navigation_request():
            self.documents.add(request.url)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.text.startswith(FAILED_LOAD) and message.location.get("url") in self.documents:
            return
        if message.type == "error" or "Content Security Policy" in message.text:
            self.problems.append(f"console {message.type} at {message.location}: {message.text}")

    def _on_new_document(self, page: Page) -> None:
        if self.current is not None and not self.scanned:
            self.unscanned.append(self.current)
        self.current, self.scanned = page.url, False

    def check(self, page: Page) -> None:
        """Scan the page the browser is on and fail on any console or CSP problem so far, or
        if it does not reflow at the window's width."""
        assert_accessible(page)
        assert_reflows(page)
        self.scanned = True
        SCANNED_PATHS.add(urlsplit(page.url).path)
        assert not self.problems, "Browser console problems:\n" + "\n".join(self.problems)

    def assert_all_scanned(self) -> None:
        pending = self.unscanned + ([] if self.scanned or not self.current else [self.current])
        assert not pending, f"Pages visited without an axe scan: {pending}"


def totp_now(key: bytes, *, step: int = 30, t0: int = 0, digits: int = 6) -> str:
    """The code an authenticator app shows right now for this key."""
    return f"{totp(key, step=step, t0=t0, digits=digits):0{digits}d}"


def key_from_base32(secret: str) -> bytes:
    """Decode a set-up key as shown to people (grouped, unpadded base32)."""
    secret = "".join(secret.split()).upper()
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def wrong_code(key: bytes, *, step: int = 30, t0: int = 0, digits: int = 6) -> str:
    """A code that no nearby time step accepts (the server tolerates one step either way)."""
    near = {totp(key, step=step, t0=t0, digits=digits, drift=d) for d in range(-2, 3)}
    return f"{next(n for n in range(10**digits) if n not in near):0{digits}d}"


def current_code(user: User) -> str:
    """The code the user's confirmed authenticator app shows right now."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return totp_now(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)


def sign_in(
    page: Page, check_page: Callable[[], None], user: User, *, password: str = TEST_PASSWORD
) -> None:
    """Sign in from the sign-in page with the password and the app's code, scanning each
    page on the way; ends on the user's dashboard."""
    from playwright.sync_api import expect

    page.goto("/sign-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Tandem")
    check_page()
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    check_page()
    page.get_by_label("Security code").fill(current_code(user))
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Hello, {user.first_name or user.username}"
    )
    check_page()
