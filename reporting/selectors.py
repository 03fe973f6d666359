"""Reads for reports: which panels a user reports on, their reports, targets and costs."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest

from accounts.access import refuse
from accounts.http import request_user
from accounts.models import User
from panels.models import Panel
from reporting.figures.compute import compute_figures
from reporting.figures.scope import Scope
from reporting.figures.suppression import present
from reporting.models import Report, ReportVersion, Target, UnitCost, VersionStatus
from reporting.periods import Period
from reporting.permissions import dashboard_threshold, is_committee, is_reporting_coordinator

REPORT_OBJECT = "reporting.report"


def reporting_panels(user: User) -> QuerySet[Panel]:
    """Committee officers report on the active panels their agency coordinates or is a
    member of (their partnership's, never another borough's); coordinators on those their
    agency coordinates."""
    panels = Panel.objects.filter(active=True).order_by("name")
    if is_committee(user):
        return panels.filter(
            Q(coordinating_agency=user.agency_id) | Q(member_agencies=user.agency_id)
        ).distinct()
    if is_reporting_coordinator(user):
        return panels.filter(coordinating_agency=user.agency_id)
    return panels.none()


def reports_visible_to(user: User) -> QuerySet[Report]:
    """The reports whose panels are all ones the user reports on (`reporting_panels`)."""
    if not (is_committee(user) or is_reporting_coordinator(user)):
        return Report.objects.none()
    mine = reporting_panels(user).values("pk")
    outside = Report.panels.through.objects.exclude(panel__in=mine).values("report_id")
    return Report.objects.exclude(pk__in=outside)


def report_list(user: User) -> QuerySet[Report]:
    latest = ReportVersion.objects.order_by("-number").defer("docx", "pdf", "xlsx", "figures")
    return (
        reports_visible_to(user)
        .prefetch_related("panels", Prefetch("versions", queryset=latest))
        .annotate(version_count=Count("versions"))
        .order_by("-created_at", "-pk")
    )


def report_for(request: HttpRequest, pk: int) -> Report:
    report = (
        reports_visible_to(request_user(request)).filter(pk=pk).prefetch_related("panels").first()
    )
    if report is None:
        refuse(request, object_type=REPORT_OBJECT, object_id=pk)
    return report


def versions_of(report: Report) -> QuerySet[ReportVersion]:
    return report.versions.defer("docx", "pdf", "xlsx", "figures").order_by("-number")


def version_for(
    request: HttpRequest, report_pk: int, number: int, *, documents: bool = False
) -> ReportVersion:
    report = report_for(request, report_pk)
    versions = report.versions.all() if documents else report.versions.defer("docx", "pdf", "xlsx")
    version = versions.filter(number=number).first()
    if version is None:
        raise Http404
    version.report = report
    return version


def finished_version_for(request: HttpRequest, report_pk: int, number: int) -> ReportVersion:
    version = version_for(request, report_pk, number, documents=True)
    if version.status != VersionStatus.DONE:
        raise Http404
    return version


def target_history(panels: QuerySet[Panel]) -> QuerySet[Target]:
    return Target.objects.filter(panel__in=panels).select_related("panel", "set_by__agency")


def unit_cost_history() -> QuerySet[UnitCost]:
    return UnitCost.objects.select_related("set_by__agency")


def dashboard_figures(
    user: User, period: Period, panels: list[Panel], compare: Period | None, today: date
) -> dict:
    ids = tuple(panel.pk for panel in panels)
    scope = Scope(period, ids, today)
    compare_scope = Scope(compare, ids, today) if compare else None
    return present(compute_figures(scope, compare_scope), dashboard_threshold(user))
