"""The monthly list import's pages: the panel's imports, upload, columns, the check before
commit (joiners, leavers, the queue), a queued row's decision, commit, discard, and the
outcome report with its CSV.

Only the panel's coordinator gets any of them: the panel's other viewers are refused (403),
everyone else is told it does not exist (404). Pages that show people's names write the
access log.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from accounts.access import refuse
from accounts.audit import log_access, log_access_many
from accounts.http import AuthenticatedHttpRequest
from accounts.models import ObjectType, Purpose
from cohorts.forms.imports import ColumnsForm, CommitForm, RowDecisionForm, UploadForm
from cohorts.importing import BIRTH_KEYS, FIELDS, NAME_ORDER, row_name
from cohorts.models import CohortImport, ImportRow, ImportStatus, RowOutcome
from cohorts.names import RULE as NAME_RULE
from cohorts.selectors.columns import columns_page
from cohorts.selectors.differences import row_differences
from cohorts.selectors.imports import (
    IMPORT,
    coordinated_panel_for,
    earlier_import_of_month,
    import_for,
    import_preview,
    imports_of,
    outcome_rows,
    shown_candidates,
)
from cohorts.services import imports as services
from cohorts.services.differences import import_updates_choose
from core.exports import CSV_TYPE, download, write_csv
from offenders.selectors import nominals_for

NOMINAL = ObjectType.NOMINAL
REPORT_PAGE_SIZE = 100
# How many of the file's first rows the columns page shows under the choices.
SAMPLE_ROWS = 5
# The most rows listed in each table of the check page; the CSV has them all.
SHOWN_LIMIT = 200
RESULTS = {"joined": "Joined the cohort", "stayed": "Already on the cohort"}


def _context(cohort_import: CohortImport, **extra) -> dict:
    return {
        "cohort_import": cohort_import,
        "panel": cohort_import.panel,
        "month": services.month_label(cohort_import.month),
        "nav_section": "Panels",
        **extra,
    }


@login_required
@require_safe
def import_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    panel = coordinated_panel_for(request, pk)
    return render(
        request,
        "cohorts/imports/list.html",
        {"panel": panel, "imports": imports_of(panel), "nav_section": "Panels"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    panel = coordinated_panel_for(request, pk)
    if request.method == "GET":
        form = UploadForm(initial={"month": services.this_month()})
    else:
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["list_file"]
            try:
                cohort_import = services.import_upload(
                    actor=request.user,
                    panel=panel,
                    month=form.cleaned_data["month"],
                    file_name=upload.name,
                    data=upload.read(),
                )
            except ValidationError as error:
                form.add_error("list_file", error.messages)
            else:
                summary = cohort_import.summary
                rows = summary["rows"]
                messages.success(
                    request,
                    f"List uploaded: {rows} {'row' if rows == 1 else 'rows'} read "
                    f"({summary['read_as']}). Now check which column holds what.",
                )
                return redirect("cohorts:import-columns", pk=cohort_import.pk)
    return render(
        request,
        "cohorts/imports/upload.html",
        {"panel": panel, "form": form, "nav_section": "Panels"},
    )


def _closed(request: AuthenticatedHttpRequest, cohort_import: CohortImport) -> HttpResponse:
    messages.info(request, "This list can no longer be changed.")
    return redirect("cohorts:import", pk=cohort_import.pk)


@login_required
@require_http_methods(["GET", "POST"])
def import_columns(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cohort_import = import_for(request, pk)
    if cohort_import.status not in (ImportStatus.MAPPING, ImportStatus.PREVIEW):
        return _closed(request, cohort_import)
    headers = cohort_import.headers
    if request.method == "POST":
        form = ColumnsForm(request.POST, headers=headers)
        if form.is_valid():
            try:
                mapped = services.import_map_columns(
                    actor=request.user, cohort_import=cohort_import, mapping=form.mapping()
                )
            except ValidationError as error:
                for field, errors in getattr(error, "message_dict", {None: error.messages}).items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                if mapped.status == ImportStatus.MATCHING:
                    messages.success(
                        request,
                        f"The list's {mapped.match_total:,} rows are being matched. This page "
                        "shows how far it has got; you will be told when it is ready to check.",
                    )
                else:
                    messages.success(request, "Rows matched. Check what the list will change.")
                return redirect("cohorts:import", pk=cohort_import.pk)
    else:
        form = ColumnsForm(initial=cohort_import.mapping, headers=headers)
    sample = list(cohort_import.rows.order_by("number")[:SAMPLE_ROWS])
    columns, splitting = columns_page(cohort_import, form.chosen(), today=timezone.localdate())
    log_access(request=request, object_type=IMPORT, object_id=cohort_import.pk)
    return render(
        request,
        "cohorts/imports/columns.html",
        _context(
            cohort_import,
            form=form,
            names=[form[key] for key in ("family_name", "given_names", "full_name")],
            name_order=form[NAME_ORDER],
            births=[form[key] for key in BIRTH_KEYS],
            optional=[form[item.key] for item in FIELDS if not item.required],
            columns=columns,
            splitting=splitting,
            sample=[(row.number, [row.values.get(h, "") for h in headers]) for row in sample],
        ),
    )


def _preview_page(
    request: AuthenticatedHttpRequest,
    cohort_import: CohortImport,
    *,
    form=None,
    error: str = "",
    first=None,
) -> HttpResponse:
    preview = import_preview(cohort_import)
    earlier = earlier_import_of_month(request.user, cohort_import)
    differences = row_differences(request.user, cohort_import)
    log_access(request=request, object_type=IMPORT, object_id=cohort_import.pk)
    # The people the page names: joiners matched to a record (shown by its number beside
    # the name on the list) and the cohort members not on the list, in one insert.
    log_access_many(
        request=request,
        object_type=NOMINAL,
        object_ids=[
            *(
                listed.row.nominal_id
                for listed in preview.joiners[:SHOWN_LIMIT]
                if listed.row.nominal_id
            ),
            *(membership.nominal_id for membership in preview.leavers[:SHOWN_LIMIT]),
            *(
                nominal.pk
                for nominal in (earlier.new_people + earlier.missing_people if earlier else [])
            ),
            *(difference.nominal.pk for difference in differences[:SHOWN_LIMIT]),
        ],
    )
    return render(
        request,
        "cohorts/imports/preview.html",
        _context(
            cohort_import,
            preview=preview,
            earlier=earlier,
            differences=differences[:SHOWN_LIMIT],
            outcome_counts=[
                (value, label, preview.counts.get(value, 0)) for value, label in RowOutcome.choices
            ],
            shown_limit=SHOWN_LIMIT,
            # Nobody leaves the cohort unless the coordinator ticks the box: a list that is
            # short by mistake must not exit people.
            form=form or CommitForm(initial={"exit_leavers": False}),
            error=error,
            error_row=first,
            name_rule=NAME_RULE,
        ),
        status=400 if error else 200,
    )


@login_required
@require_safe
def import_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The check before commit, or afterwards the report of what happened to every row."""
    cohort_import = import_for(request, pk)
    if request.GET.get("progress") and cohort_import.status != ImportStatus.MATCHING:
        # The worker has finished: htmx, polling for progress, loads the whole page.
        return HttpResponseClientRedirect(reverse("cohorts:import", args=[cohort_import.pk]))
    if cohort_import.status == ImportStatus.MAPPING:
        return redirect("cohorts:import-columns", pk=cohort_import.pk)
    if cohort_import.status == ImportStatus.PREVIEW:
        return _preview_page(request, cohort_import)
    if cohort_import.status == ImportStatus.MATCHING:
        log_access(request=request, object_type=IMPORT, object_id=cohort_import.pk)
        template = (
            "cohorts/imports/matching_progress.html"
            if request.GET.get("progress")
            else "cohorts/imports/matching.html"
        )
        return render(request, template, _context(cohort_import))
    page = Paginator(cohort_import.rows.order_by("number"), REPORT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    leavers = list(
        nominals_for(request.user)
        .filter(pk__in=cohort_import.summary.get("left_records", []))
        .order_by("family_name", "given_names", "pk")
    )
    log_access(request=request, object_type=IMPORT, object_id=cohort_import.pk)
    log_access_many(
        request=request,
        object_type=NOMINAL,
        object_ids=[
            *(row.nominal_id for row in page if row.nominal_id),
            *(nominal.pk for nominal in leavers),
        ],
    )
    mapping = cohort_import.mapping
    return render(
        request,
        "cohorts/imports/report.html",
        _context(
            cohort_import,
            page=page,
            rows=[
                (row, row_name(row.values, mapping), RESULTS.get(row.result, "")) for row in page
            ],
            counts=cohort_import.summary.get("committed", {}),
            leavers=leavers,
            outcomes=[
                (label, cohort_import.summary.get("outcomes", {}).get(value, 0))
                for value, label in RowOutcome.choices
            ],
        ),
    )


def _next_queued(cohort_import: CohortImport, after: int) -> ImportRow | None:
    waiting = cohort_import.rows.filter(outcome=RowOutcome.QUEUED).order_by("number")
    return waiting.filter(number__gt=after).first() or waiting.first()


def _current_choice(row: ImportRow) -> dict:
    if row.outcome == RowOutcome.LINKED and row.nominal_id:
        return {"choice": str(row.nominal_id)}
    if row.outcome == RowOutcome.CREATED:
        return {"choice": services.NEW_PERSON}
    if row.outcome == RowOutcome.SKIPPED:
        return {"choice": services.LEAVE_OUT, "reason": row.message.removeprefix("Left out: ")}
    return {}


@login_required
@require_http_methods(["GET", "POST"])
def import_row(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    """A row the matching was unsure of: its candidates side by side with the row, and the
    coordinator's choice."""
    cohort_import = import_for(request, pk)
    row = cohort_import.rows.filter(number=number).first()
    if row is None:
        refuse(request, object_type=ObjectType.IMPORT_ROW, object_id=f"{pk}-{number}")
    if cohort_import.status != ImportStatus.PREVIEW:
        return _closed(request, cohort_import)
    if not row.candidates:
        messages.info(request, f"Row {row.number} did not need a decision.")
        return redirect("cohorts:import", pk=cohort_import.pk)
    shown, hidden = shown_candidates(request.user, row)
    ids = [candidate.nominal.pk for candidate in shown]
    if request.method == "POST":
        form = RowDecisionForm(request.POST, candidate_ids=ids)
        if form.is_valid():
            try:
                decided = services.import_row_decide(
                    actor=request.user,
                    row=row,
                    choice=form.cleaned_data["choice"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                for field, errors in getattr(error, "message_dict", {None: error.messages}).items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"Row {decided.number}: {_decided_text(decided)}")
                following = _next_queued(cohort_import, decided.number)
                if following is not None:
                    return redirect(
                        "cohorts:import-row", pk=cohort_import.pk, number=following.number
                    )
                return redirect("cohorts:import", pk=cohort_import.pk)
    else:
        form = RowDecisionForm(initial=_current_choice(row), candidate_ids=ids)
    log_access_many(
        request=request,
        object_type=NOMINAL,
        object_ids=[candidate.nominal.pk for candidate in shown],
        purpose=Purpose.DATA_QUALITY,
    )
    mapping = cohort_import.mapping
    return render(
        request,
        "cohorts/imports/row.html",
        _context(
            cohort_import,
            row=row,
            name=row_name(row.values, mapping),
            values=[(heading, row.values.get(heading, "")) for heading in cohort_import.headers],
            shown=shown,
            hidden=hidden,
            form=form,
            waiting=cohort_import.rows.filter(outcome=RowOutcome.QUEUED).count(),
        ),
    )


def _decided_text(row: ImportRow) -> str:
    if row.outcome == RowOutcome.LINKED:
        return f"linked to record {row.nominal_id}"
    if row.outcome == RowOutcome.CREATED:
        return "a new person"
    if row.outcome == RowOutcome.DUPLICATE:
        return row.message[0].lower() + row.message[1:]
    return "left out"


@login_required
@require_POST
def import_commit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cohort_import = import_for(request, pk)
    # The button's own value: an empty POST (or one from anywhere else) imports nothing.
    if request.POST.get("commit") != "yes":
        return redirect("cohorts:import", pk=cohort_import.pk)
    form = CommitForm(request.POST)
    form.is_valid()
    exit_leavers = bool(form.cleaned_data.get("exit_leavers"))
    try:
        result = services.import_commit(
            actor=request.user, cohort_import=cohort_import, exit_leavers=exit_leavers
        )
    except services.QueueNotEmpty as waiting:
        return _preview_page(
            request, cohort_import, form=form, error=waiting.messages[0], first=waiting.row
        )
    except services.CommitFailed as failed:
        return _preview_page(request, cohort_import, form=form, error=failed.messages[0])
    except ValidationError as refused:
        # Imported already (a second click, or someone else) or discarded: say so on the
        # list's own page, which now shows what happened.
        messages.error(request, refused.messages[0])
        return redirect("cohorts:import", pk=cohort_import.pk)
    messages.success(
        request,
        f"The {services.month_label(cohort_import.month)} list was imported: "
        f"{result['joined']} joined, {result['stayed']} stayed and {result['left']} left the "
        "cohort.",
    )
    return redirect("cohorts:import", pk=cohort_import.pk)


@login_required
@require_POST
def import_updates(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Choose which linked rows update their record from the list when it is imported."""
    cohort_import = import_for(request, pk)
    if cohort_import.status != ImportStatus.PREVIEW:
        return _closed(request, cohort_import)
    rows = [value for value in request.POST.getlist("update") if value.isdigit()]
    try:
        chosen = import_updates_choose(
            actor=request.user, cohort_import=cohort_import, rows=[int(row) for row in rows]
        )
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
    else:
        messages.success(
            request,
            f"{chosen} {'record is' if chosen == 1 else 'records are'} updated from the list "
            "when it is imported."
            if chosen
            else "No record is updated from the list.",
        )
    return redirect(
        reverse("cohorts:import", args=[cohort_import.pk]) + "#differences-from-records"
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cohort_import = import_for(request, pk)
    if cohort_import.status not in (
        ImportStatus.MAPPING,
        ImportStatus.MATCHING,
        ImportStatus.PREVIEW,
    ):
        return _closed(request, cohort_import)
    if request.method == "POST":
        if request.POST.get("discard") != "yes":
            return redirect("cohorts:import", pk=cohort_import.pk)
        try:
            services.import_discard(actor=request.user, cohort_import=cohort_import)
        except ValidationError as refused:
            messages.error(request, refused.messages[0])
            return redirect("cohorts:import", pk=cohort_import.pk)
        messages.success(
            request,
            f"The {services.month_label(cohort_import.month)} list was discarded. Nothing was "
            "imported.",
        )
        return redirect("cohorts:imports", pk=cohort_import.panel_id)
    return render(request, "cohorts/imports/discard.html", _context(cohort_import))


@login_required
@require_safe
def import_outcome_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One line per row of the list: its values, what happened to it and why."""
    cohort_import = import_for(request, pk)
    log_access(request=request, object_type=IMPORT, object_id=cohort_import.pk)
    headers = cohort_import.headers
    outcomes = dict(RowOutcome.choices)
    # The file gives each matched row's record number beside the name on the list: a read
    # of each of those people, in one insert (the rows themselves are streamed below).
    log_access_many(
        request=request,
        object_type=NOMINAL,
        object_ids=cohort_import.rows.filter(nominal__isnull=False).values_list(
            "nominal_id", flat=True
        ),
    )

    def lines():
        for row in outcome_rows(cohort_import):
            yield [
                row.number,
                *[row.values.get(heading, "") for heading in headers],
                outcomes.get(row.outcome, "Not matched yet"),
                row.nominal_id or "",
                row.message,
                RESULTS.get(row.result, ""),
            ]

    content = write_csv(
        ["Row", *headers, "Outcome", "Record number", "Reason or message", "Result"], lines()
    )
    return download(
        content,
        file_name=f"list-{cohort_import.month:%Y-%m}-outcome-{cohort_import.pk}.csv",
        content_type=CSV_TYPE,
    )
