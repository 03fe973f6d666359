"""Reads of a plan's Word exports made by the worker: each is its requester's alone (it
holds their view of the plan), so a person only ever reads their own, of a plan they
still see."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.access import refuse
from accounts.http import request_user
from accounts.models import User
from actions.models import ActionPlan, ExportStatus, PlanExport
from actions.selectors.plans import PLAN, plan_for


def latest_plan_export(plan: ActionPlan, user: User) -> PlanExport | None:
    """The user's latest export of the plan, without its document."""
    return (
        PlanExport.objects.filter(plan=plan, requested_by=user)
        .defer("content")
        .order_by("-requested_at", "-pk")
        .first()
    )


def plan_export_file_for(request: HttpRequest, pk: int) -> tuple[ActionPlan, PlanExport]:
    """The plan and the user's latest finished export of it, if they see the plan;
    otherwise 404 (logged against the plan), whether the plan is hidden, missing, or
    has no document of theirs ready."""
    plan = plan_for(request, pk)
    export = (
        PlanExport.objects.filter(
            plan=plan, requested_by=request_user(request), status=ExportStatus.DONE
        )
        .order_by("-requested_at", "-pk")
        .first()
    )
    if export is None:
        refuse(request, object_type=PLAN, object_id=pk)
    return plan, export
