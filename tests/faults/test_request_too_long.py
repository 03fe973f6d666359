"""A request held up by the database ends with a clear GOV.UK page (or a JSON error for the
API), 503 with Retry-After, when PostgreSQL cancels its statement at the web statement
timeout; gunicorn's worker serves the next request instead of being killed for taking too
long."""

from __future__ import annotations

import http.client
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, connection

from core.middleware import server_error
from tests.factories import make_nominal
from tests.faults.processes import ROOT, free_port, service_env, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT_SECONDS = 1
# Far longer than the statement timeout, as in the Dockerfile.
GUNICORN_TIMEOUT = 30


@contextmanager
def nominals_locked() -> Iterator[None]:
    """Another session holds the nominals table, as a long migration or a runaway report
    would: every read of it waits."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]
    ) as other:
        other.execute("LOCK TABLE offenders_nominal IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            other.rollback()


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen, Path]]:
    """gunicorn as the Dockerfile runs it (one sync worker here), on the test database."""
    port, log = free_port(), tmp_path / "gunicorn.log"
    env = service_env(
        settings.REDIS_URL,
        # Plain static files storage and no HTTPS redirect, as in the other tests.
        DJANGO_SETTINGS_MODULE="config.settings_test",
        # The test's own key, so the sessions it signs in are good there.
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        WEB_STATEMENT_TIMEOUT_SECONDS=str(TIMEOUT_SECONDS),
    )
    with log.open("ab") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                str(GUNICORN_TIMEOUT),
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(
            lambda: _get(port, "/health/")[0] == 200,
            seconds=60,
            what="gunicorn did not start",
            logs=(log,),
        )
        yield port, server, log
    finally:
        server.terminate()
        server.wait(timeout=20)


def _get(port: int, path: str, cookie: str = "") -> tuple[int, dict[str, str], str]:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=GUNICORN_TIMEOUT * 2)
    try:
        client.request("GET", path, headers={"Host": "127.0.0.1", "Cookie": cookie})
        response = client.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    except OSError:
        return 0, {}, ""
    finally:
        client.close()


def _workers(server: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text()
    return sorted(int(pid) for pid in children.split())


def test_a_page_held_up_by_the_database_says_it_took_too_long(partnership, client_for, gunicorn):
    port, server, log = gunicorn
    profile = f"/nominals/{make_nominal(partnership.coordinator, on_panel=partnership.panel).pk}/"
    session = client_for(partnership.coordinator).cookies[settings.SESSION_COOKIE_NAME].value
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
    assert _get(port, profile, cookie)[0] == 200
    workers = _workers(server)

    with nominals_locked():
        status, headers, page = _get(port, profile, cookie)
        api_status, api_headers, api_body = _get(port, "/api/v1/nominals/", cookie)

    assert status == 503, page[-2000:]
    assert headers["Retry-After"] == "60"
    assert '<h1 class="govuk-heading-l">This page took too long to load</h1>' in page
    assert "try again in a few minutes" in page and "govuk-template" in page
    assert api_status == 503 and api_headers["Content-Type"] == "application/json"
    assert "took too long" in api_body
    # The same worker goes on serving: nothing was killed or restarted.
    assert _get(port, profile, cookie)[0] == 200
    assert _workers(server) == workers
    assert "WORKER TIMEOUT" not in log.read_text()


def test_a_statement_cancelled_outside_a_view_gets_the_same_page(rf):
    """A middleware's query (loading the session, say) cancelled: Django's 500 handler sees
    it and answers with the same page; any other error keeps the usual 500 page."""
    request = rf.get("/nominals/")
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '50ms'")
        try:
            cursor.execute("SELECT pg_sleep(2)")
        except OperationalError:
            response = server_error(request)
        finally:
            cursor.execute("SET statement_timeout = 0")
    assert response.status_code == 503
    assert b"This page took too long to load" in response.content
    try:
        raise ValueError("something else")
    except ValueError:
        other = server_error(request)
    assert other.status_code == 500
    assert b"Sorry, there is a problem with the service" in other.content
