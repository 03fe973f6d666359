"""Cross-referencing jobs: thin wrappers over the run services, safe to deliver twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings


@shared_task(name="crossref.tasks.cross_reference", acks_late=True, reject_on_worker_lost=True)
def cross_reference(run_id: int) -> dict[str, object]:
    """Do one month's cross-reference run: with `CROSSREF_SPREAD_CHUNKS`, prepare it and
    share its chunks among the workers; otherwise all of it here. Delivered again if the
    worker is lost, and then carries on from the first chunk not done. PostgreSQL restarting
    mid-run is waited for, and the run carried on in the same way."""
    from core.db import retry_on_lost_connection
    from crossref.models import CrossReferenceRun
    from crossref.services.run import run_crossref, spread_crossref

    job = spread_crossref if getattr(settings, "CROSSREF_SPREAD_CHUNKS", False) else run_crossref
    retry_on_lost_connection(lambda: job(run_id), what=f"cross-reference run {run_id}")
    run = CrossReferenceRun.objects.get(pk=run_id)
    return {"status": run.status, "chunks_done": run.chunks_done}


@shared_task(
    name="crossref.tasks.cross_reference_chunk", acks_late=True, reject_on_worker_lost=True
)
def cross_reference_chunk(run_id: int, number: int) -> bool:
    """Score one chunk of a spread run (a chunk already done is left as it is); PostgreSQL
    restarting meanwhile is waited for, and the chunk scored again."""
    from core.db import retry_on_lost_connection
    from crossref.services.run import score_spread_chunk

    return retry_on_lost_connection(
        lambda: score_spread_chunk(run_id, number),
        what=f"chunk {number} of cross-reference run {run_id}",
    )


@shared_task(
    name="crossref.tasks.finish_cross_reference", acks_late=True, reject_on_worker_lost=True
)
def finish_cross_reference(run_id: int) -> str:
    """Group, build the overlaps and complete a spread run once every chunk is done."""
    from core.db import retry_on_lost_connection
    from crossref.services.run import finish_spread_run

    run = retry_on_lost_connection(
        lambda: finish_spread_run(run_id), what=f"finishing cross-reference run {run_id}"
    )
    return str(run.status)


@shared_task(name="crossref.tasks.monthly_cross_reference")
def monthly_cross_reference() -> int:
    """Queue this month's cross-reference run (once: a month already run is left alone)."""
    from crossref.models import RunTrigger
    from crossref.services.run import request_run

    return request_run(actor=None, trigger=RunTrigger.SCHEDULED).pk
