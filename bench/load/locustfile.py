"""Locust users for `make load` (bench/load/runner.py starts locust with this file).

`StaffUser` is a member of a borough's staff: signs in once with a password and a code from
the account's authenticator secret, then browses the mix of bench/load/scenario.py with 2 to
5 seconds of thought between pages. `HeavyPagesUser` opens the heavy pages alone. The
accounts and the paths they open come from the targets file named by $TANDEM_LOAD_TARGETS.

Each user takes the next account; users beyond the number of accounts share the session of
an account already signed in (a second tab), since an authenticator code opens one sign-in
only. Every page must answer 200 without a redirect: anything else (a redirect to sign-in,
a 404, a 429 lock-out, a 500) counts as a failure.
"""

from __future__ import annotations

import itertools
import random
import sys
import time
from pathlib import Path

# `python -m locust -f bench/load/locustfile.py` from the checkout finds `bench` on its own;
# started from elsewhere, the checkout is put on the path.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import os  # noqa: E402

from gevent.lock import Semaphore  # noqa: E402
from locust import HttpUser, between, task  # noqa: E402
from locust.exception import StopUser  # noqa: E402

from bench.load.scenario import (  # noqa: E402
    HEAVY,
    MIX,
    PURPOSE,
    PURPOSE_LABEL,
    TARGETS_ENV,
    THINK_SECONDS,
    TRIVIAL_PATH,
    Account,
    Targets,
    read_targets,
    sign_in,
)

CODE_STEP_SECONDS = 30
SESSION_CHECK = "Sign-in: session resumed (trivial view)"

_targets: Targets | None = None


def targets() -> Targets:
    global _targets
    if _targets is None:
        _targets = read_targets(Path(os.environ[TARGETS_ENV]))
    return _targets


class _SignedIn:
    """One sign-in per account, shared by every user given that account."""

    def __init__(self) -> None:
        self.locks: dict[str, Semaphore] = {}
        self.cookies: dict[str, list] = {}
        self.tokens: dict[str, str] = {}


_signed_in = _SignedIn()


class _Staff(HttpUser):
    abstract = True
    wait_time = between(*THINK_SECONDS)
    numbers = itertools.count()

    def pool(self) -> list[Account]:
        raise NotImplementedError

    def on_start(self) -> None:
        accounts = self.pool()
        if not accounts:
            raise StopUser()
        self.account = accounts[next(self.numbers) % len(accounts)]
        self.purposes: set[str] = set()
        lock = _signed_in.locks.setdefault(self.account.username, Semaphore())
        with lock:
            if self.account.username not in _signed_in.cookies:
                self._sign_in()
                _signed_in.cookies[self.account.username] = list(self.client.cookies)
        for cookie in _signed_in.cookies[self.account.username]:
            self.client.cookies.set_cookie(cookie)
        self.token = _signed_in.tokens[self.account.username]

    def _sign_in(self) -> None:
        """Resume the session the runner signed in before the run, as staff signed in
        earlier in the day do; sign in afresh only if it has lapsed."""
        if self.account.cookies:
            self.client.cookies.update(self.account.cookies)
            check = self.client.get(TRIVIAL_PATH, name=SESSION_CHECK, allow_redirects=False)
            if check.status_code == 200:
                _signed_in.tokens[self.account.username] = self.account.token
                return
            self.client.cookies.clear()
        for attempt in range(2):
            try:
                token = sign_in(self.client, self.account, named=True)
            except ValueError:
                # The code of this 30-second step was used already: the next step's is new.
                if attempt == 0:
                    time.sleep(CODE_STEP_SECONDS - time.time() % CODE_STEP_SECONDS + 1)
                continue
            _signed_in.tokens[self.account.username] = token
            return
        raise StopUser()

    def _open(
        self,
        label: str,
        path: str,
        *,
        data: dict | None = None,
        expect: str = "",
        refuse: str = "",
    ) -> None:
        """One page; a failure unless it answers 200, with `expect` in it and `refuse` not
        (where given)."""
        if data is None:
            request = self.client.get(path, name=label, allow_redirects=False, catch_response=True)
        else:
            data = {**data, "csrfmiddlewaretoken": self.token}
            request = self.client.post(
                path, data=data, name=label, allow_redirects=False, catch_response=True
            )
        with request as response:
            if response.status_code != 200:
                where = response.headers.get("Location", "")
                response.failure(f"{response.status_code} {where}".strip())
            elif expect and expect not in response.text:
                response.failure(f"answered without {expect!r}")
            elif refuse and refuse in response.text:
                response.failure(f"answered with {refuse!r}")

    def _path(self, key: str) -> str:
        return random.choice(self.account.paths[key])  # noqa: S311 (a simulated choice)


def _weight(tasks, key: str) -> int:
    return next(each.weight for each in tasks if each.key == key)


def _label(tasks, key: str) -> str:
    return next(each.label for each in tasks if each.key == key)


class StaffUser(_Staff):
    """A member of a borough's staff browsing the mix."""

    def pool(self) -> list[Account]:
        return targets().accounts

    @task(_weight(MIX, "dashboard"))
    def dashboard(self) -> None:
        self._open(_label(MIX, "dashboard"), self._path("dashboard"))

    @task(_weight(MIX, "search"))
    def search(self) -> None:
        name = random.choice(self.account.names)  # noqa: S311
        self._open(_label(MIX, "search"), self._path("search"), data={"name": name})

    @task(_weight(MIX, "profile"))
    def profile(self) -> None:
        path = self._path("profile")
        if path not in self.purposes:
            # The first opening of a record today asks the purpose of access first.
            self.client.post(
                path + "purpose/",
                data={"purpose": PURPOSE, "csrfmiddlewaretoken": self.token},
                name=PURPOSE_LABEL,
                allow_redirects=False,
            )
            self.purposes.add(path)
        # The purpose page again would mean the purpose was not kept.
        self._open(_label(MIX, "profile"), path, refuse='name="purpose"')

    @task(_weight(MIX, "panel"))
    def panel(self) -> None:
        self._open(_label(MIX, "panel"), self._path("panel"))

    @task(_weight(MIX, "tracker"))
    def tracker(self) -> None:
        self._open(_label(MIX, "tracker"), self._path("tracker"))

    @task(_weight(MIX, "api_list"))
    def api_list(self) -> None:
        self._open(_label(MIX, "api_list"), self._path("api_list"), expect='"count":')

    @task(_weight(MIX, "trivial"))
    def trivial(self) -> None:
        self._open(_label(MIX, "trivial"), self._path("trivial"), expect="ok")


class HeavyPagesUser(_Staff):
    """The first borough's coordinator on the heavy pages alone."""

    def pool(self) -> list[Account]:
        return targets().heavy

    @task(_weight(HEAVY, "agenda"))
    def agenda(self) -> None:
        self._open(_label(HEAVY, "agenda"), self._path("agenda"))

    @task(_weight(HEAVY, "tracker_1000"))
    def tracker_1000(self) -> None:
        self._open(_label(HEAVY, "tracker_1000"), self._path("tracker_1000"))

    @task(_weight(HEAVY, "plan_docx"))
    def plan_docx(self) -> None:
        self._open(_label(HEAVY, "plan_docx"), self._path("plan_docx"))
