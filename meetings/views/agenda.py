"""The agenda builder (coordinators), sharing the agenda with member agencies, and the
agenda pack PDF.

The builder suggests people for the meeting, each with the reason, and the coordinator
adds them in one click, adds anyone else on the cohort with a reason of their own, edits
reasons, reorders with up and down buttons (plain forms: no script needed) and removes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import require
from accounts.audit import log_access_many
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Purpose
from accounts.reauth import reauthentication_required
from core.forms import add_service_errors
from meetings.forms.meetings import AgendaAddForm, AgendaItemForm
from meetings.models import AgendaReason, Meeting
from meetings.pack import agenda_pack_contents, render_agenda_pack
from meetings.permissions import agenda_visible
from meetings.selectors.agenda import SUGGESTED_REASONS, AgendaBuilder, agenda_builder
from meetings.selectors.meetings import (
    AGENDA_ITEM,
    MEETING,
    agenda_item_for,
    agenda_open,
    agenda_rows,
    meeting_for,
    person_name,
)
from meetings.services.agenda import (
    NewItem,
    agenda_item_add,
    agenda_item_change,
    agenda_item_move,
    agenda_item_remove,
    agenda_items_add,
    agenda_share,
)
from meetings.views.meetings import confirmed
from offenders.selectors import NOMINAL
from panels.permissions import can_coordinate


def _to_builder(meeting: Meeting, anchor: str = "") -> HttpResponse:
    url = reverse("meetings:agenda", args=[meeting.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _builder_page(
    request: AuthenticatedHttpRequest,
    meeting: Meeting,
    *,
    form: AgendaAddForm | None = None,
    builder: AgendaBuilder | None = None,
) -> HttpResponse:
    """The builder: the agenda so far, the suggestions and the "add someone else" form,
    in a fixed number of queries however large the cohort."""
    user = request.user
    is_open = agenda_open(meeting)
    rows = agenda_rows(user, meeting)
    if builder is None and is_open:
        builder = agenda_builder(user, meeting)
    if form is None and builder is not None:
        form = AgendaAddForm(addable=builder.addable)
    named = [row.item.nominal_id for row in rows if row.visible]
    if builder is not None:
        named += [nominal.pk for nominal in builder.addable]
    log_access_many(
        request=request, object_type=NOMINAL, object_ids=named, purpose=Purpose.PANEL_PREPARATION
    )
    return render(
        request,
        "meetings/meetings/agenda_builder.html",
        {
            "meeting": meeting,
            "panel": meeting.panel,
            "rows": rows,
            "builder": builder,
            "form": form,
            "agenda_open": is_open,
            "nav_section": "Panels",
        },
    )


def _coordinated_meeting(request: AuthenticatedHttpRequest, pk: int) -> Meeting:
    meeting = meeting_for(request, pk)
    require(
        request,
        can_coordinate(request.user, meeting.panel),
        object_type=MEETING,
        object_id=meeting.pk,
    )
    return meeting


@login_required
@require_safe
def agenda_builder_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _coordinated_meeting(request, pk)
    return _builder_page(request, meeting)


@login_required
@require_POST
def agenda_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add one person: a suggestion's button, or "add someone else" with a reason."""
    meeting = _coordinated_meeting(request, pk)
    if not agenda_open(meeting):
        messages.info(
            request,
            f"The agenda cannot change: the meeting is {meeting.get_status_display().lower()}",
        )
        return _to_builder(meeting)
    builder = agenda_builder(request.user, meeting)
    form = AgendaAddForm(request.POST, addable=builder.addable)
    if form.is_valid():
        try:
            item = agenda_item_add(
                actor=request.user,
                meeting=meeting,
                nominal=form.person,
                reason=form.cleaned_data["reason"],
                reason_detail=form.cleaned_data["reason_detail"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{item.nominal.full_name} added to the agenda")
            return _to_builder(meeting, "agenda")
    return _builder_page(request, meeting, form=form, builder=builder)


@login_required
@require_POST
def agenda_add_all(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add everyone suggested for one reason, in the order they are listed."""
    meeting = _coordinated_meeting(request, pk)
    reason = request.POST.get("reason", "")
    if reason not in SUGGESTED_REASONS:
        raise BadRequest
    group = agenda_builder(request.user, meeting).group(reason) if agenda_open(meeting) else None
    if group is None:
        messages.info(request, f"Nobody is suggested for “{AgendaReason(reason).label}” now")
        return _to_builder(meeting)
    try:
        added = agenda_items_add(
            actor=request.user,
            meeting=meeting,
            entries=[
                NewItem(nominal=s.nominal, reason=s.reason, reason_detail=s.detail)
                for s in group.suggestions
            ],
        )
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
        return _to_builder(meeting)
    people = "1 person" if len(added) == 1 else f"{len(added)} people"
    messages.success(request, f"{people} added to the agenda: {group.label}")
    return _to_builder(meeting, "agenda")


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change why a person is on the agenda."""
    item = agenda_item_for(request, pk)
    meeting = item.meeting
    require(
        request,
        can_coordinate(request.user, meeting.panel),
        object_type=AGENDA_ITEM,
        object_id=item.pk,
    )
    form = AgendaItemForm(
        request.POST if request.method == "POST" else None,
        initial={"reason": item.reason, "reason_detail": item.reason_detail},
    )
    if request.method == "POST" and form.is_valid():
        try:
            agenda_item_change(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Reason changed for {person_name(request.user, item.nominal)}"
            )
            return _to_builder(meeting, "agenda")
    name = person_name(request.user, item.nominal)
    if name == item.nominal.full_name:
        log_access_many(
            request=request,
            object_type=NOMINAL,
            object_ids=[item.nominal_id],
            purpose=Purpose.PANEL_PREPARATION,
        )
    return render(
        request,
        "meetings/meetings/agenda_item_edit.html",
        {"item": item, "name": name, "meeting": meeting, "panel": meeting.panel, "form": form},
    )


@login_required
@require_POST
def agenda_item_move_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = agenda_item_for(request, pk)
    require(
        request,
        can_coordinate(request.user, item.meeting.panel),
        object_type=AGENDA_ITEM,
        object_id=item.pk,
    )
    direction = request.POST.get("direction", "")
    if direction not in ("up", "down"):
        raise BadRequest
    try:
        moved = agenda_item_move(actor=request.user, item=item, direction=direction)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        if moved:
            messages.success(
                request, f"{person_name(request.user, item.nominal)} moved {direction}"
            )
    return _to_builder(item.meeting, "agenda")


@login_required
@require_POST
def agenda_item_remove_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = agenda_item_for(request, pk)
    require(
        request,
        can_coordinate(request.user, item.meeting.panel),
        object_type=AGENDA_ITEM,
        object_id=item.pk,
    )
    confirmed(request, "remove")
    try:
        agenda_item_remove(actor=request.user, item=item)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"{person_name(request.user, item.nominal)} removed from the agenda"
        )
    return _to_builder(item.meeting, "agenda")


@login_required
@require_POST
def agenda_share_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Share the agenda: member agencies' staff then see it on the meeting's page."""
    meeting = _coordinated_meeting(request, pk)
    confirmed(request, "share")
    try:
        agenda_share(actor=request.user, meeting=meeting)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "Agenda shared: staff of the panel's member agencies can now see it on this page",
        )
    return redirect("meetings:meeting", pk=meeting.pk)


@login_required
@reauthentication_required
@require_safe
def agenda_pack(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The agenda pack as a PDF download: a summary page for each person on the agenda
    the user may see, and a line saying whom to contact for anyone else."""
    meeting = meeting_for(request, pk)
    require(
        request, agenda_visible(request.user, meeting), object_type=MEETING, object_id=meeting.pk
    )
    pack = agenda_pack_contents(request.user, meeting, today=timezone.localdate())
    log_access_many(
        request=request,
        object_type=NOMINAL,
        object_ids=pack.included,
        purpose=Purpose.PANEL_PREPARATION,
    )
    name = slugify(f"{meeting.panel.name} {meeting.get_kind_display()} {meeting.date:%Y-%m-%d}")
    response = HttpResponse(render_agenda_pack(pack), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="agenda-pack-{name}.pdf"'
    return response
