"""Cross-referencing jobs: thin wrappers over the run services, safe to deliver twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="crossref.tasks.cross_reference", acks_late=True, reject_on_worker_lost=True)
def cross_reference(run_id: int) -> dict[str, object]:
    """Do one month's cross-reference run; delivered again if the worker is lost, and then
    carries on from the first chunk not done. PostgreSQL restarting mid-run is waited for,
    and the run carried on in the same way."""
    from core.db import retry_on_lost_connection
    from crossref.services.run import run_crossref

    run = retry_on_lost_connection(
        lambda: run_crossref(run_id), what=f"cross-reference run {run_id}"
    )
    return {"status": run.status, "chunks_done": run.chunks_done}


@shared_task(name="crossref.tasks.monthly_cross_reference")
def monthly_cross_reference() -> int:
    """Queue this month's cross-reference run (once: a month already run is left alone)."""
    from crossref.models import RunTrigger
    from crossref.services.run import request_run

    return request_run(actor=None, trigger=RunTrigger.SCHEDULED).pk
