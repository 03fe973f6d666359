"""A real worker killed while it matches a long monthly list: the task is delivered again to
a new worker, which matches the list from the start; the list is matched once (one outcome
per row, one notice), and importing it afterwards makes each new person once.

The other long jobs have the same test beside their own: a report
(tests/reporting/test_report_worker.py) and a cross-reference run
(tests/panels/test_crossref_worker.py)."""

from __future__ import annotations

import signal
import time

import pytest
from django.utils import timezone

from accounts.models import AuditEvent, Notification, Verb
from cohorts.models import ImportStatus, RowOutcome
from cohorts.services.imports import import_commit, import_map_columns, import_upload
from config.celery import app
from core.models import QueuedJob
from offenders.models import Nominal
from panels.models import CohortMembership
from tests.panels.import_samples import MAPPING, csv_bytes
from tests.workers import real_worker, wait_for

pytestmark = [
    pytest.mark.worker,
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
    pytest.mark.django_db(transaction=True),
]

ROWS = 40
PAUSE_MS = 4000
VISIBILITY_SECONDS = 3


def _row(n: int) -> list[str]:
    """A person of their own: names and a year of birth no other row shares."""
    letters = f"{chr(65 + n % 26)}{chr(65 + n // 26)}".lower()
    return [f"Kil{letters}ton", f"Ab{letters}el", f"0{n % 9 + 1}/04/{1950 + n}", "", ""]


def test_a_long_list_survives_its_worker_being_killed(partnership, settings, monkeypatch):
    p = partnership
    settings.IMPORT_BACKGROUND_ROWS = 10
    rows = [_row(n) for n in range(ROWS)]
    month = timezone.localdate().replace(day=1)
    cohort_import = import_upload(
        actor=p.coordinator, panel=p.panel, month=month, file_name="long.csv", data=csv_bytes(rows)
    )
    # Read by the workers' settings: matching pauses once its rows are matched and before
    # they are saved, so the worker is killed mid-job; the message is handed on soon after.
    monkeypatch.setenv("IMPORT_MATCH_PAUSE_MS", str(PAUSE_MS))
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", str(VISIBILITY_SECONDS))
    # As if Redis were down when the columns were chosen: the job waits in the outbox, and
    # is sent below to the workers' own queue.
    with pytest.MonkeyPatch.context() as outbox:
        outbox.setattr("core.jobs.dispatch", lambda **kwargs: 0)
        cohort_import = import_map_columns(
            actor=p.coordinator, cohort_import=cohort_import, mapping=MAPPING
        )
    assert cohort_import.status == ImportStatus.MATCHING
    job = QueuedJob.objects.get(task="cohorts.tasks.match_import")

    def current():
        cohort_import.refresh_from_db()
        return cohort_import

    with real_worker() as (queue, first):
        app.send_task(job.task, args=job.args, task_id=str(job.pk), queue=queue)
        wait_for(
            lambda: current().match_done == ROWS,
            worker=first,
            seconds=90,
            what="the first worker did not match the rows",
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    # Killed before it saved a row's outcome.
    assert current().status == ImportStatus.MATCHING
    assert not cohort_import.rows.filter(outcome=RowOutcome.CREATED).exists()
    time.sleep(VISIBILITY_SECONDS + 1)

    with real_worker(queue) as (_queue, second):
        wait_for(
            lambda: current().status == ImportStatus.PREVIEW,
            worker=second,
            seconds=120,
            what="the second worker did not match the list",
        )

    outcomes = list(cohort_import.rows.values_list("outcome", flat=True))
    assert outcomes == [RowOutcome.CREATED] * ROWS
    matched = AuditEvent.objects.filter(verb=Verb.IMPORT_MAPPED, detail__has_key="outcomes")
    assert matched.count() == 1
    assert Notification.objects.filter(user=p.coordinator, kind="list_waiting").count() == 1

    # Importing it makes each new person, and their place on the cohort, once.
    import_commit(actor=p.coordinator, cohort_import=cohort_import, exit_leavers=False)
    assert Nominal.objects.filter(family_name__startswith="Kil").count() == ROWS
    assert CohortMembership.objects.filter(panel=p.panel).count() == ROWS
