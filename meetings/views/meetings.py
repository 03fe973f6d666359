"""A panel's meetings: the rules it meets by, its meetings (upcoming and past), one
meeting's page with its agenda, and moving or cancelling a meeting.

Everyone who sees the panel sees its meetings. Only the panel's coordinators change the
rules or move and cancel meetings; others who see the panel get 403 for those.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import require
from accounts.audit import log_access, log_access_many
from accounts.http import AuthenticatedHttpRequest
from accounts.models import ObjectType, Purpose
from core.forms import add_service_errors
from meetings.forms.meetings import MeetingCancelForm, MeetingMoveForm, MeetingRuleForm
from meetings.models import Meeting, MeetingStatus
from meetings.permissions import agenda_visible
from meetings.selectors.meetings import (
    MEETING,
    MEETING_RULE,
    agenda_open,
    agenda_rows,
    meeting_for,
    meeting_rule_for,
    panel_rules,
    past_meetings,
    upcoming_meetings,
)
from meetings.services.meetings import (
    meeting_cancel,
    meeting_move,
    meeting_rule_add,
    meeting_rule_stop,
)
from offenders.selectors import NOMINAL
from panels.permissions import can_coordinate
from panels.selectors import panel_for

PANEL = ObjectType.PANEL
MEETINGS_PAGE_SIZE = 20


def confirmed(request: AuthenticatedHttpRequest, name: str) -> None:
    """A one-button action sends its button's value; a POST without it changes nothing."""
    if request.POST.get(name) != "yes":
        raise BadRequest


@login_required
@require_http_methods(["GET", "POST"])
def meeting_rules(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The rules the panel meets by; its coordinators add a rule here."""
    panel = panel_for(request, pk)
    coordinates = can_coordinate(request.user, panel)
    if request.method == "POST":
        require(request, can_coordinate(request.user, panel), object_type=PANEL, object_id=panel.pk)
    form = MeetingRuleForm(
        request.POST if request.method == "POST" else None,
        initial={"kind": "main", "week": 1, "weekday": 2, "starts_at": "10:00"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            rule, created = meeting_rule_add(actor=request.user, panel=panel, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            made = f"{created} meeting{'' if created == 1 else 's'} added ahead"
            messages.success(request, f"Rule added: {rule}. {made}.")
            return redirect("meetings:meeting-rules", pk=panel.pk)
    return render(
        request,
        "meetings/meetings/rules.html",
        {
            "panel": panel,
            "rules": panel_rules(panel),
            "form": form,
            "coordinates": coordinates,
            "nav_section": "Panels",
        },
    )


@login_required
@require_POST
def meeting_rule_stop_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rule = meeting_rule_for(request, pk)
    require(
        request,
        can_coordinate(request.user, rule.panel),
        object_type=MEETING_RULE,
        object_id=rule.pk,
    )
    confirmed(request, "stop")
    try:
        removed, kept = meeting_rule_stop(actor=request.user, rule=rule)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        text = f"Rule stopped: {rule}. No more meetings will be made from it."
        if removed:
            text += f" {removed} future meeting{'' if removed == 1 else 's'} with nothing planned removed."
        if kept:
            text += (
                f" {kept} future meeting{' was' if kept == 1 else 's were'} kept because work "
                "has started on them: cancel them from their pages if they will not take place."
            )
        messages.success(request, text)
    return redirect("meetings:meeting-rules", pk=rule.panel_id)


def _meeting_list(request: AuthenticatedHttpRequest, pk: int, *, past: bool) -> HttpResponse:
    panel = panel_for(request, pk)
    today = timezone.localdate()
    meetings = past_meetings(panel, today=today) if past else upcoming_meetings(panel, today=today)
    page = Paginator(meetings, MEETINGS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/meetings/meeting_list.html",
        {
            "panel": panel,
            "page": page,
            "past": past,
            "rules": [rule for rule in panel_rules(panel) if rule.active],
            "coordinates": can_coordinate(request.user, panel),
            "nav_section": "Panels",
        },
    )


@login_required
@require_safe
def meeting_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The panel's meetings from today on, soonest first."""
    return _meeting_list(request, pk, past=False)


@login_required
@require_safe
def meeting_list_past(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The panel's earlier meetings, most recent first."""
    return _meeting_list(request, pk, past=True)


@login_required
@require_safe
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One meeting: when and where, whether it moved or was cancelled, and its agenda for
    those who may see it (the coordinating agency always; members once it is shared)."""
    meeting = meeting_for(request, pk)
    log_access(request=request, object_type=MEETING, object_id=meeting.pk)
    user = request.user
    shows_agenda = agenda_visible(user, meeting)
    rows = agenda_rows(user, meeting) if shows_agenda else []
    log_access_many(
        request=request,
        object_type=NOMINAL,
        object_ids=[row.item.nominal_id for row in rows if row.visible],
        purpose=Purpose.PANEL_PREPARATION,
    )
    return render(
        request,
        "meetings/meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "panel": meeting.panel,
            "coordinates": can_coordinate(user, meeting.panel),
            "agenda_visible": shows_agenda,
            "agenda_open": agenda_open(meeting),
            "rows": rows,
            "moved_from": _moved_from(meeting),
            "nav_section": "Panels",
        },
    )


def _moved_from(meeting: Meeting) -> str:
    """How a moved meeting differs from when its rule set it, in words ("" if not moved)."""
    if meeting.status == MeetingStatus.CANCELLED or not meeting.status_reason:
        return ""
    if meeting.occurrence is None:
        return "Moved"
    if meeting.occurrence != meeting.date:
        return f"Moved from {meeting.occurrence:%-d %B %Y}"
    return "Moved to a different time"


@login_required
@require_http_methods(["GET", "POST"])
def meeting_move_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk)
    require(
        request,
        can_coordinate(request.user, meeting.panel),
        object_type=MEETING,
        object_id=meeting.pk,
    )
    form = MeetingMoveForm(
        request.POST if request.method == "POST" else None,
        initial={"date": meeting.date, "starts_at": meeting.starts_at.strftime("%H:%M")},
        meeting=meeting,
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting_move(
                actor=request.user,
                meeting=meeting,
                new_date=form.cleaned_data["date"],
                starts_at=form.cleaned_data["starts_at"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Meeting moved to {meeting.date:%-d %B %Y} at {meeting.starts_at:%H:%M}"
            )
            return redirect("meetings:meeting", pk=meeting.pk)
    return render(
        request,
        "meetings/meetings/meeting_move.html",
        {"meeting": meeting, "panel": meeting.panel, "form": form, "nav_section": "Panels"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk)
    require(
        request,
        can_coordinate(request.user, meeting.panel),
        object_type=MEETING,
        object_id=meeting.pk,
    )
    form = MeetingCancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_cancel(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Meeting cancelled")
            return redirect("meetings:meeting", pk=meeting.pk)
    return render(
        request,
        "meetings/meetings/meeting_cancel.html",
        {"meeting": meeting, "panel": meeting.panel, "form": form, "nav_section": "Panels"},
    )
