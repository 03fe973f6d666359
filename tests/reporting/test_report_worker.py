"""A real worker killed while it produces a report: the task is delivered again to a new
worker, which produces the version, once."""

from __future__ import annotations

import signal
import time
from datetime import date

import pytest

from config.celery import app
from reporting.models import ReportVersion, VersionStatus
from reporting.services import report_save
from tests.workers import real_worker, wait_for

pytestmark = [
    pytest.mark.worker,
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
    pytest.mark.django_db(transaction=True),
]

PAUSE_MS = 1500
VISIBILITY_SECONDS = 3


def test_a_report_survives_its_worker_being_killed(partnership, monkeypatch):
    p = partnership
    report = report_save(
        actor=p.committee,
        report=None,
        panels=[p.panel],
        title="Annual update",
        period_start=date(2025, 4, 1),
        period_end=date(2026, 3, 31),
    )
    version = ReportVersion.objects.create(report=report, number=1, requested_by=p.committee)
    # Read by the workers' settings: each step pauses, so the worker is still drawing when
    # it is killed; the message is handed on soon after.
    monkeypatch.setenv("REPORT_STEP_PAUSE_MS", str(PAUSE_MS))
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", str(VISIBILITY_SECONDS))

    def current() -> ReportVersion:
        version.refresh_from_db()
        return version

    with real_worker() as (queue, first):
        app.send_task("reporting.tasks.generate_report", args=[version.pk], queue=queue)
        wait_for(
            lambda: current().progress >= 40,
            worker=first,
            seconds=90,
            what="the first worker did not start drawing",
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    assert current().status == VersionStatus.RUNNING and not version.docx
    time.sleep(VISIBILITY_SECONDS + 1)

    with real_worker(queue) as (_queue, second):
        wait_for(
            lambda: current().status == VersionStatus.DONE,
            worker=second,
            seconds=120,
            what="the second worker did not produce the report",
        )
    assert version.attempts == 2
    assert bytes(version.pdf).startswith(b"%PDF") and bytes(version.docx) and bytes(version.xlsx)
    assert ReportVersion.objects.count() == 1
