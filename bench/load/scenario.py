"""What `make load`'s simulated staff do, shared by the locustfile, the runner and the tests.

Nothing here imports Django or locust: the locustfile runs under gevent's monkey-patching,
and the tests must not.

Two kinds of user:
- borough staff (`MIX`): each signs in once with a password and a code from the account's
  authenticator secret, then browses with 2 to 5 seconds of thought between pages:
  dashboard, search, a person's profile, a panel, a cohort tracker, the API's nominal list,
  and the trivial signed-in view, which measures the framework alone at the same load;
- the heavy pages alone (`HEAVY`): the first borough's coordinator building the agenda of a
  1,000-member cohort's meeting, opening that cohort's tracker and exporting the 150-action
  plan to Word.

The targets file (`write_targets` / `read_targets`) holds the accounts and the paths each
may open; the runner writes it from the load database and the locustfile reads it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import struct
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

# Its section of docs/benchmarks.md, which `make bench` keeps when it rewrites the rest.
LOAD_HEADING = "## Load: many staff at once"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
THINK_SECONDS = (2.0, 5.0)
# The purpose of access a user gives before opening a record for the first time in a day.
PURPOSE = "case_management"
TARGETS_ENV = "TANDEM_LOAD_TARGETS"
# The trivial view: no query or template of its own, behind every middleware (bench/load/urls.py).
TRIVIAL_PATH = "/bench/trivial/"


@dataclass(frozen=True)
class Task:
    key: str  # the list of paths in `Account.paths` it picks from
    label: str  # its name in locust's statistics and the report
    weight: int  # how often, relative to the others
    method: str = "GET"


# The mix: what borough staff open, and how often relative to each other. Search and the
# purpose of access are POSTs (names are personal data: never in a URL).
MIX = (
    Task("dashboard", "Dashboard", 3),
    Task("search", "Nominal search (POST)", 2, method="POST"),
    Task("profile", "Nominal profile", 3),
    Task("panel", "Panel detail", 1),
    Task("tracker", "Cohort tracker", 1),
    Task("api_list", "API nominal list", 1),
    Task("trivial", "Trivial view (baseline)", 1),
)
PURPOSE_LABEL = "Purpose of access (POST, first opening of a record today)"
SIGN_IN_LABELS = ("Sign-in: password (POST)", "Sign-in: code (POST)")
HEAVY = (
    Task("agenda", "Agenda builder, 1,000-member cohort", 1),
    Task("tracker_1000", "Cohort tracker, 1,000 members", 1),
    Task("plan_docx", "Action plan Word export page, 600 steps", 1),
)
TRIVIAL_LABEL = "Trivial view (baseline)"


@dataclass
class Account:
    username: str
    password: str
    totp_key: str  # hex, as django-otp stores it
    # Task key -> the paths it may open (a profile's purpose path is its path + "purpose/").
    paths: dict[str, list[str]] = field(default_factory=dict)
    # Names as a colleague would type them into the search (people this account can see).
    names: list[str] = field(default_factory=list)
    # A session signed in before the users start (the runner's), and its CSRF token.
    cookies: dict[str, str] = field(default_factory=dict)
    token: str = ""


@dataclass
class Targets:
    accounts: list[Account]  # borough staff, for MIX
    heavy: list[Account]  # the coordinator who owns the heavy pages, for HEAVY


def write_targets(targets: Targets, path: Path) -> None:
    """Write the targets where only this user can read them (they hold passwords)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(asdict(targets), handle)


def read_targets(path: Path) -> Targets:
    data = json.loads(path.read_text())
    return Targets(
        accounts=[Account(**account) for account in data["accounts"]],
        heavy=[Account(**account) for account in data["heavy"]],
    )


def totp(key_hex: str, at: float | None = None, *, step: int = 30, digits: int = 6) -> str:
    """The authenticator app's code (RFC 6238, HMAC-SHA1) for a device's hex key."""
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**digits:0{digits}d}"


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token a page carries (in a form, or in the header htmx sends), for POSTs."""
    found = _CSRF.search(html)
    if not found:
        raise ValueError("no CSRF token on the page")
    return found.group(1) or found.group(2)


def sign_in(session, account: Account, *, base: str = "", named: bool = False) -> str:
    """Sign in as a person does: the password, then the authenticator's current code; return
    the CSRF token of the dashboard for later POSTs. `session` is a requests.Session (or
    locust's, with `named`: each step under its own name in the statistics).

    Raises ValueError when the service refuses (the code of this 30-second step may have
    been used already: the caller may try again in the next step)."""

    def label(text: str) -> dict[str, str]:
        return {"name": text} if named else {}

    page = session.get(f"{base}/sign-in/", **label("Sign-in: page"))
    response = session.post(
        f"{base}/sign-in/",
        data={
            "username": account.username,
            "password": account.password,
            "csrfmiddlewaretoken": csrf_token(page.text),
        },
        allow_redirects=False,
        **label(SIGN_IN_LABELS[0]),
    )
    if response.status_code != 302 or "/sign-in/code/" not in response.headers["Location"]:
        raise ValueError(f"{account.username}: password refused ({response.status_code})")
    page = session.get(f"{base}/sign-in/code/", **label("Sign-in: code page"))
    response = session.post(
        f"{base}/sign-in/code/",
        data={"code": totp(account.totp_key), "csrfmiddlewaretoken": csrf_token(page.text)},
        allow_redirects=False,
        **label(SIGN_IN_LABELS[1]),
    )
    if response.status_code != 302:
        raise ValueError(f"{account.username}: code refused ({response.status_code})")
    return csrf_token(session.get(f"{base}/", **label("Dashboard")).text)
