"""Scheduled jobs for panels: thin wrappers over services, safe to run any number of times."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="panels.tasks.schedule_meetings")
def schedule_meetings() -> dict[str, int]:
    """Create each panel's meetings ahead from its meeting rules."""
    from panels.services.meetings import meetings_schedule

    return meetings_schedule(actor=None)


@shared_task(name="panels.tasks.flag_overdue_case_actions")
def flag_overdue_case_actions() -> dict[str, int]:
    """Flag open case actions that passed their due date."""
    from panels.services.case_actions import case_actions_flag_overdue

    return case_actions_flag_overdue(actor=None)


@shared_task(name="panels.tasks.cross_reference", acks_late=True, reject_on_worker_lost=True)
def cross_reference(run_id: int) -> dict[str, object]:
    """Do one month's cross-reference run; delivered again if the worker is lost, and then
    carries on from the first chunk not done."""
    from panels.services.crossref_run import run_crossref

    run = run_crossref(run_id)
    return {"status": run.status, "chunks_done": run.chunks_done}


@shared_task(name="panels.tasks.monthly_cross_reference")
def monthly_cross_reference() -> int:
    """Queue this month's cross-reference run (once: a month already run is left alone)."""
    from panels.models import RunTrigger
    from panels.services.crossref_run import request_run

    return request_run(actor=None, trigger=RunTrigger.SCHEDULED).pk
