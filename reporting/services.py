"""Writes for reports: targets, unit costs, reports, and producing a report's versions.

`version_request` makes the version row and queues the task through the outbox (core/jobs.py),
sent once the transaction commits, or later if Redis is down;
`version_generate` (the task's body) claims it, takes the figures, draws the documents and
stores them. A worker lost mid-run hands the task to another (late acknowledgement), which
claims the version again and starts over; the first worker's late result, if it ever comes,
is refused because its claim is no longer the current one. A request sent twice (the same
form token) finds the version the first made, so one request is one version.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.audit import audit
from accounts.models import User, Verb
from core.jobs import enqueue
from panels.models import Panel
from reporting.figures.compute import compute_figures
from reporting.figures.scope import Scope
from reporting.figures.suppression import present
from reporting.models import Measure, Report, ReportVersion, Target, UnitCost, VersionStatus
from reporting.periods import Period
from reporting.permissions import (
    may_set_unit_costs,
    may_use_reports,
    report_threshold,
)

logger = logging.getLogger(__name__)
# The task that produces a version (reporting/tasks.py), asked for through the outbox.
GENERATE_REPORT = "reporting.tasks.generate_report"

REPORT_FIELDS = (
    "title",
    "committee",
    "meeting_date",
    "lead_officer",
    "author",
    "policy_context",
    "summary",
    "recommendations",
    "implications",
    "background_papers",
    "period_start",
    "period_end",
    "compare_start",
    "compare_end",
)


def _require_panels(actor: User, panels: list[Panel]) -> None:
    from reporting.selectors import reporting_panels

    allowed = set(reporting_panels(actor).values_list("pk", flat=True))
    if not panels:
        raise ValidationError({"panels": "Choose at least one panel"})
    if any(panel.pk not in allowed for panel in panels):
        raise PermissionDenied


# --- Targets and unit costs ----------------------------------------------------------------


def target_set(
    *, actor: User, panel: Panel, measure: str, year: int, value: int, note: str = ""
) -> Target:
    """Set a panel's target for a financial year; the old value stays in the history."""
    if not may_use_reports(actor):
        raise PermissionDenied
    _require_panels(actor, [panel])
    target = Target(
        panel=panel, measure=Measure(measure), year=year, value=value, note=note, set_by=actor
    )
    target.full_clean()
    with transaction.atomic():
        target.save()
        audit(
            actor=actor,
            verb=Verb.TARGET_SET,
            target=target,
            detail={"panel": panel.pk, "measure": measure, "year": year, "value": value},
        )
    return target


def unit_cost_set(
    *, actor: User, offence_type: str, cost: Decimal, source: str, price_year: int
) -> UnitCost:
    """Set the cost of one offence of a type; the old value stays in the history."""
    if not may_set_unit_costs(actor):
        raise PermissionDenied
    unit_cost = UnitCost(
        offence_type=offence_type, cost=cost, source=source, price_year=price_year, set_by=actor
    )
    unit_cost.full_clean()
    with transaction.atomic():
        unit_cost.save()
        audit(
            actor=actor,
            verb=Verb.UNIT_COST_SET,
            target=unit_cost,
            detail={"offence_type": offence_type, "cost": str(cost), "source": source},
        )
    return unit_cost


# --- Reports ------------------------------------------------------------------------------


def report_save(
    *, actor: User, report: Report | None, panels: list[Panel], **fields: Any
) -> Report:
    """Create a report, or change one's text, period and panels."""
    if not may_use_reports(actor):
        raise PermissionDenied
    _require_panels(actor, panels)
    creating = report is None
    if report is None:
        report = Report(created_by=actor)
    for name in REPORT_FIELDS:
        if name in fields:
            setattr(report, name, fields[name])
    # Every problem is named in one answer: the comparison's and the report's own fields.
    errors: dict[str, list[str]] = {}
    if bool(report.compare_start) != bool(report.compare_end):
        errors["compare_start"] = ["Enter both dates of the period to compare with"]
    if report.compare_start and report.compare_end and report.compare_end < report.compare_start:
        errors["compare_end"] = ["The comparison must end on or after the day it starts"]
    try:
        report.full_clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report.save()
        report.panels.set(panels)
        audit(
            actor=actor,
            verb=Verb.REPORT_CREATED if creating else Verb.REPORT_CHANGED,
            target=report,
        )
    return report


def version_request(*, actor: User, report: Report, request_token: uuid.UUID) -> ReportVersion:
    """Queue a new version of the report; the same token twice gives the same version."""
    from reporting.selectors import reports_visible_to

    if not may_use_reports(actor) or not reports_visible_to(actor).filter(pk=report.pk).exists():
        raise PermissionDenied
    existing = ReportVersion.objects.filter(request_token=request_token).first()
    if existing is not None:
        if existing.report_id != report.pk:
            raise PermissionDenied
        return existing
    try:
        with transaction.atomic():
            # Lock the report so two requests cannot take the same version number.
            Report.objects.select_for_update().get(pk=report.pk)
            latest = report.versions.aggregate(latest=Max("number"))["latest"] or 0
            version = ReportVersion.objects.create(
                report=report, number=latest + 1, request_token=request_token, requested_by=actor
            )
            audit(
                actor=actor,
                verb=Verb.REPORT_REQUESTED,
                target=version,
                detail={"report": report.pk},
            )
            enqueue(GENERATE_REPORT, version.pk)
    except IntegrityError:
        # The same token committed by a request running alongside this one.
        return ReportVersion.objects.get(request_token=request_token)
    return version


def version_retry(*, actor: User, version: ReportVersion) -> ReportVersion:
    """Start a failed or stalled version again, as the same version."""
    if not may_use_reports(actor):
        raise PermissionDenied
    if version.status == VersionStatus.DONE:
        return version
    with transaction.atomic():
        ReportVersion.objects.filter(pk=version.pk).update(
            status=VersionStatus.QUEUED, progress=0, step="Waiting to start", error=""
        )
        enqueue(GENERATE_REPORT, version.pk)
    version.refresh_from_db()
    return version


# --- Producing a version (the task's body) -----------------------------------------------


def _progress(version_id: int, claim: str, percent: int, step: str) -> None:
    ReportVersion.objects.filter(pk=version_id, claim=claim).update(progress=percent, step=step)
    pause = float(getattr(settings, "REPORT_STEP_PAUSE_SECONDS", 0))
    if pause:
        time.sleep(pause)  # only ever set by the test that kills a worker mid-run


def report_text(report: Report) -> dict[str, Any]:
    """The report's text and scope as they stand, frozen into the version."""
    text: dict[str, Any] = {
        name: getattr(report, name)
        for name in REPORT_FIELDS
        if not name.endswith(("_start", "_end"))
    }
    text["meeting_date"] = report.meeting_date.isoformat() if report.meeting_date else ""
    text["panels"] = [panel.name for panel in report.panels.order_by("name")]
    return text


def version_generate(
    version_id: int, *, today: Callable[[], date] = timezone.localdate
) -> ReportVersion | None:
    """Produce one version: claim it, take the figures, draw the documents, store them."""
    from reporting.documents.docx import render_docx
    from reporting.documents.pdf import render_pdf
    from reporting.documents.xlsx import render_xlsx

    claim = uuid.uuid4().hex[:8]
    with transaction.atomic():
        version = (
            ReportVersion.objects.select_for_update()
            .select_related("report")
            .filter(pk=version_id)
            .first()
        )
        if version is None or version.status == VersionStatus.DONE:
            return version
        version.status = VersionStatus.RUNNING
        version.attempts += 1
        version.started_at = timezone.now()
        version.progress = 5
        version.step = "Taking the figures"
        version.claim = claim
        version.error = ""
        version.save(
            update_fields=["status", "attempts", "started_at", "progress", "step", "error", "claim"]
        )

    report = version.report
    try:
        taken_at = timezone.now()
        ids = tuple(report.panels.order_by("pk").values_list("pk", flat=True))
        as_at = today()
        scope = Scope(Period(report.period_start, report.period_end), ids, as_at)
        compare = (
            Scope(Period(report.compare_start, report.compare_end), ids, as_at)
            if report.compare_start and report.compare_end
            else None
        )
        figures = present(compute_figures(scope, compare), report_threshold())
        figures["taken_at"] = taken_at.isoformat()
        text = report_text(report)
        _progress(version_id, claim, 40, "Drawing the Word document")
        docx = render_docx(text, figures)
        _progress(version_id, claim, 65, "Drawing the PDF")
        pdf = render_pdf(text, figures)
        _progress(version_id, claim, 85, "Writing the spreadsheet")
        xlsx = render_xlsx(text, figures)
    except Exception as error:
        logger.exception("Report version %s failed", version_id)
        ReportVersion.objects.filter(pk=version_id, claim=claim).update(
            status=VersionStatus.FAILED,
            error=f"The report could not be produced ({type(error).__name__}). Try again; if it fails again, tell the service desk.",
            finished_at=timezone.now(),
        )
        raise

    with transaction.atomic():
        current = ReportVersion.objects.select_for_update().get(pk=version_id)
        if current.status == VersionStatus.DONE or current.claim != claim:
            # Another worker claimed it after this one: its result is the one kept.
            return current
        current.figures = {"report": text, **figures}
        current.figures_as_at = taken_at
        current.docx, current.pdf, current.xlsx = docx, pdf, xlsx
        current.status = VersionStatus.DONE
        current.progress = 100
        current.step = "Ready"
        current.finished_at = timezone.now()
        current.save()
    return current


def is_running(version: ReportVersion) -> bool:
    return version.status in (VersionStatus.QUEUED, VersionStatus.RUNNING)
