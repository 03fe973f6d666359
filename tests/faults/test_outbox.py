"""The outbox of jobs (core/jobs.py): a job asked for is kept with the change that asked for
it, survives a broker that cannot be reached, is sent by one dispatcher at a time, and is
forgotten a week after it was sent."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from core.jobs import dispatch, enqueue, prune_sent
from core.models import QueuedJob
from core.tasks import dispatch_queued_jobs
from tests.faults.processes import free_port, sending_to

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def unreachable_broker():
    """Jobs are sent for real, to a Redis port where nothing listens."""
    with sending_to(f"redis://127.0.0.1:{free_port()}/0"):
        yield


def test_a_job_asked_for_in_a_change_that_is_undone_was_never_asked_for():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue("sharing.tasks.recompute_access")
        raise RuntimeError("the change failed")
    assert not QueuedJob.objects.exists()


def test_asking_with_the_broker_down_saves_the_change_and_keeps_the_job(
    partnership, client_for, unreachable_broker
):
    response = client_for(partnership.system_admin).post(reverse("sharing:recompute-access"))
    assert response.status_code == 302
    job = QueuedJob.objects.get()
    assert (job.task, job.sent_at, job.attempts) == ("sharing.tasks.recompute_access", None, 1)
    assert job.last_error == "OperationalError"
    # beat's dispatcher finds the broker still down: the job waits, nothing is raised.
    assert dispatch_queued_jobs() == 0
    job.refresh_from_db()
    assert job.sent_at is None and job.attempts == 2


def test_a_job_being_sent_by_one_dispatcher_is_left_alone_by_another(unreachable_broker):
    job = enqueue("sharing.tasks.recompute_access")
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]
    ) as other:
        other.execute("SELECT 1 FROM core_queuedjob WHERE id = %s FOR UPDATE", [job.pk])
        assert dispatch() == 0
        other.rollback()
    job.refresh_from_db()
    # Skipped while locked, so not even tried.
    assert job.attempts == 1 and job.sent_at is None


def test_jobs_sent_a_week_ago_are_forgotten():
    now = timezone.now()
    old = QueuedJob.objects.create(task="t", sent_at=now - timedelta(days=8))
    recent = QueuedJob.objects.create(task="t", sent_at=now - timedelta(days=6))
    waiting = QueuedJob.objects.create(task="t", created_at=now - timedelta(days=30))
    assert prune_sent(now=now) == 1
    assert set(QueuedJob.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert not QueuedJob.objects.filter(pk=old.pk).exists()


def test_with_celery_eager_a_job_runs_once_its_change_is_committed(partnership):
    """The tests run Celery eagerly: the job runs in-process, once, after the commit."""
    with transaction.atomic():
        job = enqueue("sharing.tasks.recompute_access")
        job.refresh_from_db()
        assert job.sent_at is None
    job.refresh_from_db()
    assert job.sent_at is not None and job.attempts == 1
    assert dispatch() == 0
