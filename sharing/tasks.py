"""Scheduled and on-demand jobs for access rules: thin wrappers over services."""

from celery import shared_task

from sharing.access import recompute_panel_access


@shared_task(name="sharing.tasks.recompute_access")
def recompute_access() -> dict[str, int]:
    """Rebuild panel grants from the rules; safe to run any number of times."""
    result = recompute_panel_access(actor=None)
    return {"granted": result.granted, "revoked": result.revoked}
