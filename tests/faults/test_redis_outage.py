"""Redis goes down with a worker and beat running: pages keep serving, the jobs people ask
for meanwhile (a report, a cross-reference run, a long monthly list) wait in PostgreSQL,
and once Redis is back each runs, once."""

from __future__ import annotations

import time
import uuid
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Notification, Verb
from cohorts.models import ImportStatus
from cohorts.services.imports import import_upload
from core.jobs import dispatch
from core.models import QueuedJob
from crossref.models import CrossReferenceRun, RunStatus
from reporting.models import ReportVersion, VersionStatus
from reporting.services import report_save
from tests.factories import make_nominal
from tests.faults.processes import (
    ThrowawayRedis,
    celery,
    sending_to,
    service_env,
    wait_until,
    worker_args,
)
from tests.panels.import_samples import MAPPING, csv_bytes

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# Long enough for beat to try, and fail, to send the waiting jobs a few times.
OUTAGE_SECONDS = 20
BEAT_SECONDS = 2


@pytest.fixture
def broker(tmp_path, settings):
    """A throwaway Redis that this test process, and the workers it starts, send jobs to;
    jobs are sent for real (not run eagerly) while it lasts."""
    server = ThrowawayRedis(tmp_path)
    server.start()
    settings.REDIS_URL = server.url
    try:
        with sending_to(server.url):
            yield server
    finally:
        server.stop()


def _list_rows(count: int) -> list[list[str]]:
    return [
        [f"Outage{n}", f"Given{n}", f"{(n % 27) + 1:02d}/03/1988", "", ""] for n in range(count)
    ]


def test_jobs_asked_for_while_redis_is_down_run_once_when_it_is_back(
    partnership, client_for, broker, settings, tmp_path
):
    p = partnership
    settings.IMPORT_BACKGROUND_ROWS = 5
    nominal = make_nominal(p.coordinator, on_panel=p.panel)
    report = report_save(
        actor=p.committee,
        report=None,
        panels=[p.panel],
        title="Annual update",
        period_start=date(2025, 4, 1),
        period_end=date(2026, 3, 31),
    )
    month = timezone.localdate().replace(day=1)
    cohort_import = import_upload(
        actor=p.coordinator,
        panel=p.panel,
        month=month,
        file_name="outage.csv",
        data=csv_bytes(_list_rows(12)),
    )
    coordinator, committee = client_for(p.coordinator), client_for(p.committee)
    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    env = service_env(broker.url, JOB_DISPATCH_SECONDS=str(BEAT_SECONDS))
    beat_args = ["beat", "--schedule", str(tmp_path / "beat-schedule")]

    with (
        celery(env, worker_log, *worker_args()) as worker,
        celery(env, beat_log, *beat_args) as beat,
    ):
        broker.stop()
        assert broker.is_down()
        down_at = time.monotonic()

        # Pages keep serving: sessions live in PostgreSQL and nothing on a page needs Redis.
        for client, url in [
            (coordinator, reverse("dashboard")),
            (coordinator, reverse("offenders:index")),
            (coordinator, reverse("offenders:profile", args=[nominal.pk])),
            (coordinator, reverse("crossref:home")),
            (committee, reverse("reporting:index")),
        ]:
            assert client.get(url).status_code == 200, url

        # Three jobs asked for: each is saved and shown as waiting, not refused.
        produced = committee.post(
            reverse("reporting:report-generate", args=[report.pk]),
            {"request_token": str(uuid.uuid4())},
        )
        assert produced.status_code == 302
        version = ReportVersion.objects.get(report=report)
        page = committee.get(produced["Location"]).content.decode()
        assert "Waiting to start" in page

        asked = coordinator.post(reverse("crossref:run-now"), {"run": "yes"})
        assert asked.status_code == 302
        run = CrossReferenceRun.objects.get()
        page = coordinator.get(asked["Location"]).content.decode()
        assert "has been asked for" in page and "Waiting to start" in page

        mapped = coordinator.post(
            reverse("cohorts:import-columns", args=[cohort_import.pk]), MAPPING
        )
        assert mapped.status_code == 302
        page = coordinator.get(reverse("cohorts:import", args=[cohort_import.pk]))
        assert "0 of 12 rows matched" in page.content.decode()

        waiting = QueuedJob.objects.filter(sent_at__isnull=True)
        assert sorted(waiting.values_list("task", flat=True)) == [
            "cohorts.tasks.match_import",
            "crossref.tasks.cross_reference",
            "reporting.tasks.generate_report",
        ]
        assert all(job.attempts >= 1 and job.last_error for job in waiting)

        # Redis stays away while beat keeps trying; nothing is lost or run meanwhile.
        while time.monotonic() - down_at < OUTAGE_SECONDS:
            assert coordinator.get(reverse("dashboard")).status_code == 200
            assert dispatch() == 0
            time.sleep(1)
        assert worker.poll() is None and beat.poll() is None
        assert QueuedJob.objects.filter(sent_at__isnull=True).count() == 3
        version.refresh_from_db()
        run.refresh_from_db()
        assert (version.status, run.status) == (VersionStatus.QUEUED, RunStatus.QUEUED)

        broker.start()
        # Beat sends the dispatcher; the worker, reconnected, sends and then runs each job.
        logs = (worker_log, beat_log)
        wait_until(
            lambda: not QueuedJob.objects.filter(sent_at__isnull=True).exists(),
            seconds=90,
            what="the waiting jobs were not sent after Redis came back",
            logs=logs,
        )

        def all_done() -> bool:
            version.refresh_from_db()
            run.refresh_from_db()
            cohort_import.refresh_from_db()
            return (
                version.status == VersionStatus.DONE
                and run.status == RunStatus.COMPLETE
                and cohort_import.status == ImportStatus.PREVIEW
            )

        wait_until(all_done, seconds=120, what="the jobs did not all finish", logs=logs)

    # Each ran once: one attempt each, one matching of the list, one notice about it.
    assert version.attempts == 1 and ReportVersion.objects.filter(report=report).count() == 1
    assert run.attempts == 1 and CrossReferenceRun.objects.count() == 1
    matched = AuditEvent.objects.filter(verb=Verb.IMPORT_MAPPED, detail__has_key="outcomes")
    assert matched.count() == 1
    assert Notification.objects.filter(user=p.coordinator, kind="list_waiting").count() == 1
    assert (cohort_import.match_done, cohort_import.match_total) == (12, 12)
    assert QueuedJob.objects.filter(attempts__gte=2).count() == 3
