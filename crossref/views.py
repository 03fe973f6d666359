"""Cross-referencing pages: the runs and "Run now", a run's progress and findings, the inbox
of open findings, a finding with its decisions, and the monthly overlap report with its
exports.

Panel coordinators use them. Other staff are refused (403) on the pages that list; a finding
that names none of the user's coordinated panels answers 404, as if it did not exist.
Pages that name people write the access log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRefresh

from accounts.access import forbid, require
from accounts.audit import audit, log_access_many
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Purpose, Verb
from accounts.permissions import person_label
from accounts.reauth import reauthentication_required
from core.exports import CSV_TYPE, XLSX_TYPE, download
from core.forms import add_service_errors
from crossref.exports import overlap_csv, overlap_xlsx
from crossref.forms import (
    ConfirmForm,
    DismissForm,
    InboxFilterForm,
    LeadAnswerForm,
    LeadPanelForm,
    MonthForm,
    NoActionForm,
    month_value,
)
from crossref.models import CrossReferenceRun, FindingKind, FindingStatus, MatchFinding, RunStatus
from crossref.permissions import reviews_crossref
from crossref.selectors.findings import (
    FINDING,
    NOMINAL,
    PAGE_SIZE,
    RUN,
    FindingWithPeople,
    comparison,
    complete_runs,
    finding_for,
    finding_panels,
    finding_shown,
    inbox,
    log_people_listed,
    open_finding_counts,
    overlap_report,
    overlap_report_all,
    requested_by_text,
    run_findings,
    run_for_month,
    runs_for,
)
from crossref.selectors.leads import lead_proposals_of
from crossref.selectors.merges import merge_request_of
from crossref.services.leads import (
    LEAD_RULE,
    answerable_panels,
    lead_panel_answer,
    lead_panel_propose,
    waiting_proposal,
)
from crossref.services.review import finding_confirm, finding_dismiss, overlap_close
from offenders.models import Nominal
from panels.models import Panel

RUNS_PAGE_SIZE = 24
NAV = {"nav_section": "Panels"}

# What the job records in a run's counts, in words; other keys are shown as they are named.
COUNT_LABELS = {
    "nominals": "People checked",
    "active_memberships": "Active cohort memberships",
    "candidate_pairs": "Pairs compared",
    "common_name_blocks_split": "Names too common to compare everyone who has them: narrowed",
    "common_name_blocks_skipped": "Names too common to compare everyone who has them, even narrowed: left out",
    "records_in_skipped_blocks": "Records in the names left out (still compared by date of birth and other details)",
    "people_recorded_three_times_or_more": "People who may be recorded three times or more",
    "duplicates_raised": "Possible duplicates found for the first time",
    "duplicates_still_open": "Possible duplicates found again, still waiting from an earlier month",
    "duplicates_left_dismissed": "Pairs left alone: dismissed before",
    "duplicates_awaiting_merge": "Pairs left alone: confirmed, waiting for merge",
    "people_on_several_panels": "People on more than one panel",
    "overlaps_raised": "People on more than one panel for the first time",
    "overlaps_still_open": "People on more than one panel found again, still waiting from an earlier month",
    "overlaps_with_lead": "Overlaps with an agreed lead panel",
}
PHASE_LABELS = {
    "load": "Reading records",
    "block": "Finding pairs to compare",
    "estimate": "Working out how rare each detail is",
    "score": "Comparing pairs",
    "group": "Grouping findings about one person",
    "overlaps": "Building the overlap report",
    "total": "Total",
}


def _reviewers_only(request: AuthenticatedHttpRequest) -> None:
    require(request, reviews_crossref(request.user), object_type=RUN)


def _label(key: str, labels: dict[str, str]) -> str:
    return labels.get(key) or key.replace("_", " ").capitalize()


def count_lines(counts: dict[str, Any]) -> list[str]:
    """A run's counts as short lines, "Pairs compared: 1,204"."""
    lines = []
    # In the order above, then anything else by name: the stored JSON keeps no order.
    known = list(COUNT_LABELS)
    ordered = sorted(
        (counts or {}).items(),
        key=lambda item: (known.index(item[0]) if item[0] in known else len(known), item[0]),
    )
    for key, value in ordered:
        if isinstance(value, dict):
            parts = ", ".join(f"{_label(k, COUNT_LABELS).lower()} {v:,}" for k, v in value.items())
            lines.append(f"{_label(key, COUNT_LABELS)}: {parts}")
        elif isinstance(value, int | float):
            lines.append(f"{_label(key, COUNT_LABELS)}: {value:,}")
    return lines


def seconds_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f} seconds"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def run_duration(run: CrossReferenceRun) -> float | None:
    total = (run.durations or {}).get("total")
    if isinstance(total, int | float):
        return float(total)
    if run.started_at and run.finished_at:
        return (run.finished_at - run.started_at) / timedelta(seconds=1)
    return None


def duration_lines(durations: dict[str, Any]) -> list[tuple[str, str]]:
    """Seconds per phase in the order the job works through them, the total last."""
    phases = list(PHASE_LABELS)
    ordered = sorted(
        (durations or {}).items(),
        # A phase not named above goes just before the total.
        key=lambda item: (
            phases.index(item[0]) if item[0] in phases else len(phases) - 1.5,
            item[0],
        ),
    )
    return [
        (_label(key, PHASE_LABELS), seconds_text(float(value)))
        for key, value in ordered
        if isinstance(value, int | float)
    ]


def score_percent(score: float) -> str:
    percent = 100 * score
    if 99 < percent < 100:
        return f"{percent:.1f}%"
    return f"{percent:.0f}%"


def _pages_query(**params: object) -> str:
    return urlencode({key: value for key, value in params.items() if value})


# --- The runs ------------------------------------------------------------------------------------


@login_required
@require_safe
def crossref_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    _reviewers_only(request)
    user = request.user
    page = Paginator(runs_for(user), RUNS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "crossref/home.html",
        {
            "page": page,
            "runs": [
                {
                    "run": run,
                    "month": month_value(run),
                    "by": requested_by_text(run, user),
                    "counts": count_lines(run.counts),
                    "duration": seconds_text(run_duration(run)),
                }
                for run in page
            ],
            "open_counts": open_finding_counts(user),
            **NAV,
        },
    )


@login_required
@require_POST
def crossref_run_now(request: AuthenticatedHttpRequest) -> HttpResponse:
    _reviewers_only(request)
    # The button's own value: an empty POST (or one from anywhere else) starts nothing.
    if request.POST.get("run") != "yes":
        return redirect("crossref:home")
    # The job's service is imported here, where it is used: the review pages need none of it.
    from crossref.services.run import request_run

    try:
        run = request_run(actor=request.user)
    except PermissionDenied:
        forbid(request, object_type=RUN)
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
        return redirect("crossref:home")
    messages.success(
        request,
        f"The cross-reference for {run.month:%B %Y} has been asked for. This page shows its "
        "progress.",
    )
    return redirect("crossref:run", month=month_value(run))


@login_required
@require_safe
def crossref_run(request: AuthenticatedHttpRequest, month: str) -> HttpResponse:
    _reviewers_only(request)
    run = run_for_month(request, month)
    context: dict[str, Any] = {
        "run": run,
        "in_progress": run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
        **NAV,
    }
    if request.GET.get("progress"):
        # Only the progress, for the page's own polling: nothing about anyone. Once the run
        # has finished, htmx reloads the whole page, which then lists the findings.
        if request.htmx and not context["in_progress"]:
            return HttpResponseClientRefresh()
        return render(request, "crossref/run_progress.html", context)
    user = request.user
    page = Paginator(run_findings(user, run), PAGE_SIZE).get_page(request.GET.get("page"))
    log_people_listed(request, page)
    context |= {
        "month": month_value(run),
        "by": requested_by_text(run, user),
        "counts": count_lines(run.counts),
        "durations": duration_lines(run.durations),
        "duration": seconds_text(run_duration(run)),
        "page": page,
        "findings": [(finding, score_percent(finding.score)) for finding in page],
    }
    return render(request, "crossref/run.html", context)


# --- The inbox ----------------------------------------------------------------------------------


@login_required
@require_safe
def crossref_inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    _reviewers_only(request)
    user = request.user
    form = InboxFilterForm(request.GET or None)
    kind = form.kind_value()
    page = Paginator(inbox(user, kind=kind), PAGE_SIZE).get_page(request.GET.get("page"))
    count = page.paginator.count
    log_people_listed(request, page)
    return render(
        request,
        "crossref/inbox.html",
        {
            "form": form,
            "kind": kind,
            "query": _pages_query(kind=kind),
            "page": page,
            "findings": [(finding, score_percent(finding.score)) for finding in page],
            "caption": f"{count} open finding{'' if count == 1 else 's'}",
            **NAV,
        },
    )


# --- A finding and its decisions -----------------------------------------------------------------


def _finding_page(
    request: AuthenticatedHttpRequest, finding: FindingWithPeople, **forms: Form
) -> HttpResponse:
    user = request.user
    is_open = finding.status == FindingStatus.OPEN
    context: dict[str, Any] = {
        "finding": finding,
        "is_open": is_open,
        "score": score_percent(finding.score),
        "resolved_by": person_label(finding.resolved_by, user),
        "has_errors": any(form.errors for form in forms.values()),
        "merge_request": merge_request_of(finding),
        **NAV,
    }
    shown = finding_shown(request, finding)
    context["explanation"] = shown.explanation
    if shown.pair is not None:
        context |= {
            "pair": shown.pair,
            "confirm_form": forms.get("confirm_form") or ConfirmForm(pair=shown.pair),
            "dismiss_form": forms.get("dismiss_form") or DismissForm(),
        }
    else:
        lead = shown.lead
        waiting = waiting_proposal(finding) if is_open else None
        answering = answerable_panels(user, waiting) if waiting else []
        context |= {
            "panels": shown.panels,
            "known_to": shown.known_to,
            "lead": lead,
            "lead_rule": LEAD_RULE,
            "proposals": lead_proposals_of(finding, user),
            "waiting_proposal": waiting,
            "answering_for": [answer.panel.name for answer in answering],
            "lead_form": forms.get("lead_form")
            or LeadPanelForm(
                initial={"panel": lead.panel_id} if lead else None, panels=shown.panels
            ),
            "answer_form": forms.get("answer_form") or LeadAnswerForm(),
            "no_action_form": forms.get("no_action_form") or NoActionForm(),
        }
    return render(request, "crossref/finding.html", context)


@login_required
@require_safe
def crossref_finding(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _finding_page(request, finding_for(request, pk))


def _not_open(
    request: AuthenticatedHttpRequest, finding: MatchFinding, kind: str
) -> HttpResponse | None:
    """Send the coordinator back to the finding when this decision no longer applies."""
    if finding.kind != kind:
        messages.error(request, "That decision does not apply to this finding.")
    elif finding.status != FindingStatus.OPEN:
        messages.error(
            request,
            f"This finding has already been decided ({finding.get_status_display().lower()}).",
        )
    else:
        return None
    return redirect("crossref:finding", pk=finding.pk)


def _refused(
    request: AuthenticatedHttpRequest, finding: MatchFinding, form: Form, error: ValidationError
) -> HttpResponse | None:
    """A decision the service refused: decided meanwhile by someone else (back to the
    finding, which now shows that decision), or errors to show on the form (None)."""
    if not MatchFinding.objects.filter(pk=finding.pk, status=FindingStatus.OPEN).exists():
        messages.error(request, error.messages[0])
        return redirect("crossref:finding", pk=finding.pk)
    add_service_errors(form, error)
    return None


@login_required
@require_POST
@reauthentication_required
def crossref_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    finding = finding_for(request, pk)
    elsewhere = _not_open(request, finding, FindingKind.DUPLICATE)
    if elsewhere:
        return elsewhere
    pair = comparison(request.user, finding)
    form = ConfirmForm(request.POST, pair=pair)
    if form.is_valid():
        survivor = Nominal.objects.get(pk=form.cleaned_data["survivor"])
        try:
            decided = finding_confirm(actor=request.user, finding=finding, survivor=survivor)
        except PermissionDenied:
            forbid(request, object_type=FINDING, object_id=finding.pk)
        except ValidationError as error:
            back = _refused(request, finding, form, error)
            if back:
                return back
        else:
            if decided.status == FindingStatus.MERGED:
                messages.success(request, f"Records merged. {decided.resolution_note}")
            else:
                messages.info(request, decided.resolution_note)
            return redirect("crossref:finding", pk=finding.pk)
    return _finding_page(request, finding, confirm_form=form)


@login_required
@require_POST
def crossref_dismiss(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _reasoned_decision(
        request,
        pk,
        kind=FindingKind.DUPLICATE,
        form_class=DismissForm,
        form_name="dismiss_form",
        decide=finding_dismiss,
        done="Dismissed: these records are not raised again unless one of them changes.",
    )


@login_required
@require_POST
def crossref_no_action(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _reasoned_decision(
        request,
        pk,
        kind=FindingKind.OVERLAP,
        form_class=NoActionForm,
        form_name="no_action_form",
        decide=overlap_close,
        done="Closed: no action needed. The person is not raised again while they stay "
        "on the same panels.",
    )


def _reasoned_decision(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    kind: str,
    form_class: type[Form],
    form_name: str,
    decide: Callable[..., MatchFinding],
    done: str,
) -> HttpResponse:
    """A decision that needs only a reason: check the finding is open and of `kind`, call
    the service, and come back to the finding (or to its page with the form's errors)."""
    finding = finding_for(request, pk)
    elsewhere = _not_open(request, finding, kind)
    if elsewhere:
        return elsewhere
    form = form_class(request.POST)
    if form.is_valid():
        try:
            decide(actor=request.user, finding=finding, reason=form.cleaned_data["reason"])
        except PermissionDenied:
            forbid(request, object_type=FINDING, object_id=finding.pk)
        except ValidationError as error:
            back = _refused(request, finding, form, error)
            if back:
                return back
        else:
            messages.success(request, done)
            return redirect("crossref:finding", pk=finding.pk)
    return _finding_page(request, finding, **{form_name: form})


@login_required
@require_POST
def crossref_lead(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Propose a lead panel; the other panels' coordinators are asked to agree."""
    finding = finding_for(request, pk)
    elsewhere = _not_open(request, finding, FindingKind.OVERLAP)
    if elsewhere:
        return elsewhere
    panels = finding_panels(finding)
    form = LeadPanelForm(request.POST, panels=panels)
    if form.is_valid():
        chosen = next(item for item in panels if item.panel_id == form.cleaned_data["panel"])
        try:
            lead_panel_propose(
                actor=request.user,
                finding=finding,
                panel=Panel.objects.get(pk=chosen.panel_id),
            )
        except PermissionDenied:
            forbid(request, object_type=FINDING, object_id=finding.pk)
        except ValidationError as error:
            back = _refused(request, finding, form, error)
            if back:
                return back
        else:
            finding.refresh_from_db()
            if finding.status == FindingStatus.LEAD_AGREED:
                messages.success(request, f"Lead panel agreed: {chosen.name} leads.")
            else:
                messages.success(
                    request,
                    f"You proposed {chosen.name} to lead. The other panels' coordinators "
                    "have been asked to agree.",
                )
            return redirect("crossref:finding", pk=finding.pk)
    return _finding_page(request, finding, lead_form=form)


@login_required
@require_POST
def crossref_lead_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Agree, or not, to the lead panel proposed for the person, for your own panels."""
    finding = finding_for(request, pk)
    elsewhere = _not_open(request, finding, FindingKind.OVERLAP)
    if elsewhere:
        return elsewhere
    proposal = waiting_proposal(finding)
    if proposal is None:
        messages.error(request, "There is no lead panel proposal waiting for an answer.")
        return redirect("crossref:finding", pk=finding.pk)
    form = LeadAnswerForm(request.POST)
    if form.is_valid():
        agree = form.cleaned_data["agree"]
        try:
            lead_panel_answer(
                actor=request.user,
                proposal=proposal,
                agree=agree,
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied:
            forbid(request, object_type=FINDING, object_id=finding.pk)
        except ValidationError as error:
            back = _refused(request, finding, form, error)
            if back:
                return back
        else:
            finding.refresh_from_db()
            if finding.status == FindingStatus.LEAD_AGREED:
                done = f"Lead panel agreed: {proposal.panel.name} leads."
            elif agree:
                done = "You agreed. The proposal waits for the other panels' coordinators."
            else:
                done = "You did not agree. The coordinator who proposed it has been told why."
            messages.success(request, done)
            return redirect("crossref:finding", pk=finding.pk)
    return _finding_page(request, finding, answer_form=form)


# --- The overlap report ---------------------------------------------------------------------------


def _month_form(request: AuthenticatedHttpRequest) -> MonthForm:
    runs = complete_runs(request.user)
    return MonthForm(request.GET if "month" in request.GET else None, runs=runs)


@login_required
@require_safe
def crossref_overlaps(request: AuthenticatedHttpRequest) -> HttpResponse:
    _reviewers_only(request)
    form = _month_form(request)
    run = form.run()
    context: dict[str, Any] = {"form": form, "run": run, **NAV}
    if run is not None:
        report = overlap_report(request.user, run, page_number=request.GET.get("page"))
        log_access_many(
            request=request,
            object_type=NOMINAL,
            object_ids=report.shown_ids,
            purpose=Purpose.PANEL_PREPARATION,
        )
        context |= {
            "report": report,
            "month": month_value(run),
            "query": _pages_query(month=month_value(run)),
        }
    return render(request, "crossref/overlaps.html", context)


@login_required
@reauthentication_required
@require_safe
def crossref_overlaps_export(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    """Every row of the month's report for the user's panels, and who left it."""
    _reviewers_only(request)
    run = _month_form(request).run()
    if run is None:
        messages.info(request, "There is no completed cross-reference to export yet.")
        return redirect("crossref:overlaps")
    rows, left = overlap_report_all(request.user, run)
    shown = [row.nominal_id for row in rows if row.visible] + [
        row.nominal_id for row in left if row.visible
    ]
    with transaction.atomic():
        audit(
            actor=request.user,
            verb=Verb.OVERLAPS_EXPORTED,
            target=run,
            detail={
                "format": fmt,
                "month": month_value(run),
                "people": len(rows),
                "left": len(left),
            },
        )
        # One access-log row per person named in the file, written together.
        log_access_many(
            request=request,
            object_type=NOMINAL,
            object_ids=shown,
            purpose=Purpose.PANEL_PREPARATION,
        )
    name = f"overlap-report-{month_value(run)}"
    if fmt == "xlsx":
        content = overlap_xlsx(rows, left, title=f"Overlaps {run.month:%B %Y}")
        return download(content, file_name=f"{name}.xlsx", content_type=XLSX_TYPE)
    return download(overlap_csv(rows, left), file_name=f"{name}.csv", content_type=CSV_TYPE)
