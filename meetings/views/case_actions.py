"""Case actions: the list of "my agency's actions", each action's page, progress updates
and marking done (the owning agency's staff or the coordinator), and changing or
cancelling (the panel's coordinator).

Actions of panels the user does not see answer 404; an action the user sees but may not
change answers 403.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import require
from accounts.audit import log_access, log_access_many
from accounts.http import AuthenticatedHttpRequest
from accounts.models import ObjectType, Purpose
from accounts.permissions import user_may_see_casework
from core.forms import add_service_errors
from meetings.forms.meeting_mode import (
    ActionCancelForm,
    ActionChangeForm,
    ActionDoneForm,
    ActionFilterForm,
    ActionUpdateForm,
)
from meetings.models import CaseAction, CaseActionStatus
from meetings.permissions import may_report_on, owner_name_for
from meetings.selectors.case_actions import (
    CASE_ACTION,
    VisibleCaseAction,
    case_action_for,
    case_action_history,
    case_actions_for,
)
from meetings.selectors.meeting_mode import action_owner_agencies, action_owner_staff
from meetings.services.case_actions import (
    case_action_add_update,
    case_action_cancel,
    case_action_change,
    case_action_complete,
)
from panels.models import Panel
from panels.permissions import can_coordinate

PAGE_SIZE = 50
NOMINAL = ObjectType.NOMINAL


@login_required
@require_safe
def action_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"nav_section": "Panels", "today": timezone.localdate()}
    if not user_may_see_casework(request.user):
        # Committee officers and system administrators read no case data.
        return render(request, "meetings/actions/list.html", context)
    panels = list(Panel.objects.visible_to(request.user).order_by("name"))
    form = ActionFilterForm(request.GET or None, panels=panels)
    filters = form.filters() if request.GET else {"scope": "mine", "status": "", "panel": None}
    page: Page[VisibleCaseAction] = Paginator(
        case_actions_for(request.user, **filters), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    # The actions name the people they are about: a read of each one's personal data.
    log_access_many(
        request=request,
        object_type=NOMINAL,
        object_ids=[action.nominal_id for action in page if action.person_visible],
        purpose=Purpose.CASE_MANAGEMENT,
    )
    # Each action beside its owner's name as this user may read it.
    rows = [(action, owner_name_for(action, request.user)) for action in page]
    query = urlencode({key: value for key, value in filters.items() if value})
    context |= {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": rows,
        "query": query,
        "may_list": True,
    }
    return render(request, "meetings/actions/list.html", context)


def _log_read(request: AuthenticatedHttpRequest, action: VisibleCaseAction) -> None:
    """The action, and the person it is about when the page names them."""
    log_access(request=request, object_type=CASE_ACTION, object_id=action.pk)
    if action.person_visible:
        log_access(
            request=request,
            object_type=NOMINAL,
            object_id=action.nominal_id,
            purpose=Purpose.CASE_MANAGEMENT,
        )


def _detail_page(
    request: AuthenticatedHttpRequest, action: VisibleCaseAction, **forms: Form
) -> HttpResponse:
    user = request.user
    reporting = may_report_on(user, action) and action.status == CaseActionStatus.OPEN
    _log_read(request, action)
    today = timezone.localdate()
    coordinates = can_coordinate(user, action.panel)
    return render(
        request,
        "meetings/actions/detail.html",
        {
            "action": action,
            "owner_name": owner_name_for(action, user, coordinates=coordinates),
            "history": case_action_history(action, user),
            "reporting": reporting,
            "coordinates": coordinates,
            "done_form": forms.get("done_form") or ActionDoneForm(initial={"completed_on": today}),
            "update_form": forms.get("update_form") or ActionUpdateForm(),
            "today": today,
            "nav_section": "Panels",
        },
    )


@login_required
@require_safe
def action_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, case_action_for(request, pk))


def _reporter_only(request: AuthenticatedHttpRequest, action: CaseAction) -> None:
    require(
        request, may_report_on(request.user, action), object_type=CASE_ACTION, object_id=action.pk
    )


@login_required
@require_POST
def action_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = case_action_for(request, pk)
    _reporter_only(request, action)
    form = ActionDoneForm(request.POST)
    if form.is_valid():
        try:
            case_action_complete(
                actor=request.user,
                action=action,
                completed_on=form.cleaned_data["completed_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Action marked as done")
            return redirect("meetings:case-action", pk=action.pk)
    return _detail_page(request, action, done_form=form)


@login_required
@require_POST
def action_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = case_action_for(request, pk)
    _reporter_only(request, action)
    form = ActionUpdateForm(request.POST)
    if form.is_valid():
        try:
            case_action_add_update(
                actor=request.user, action=action, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Update added")
            return redirect("meetings:case-action", pk=action.pk)
    return _detail_page(request, action, update_form=form)


def _change_page(
    request: AuthenticatedHttpRequest,
    action: VisibleCaseAction,
    form: ActionChangeForm | None = None,
    cancel_form: ActionCancelForm | None = None,
) -> HttpResponse:
    if form is None:
        agencies = action_owner_agencies(action.panel)
        form = ActionChangeForm(
            initial={
                "description": action.description,
                "owner_agency": action.owner_agency_id,
                "owner": action.owner_id,
                "due": action.due,
            },
            agencies=agencies,
            staff=action_owner_staff(agencies),
        )
    _log_read(request, action)
    return render(
        request,
        "meetings/actions/change.html",
        {
            "action": action,
            "form": form,
            "cancel_form": cancel_form or ActionCancelForm(),
            "open": action.status == CaseActionStatus.OPEN,
            "nav_section": "Panels",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_change(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = case_action_for(request, pk)
    require(
        request,
        can_coordinate(request.user, action.panel),
        object_type=CASE_ACTION,
        object_id=action.pk,
    )
    if request.method == "GET":
        return _change_page(request, action)
    agencies = action_owner_agencies(action.panel)
    form = ActionChangeForm(
        request.POST, agencies=agencies, staff=action_owner_staff(agencies), action=action
    )
    if form.is_valid():
        try:
            case_action_change(actor=request.user, action=action, data=form.action())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Action changed")
            return redirect("meetings:case-action", pk=action.pk)
    return _change_page(request, action, form=form)


@login_required
@require_POST
def action_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = case_action_for(request, pk)
    require(
        request,
        can_coordinate(request.user, action.panel),
        object_type=CASE_ACTION,
        object_id=action.pk,
    )
    form = ActionCancelForm(request.POST)
    if form.is_valid():
        try:
            case_action_cancel(
                actor=request.user, action=action, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Action cancelled")
            return redirect("meetings:case-action", pk=action.pk)
    return _change_page(request, action, cancel_form=form)
