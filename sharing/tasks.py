"""Scheduled and on-demand jobs for access rules: thin wrappers over services."""

from celery import shared_task

from sharing.access import recompute_panel_access
from sharing.reminders import review_reminders_send


@shared_task(name="sharing.tasks.recompute_access")
def recompute_access() -> dict[str, int]:
    """Rebuild panel grants from the rules; safe to run any number of times."""
    result = recompute_panel_access(actor=None)
    return {"granted": result.granted, "revoked": result.revoked}


@shared_task(name="sharing.tasks.remind_agreement_reviews")
def remind_agreement_reviews() -> dict[str, int]:
    """Remind governance leads of agreements' reviews; idempotent, run daily."""
    return review_reminders_send(actor=None)
