"""Asking for a background job so that it is never lost: a transactional outbox.

`enqueue` writes the job into PostgreSQL in the caller's transaction and sends it to the
broker once that transaction commits. If Redis cannot be reached then, the request goes on
as if it had been sent (the person sees the job "queued"), and `dispatch` sends it later:
from beat every `JOB_DISPATCH_SECONDS` (`core.tasks.dispatch_queued_jobs`) once Redis is
back. A job whose transaction rolls back was never asked for.

A job may be sent twice: a dispatcher stopped between the broker taking the message and the
row being marked sent sends it again. The tasks sent this way are idempotent by the record
they work on, so the second delivery changes nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from importlib import import_module
from typing import Any

from celery import current_app
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from core.models import QueuedJob

logger = logging.getLogger(__name__)

# One quick retry covers a pooled connection that Redis dropped when it restarted; a broker
# that is really down is given up on at once, so no request waits on it.
_PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# Sent jobs are kept this long to look at, then removed by the dispatcher.
KEEP_SENT = timedelta(days=7)


def enqueue(task: str, *args: Any) -> QueuedJob:
    """Ask for the Celery task named `task` to run with `args` (JSON values) once the
    current transaction commits; it runs later, never not at all, if Redis is down."""
    job = QueuedJob.objects.create(task=task, args=list(args))
    # robust: nothing that goes wrong while sending may turn a saved change into an error
    # page; the job stays in the table for the dispatcher.
    transaction.on_commit(partial(dispatch, ids=[job.pk]), robust=True)
    return job


def dispatch(*, ids: list[Any] | None = None, limit: int = 500) -> int:
    """Send jobs not yet sent (`ids`, or every one), oldest first; returns how many were
    sent. Stops at the first send that fails: the broker is down, the rest wait too."""
    waiting = QueuedJob.objects.filter(sent_at__isnull=True).order_by("created_at")
    if ids is not None:
        waiting = waiting.filter(pk__in=ids)
    sent = 0
    for pk in list(waiting.values_list("pk", flat=True)[:limit]):
        if current_app.conf.task_always_eager:
            sent += _run_here(pk)
            continue
        with transaction.atomic():
            # Locked while it is sent, so two dispatchers (a request's and beat's) never
            # send the same job at once; one already being sent is skipped.
            job = (
                QueuedJob.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, sent_at__isnull=True)
                .first()
            )
            if job is None:
                continue
            job.attempts += 1
            try:
                # By name: a web process need not have imported the task's module.
                current_app.send_task(
                    job.task,
                    args=job.args,
                    task_id=str(job.pk),
                    retry=True,
                    retry_policy=_PUBLISH_RETRY,
                )
            except (BrokerUnreachable, OSError) as error:
                job.last_error = type(error).__name__
                job.save(update_fields=["attempts", "last_error"])
                logger.warning(
                    "The broker could not be reached; job %s (%s) waits to be sent", pk, job.task
                )
                break
            job.sent_at = timezone.now()
            job.last_error = ""
            job.save(update_fields=["attempts", "sent_at", "last_error"])
            sent += 1
    return sent


def _run_here(pk: Any) -> int:
    """Tests run tasks eagerly, in this process: marked sent first, then run outside the
    lock, as a worker would run it."""
    updated = QueuedJob.objects.filter(pk=pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), attempts=1
    )
    if updated:
        job = QueuedJob.objects.get(pk=pk)
        import_module(job.task.rsplit(".", 1)[0])  # registers the task with the app
        current_app.tasks[job.task].apply_async(args=job.args, task_id=str(job.pk))
    return updated


def prune_sent(*, now: Any = None) -> int:
    """Remove jobs sent more than `KEEP_SENT` ago; returns how many."""
    before = (now or timezone.now()) - KEEP_SENT
    deleted, _ = QueuedJob.objects.filter(sent_at__lt=before).delete()
    return deleted
