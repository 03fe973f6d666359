"""Meeting mode: the panel's coordinator runs a meeting (attendance, then each agenda
item's notes, RAG decision, escalation and case actions) and closes it by publishing the
minutes, which staff of the agencies that see the panel then read.

Meetings and items the user may not see answer 404; those they see but may not run
(partners of the panel's agencies) answer 403. Every page works without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import require
from accounts.audit import log_access, log_access_many
from accounts.http import AuthenticatedHttpRequest
from accounts.models import ObjectType, Purpose
from core.forms import add_service_errors
from meetings.forms.meeting_mode import (
    ACTION_FIELDS,
    AttendanceForm,
    ItemForm,
    PublishForm,
)
from meetings.minutes import build_minutes, minutes_for_reader, stored_minutes
from meetings.models import Meeting, MeetingStatus
from meetings.selectors.meeting_mode import (
    AGENDA_ITEM,
    MEETING,
    action_owner_agencies,
    action_owner_staff,
    agenda_item_for,
    attendance_rows,
    item_actions,
    meeting_agencies,
    meeting_agenda,
    neighbouring_items,
)
from meetings.selectors.meetings import VisibleAgendaItem, meeting_for
from meetings.services.meeting_mode import (
    agenda_item_record,
    attendance_record,
    meeting_open_for_recording,
    minutes_publish,
)
from panels.permissions import can_coordinate

NOMINAL = ObjectType.NOMINAL


def _meeting_page(
    request: AuthenticatedHttpRequest,
    meeting: Meeting,
    *,
    attendance_form: AttendanceForm | None = None,
    refused: str = "",
) -> HttpResponse:
    agencies = meeting_agencies(meeting.panel)
    closed = meeting_open_for_recording(meeting, today=timezone.localdate())
    rows = attendance_rows(meeting, agencies)
    if attendance_form is None and not closed:
        initial = {}
        for row in rows:
            initial[f"{row.agency.code}-status"] = row.status
            initial[f"{row.agency.code}-attendees"] = row.attendees
        attendance_form = AttendanceForm(agencies=agencies, initial=initial)
    items = meeting_agenda(meeting, request.user)
    # The agenda names the people on it: a read of each one's personal data.
    log_access(request=request, object_type=MEETING, object_id=meeting.pk)
    log_access_many(
        request=request,
        object_type=NOMINAL,
        object_ids=[item.nominal_id for item in items if item.person_visible],
        purpose=Purpose.PANEL_PREPARATION,
    )
    return render(
        request,
        "meetings/meeting_mode/meeting.html",
        {
            "meeting": meeting,
            "panel": meeting.panel,
            "closed": closed,
            "refused": refused,
            "attendance": rows,
            "form": attendance_form if not closed else None,
            "items": items,
            "discussed_count": sum(1 for item in items if item.discussed),
            "nav_section": "Panels",
        },
    )


@login_required
@require_safe
def meeting_mode(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk)
    require(
        request,
        can_coordinate(request.user, meeting.panel),
        object_type=MEETING,
        object_id=meeting.pk,
    )
    return _meeting_page(request, meeting)


@login_required
@require_POST
def meeting_attendance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk)
    require(
        request,
        can_coordinate(request.user, meeting.panel),
        object_type=MEETING,
        object_id=meeting.pk,
    )
    closed = meeting_open_for_recording(meeting, today=timezone.localdate())
    if closed:
        return _meeting_page(request, meeting, refused=closed)
    form = AttendanceForm(request.POST, agencies=meeting_agencies(meeting.panel))
    if form.is_valid():
        try:
            attendance_record(actor=request.user, meeting=meeting, entries=form.entries())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Attendance recorded")
            return redirect("meetings:meeting-mode", pk=meeting.pk)
    return _meeting_page(request, meeting, attendance_form=form)


def _item_page(
    request: AuthenticatedHttpRequest,
    item: VisibleAgendaItem,
    form: ItemForm | None,
    *,
    refused: str = "",
) -> HttpResponse:
    meeting = item.meeting
    closed = meeting_open_for_recording(meeting, today=timezone.localdate())
    previous_pk, next_pk = neighbouring_items(item)
    if item.person_visible:
        log_access(
            request=request,
            object_type=NOMINAL,
            object_id=item.nominal_id,
            purpose=Purpose.PANEL_PREPARATION,
        )
    return render(
        request,
        "meetings/meeting_mode/item.html",
        {
            "item": item,
            "meeting": meeting,
            "panel": meeting.panel,
            "form": None if closed else form,
            "closed": closed,
            "refused": refused,
            "actions": item_actions(item),
            "previous_pk": previous_pk,
            "next_pk": next_pk,
            "today": timezone.localdate(),
            "nav_section": "Panels",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_item(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = agenda_item_for(request, pk)
    meeting = item.meeting
    require(
        request,
        can_coordinate(request.user, meeting.panel),
        object_type=AGENDA_ITEM,
        object_id=item.pk,
    )
    agencies = action_owner_agencies(meeting.panel)
    staff = action_owner_staff(agencies)
    closed = meeting_open_for_recording(meeting, today=timezone.localdate())
    if request.method == "GET" or closed:
        form = ItemForm(
            initial=ItemForm.initial_for(item), item=item, agencies=agencies, staff=staff
        )
        return _item_page(request, item, form, refused=closed if request.method == "POST" else "")

    form = ItemForm(request.POST, item=item, agencies=agencies, staff=staff)
    if form.is_valid():
        action = form.action()
        try:
            agenda_item_record(actor=request.user, item=item, outcome=form.outcome(), action=action)
        except ValidationError as error:
            add_service_errors(form, error, names=ACTION_FIELDS)
        else:
            person = item.nominal.full_name if item.person_visible else f"Item {item.position}"
            messages.success(
                request,
                f"{person}: outcome saved" + (" and action set" if action else ""),
            )
            _, next_pk = neighbouring_items(item)
            then = request.POST.get("then", "")
            if then == "next" and next_pk is not None:
                return redirect("meetings:meeting-mode-item", pk=next_pk)
            if then == "next" or then == "meeting":
                return redirect("meetings:meeting-mode", pk=meeting.pk)
            return redirect(reverse("meetings:meeting-mode-item", args=[item.pk]) + "#actions")
    return _item_page(request, item, form)


def _minutes_page(
    request: AuthenticatedHttpRequest, meeting: Meeting, form: PublishForm | None = None
) -> HttpResponse:
    coordinates = can_coordinate(request.user, meeting.panel)
    draft = False
    minutes = None
    if meeting.minutes_published_on:
        minutes = minutes_for_reader(
            stored_minutes(meeting), request.user, names_all_staff=coordinates
        )
    elif coordinates and meeting.status != MeetingStatus.CANCELLED:
        draft = True
        minutes = minutes_for_reader(build_minutes(meeting), request.user, names_all_staff=True)
    if minutes is not None:
        # The minutes name the people discussed: a read of each one's personal data.
        log_access(request=request, object_type=MEETING, object_id=meeting.pk)
        log_access_many(
            request=request,
            object_type=NOMINAL,
            object_ids=[item.nominal for item in minutes.items if item.visible],
            purpose=Purpose.PANEL_PREPARATION,
        )
    closed = meeting_open_for_recording(meeting, today=timezone.localdate())
    return render(
        request,
        "meetings/meeting_mode/minutes.html",
        {
            "meeting": meeting,
            "panel": meeting.panel,
            "minutes": minutes,
            "draft": draft,
            "coordinates": coordinates,
            "closed": closed,
            "form": form or PublishForm(),
            "can_publish": draft and not closed,
            "nav_section": "Panels",
        },
    )


@login_required
@require_safe
def meeting_minutes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _minutes_page(request, meeting_for(request, pk))


@login_required
@require_POST
def meeting_minutes_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk)
    require(
        request,
        can_coordinate(request.user, meeting.panel),
        object_type=MEETING,
        object_id=meeting.pk,
    )
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            minutes_publish(actor=request.user, meeting=meeting)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "The meeting is closed and its minutes are published to the agencies "
                "that see the panel",
            )
            return redirect("meetings:meeting-minutes", pk=meeting.pk)
    return _minutes_page(request, meeting, form)
