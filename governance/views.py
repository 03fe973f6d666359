"""The information governance lead's pages: who in their agency read what, what looks
unusual, and everything held about one person.

Reading the access log about a person is itself a read of that person, so each page logs
one row for what it showed (the count) and one row per person it named; exports are
access-logged and audited as well.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import require
from accounts.audit import log_access, log_access_many
from accounts.http import AuthenticatedHttpRequest
from accounts.models import ObjectType
from accounts.reauth import reauthentication_required
from core.exports import CSV_TYPE, XLSX_TYPE, download
from governance import exports, services
from governance.forms import AccessLogFilterForm, DateRangeForm, NameSearchForm
from governance.permissions import may_open_governance, may_read_access_log
from governance.selectors import unusual
from governance.selectors.access_log import (
    NAME_MATCH_LIMIT,
    LogFilters,
    agency_access_log,
    describe,
    people_in,
    records_named,
)
from governance.selectors.subject_access import subject_access
from offenders.forms import RecordNumberForm
from offenders.models import Nominal
from offenders.selectors import NOMINAL, MergedAway, nominal_for, nominals_watched_by

ACCESS_LOG = ObjectType.ACCESS_LOG
PAGE_SIZE = 50
# An export larger than this is refused with a request to narrow the search.
EXPORT_LIMIT = 50_000
NAV = "Governance"


def _lead_only(request: AuthenticatedHttpRequest) -> None:
    require(request, may_read_access_log(request.user), object_type=ACCESS_LOG)


@login_required
@require_safe
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request, may_open_governance(request.user), object_type=ACCESS_LOG)
    return render(
        request,
        "governance/index.html",
        {"is_lead": may_read_access_log(request.user), "nav_section": NAV},
    )


def _filter_form(request: AuthenticatedHttpRequest) -> AccessLogFilterForm:
    bound = any(key != "page" for key in request.GET)
    return AccessLogFilterForm(request.GET if bound else None, agency=request.user.agency)


def _query_without_page(request: AuthenticatedHttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_http_methods(["GET", "POST"])
def access_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Search the agency's access log by record, member of staff and dates (GET), or find
    records by name (POST), which comes back as a search by record numbers."""
    _lead_only(request)
    agency = request.user.agency
    name_form = NameSearchForm(request.POST if request.method == "POST" else None)
    form = _filter_form(request)
    too_many = False
    if request.method == "POST" and name_form.is_valid():
        found = records_named(agency, name_form.cleaned_data["name"])
        # The search terms are counted, never kept.
        log_access(request=request, object_type=ObjectType.NOMINAL_SEARCH, object_id=len(found))
        if not found:
            name_form.add_error("name", "No record your agency's staff may see has that name")
        elif len(found) > NAME_MATCH_LIMIT:
            too_many = True
            name_form.add_error(
                "name",
                f"More than {NAME_MATCH_LIMIT} records have that name: "
                "add more of the name, or search by record number",
            )
        else:
            query = urlencode({"records": " ".join(str(pk) for pk in found)})
            return redirect(f"{reverse('governance:access-log')}?{query}")

    lines = []
    page = None
    filters = None
    if not form.is_bound or form.is_valid():
        # With no filters, the whole of the agency's log, newest first.
        filters = form.filters() if form.is_bound else LogFilters()
        rows = agency_access_log(agency, filters)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        lines = [describe(row) for row in page]
        log_access(request=request, object_type=ACCESS_LOG, object_id=len(lines))
        log_access_many(
            request=request,
            object_type=NOMINAL,
            object_ids=[*filters.records, *people_in(lines)],
        )
    return render(
        request,
        "governance/access_log.html",
        {
            "form": form,
            "name_form": name_form,
            "too_many": too_many,
            "filters": filters,
            "page": page,
            "lines": lines,
            "query": _query_without_page(request),
            "nav_section": NAV,
        },
    )


@login_required
@reauthentication_required
@require_safe
def access_log_export(request: AuthenticatedHttpRequest, file_type: str) -> HttpResponse:
    """The search's rows as a spreadsheet (or CSV), after the lead confirms it is them."""
    _lead_only(request)
    agency = request.user.agency
    form = AccessLogFilterForm(request.GET, agency=agency)
    if not form.is_valid():
        return redirect(f"{reverse('governance:access-log')}?{_query_without_page(request)}")
    filters = form.filters()
    rows = agency_access_log(agency, filters)
    if rows.count() > EXPORT_LIMIT:
        return render(
            request,
            "governance/export_too_large.html",
            {"limit": EXPORT_LIMIT, "query": _query_without_page(request), "nav_section": NAV},
            status=400,
        )
    lines = [describe(row) for row in rows.iterator(chunk_size=2000)]
    csv = file_type == "csv"
    content = exports.access_log_csv(lines) if csv else exports.access_log_xlsx(lines)
    log_access(request=request, object_type=ACCESS_LOG, object_id=len(lines))
    log_access_many(
        request=request, object_type=NOMINAL, object_ids=[*filters.records, *people_in(lines)]
    )
    services.access_log_export_record(
        actor=request.user, filters=filters, rows=len(lines), file_type=file_type
    )
    stamp = timezone.localdate().isoformat()
    return download(
        content,
        file_name=f"access-log-{agency.code}-{stamp}.{file_type}",
        content_type=CSV_TYPE if csv else XLSX_TYPE,
    )


def _search_link(flag: unusual.Flag) -> str:
    day = flag.day
    query = {"staff": flag.user.pk}
    for name in ("start", "end"):
        query |= {f"{name}-day": day.day, f"{name}-month": day.month, f"{name}-year": day.year}
    return f"{reverse('governance:access-log')}?{urlencode(query)}"


@login_required
@require_safe
def unusual_reading(request: AuthenticatedHttpRequest) -> HttpResponse:
    _lead_only(request)
    agency = request.user.agency
    form = DateRangeForm(request.GET or None)
    start, end = form.window()
    flags = {
        "busy": unusual.busy_days(agency, start, end),
        "no_case": unusual.reads_without_a_case(agency, start, end),
        "out_of_hours": unusual.reads_out_of_hours(agency, start, end),
    }
    # The page names members of staff and counts, no person: one row says it was read.
    log_access(
        request=request,
        object_type=ObjectType.UNUSUAL_READING,
        object_id=sum(len(found) for found in flags.values()),
    )
    return render(
        request,
        "governance/unusual.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "factor": settings.GOVERNANCE_BUSY_DAY_FACTOR,
            "minimum": settings.GOVERNANCE_BUSY_DAY_MINIMUM,
            "baseline": settings.GOVERNANCE_BASELINE_DAYS,
            "hours": (
                settings.GOVERNANCE_WORKING_HOURS_START,
                settings.GOVERNANCE_WORKING_HOURS_END,
            ),
            "sections": {
                key: [(flag, _search_link(flag)) for flag in found] for key, found in flags.items()
            },
            "nav_section": NAV,
        },
    )


@login_required
@require_safe
def subject_access_find(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Find the record a subject access request is about, by its number."""
    _lead_only(request)
    form = RecordNumberForm(request.GET if "record" in request.GET else None)
    if form.is_valid():
        return redirect("governance:subject-access", form.cleaned_data["record"])
    return render(
        request, "governance/subject_access_find.html", {"form": form, "nav_section": NAV}
    )


@login_required
@require_safe
def subject_access_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """What the export will hold, and the button to produce it."""
    nominal = _subject(request, pk)
    if isinstance(nominal, HttpResponse):
        return nominal
    log_access(request=request, object_type=NOMINAL, object_id=nominal.pk)
    return render(
        request, "governance/subject_access.html", {"nominal": nominal, "nav_section": NAV}
    )


@login_required
@reauthentication_required
@require_safe
def subject_access_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    nominal = _subject(request, pk, then="governance:subject-access-docx")
    if isinstance(nominal, HttpResponse):
        return nominal
    document = subject_access(nominal, request.user)
    content = exports.subject_access_docx(document)
    log_access(request=request, object_type=NOMINAL, object_id=nominal.pk)
    services.subject_access_export_record(actor=request.user, nominal=nominal)
    return download(
        content,
        file_name=f"subject-access-record-{nominal.pk}.docx",
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


def _subject(
    request: AuthenticatedHttpRequest, pk: int, *, then: str = "governance:subject-access"
) -> Nominal | HttpResponse:
    """The record, for a governance lead whose agency's staff may see it. As on "who has
    viewed this record": 404 (logged) for a record the caller's agency does not see (or
    that does not exist), then 403 (logged) for anyone else who sees it but is not a lead."""
    user = request.user
    try:
        nominal = nominal_for(request, pk, among=nominals_watched_by(user))
    except MergedAway as merged:
        return redirect(then, merged.survivor.pk)
    require(request, may_read_access_log(user), object_type=NOMINAL, object_id=nominal.pk)
    return nominal
