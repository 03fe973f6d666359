"""Scheduled jobs for the retention schedule: thin wrappers over services, safe to re-run."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="retention.tasks.list_retention_reviews")
def list_retention_reviews() -> dict[str, int]:
    """List the records due for a retention review and tell their agencies' leads (nightly)."""
    from retention.services import reviews_list

    return reviews_list()
