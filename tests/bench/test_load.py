"""`make load`'s scenario does what it claims, run small through Django's test client: no
locust run, no gunicorn, and never an assertion about speed.

Every simulated account signs in through the real sign-in pages with a code from its
authenticator secret, and every path the locust users open answers 200 for them, so a load
run measures pages doing their work rather than redirects and 404s. The locustfile itself
is loaded by locust in a separate process (it patches the standard library with gevent).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Purpose, User
from bench.actions import prepare_plans
from bench.load.runner import (
    GOAL_P95_MS,
    CpuWindow,
    PageStats,
    RunResult,
    dockerfile_gunicorn,
    merge_section,
)
from bench.load.scenario import (
    HEAVY,
    LOAD_HEADING,
    LOCUSTFILE,
    MIX,
    PURPOSE,
    TRIVIAL_PATH,
    Account,
    csrf_token,
    sign_in,
)
from bench.load.targets import heavy_account, staff_accounts
from bench.panels import prepare_cohorts
from bench.synthetic import generate, plan_partnership

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "load-test-password"  # noqa: S105
NOMINALS = 300

pytestmark = pytest.mark.django_db


@pytest.fixture
def borough(settings):
    settings.ROOT_URLCONF = "bench.load.urls"
    generate(nominals=NOMINALS, seed=1, password=PASSWORD)
    return plan_partnership(NOMINALS, 1)[0]


class _Session:
    """The requests.Session calls `sign_in` makes, answered by Django's test client."""

    def __init__(self) -> None:
        self.client = Client()

    def get(self, url: str):
        response = self.client.get(url)
        response.text = response.content.decode()
        return response

    def post(self, url: str, data: dict, allow_redirects: bool = True):
        response = self.client.post(url, data, follow=allow_redirects)
        response.text = response.content.decode()
        return response


def _signed_in(account: Account) -> Client:
    """Signed in as the runner and the locust users sign in: the password, then the
    authenticator's code; the dashboard's CSRF token comes back for later POSTs."""
    session = _Session()
    assert sign_in(session, account)
    return session.client


def test_every_account_signs_in_with_its_authenticator_code_and_opens_every_page(borough):
    accounts = staff_accounts([borough.code], password=PASSWORD, seed=1)
    # The health trust's partner sees no panel in the generated borough: nothing to open.
    assert {a.username for a in accounts} == {
        f"{borough.code}-{name}"
        for name in ("coordinator", "mappa", "police", "probation", "drugs", "housing")
    }
    for account in accounts:
        assert set(account.paths) == {task.key for task in MIX}
        assert account.names and account.paths["profile"]
        client = _signed_in(account)
        for task in MIX:
            if task.key == "search":
                for name in account.names[:3]:
                    response = client.post(account.paths["search"][0], {"name": name})
                    assert response.status_code == 200
                    # The name of someone the account can see finds at least that person.
                    assert 'href="/nominals/' in response.content.decode()
                continue
            for path in account.paths[task.key]:
                if task.key == "profile":
                    response = client.post(path + "purpose/", {"purpose": PURPOSE})
                    assert response.status_code == 302
                response = client.get(path)
                assert response.status_code == 200, (account.username, path)
                assert b'name="purpose"' not in response.content


def test_the_purpose_and_the_csrf_token_the_users_post_are_accepted(borough):
    assert PURPOSE in Purpose.values
    account = staff_accounts([borough.code], password=PASSWORD, seed=1)[0]
    client = _signed_in(account)
    client.handler.enforce_csrf_checks = True  # as a browser's POST is checked
    token = csrf_token(client.get("/").content.decode())
    path = account.paths["profile"][0]
    response = client.post(path + "purpose/", {"purpose": PURPOSE, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == path


def test_the_heavy_pages_open_for_their_coordinator(borough):
    cohorts = prepare_cohorts(borough, leave_out=set())
    plans = prepare_plans(borough)
    coordinator = User.objects.get(username=f"{borough.code}-coordinator")
    account = heavy_account(
        coordinator,
        password=PASSWORD,
        cohort_1000=cohorts.cohort_1000,
        meeting=cohorts.meeting,
        plan_large=plans.plan_large,
    )
    assert set(account.paths) == {task.key for task in HEAVY}
    client = _signed_in(account)
    for paths in account.paths.values():
        response = client.get(paths[0])
        assert response.status_code == 200, paths[0]
    export = client.get(account.paths["plan_docx"][0]).content.decode()
    assert "Word" in export  # the long plan's export page, where the worker's document waits


def test_an_account_without_an_authenticator_is_left_out(borough):
    TOTPDevice.objects.filter(user__username=f"{borough.code}-police").delete()
    accounts = staff_accounts([borough.code], password=PASSWORD, seed=1)
    assert f"{borough.code}-police" not in {a.username for a in accounts}


def test_the_trivial_view_answers_only_signed_in_staff(borough):
    assert Client().get(TRIVIAL_PATH).status_code == 302
    account = staff_accounts([borough.code], password=PASSWORD, seed=1)[0]
    response = _signed_in(account).get(TRIVIAL_PATH)
    assert response.status_code == 200 and response.content == b"ok"


def test_locust_loads_the_locustfile_and_both_kinds_of_user():
    result = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "StaffUser" in result.stdout and "HeavyPagesUser" in result.stdout


def test_gunicorn_is_started_as_the_dockerfile_starts_it():
    argv, env = dockerfile_gunicorn(ROOT / "Dockerfile")
    assert argv[:2] == ["gunicorn", "config.wsgi:application"] and "--bind" in argv
    assert env["WEB_CONCURRENCY"] == "3" and env["DJANGO_SETTINGS_MODULE"] == "config.settings"


def _run(users: int, p95_ms: int, failures: dict[str, int] | None = None) -> RunResult:
    return RunResult(
        kind="mix",
        users=users,
        measured_seconds=60.0,
        pages=[PageStats("Dashboard", 100, 0, {p95_ms // 2: 90, p95_ms: 10})],
        failures=failures or {},
        cpu=CpuWindow(seconds=60.0, web=100.0, postgres=50.0, locust=10.0, machine_busy=180.0),
        load_before=(1.0, 1.0, 1.0),
        load_after=(2.0, 1.0, 1.0),
    )


def test_a_step_holds_only_with_p95_under_the_goal_and_no_failure():
    assert _run(50, GOAL_P95_MS - 10).held()
    assert not _run(100, GOAL_P95_MS + 10).held()
    assert not _run(50, GOAL_P95_MS - 10, failures={"Dashboard: 500": 1}).held()
    assert _run(50, 100).cpu.others == pytest.approx(20.0)


def test_the_load_section_replaces_only_its_own():
    existing = "# Benchmarks\n\n## Pages\n\nkept\n\n## Interpretation\n\nkept too\n"
    once = merge_section(existing, "## Load: many staff at once (1 January)\n\nfirst")
    twice = merge_section(once, "## Load: many staff at once (2 January)\n\nsecond")
    assert "first" not in twice and "second" in twice
    assert twice.count("## Load") == 1 and twice.count("kept") == 2
    assert twice.index("## Load") < twice.index("## Interpretation")


def test_a_full_bench_run_keeps_the_load_section():
    from bench.management.commands.run_bench import _keep_section

    existing = "# Benchmarks\n\nold\n\n## Load: many staff at once (1 January)\n\nheld 50\n"
    rewritten = "# Benchmarks\n\nnew\n\n## Interpretation\n\nread this\n"
    kept = _keep_section(existing, rewritten, LOAD_HEADING)
    assert "new" in kept and "old" not in kept and "held 50" in kept
    assert kept.index("## Load") < kept.index("## Interpretation")
