"""Scrutiny reports: the list, writing one, producing versions and downloading them."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRefresh

from accounts.access import require
from accounts.http import AuthenticatedHttpRequest
from core.exports import XLSX_TYPE, download
from core.forms import add_service_errors
from reporting.charts import charts_for
from reporting.forms import ReportForm
from reporting.models import Report, VersionStatus
from reporting.periods import last_complete_financial_year
from reporting.permissions import may_use_reports
from reporting.selectors import (
    REPORT_OBJECT,
    finished_version_for,
    report_for,
    report_list,
    reporting_panels,
    version_for,
    versions_of,
)
from reporting.services import is_running, report_save, version_request, version_retry

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"


def _require_reporter(request: AuthenticatedHttpRequest, pk: int | None = None) -> None:
    """403, logged, for anyone who does not write reports."""
    require(request, may_use_reports(request.user), object_type=REPORT_OBJECT, object_id=pk or "")


@login_required
@require_safe
def report_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    context = {"nav_section": "Reports", "may_report": may_use_reports(user)}
    if may_use_reports(user):
        context["reports"] = report_list(user)
    return render(request, "reporting/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_reporter(request)
    return _report_form(request, report=None)


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_reporter(request, pk)
    return _report_form(request, report=report_for(request, pk))


def _report_form(request: AuthenticatedHttpRequest, report: Report | None) -> HttpResponse:
    today = timezone.localdate()
    panels = reporting_panels(request.user)
    if request.method == "POST":
        form = ReportForm(request.POST, panels=panels, today=today)
        if form.is_valid():
            try:
                saved = report_save(
                    actor=request.user,
                    report=report,
                    panels=list(form.cleaned_data["panels"]),
                    **form.service_fields(),
                )
            except ValidationError as error:
                add_service_errors(
                    form, error, names={"period_end": "end", "period_start": "start"}
                )
            else:
                return redirect("reporting:report", saved.pk)
    else:
        last_year = last_complete_financial_year(today)
        initial = (
            ReportForm.initial_for(report, today)
            if report
            else {"panels": list(panels), "period": f"fy-{last_year.start.year}"}
        )
        form = ReportForm(initial=initial, panels=panels, today=today)
    return render(
        request,
        "reporting/report_form.html",
        {"form": form, "report": report, "nav_section": "Reports"},
    )


@login_required
@require_safe
def report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_reporter(request, pk)
    report = report_for(request, pk)
    versions = list(versions_of(report))
    return render(
        request,
        "reporting/report.html",
        {
            "report": report,
            "versions": versions,
            "running": next((v for v in versions if is_running(v)), None),
            "request_token": uuid.uuid4(),
            "nav_section": "Reports",
        },
    )


@login_required
@require_POST
def report_generate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_reporter(request, pk)
    report = report_for(request, pk)
    try:
        token = uuid.UUID(request.POST.get("request_token", ""))
    except ValueError:
        # Not sent from the report's page: nothing is produced, and the page offers the
        # button again.
        messages.error(request, "The report was not produced. Use the button below to produce it.")
        return redirect("reporting:report", report.pk)
    version = version_request(actor=request.user, report=report, request_token=token)
    return redirect("reporting:version", report.pk, version.number)


def _version_page(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    version = version_for(request, pk, number)
    figures = version.figures if version.status == VersionStatus.DONE else None
    return render(
        request,
        "reporting/version.html",
        {
            "report": version.report,
            "version": version,
            "figures": figures,
            "charts": charts_for(figures) if figures else {},
            "running": is_running(version),
            "nav_section": "Reports",
        },
    )


@login_required
@require_safe
def version_detail(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    _require_reporter(request, pk)
    return _version_page(request, pk, number)


@login_required
@require_safe
def version_progress(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    """The progress panel alone, for htmx to poll; once the version is finished the whole
    page is reloaded to show it. Without htmx (the "Check progress" link) it is the
    version's whole page."""
    _require_reporter(request, pk)
    if not request.htmx:
        return _version_page(request, pk, number)
    version = version_for(request, pk, number)
    if not is_running(version):
        return HttpResponseClientRefresh()
    return render(
        request,
        "reporting/version_progress.html",
        {"report": version.report, "version": version, "running": True},
    )


@login_required
@require_POST
def version_restart(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    _require_reporter(request, pk)
    version = version_for(request, pk, number)
    version_retry(actor=request.user, version=version)
    return redirect("reporting:version", pk, number)


FORMATS = {"docx": DOCX_TYPE, "pdf": PDF_TYPE, "xlsx": XLSX_TYPE}


@login_required
@require_safe
def version_download(
    request: AuthenticatedHttpRequest, pk: int, number: int, kind: str
) -> HttpResponse:
    _require_reporter(request, pk)
    version = finished_version_for(request, pk, number)
    content = getattr(version, kind)
    name = slugify(version.report.title)[:60] or "report"
    return download(
        bytes(content),
        file_name=f"{name}-version-{version.number}.{kind}",
        content_type=FORMATS[kind],
    )
