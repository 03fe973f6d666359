"""Scheduled jobs for the action plan: thin wrappers over services, safe to run again."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="actions.tasks.remind_step_leads")
def remind_step_leads() -> dict[str, int]:
    """Remind lead agencies of plan steps that are overdue or need an update (weekly)."""
    from actions.services.reminders import plan_reminders_send

    return plan_reminders_send(actor=None)
