"""Scheduled meeting jobs: thin wrappers over services, safe to run any number of times."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="meetings.tasks.schedule_meetings")
def schedule_meetings() -> dict[str, int]:
    """Create each panel's meetings ahead from its meeting rules."""
    from meetings.services.meetings import meetings_schedule

    return meetings_schedule(actor=None)


@shared_task(name="meetings.tasks.flag_overdue_case_actions")
def flag_overdue_case_actions() -> dict[str, int]:
    """Flag open case actions that passed their due date."""
    from meetings.services.case_actions import case_actions_flag_overdue

    return case_actions_flag_overdue(actor=None)
