"""The owner's pages that shape the plan: setting a plan up, the plan's outline with its
objectives, actions and steps to add, reword, reorder and remove, and archiving the plan.

Plans the user does not see answer 404 (logged); a plan the user sees but may not edit
answers 403 (logged). Removing asks to confirm on a page of its own, saying what goes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import require
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Agency
from actions.forms.plans import (
    MoveToObjectiveForm,
    NewActionForm,
    NewObjectiveForm,
    NewPlanForm,
    NewStepForm,
    ObjectiveForm,
)
from actions.models import Action, ActionPlan, ActionStep, Objective
from actions.permissions import may_create_plans, may_edit_plan, may_manage_plan
from actions.selectors.plans import (
    ACTION,
    OBJECTIVE,
    PLAN,
    STEP,
    action_for,
    objective_for,
    plan_for,
    step_for,
)
from actions.services.plans import StaleEdit, plan_create, version_of
from actions.services.structure import (
    Item,
    action_add,
    action_move_to,
    item_move,
    item_remove,
    objective_add,
    objective_update,
    order_fingerprint,
    order_of,
    plan_archive,
    removal_counts,
    step_add,
)
from actions.views.plans import NAV, step_choices
from core.forms import add_service_errors

NOT_SENT_IN_FULL = "The form was not sent in full, so nothing was changed: open the page again"


def _editor_only(request: AuthenticatedHttpRequest, plan: ActionPlan, object_type: str, pk: int):
    require(request, may_edit_plan(request.user, plan), object_type=object_type, object_id=pk)


def _outline_url(plan_id: int, anchor: str = "") -> str:
    url = reverse("actions:plan-outline", args=[plan_id])
    return f"{url}#{anchor}" if anchor else url


# --- A new plan -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A coordinator sets up a plan for their partnership; they own it."""
    require(request, may_create_plans(request.user), object_type=PLAN, object_id="new")
    agencies = list(Agency.objects.filter(active=True).order_by("name"))
    form = NewPlanForm(
        request.POST or None,
        agencies=agencies,
        initial={"needs_update_days": 60, "agencies": [str(request.user.agency_id)]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = plan_create(actor=request.user, **form.service_values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Plan created. Add its objectives, actions and steps.")
            return redirect(_outline_url(plan.pk))
    return render(request, "actions/plan_new.html", {"form": form, "nav_section": NAV})


# --- The outline ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_outline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Every objective, action and step, with the owner's controls, and a form for a new
    objective at the end."""
    plan = plan_for(request, pk)
    _editor_only(request, plan, PLAN, plan.pk)
    form = NewObjectiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            objective = objective_add(
                actor=request.user, plan=plan, title=form.cleaned_data["title"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Objective {objective.number} added")
            return redirect(_outline_url(plan.pk, f"objective-{objective.pk}"))
    objectives = list(
        plan.objectives.order_by("number").prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.order_by("number").prefetch_related(
                    Prefetch("steps", queryset=ActionStep.objects.order_by("number"))
                ),
            )
        )
    )
    return render(
        request,
        "actions/plan_outline.html",
        {
            "plan": plan,
            "objectives": _with_orders(objectives),
            "form": form,
            "nav_section": NAV,
        },
    )


def _with_orders(objectives: list[Objective]) -> list[dict[str, Any]]:
    """The outline with each level's order fingerprint, computed from what is drawn (so the
    page asks no query per item)."""

    def fingerprint(items: list) -> str:
        return order_fingerprint(item.pk for item in items)

    rows = []
    objective_order = fingerprint(objectives)
    for index, objective in enumerate(objectives):
        actions = list(objective.actions.all())
        action_order = fingerprint(actions)
        rows.append(
            {
                "objective": objective,
                "order": objective_order,
                "first": index == 0,
                "last": index == len(objectives) - 1,
                "actions": [
                    {
                        "action": action,
                        "order": action_order,
                        "first": a_index == 0,
                        "last": a_index == len(actions) - 1,
                        "steps": [
                            {
                                "step": step,
                                "first": s_index == 0,
                                "last": s_index == len(steps) - 1,
                            }
                            for steps in [list(action.steps.all())]
                            for s_index, step in enumerate(steps)
                        ],
                        "step_order": fingerprint(list(action.steps.all())),
                    }
                    for a_index, action in enumerate(actions)
                ],
            }
        )
    return rows


# --- Objectives -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def objective_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    objective = objective_for(request, pk)
    plan = objective.plan
    _editor_only(request, plan, OBJECTIVE, objective.pk)
    initial = {"version": version_of(objective), "title": objective.title}
    form = ObjectiveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            objective_update(
                actor=request.user,
                objective=objective,
                title=form.cleaned_data["title"],
                seen_version=form.cleaned_data["version"],
            )
        except StaleEdit as error:
            objective.refresh_from_db()
            messages.error(request, error.messages[0])
            form = ObjectiveForm(
                initial={"version": version_of(objective), "title": objective.title}
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Objective {objective.number} saved")
            return redirect(_outline_url(plan.pk, f"objective-{objective.pk}"))
    return render(
        request,
        "actions/objective_edit.html",
        {"plan": plan, "objective": objective, "form": form, "nav_section": NAV},
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A new action at the end of an objective."""
    objective = objective_for(request, pk)
    plan = objective.plan
    _editor_only(request, plan, OBJECTIVE, objective.pk)
    form = NewActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action = action_add(actor=request.user, objective=objective, **form.service_values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Action {objective.number}.{action.number} added. Now add its steps."
            )
            return redirect(_outline_url(plan.pk, f"action-{action.pk}"))
    return render(
        request,
        "actions/action_new.html",
        {"plan": plan, "objective": objective, "form": form, "nav_section": NAV},
    )


@login_required
@require_http_methods(["GET", "POST"])
def step_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A new step at the end of an action."""
    action = action_for(request, pk)
    plan = action.objective.plan
    _editor_only(request, plan, ACTION, action.pk)
    choices = step_choices(plan)
    form = NewStepForm(request.POST or None, **choices)
    if request.method == "POST" and form.is_valid():
        try:
            step = step_add(actor=request.user, action=action, **form.service_values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Step {step.number} added")
            return redirect(_outline_url(plan.pk, f"action-{action.pk}"))
    return render(
        request,
        "actions/step_new.html",
        {"plan": plan, "action": action, "form": form, "nav_section": NAV},
    )


# --- Moving and removing --------------------------------------------------------------------


def _item(request: AuthenticatedHttpRequest, kind: str, pk: int) -> tuple[Item, ActionPlan, str]:
    """The objective, action or step named in the address, its plan and its object type."""
    if kind == "objective":
        objective = objective_for(request, pk)
        return objective, objective.plan, OBJECTIVE
    if kind == "action":
        action = action_for(request, pk)
        return action, action.objective.plan, ACTION
    step = step_for(request, pk)
    return step, step.action.objective.plan, STEP


def _anchor(item: Item) -> str:
    if isinstance(item, Objective):
        return f"objective-{item.pk}"
    if isinstance(item, Action):
        return f"action-{item.pk}"
    return f"action-{item.action_id}"


@login_required
@require_POST
def item_move_view(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    """Move an objective, action or step up or down one place."""
    item, plan, object_type = _item(request, kind, pk)
    _editor_only(request, plan, object_type, item.pk)
    if not request.POST.get("order"):
        messages.error(request, NOT_SENT_IN_FULL)
        return redirect(_outline_url(plan.pk))
    try:
        item_move(
            actor=request.user,
            item=item,
            up=request.POST.get("direction") == "up",
            seen_order=request.POST.get("order") or None,
        )
    except StaleEdit as error:
        messages.error(request, error.messages[0])
    return redirect(_outline_url(plan.pk, _anchor(item)))


@login_required
@require_http_methods(["GET", "POST"])
def action_move_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Move an action to another objective of the plan (to the end of its actions)."""
    action = action_for(request, pk)
    plan = action.objective.plan
    _editor_only(request, plan, ACTION, action.pk)
    objectives = list(plan.objectives.order_by("number"))
    form = MoveToObjectiveForm(
        request.POST or None,
        objectives=objectives,
        initial={"objective": str(action.objective_id), "order": order_of(action)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            moved = action_move_to(
                actor=request.user,
                action=action,
                objective=form.objectives[form.cleaned_data["objective"]],
                seen_order=form.cleaned_data["order"] or None,
            )
        except StaleEdit as error:
            messages.error(request, error.messages[0])
            return redirect(_outline_url(plan.pk, f"action-{action.pk}"))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Action moved. It is now action {moved.objective.number}.{moved.number}"
            )
            return redirect(_outline_url(plan.pk, f"action-{moved.pk}"))
    return render(
        request,
        "actions/action_move.html",
        {"plan": plan, "action": action, "form": form, "nav_section": NAV},
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_remove_view(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    """Ask to confirm, saying what goes with the item; then remove it."""
    item, plan, object_type = _item(request, kind, pk)
    _editor_only(request, plan, object_type, item.pk)
    error = ""
    if request.method == "POST" and not request.POST.get("order"):
        error = NOT_SENT_IN_FULL
    elif request.method == "POST":
        try:
            item_remove(actor=request.user, item=item, seen_order=request.POST.get("order") or None)
        except StaleEdit as stale:
            messages.error(request, stale.messages[0])
            return redirect(_outline_url(plan.pk))
        except ValidationError as refused:
            error = refused.messages[0]
        else:
            messages.success(request, "Removed. The numbers after it have closed up.")
            return redirect(_outline_url(plan.pk))
    return render(
        request,
        "actions/item_remove.html",
        {
            "plan": plan,
            "item": item,
            "kind": kind,
            "counts": removal_counts(item),
            "order": order_of(item),
            "error": error,
            "nav_section": NAV,
        },
    )


# --- Archiving ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_archive_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Archive the plan, or bring it back, after a page that says what archiving means."""
    plan = plan_for(request, pk)
    require(request, may_manage_plan(request.user, plan), object_type=PLAN, object_id=plan.pk)
    error = ""
    wanted = request.POST.get("archive")
    if request.method == "POST" and wanted != ("no" if plan.archived else "yes"):
        # Only the page's own button, for the plan as the page showed it, changes anything.
        error = "The plan changed after you opened the page, or the form was not sent in full"
    elif request.method == "POST":
        archive = wanted == "yes"
        plan_archive(actor=request.user, plan=plan, archive=archive)
        messages.success(
            request,
            "Plan archived. It stays here to read and download."
            if archive
            else "Plan brought back. It can be changed and updated again.",
        )
        return redirect("actions:plan", pk=plan.pk)
    return render(
        request, "actions/plan_archive.html", {"plan": plan, "error": error, "nav_section": NAV}
    )
