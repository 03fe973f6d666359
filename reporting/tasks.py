"""Report jobs: thin wrappers over the services, safe to deliver twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="reporting.tasks.generate_report", acks_late=True, reject_on_worker_lost=True)
def generate_report(version_id: int) -> str:
    """Produce one report version; delivered again if the worker is lost, and then starts
    the version over (a version already produced is left alone)."""
    from reporting.services import version_generate

    version = version_generate(version_id)
    return version.status if version else "missing"
