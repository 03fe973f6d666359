"""The agenda builder (coordinators), sharing the agenda with member agencies, and the
agenda pack PDF.

The builder shows how many people are suggested for the meeting for each reason; a group
opens in place (or on a page of its own without JavaScript), 25 people at a time, as one
form: the coordinator ticks whom to add, or adds everyone in it. A person picker searches
the cohort by name or identifier to add anyone else with a reason of the coordinator's
own. Reasons are edited, items reordered with up and down buttons (plain forms: no script
needed) and removed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
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
from meetings.forms.meetings import (
    AgendaAddForm,
    AgendaItemForm,
    PersonSearchForm,
    SuggestedAddForm,
)
from meetings.models import AgendaReason, Meeting
from meetings.pack import agenda_pack_contents, render_agenda_pack
from meetings.permissions import agenda_visible
from meetings.selectors.agenda import (
    PICKER_LIMIT,
    SUGGESTED_REASONS,
    Why,
    agenda_addable,
    agenda_people_search,
    agenda_suggested,
    agenda_suggestion_counts,
    suggestions_of,
)
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
from offenders.models import Nominal
from offenders.selectors import NOMINAL
from panels.permissions import can_coordinate

GROUP_PAGE_SIZE = 25


def _to_builder(meeting: Meeting, anchor: str = "") -> HttpResponse:
    url = reverse("meetings:agenda", args=[meeting.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _log_people(request: AuthenticatedHttpRequest, people: list[int]) -> None:
    """The people a page names, each a read of personal data for panel preparation."""
    log_access_many(
        request=request, object_type=NOMINAL, object_ids=people, purpose=Purpose.PANEL_PREPARATION
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
    """The builder: the agenda so far, how many people are suggested for each reason (their
    names load when a group is opened), and the person picker's search box. It names only
    the people on the agenda, so only they are logged as read."""
    meeting = _coordinated_meeting(request, pk)
    user = request.user
    is_open = agenda_open(meeting)
    rows = agenda_rows(user, meeting)
    counts = agenda_suggestion_counts(user, meeting) if is_open else None
    _log_people(request, [row.item.nominal_id for row in rows if row.visible])
    return render(
        request,
        "meetings/meetings/agenda_builder.html",
        {
            "meeting": meeting,
            "panel": meeting.panel,
            "rows": rows,
            "counts": counts,
            "search": PersonSearchForm(),
            "agenda_open": is_open,
            "nav_section": "Panels",
        },
    )


def _suggested_reason(reason: str) -> str:
    if reason not in SUGGESTED_REASONS:
        raise Http404
    return reason


def _group_page(
    request: AuthenticatedHttpRequest,
    meeting: Meeting,
    reason: str,
    people: list[tuple[int, Why]],
    *,
    form: SuggestedAddForm | None = None,
) -> HttpResponse:
    """One page of a group of suggestions, ticked boxes in one form. With htmx, only the
    group's part: the builder opens it in place, and "Show more" adds the next page's rows
    to the same form. Only the records of the people on the page are read, and logged."""
    page = Paginator(people, GROUP_PAGE_SIZE).get_page(request.GET.get("page"))
    suggestions = suggestions_of(reason, list(page.object_list))
    _log_people(request, [suggestion.nominal.pk for suggestion in suggestions])
    chosen = set(form.cleaned_data.get("nominal") or []) if form and form.is_bound else set()
    context = {
        "meeting": meeting,
        "panel": meeting.panel,
        "group": {"reason": reason, "label": AgendaReason(reason).label},
        "page": page,
        "suggestions": suggestions,
        "more": min(GROUP_PAGE_SIZE, page.paginator.count - page.end_index()),
        "chosen": chosen,
        "form": form or SuggestedAddForm(),
        "inline": bool(request.htmx),
        "nav_section": "Panels",
    }
    if request.htmx:
        return render(request, "meetings/meetings/agenda_group_part.html", context)
    return render(request, "meetings/meetings/agenda_group.html", context)


@login_required
@require_safe
def agenda_group(request: AuthenticatedHttpRequest, pk: int, reason: str) -> HttpResponse:
    """The people suggested for one reason, 25 at a time, with their reason's detail."""
    meeting = _coordinated_meeting(request, pk)
    reason = _suggested_reason(reason)
    if not agenda_open(meeting):
        return _to_builder(meeting)
    people = agenda_suggested(request.user, meeting).ids(reason)
    return _group_page(request, meeting, reason, people)


@login_required
@require_POST
def agenda_add_suggested(request: AuthenticatedHttpRequest, pk: int, reason: str) -> HttpResponse:
    """Add the people ticked in one group of suggestions, or everyone in it, in the order
    they are listed, each with the group's reason and its detail."""
    meeting = _coordinated_meeting(request, pk)
    reason = _suggested_reason(reason)
    label = AgendaReason(reason).label
    if not agenda_open(meeting):
        messages.info(
            request,
            f"The agenda cannot change: the meeting is {meeting.get_status_display().lower()}",
        )
        return _to_builder(meeting)
    people = agenda_suggested(request.user, meeting).ids(reason)
    form = SuggestedAddForm(request.POST)
    if not form.is_valid():
        return _group_page(request, meeting, reason, people, form=form)
    chosen = set(form.cleaned_data["nominal"])
    suggestions = suggestions_of(
        reason, [(pk, why) for pk, why in people if form.everyone or pk in chosen]
    )
    if not suggestions:
        messages.info(request, f"Nobody selected is suggested for “{label}” now")
        return _to_builder(meeting)
    try:
        added = agenda_items_add(
            actor=request.user,
            meeting=meeting,
            entries=[
                NewItem(nominal=s.nominal, reason=s.reason, reason_detail=s.detail)
                for s in suggestions
            ],
        )
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
        return _to_builder(meeting)
    people_added = "1 person" if len(added) == 1 else f"{len(added)} people"
    messages.success(request, f"{people_added} added to the agenda: {label}")
    return _to_builder(meeting, "agenda")


def _picker_page(
    request: AuthenticatedHttpRequest,
    meeting: Meeting,
    query: str,
    *,
    search: PersonSearchForm,
    form: AgendaAddForm | None = None,
) -> HttpResponse:
    """The person picker's matches (at most PICKER_LIMIT), each a choice in one form with the
    coordinator's reason. With htmx, only the matches: the builder shows them under its
    search box as the coordinator types. Only the people listed are logged as read."""
    results = agenda_people_search(request.user, meeting, query)
    _log_people(request, [person.pk for person in results.people])
    context = {
        "meeting": meeting,
        "panel": meeting.panel,
        "query": query,
        "search": search,
        "results": results,
        "limit": PICKER_LIMIT,
        "form": form or AgendaAddForm(addable=Nominal.objects.none()),
        "nav_section": "Panels",
    }
    if request.htmx:
        return render(request, "meetings/meetings/agenda_people_part.html", context)
    return render(request, "meetings/meetings/agenda_people.html", context)


@login_required
@require_safe
def agenda_people(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The person picker: search the cohort by name or identifier, then add one person with
    a reason of the coordinator's own."""
    meeting = _coordinated_meeting(request, pk)
    if not agenda_open(meeting):
        return _to_builder(meeting)
    search = PersonSearchForm(request.GET)
    return _picker_page(request, meeting, search.query, search=search)


@login_required
@require_POST
def agenda_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add one person chosen in the person picker, with the coordinator's reason."""
    meeting = _coordinated_meeting(request, pk)
    if not agenda_open(meeting):
        messages.info(
            request,
            f"The agenda cannot change: the meeting is {meeting.get_status_display().lower()}",
        )
        return _to_builder(meeting)
    form = AgendaAddForm(request.POST, addable=agenda_addable(request.user, meeting))
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
    # The same matches again, with the problem named, so nothing typed is lost.
    search = PersonSearchForm({"q": request.POST.get("q", "")})
    return _picker_page(request, meeting, search.query, search=search, form=form)


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
