"""Scheduled jobs for the action plan: thin wrappers over services, safe to run again."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="actions.tasks.remind_step_leads")
def remind_step_leads() -> dict[str, int]:
    """Remind lead agencies of plan steps that are overdue or need an update (weekly)."""
    from actions.services.reminders import plan_reminders_send

    return plan_reminders_send(actor=None)


@shared_task(name="actions.tasks.make_plan_export", acks_late=True, reject_on_worker_lost=True)
def make_plan_export(export_id: int) -> str:
    """Make a long plan's Word document; delivered again if the worker is lost, and then
    starts the document over (a finished one is left alone)."""
    from actions.services.exports import plan_export_make

    export = plan_export_make(export_id)
    return export.status if export else "missing"
