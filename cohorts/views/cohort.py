"""The cohort pages: the live tracker and its exports, referring a person to a panel, and
the coordinator's decision, exit and panel-details pages.

The tracker's filter is posted and kept in the session, never put in the address: it can
hold a name, and names do not go in URLs (SECURITY.md). Sorting and paging are links,
so the table works without JavaScript.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import refuse, require
from accounts.audit import audit, log_access, log_access_many
from accounts.http import AuthenticatedHttpRequest
from accounts.models import AccessLog, AccessOutcome, ObjectType, User, Verb
from accounts.reauth import reauthentication_required
from cohorts.forms.cohort import (
    CohortFilterForm,
    DecisionForm,
    ExitForm,
    PanelChoiceForm,
    PanelFieldsForm,
    PersonChoiceForm,
    ReferralForm,
    without,
)
from cohorts.selectors.cohort import (
    PAGE_SIZE,
    SORTS,
    CohortFilter,
    CohortRow,
    agency_choices,
    cohort_day,
    cohort_details,
    cohort_listing,
    cohort_members,
    cohort_rows,
    lead_choices,
    leavers,
    memberships_visible_to,
    month_choices,
    panel_columns,
    parse_sort,
    referral_warnings,
    referrals_awaiting,
)
from cohorts.services.membership import (
    OPEN_STATUSES,
    PANEL_FIELDS,
    StaleDetails,
    membership_accept,
    membership_decline,
    membership_exit,
    membership_refer,
    membership_update,
)
from core.exports import CSV_TYPE, XLSX_TYPE, download, write_csv, write_xlsx
from core.forms import add_service_errors
from offenders.selectors import NOMINAL, MergedAway, nominal_for, nominals_for
from panels.models import CohortMembership, MembershipStatus, Panel
from panels.permissions import can_coordinate
from panels.selectors import panel_for

PANEL = ObjectType.PANEL
MEMBERSHIP = ObjectType.MEMBERSHIP
FILTER_KEY = "cohort_filter:{pk}"
RECENT_LIMIT = 8
# How the address of a panel's "refer someone" page ends (/panels/<pk>/refer/).
REFER_PAGE_END = "/refer/"


# --- Helpers ---------------------------------------------------------------------------------


def membership_for(request: AuthenticatedHttpRequest, pk: int) -> CohortMembership:
    """The membership if the user may see it and the person it is about; otherwise 404
    (logged), whether or not it exists. A declined referral of a person recorded by
    another agency names someone the coordinator no longer sees, so it is refused too."""
    membership = (
        memberships_visible_to(request.user)
        .filter(nominal__in=nominals_for(request.user).values("pk"))
        .select_related(
            "panel__coordinating_agency",
            "nominal__lead_professional__agency",
            "referring_agency",
            "referred_by",
        )
        .filter(pk=pk)
        .first()
    )
    if membership is None:
        refuse(request, object_type=MEMBERSHIP, object_id=pk)
    return membership


def _to_tracker(panel: Panel, anchor: str = "") -> HttpResponse:
    url = reverse("cohorts:cohort", args=[panel.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _log_person(request: AuthenticatedHttpRequest, nominal_id: int) -> None:
    log_access(request=request, object_type=NOMINAL, object_id=nominal_id)


# --- The tracker ------------------------------------------------------------------------------


def _filter_form(
    request: AuthenticatedHttpRequest, panel: Panel, data: Any, month_list: list
) -> CohortFilterForm:
    # The lead professionals offered are those of the cohort on the chosen day.
    raw = (data or {}).get("month") or ""
    month = next((m for m in month_list if m.strftime("%Y-%m") == raw), None)
    leads = lead_choices(request.user, panel, CohortFilter(month=month))
    return CohortFilterForm(
        data, panel=panel, months=month_list, leads=leads, agencies=agency_choices(leads)
    )


def _stored_filter(request: AuthenticatedHttpRequest, panel: Panel) -> dict[str, Any]:
    return request.session.get(FILTER_KEY.format(pk=panel.pk), {})


def _tracker_filter(
    request: AuthenticatedHttpRequest, panel: Panel, month_list: list
) -> tuple[CohortFilterForm, CohortFilter]:
    """The stored filter, checked again: a choice that has gone (a lead professional no
    longer on the cohort, a month) is dropped rather than trusted."""
    form = _filter_form(request, panel, _stored_filter(request, panel), month_list)
    form.is_valid()
    return form, form.to_filter()


def _sort_headers(sort: str) -> dict[str, dict[str, str]]:
    """Each sortable column's link and aria-sort, as the MOJ sortable table shows them."""
    column, descending = parse_sort(sort)
    headers = {}
    for name in SORTS:
        if name == column:
            aria = "descending" if descending else "ascending"
            target = name if descending else f"-{name}"
        else:
            aria, target = "none", name
        headers[name] = {"aria": aria, "url": f"?sort={target}"}
    return headers


@login_required
@require_http_methods(["GET", "POST"])
def cohort_tracker(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The live cohort: filter (posted), sort and page (links), "as at" a past month."""
    panel = panel_for(request, pk)
    months = month_choices(panel)
    sort = request.GET.get("sort", "")
    column, descending = parse_sort(sort)
    sort = f"-{column}" if descending else column
    if request.method == "POST":
        key = FILTER_KEY.format(pk=panel.pk)
        if "clear" in request.POST:
            request.session[key] = {}
        elif "remove" in request.POST:
            request.session[key] = without(_stored_filter(request, panel), request.POST["remove"])
        elif "apply" in request.POST:
            form = _filter_form(request, panel, request.POST, months)
            if form.is_valid():
                request.session[key] = {
                    name: value for name, value in form.cleaned_data.items() if value
                }
            else:
                return _render_tracker(request, panel, months, sort, form)
        return redirect(f"{reverse('cohorts:cohort', args=[panel.pk])}?sort={sort}")
    form, _ = _tracker_filter(request, panel, months)
    return _render_tracker(request, panel, months, sort, form)


def _render_tracker(
    request: AuthenticatedHttpRequest,
    panel: Panel,
    months: list,
    sort: str,
    form: CohortFilterForm,
) -> HttpResponse:
    if form.is_bound and form.errors and request.method == "POST":
        # Show the list as it was, with the rejected filter's errors beside it.
        stored_form, filters = _tracker_filter(request, panel, months)
        selected = stored_form.selected()
    else:
        filters, selected = form.to_filter(), form.selected()
    user = request.user
    day = cohort_day(filters.month)
    # Count and page through the cohort reading only what the filters and sort need; then
    # draw everything a row shows for this page's fifty alone.
    listing = cohort_listing(user, panel, filters=filters, sort=sort)
    page = Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    # The page of a queryset is a slice of it, still a queryset: one subquery of the next.
    members = cohort_details(cast("QuerySet", page.object_list), panel, day=day, sort=sort)
    rows = cohort_rows(panel, list(members), day=day)
    referrals = list(referrals_awaiting(user, panel))
    left = list(leavers(user, panel, filters.month))
    log_access(request=request, object_type=PANEL, object_id=panel.pk)
    # Everyone the page names (this page of the cohort, the referrals awaiting a decision
    # and the month's leavers), in one insert, so their "who has viewed" page shows it.
    log_access_many(
        request=request,
        object_type=NOMINAL,
        object_ids=[
            *(row.nominal.pk for row in rows),
            *(membership.nominal_id for membership in [*referrals, *left]),
        ],
    )
    coordinates = can_coordinate(user, panel)
    return render(
        request,
        "cohorts/tracker.html",
        {
            "panel": panel,
            "form": form,
            "selected": selected,
            "filters": filters,
            "day": day,
            "live": filters.month is None,
            "page": page,
            "rows": rows,
            "sort": sort,
            "headers": _sort_headers(sort),
            "panel_headings": [column.heading for column in panel_columns(panel)],
            "referrals": referrals,
            "leavers": left,
            "coordinates": coordinates,
            "nav_section": "Panels",
        },
    )


# --- Exports ----------------------------------------------------------------------------------

EXPORT_HEADINGS = [
    "Name",
    "Record number",
    "Date of birth",
    "RAG",
    "Last review",
    "Days since last review",
    "Review overdue",
    "Lead professional",
    "Lead professional's agency",
    "Joined the cohort",
    "Needs",
    "Flags",
]


def _export_row(row: CohortRow) -> list[Any]:
    lead = row.lead
    return [
        row.nominal.full_name,
        row.nominal.pk,
        row.nominal.date_of_birth,
        row.rag_label,
        row.last_review,
        row.days_since_review,
        row.review_overdue,
        (lead.get_full_name() or lead.username) if lead else "",
        lead.agency.name if lead else "",
        row.membership.start,
        "; ".join(
            f"{need.get_pathway_display()} ({need.get_level_display().lower()})"
            for need in row.needs
        ),
        "; ".join(row.flag_labels),
        *row.panel_values,
    ]


@login_required
@reauthentication_required
@require_safe
def cohort_export(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Exactly what the tracker shows with the current filter, "as at" and sort, all pages."""
    panel = panel_for(request, pk)
    _, filters = _tracker_filter(request, panel, month_choices(panel))
    day = cohort_day(filters.month)
    sort = request.GET.get("sort", "")
    members = list(cohort_members(request.user, panel, filters=filters, sort=sort))
    rows = cohort_rows(panel, members, day=day)
    headings = [*EXPORT_HEADINGS, *(column.heading for column in panel_columns(panel))]
    table = [_export_row(row) for row in rows]
    with transaction.atomic():
        audit(
            actor=request.user,
            verb=Verb.COHORT_EXPORTED,
            target=panel,
            detail={
                "format": fmt,
                "people": len(rows),
                "as_at": day.isoformat(),
                "filtered": filters.narrowed,
            },
        )
        # One access-log row per person exported, written together.
        log_access_many(
            request=request, object_type=NOMINAL, object_ids=[row.nominal.pk for row in rows]
        )
    name = f"{slugify(panel.name)[:60]}-cohort-{day.isoformat()}"
    if fmt == "xlsx":
        content = write_xlsx(headings, table, sheet_title=f"Cohort {day:%d %b %Y}")
        return download(content, file_name=f"{name}.xlsx", content_type=XLSX_TYPE)
    return download(write_csv(headings, table), file_name=f"{name}.csv", content_type=CSV_TYPE)


# --- Referring a person ---------------------------------------------------------------------


def _panels_to_refer_to(user: User, nominal_id: int) -> list[Panel]:
    """Panels the user sees that the person is not already referred to or on."""
    already = CohortMembership.objects.filter(
        nominal_id=nominal_id, status__in=OPEN_STATUSES
    ).values("panel_id")
    return list(
        Panel.objects.visible_to(user)
        .filter(active=True)
        .exclude(pk__in=already)
        .select_related("coordinating_agency")
        .order_by("name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def refer_person(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Refer a person to a panel, from their profile: choose the panel (step 1, a GET
    form), then give the reason and the panel's details (step 2, posted)."""
    try:
        nominal = nominal_for(request, pk)
    except MergedAway as merged:
        messages.info(
            request,
            "The record you opened was merged with another record of the same person. "
            "This is the record now kept for them.",
        )
        return redirect("cohorts:refer-person", pk=merged.survivor.pk)
    _log_person(request, nominal.pk)
    panels = _panels_to_refer_to(request.user, nominal.pk)
    context: dict[str, Any] = {"nominal": nominal, "nav_section": "Nominals"}
    choice = PanelChoiceForm(request.GET if "panel" in request.GET else None, panels=panels)
    if not choice.is_bound or not choice.is_valid():
        context |= {"form": choice, "panels": panels}
        return render(request, "cohorts/refer_choose.html", context)

    panel = next(p for p in panels if p.pk == choice.cleaned_data["panel"])
    form = ReferralForm(request.POST if request.method == "POST" else None, panel=panel)
    if request.method == "POST" and form.is_valid():
        try:
            membership_refer(
                actor=request.user,
                panel=panel,
                nominal=nominal,
                reason=form.cleaned_data["reason"],
                **form.panel_values(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Referred to {panel.name}. The panel's coordinator will accept or decline "
                "the referral.",
            )
            return redirect(f"{reverse('offenders:profile', args=[nominal.pk])}#panels")
    context |= {
        "form": form,
        "panel": panel,
        "warnings": referral_warnings(request.user, panel, nominal),
    }
    return render(request, "cohorts/refer_form.html", context)


def _recent_people(user: User, panel: Panel) -> list:
    """People whose records the user opened lately, that they still see and who are not
    already referred to or on the panel, most recent first."""
    viewed = (
        AccessLog.objects.filter(user=user, object_type=NOMINAL, outcome=AccessOutcome.ALLOWED)
        # Not the reads this page logs when it offers them: offering is not opening, and
        # it would reorder the list each visit.
        .exclude(endpoint__endswith=REFER_PAGE_END)
        .values("object_id")
        .annotate(last=Max("at"))
        .order_by("-last")[:50]
    )
    order = [int(row["object_id"]) for row in viewed if row["object_id"].isdigit()]
    already = CohortMembership.objects.filter(panel=panel, status__in=OPEN_STATUSES).values(
        "nominal_id"
    )
    found = {
        nominal.pk: nominal
        for nominal in nominals_for(user).filter(pk__in=order).exclude(pk__in=already)
    }
    return [found[pk] for pk in order if pk in found][:RECENT_LIMIT]


@login_required
@require_http_methods(["GET", "POST"])
def refer_to_panel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Refer someone from the panel's page: choose a recent person or give a record
    number, then continue on the person's referral page."""
    panel = panel_for(request, pk)
    recent = _recent_people(request.user, panel)
    log_access(request=request, object_type=PANEL, object_id=panel.pk)
    # The recent people are offered by name: a read of each, in one insert.
    log_access_many(request=request, object_type=NOMINAL, object_ids=[n.pk for n in recent])
    form = PersonChoiceForm(
        request.POST if request.method == "POST" else None,
        recent=recent,
        visible=nominals_for(request.user),
    )
    if request.method == "POST" and form.is_valid():
        target = reverse("cohorts:refer-person", args=[form.cleaned_data["nominal_id"]])
        return redirect(f"{target}?panel={panel.pk}")
    return render(
        request,
        "cohorts/refer_find.html",
        {"panel": panel, "form": form, "recent": recent, "nav_section": "Panels"},
    )


# --- The coordinator's pages -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def membership_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Accept a referral with a start date, or decline it with a reason."""
    membership = membership_for(request, pk)
    require(
        request,
        can_coordinate(request.user, membership.panel),
        object_type=MEMBERSHIP,
        object_id=membership.pk,
    )
    panel, nominal = membership.panel, membership.nominal
    if membership.status != MembershipStatus.REFERRED:
        messages.info(request, f"The referral of {nominal.full_name} has already been decided.")
        return _to_tracker(panel)
    _log_person(request, nominal.pk)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "accept":
                membership_accept(actor=request.user, membership=membership, start=data["start"])
                done = f"{nominal.full_name} joined the {panel.name} cohort"
            else:
                membership_decline(
                    actor=request.user, membership=membership, reason=data["decline_reason"]
                )
                done = f"The referral of {nominal.full_name} was declined"
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return _to_tracker(panel, "referrals")
    return render(
        request,
        "cohorts/decide.html",
        {
            "membership": membership,
            "panel": panel,
            "nominal": nominal,
            "form": form,
            "warnings": referral_warnings(request.user, panel, nominal),
            "nav_section": "Panels",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_leave(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record that an active member left the cohort, with the date and the reason."""
    membership = membership_for(request, pk)
    require(
        request,
        can_coordinate(request.user, membership.panel),
        object_type=MEMBERSHIP,
        object_id=membership.pk,
    )
    panel, nominal = membership.panel, membership.nominal
    if membership.status != MembershipStatus.ACTIVE:
        messages.info(request, f"{nominal.full_name} is not active on the {panel.name} cohort.")
        return _to_tracker(panel)
    _log_person(request, nominal.pk)
    form = ExitForm(
        request.POST if request.method == "POST" else None,
        initial={"end": timezone.localdate()},
        membership=membership,
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership_exit(
                actor=request.user,
                membership=membership,
                end=form.cleaned_data["end"],
                reason=form.cleaned_data["exit_reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{nominal.full_name} left the {panel.name} cohort")
            return _to_tracker(panel)
    return render(
        request,
        "cohorts/exit.html",
        {
            "membership": membership,
            "panel": panel,
            "nominal": nominal,
            "form": form,
            "nav_section": "Panels",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The panel's own details about a person: MAPPA, IOM or DIP fields."""
    membership = membership_for(request, pk)
    require(
        request,
        can_coordinate(request.user, membership.panel),
        object_type=MEMBERSHIP,
        object_id=membership.pk,
    )
    panel, nominal = membership.panel, membership.nominal
    if membership.status == MembershipStatus.DECLINED:
        messages.info(
            request,
            f"The referral of {nominal.full_name} was declined: there is nothing to change.",
        )
        return _to_tracker(panel)
    _log_person(request, nominal.pk)
    form = PanelFieldsForm(
        request.POST if request.method == "POST" else None,
        panel=panel,
        membership=membership,
        initial=PanelFieldsForm.initial_from(membership),
    )
    status, stale_message = 200, ""
    if request.method == "POST" and PANEL_FIELDS.get(panel.kind) and form.is_valid():
        try:
            membership_update(
                actor=request.user,
                membership=membership,
                seen_version=form.cleaned_data["version"],
                **form.panel_values(),
            )
        except StaleDetails as stale:
            # Keep nothing of the refused edit: show the details as they are now.
            membership.refresh_from_db()
            form = PanelFieldsForm(panel=panel, initial=PanelFieldsForm.initial_from(membership))
            stale_message = stale.messages[0]
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{panel.name} details saved for {nominal.full_name}")
            return _to_tracker(panel)
    return render(
        request,
        "cohorts/edit.html",
        {
            "membership": membership,
            "panel": panel,
            "nominal": nominal,
            "form": form,
            "stale": stale_message,
            "has_fields": bool(PANEL_FIELDS.get(panel.kind)),
            "nav_section": "Panels",
        },
        status=status,
    )
