"""The plan's pages: the plans the user sees, the plan as a table that reads like the
committee paper (filtered in the address, so it works without JavaScript), its exports,
an action with its steps and their update histories, adding a progress update, and the
owner's pages for the plan's settings, an action and a step.

Plans the user does not see answer 404 (logged); a page the user may see but not use
answers 403 (logged). The plan holds no personal data, so reading it is not logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import forbid, require
from accounts.audit import audit
from accounts.http import AuthenticatedHttpRequest
from accounts.models import CASEWORK_ROLES, Agency, User, Verb
from actions.exports import DOCX_TYPE, plan_docx, plan_xlsx
from actions.forms.plans import (
    ActionForm,
    PlanFilterForm,
    PlanSettingsForm,
    ProgressForm,
    StepForm,
)
from actions.models import Action, ActionPlan, ActionStep, ProgressUpdate
from actions.permissions import (
    may_create_plans,
    may_edit_plan,
    may_import_plans,
    may_manage_plan,
    may_update_step,
)
from actions.selectors.plans import (
    ACTION,
    ACTION_RAG_RULE,
    PLAN,
    STEP,
    HistoryStep,
    action_for,
    action_rag,
    action_steps,
    lead_agency_choices,
    objective_choices,
    person_label,
    plan_for,
    plan_rag_summary,
    plan_table,
    plans_for,
    step_for,
    step_lead,
)
from actions.services.exports import exports_in_background
from actions.services.plans import (
    StaleEdit,
    action_update,
    plan_update,
    progress_add,
    step_update,
    version_of,
)
from core.exports import XLSX_TYPE, download
from core.forms import add_service_errors

NAV = "Action plan"


def _editor_only(
    request: AuthenticatedHttpRequest, plan: ActionPlan, *, object_type: str, pk: int
) -> None:
    require(request, may_edit_plan(request.user, plan), object_type=object_type, object_id=pk)


def _stale(request: AuthenticatedHttpRequest, form: Any, error: ValidationError) -> Any:
    """The form again with the details as they are now, and the reason nothing was saved."""
    messages.error(request, error.messages[0])
    return form


@login_required
@require_safe
def plan_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The plans of the partnerships the user's agency belongs to."""
    return render(
        request,
        "actions/index.html",
        {
            "plans": list(plans_for(request.user)),
            "may_import": may_import_plans(request.user),
            "may_create": may_create_plans(request.user),
            "nav_section": NAV,
        },
    )


# --- The plan -------------------------------------------------------------------------------


@login_required
@require_safe
def plan_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The plan as the committee paper lays it out, with the MOJ filter above it."""
    plan = plan_for(request, pk)
    today = timezone.localdate()
    form = PlanFilterForm(
        request.GET,
        objectives=objective_choices(plan),
        agencies=lead_agency_choices(plan),
        days=plan.needs_update_days,
    )
    filters = form.to_filter()
    summary = plan_rag_summary(plan)
    return render(
        request,
        "actions/plan.html",
        {
            "plan": plan,
            "form": form,
            "filters": filters,
            "selected": form.selected(filters),
            "query": form.query(filters),
            "objectives": plan_table(plan, viewer=request.user, today=today, filters=filters),
            "summary": summary,
            "docx_in_background": summary.steps > settings.PLAN_EXPORT_BACKGROUND_STEPS,
            "rule": ACTION_RAG_RULE,
            "owner": person_label(plan.owner, request.user, agency=plan.owner_agency),
            "edits": may_edit_plan(request.user, plan),
            "manages": may_manage_plan(request.user, plan),
            "today": today,
            "nav_section": NAV,
        },
    )


def _export(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    plan = plan_for(request, pk)
    today = timezone.localdate()
    if fmt == "docx" and exports_in_background(plan):
        # A long plan's document is made by the worker, on the page that shows its progress.
        return redirect("actions:plan-export", pk=plan.pk)
    if fmt == "docx":
        content = plan_docx(plan, viewer=request.user, today=today)
    else:
        content = plan_xlsx(plan, viewer=request.user, today=today)
    with transaction.atomic():
        audit(actor=request.user, verb=Verb.PLAN_EXPORTED, target=plan, detail={"format": fmt})
    name = f"{slugify(plan.title)[:60] or 'action-plan'}-{today.isoformat()}.{fmt}"
    return download(content, file_name=name, content_type=DOCX_TYPE if fmt == "docx" else XLSX_TYPE)


@login_required
@require_safe
def plan_export_docx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The whole plan as a Word document in the committee paper's layout."""
    return _export(request, pk, "docx")


@login_required
@require_safe
def plan_export_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The whole plan as a spreadsheet in the committee paper's layout."""
    return _export(request, pk, "xlsx")


def _partnership_choices() -> list[Agency]:
    return list(Agency.objects.filter(active=True).order_by("name"))


def _owner_choices(plan: ActionPlan) -> list[User]:
    return list(
        User.objects.filter(
            agency=plan.owner_agency, is_active=True, groups__name__in=CASEWORK_ROLES
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_settings(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The owner changes the plan's title, period, partnership, owner and update interval."""
    plan = plan_for(request, pk)
    _editor_only(request, plan, object_type=PLAN, pk=plan.pk)
    agencies, owners = _partnership_choices(), _owner_choices(plan)
    if request.method == "POST":
        form = PlanSettingsForm(request.POST, agencies=agencies, owners=owners, plan=plan)
        if form.is_valid():
            try:
                plan_update(actor=request.user, plan=plan, **form.service_values())
            except StaleEdit as error:
                plan.refresh_from_db()
                form = _stale(
                    request,
                    PlanSettingsForm(initial=_plan_initial(plan), agencies=agencies, owners=owners),
                    error,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Plan settings saved")
                return redirect("actions:plan", pk=plan.pk)
    else:
        form = PlanSettingsForm(initial=_plan_initial(plan), agencies=agencies, owners=owners)
    return render(
        request, "actions/plan_settings.html", {"plan": plan, "form": form, "nav_section": NAV}
    )


def _plan_initial(plan: ActionPlan) -> dict[str, Any]:
    return {
        "version": version_of(plan),
        "title": plan.title,
        "strategy": plan.strategy,
        "starts_on": plan.starts_on,
        "ends_on": plan.ends_on,
        "needs_update_days": plan.needs_update_days,
        "agencies": [str(pk) for pk in plan.agencies.values_list("pk", flat=True)],
        "owner": str(plan.owner_id or ""),
    }


# --- An action ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Update:
    update: ProgressUpdate
    by: str  # the author as the viewer may read them


@dataclass(frozen=True)
class _StepSection:
    """A step on its action's page, with what the viewer may read and do."""

    step: HistoryStep
    lead_label: str
    may_update: bool
    history: list[_Update]


@login_required
@require_safe
def action_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An action with its steps, each step's lead, flags and full history of updates."""
    action = action_for(request, pk)
    plan = action.objective.plan
    today = timezone.localdate()
    user = request.user
    steps = action_steps(action, today=today)
    sections = [
        _StepSection(
            step=step,
            lead_label=step_lead(step, user),
            may_update=may_update_step(user, step),
            history=[
                _Update(update, person_label(update.author, user, agency=update.author_agency))
                for update in step.history
            ],
        )
        for step in steps
    ]
    return render(
        request,
        "actions/action.html",
        {
            "plan": plan,
            "action": action,
            "rag": action_rag(step.current_rag for step in steps),
            "rule": ACTION_RAG_RULE,
            "sections": sections,
            "edits": may_edit_plan(user, plan),
            "today": today,
            "nav_section": NAV,
        },
    )


def _action_initial(action: Action) -> dict[str, Any]:
    return {
        "version": version_of(action),
        "title": action.title,
        "description": action.description,
        "outcomes": action.outcomes,
        "timescale": action.timescale,
        "due": action.due,
        "strategic_links": action.strategic_links,
    }


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The owner changes an action's wording, outcomes and timescale."""
    action = action_for(request, pk)
    plan = action.objective.plan
    _editor_only(request, plan, object_type=ACTION, pk=action.pk)
    if request.method == "POST":
        form = ActionForm(request.POST)
        if form.is_valid():
            try:
                action_update(actor=request.user, action=action, **form.service_values())
            except StaleEdit as error:
                action.refresh_from_db()
                form = _stale(request, ActionForm(initial=_action_initial(action)), error)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Action saved")
                return redirect("actions:action", pk=action.pk)
    else:
        form = ActionForm(initial=_action_initial(action))
    return render(
        request,
        "actions/action_edit.html",
        {"plan": plan, "action": action, "form": form, "nav_section": NAV},
    )


# --- A step ---------------------------------------------------------------------------------


def _step_initial(step: ActionStep) -> dict[str, Any]:
    return {
        "version": version_of(step),
        "text": step.text,
        "lead_text": step.lead_text,
        "lead_agency": str(step.lead_agency_id or ""),
        "lead_person": str(step.lead_person_id or ""),
        "due": step.due,
    }


def step_choices(plan: ActionPlan) -> dict[str, Any]:
    agencies = list(plan.agencies.filter(active=True).order_by("name"))
    staff = list(
        User.objects.filter(agency__in=agencies, is_active=True, groups__name__in=CASEWORK_ROLES)
        .distinct()
        .order_by("agency__name", "first_name", "last_name", "username")
    )
    return {"agencies": agencies, "staff": staff, "plan": plan}


@login_required
@require_http_methods(["GET", "POST"])
def step_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The owner changes a step's wording, lead and due date."""
    step = step_for(request, pk)
    plan = step.action.objective.plan
    _editor_only(request, plan, object_type=STEP, pk=step.pk)
    choices = step_choices(plan)
    if request.method == "POST":
        form = StepForm(request.POST, **choices)
        if form.is_valid():
            try:
                step_update(actor=request.user, step=step, **form.service_values())
            except StaleEdit as error:
                step.refresh_from_db()
                form = _stale(request, StepForm(initial=_step_initial(step), **choices), error)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Step {step.number} saved")
                return redirect(
                    f"{reverse('actions:action', args=[step.action_id])}#step-{step.pk}"
                )
    else:
        form = StepForm(initial=_step_initial(step), **choices)
    return render(
        request,
        "actions/step_edit.html",
        {"plan": plan, "step": step, "form": form, "nav_section": NAV},
    )


@login_required
@require_http_methods(["GET", "POST"])
def progress_add_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add a dated progress update with its RAG to a step: the lead agency's staff, the
    owner and the owning agency's coordinators."""
    step = step_for(request, pk)
    plan = step.action.objective.plan
    require(request, may_update_step(request.user, step), object_type=STEP, object_id=step.pk)
    today = timezone.localdate()
    if request.method == "POST":
        form = ProgressForm(request.POST)
        if form.is_valid():
            try:
                progress_add(actor=request.user, step=step, today=today, **form.cleaned_data)
            except PermissionDenied:
                forbid(request, object_type=STEP, object_id=step.pk)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Update added to step {step.number}")
                return redirect(
                    f"{reverse('actions:action', args=[step.action_id])}#step-{step.pk}"
                )
    else:
        form = ProgressForm(initial={"written_on": today})
    return render(
        request,
        "actions/progress_add.html",
        {
            "plan": plan,
            "step": step,
            "lead": step_lead(step, request.user),
            "form": form,
            "nav_section": NAV,
        },
    )
