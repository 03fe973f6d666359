"""Monthly list jobs: thin wrappers over the import services, safe to deliver twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="cohorts.tasks.match_import", acks_late=True, reject_on_worker_lost=True)
def match_import(import_id: int, actor_id: int) -> str:
    """Match a long list's rows; delivered again if the worker is lost, and then matches
    again from the start (the outcome is the same)."""
    from cohorts.services.imports import import_match_in_background

    done = import_match_in_background(import_id, actor_id)
    return done.status if done is not None else "not waiting"
