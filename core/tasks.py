"""Plumbing jobs: sending the jobs that could not be sent when they were asked for."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="core.tasks.dispatch_queued_jobs")
def dispatch_queued_jobs() -> int:
    """Send every job still waiting in the outbox (Redis was down when it was asked for),
    and forget jobs sent long ago; run by beat every JOB_DISPATCH_SECONDS."""
    from core.jobs import dispatch, prune_sent

    prune_sent()
    return dispatch()
