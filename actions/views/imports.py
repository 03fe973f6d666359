"""Importing a plan: paste or upload the table, choose its columns, check the preview, then
import it as a new plan, or discard it.

Coordinators and agency administrators import plans; the rest of the staff are refused
(403). An import in progress is its agency's: elsewhere it does not exist (404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.http import AuthenticatedHttpRequest
from actions.forms.imports import ColumnsForm, CommitForm, SourceForm
from actions.importing import FIELDS
from actions.models import ActionPlan, PlanImport, PlanImportStatus
from actions.selectors.imports import (
    import_for,
    import_preview,
    imports_in_progress,
    require_importer,
)
from actions.services import imports as services
from core.forms import add_service_errors

NAV = "Action plan"
# How many of the table's first rows the columns page shows under the choices.
SAMPLE_ROWS = 3


def _plan_url(plan: ActionPlan | None) -> str:
    """The plan's page, or the action plan's index where the plan has no page."""
    if plan is not None:
        try:
            return reverse("actions:plan", args=[plan.pk])
        except NoReverseMatch:
            pass
    return reverse("actions:index")


def _closed(request: AuthenticatedHttpRequest, plan_import: PlanImport) -> HttpResponse:
    """An import that is no longer open: where it went."""
    if plan_import.status == PlanImportStatus.IMPORTED:
        messages.info(request, "This plan has already been imported.")
        return redirect(_plan_url(plan_import.plan))
    messages.info(request, "This import was discarded. Paste or upload the plan again.")
    return redirect("actions:plan-import")


@login_required
@require_http_methods(["GET", "POST"])
def plan_import_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_importer(request)
    form = SourceForm(request.POST, request.FILES) if request.method == "POST" else SourceForm()
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["plan_file"]
        try:
            plan_import = services.plan_import_start(
                actor=request.user,
                text=form.cleaned_data["pasted"],
                data=upload.read() if upload else None,
                file_name=upload.name if upload else "",
            )
        except ValidationError as error:
            form.add_error("plan_file" if upload else "pasted", error.messages)
        else:
            rows = plan_import.parsed["read"]["rows"]
            messages.success(
                request,
                f"The table was read: {rows} {'row' if rows == 1 else 'rows'} under the "
                "headings. Now check which column holds what.",
            )
            return redirect("actions:plan-import-columns", pk=plan_import.pk)
    return render(
        request,
        "actions/imports/start.html",
        {"form": form, "imports": imports_in_progress(request.user)[:20], "nav_section": NAV},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_import_columns(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan_import = import_for(request, pk)
    if plan_import.status != PlanImportStatus.PREVIEW:
        return _closed(request, plan_import)
    headers = plan_import.headers
    if request.method == "POST":
        form = ColumnsForm(request.POST, headers=headers)
        if form.is_valid():
            try:
                services.plan_import_map(
                    actor=request.user, plan_import=plan_import, mapping=form.mapping()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("actions:plan-import-preview", pk=plan_import.pk)
    else:
        form = ColumnsForm(
            initial={key: str(index) for key, index in plan_import.mapping.items()},
            headers=headers,
        )
    return render(
        request,
        "actions/imports/columns.html",
        {
            "plan_import": plan_import,
            "read": (plan_import.parsed or {}).get("read", {}),
            "form": form,
            "required": [form[item.key] for item in FIELDS if item.required],
            "optional": [form[item.key] for item in FIELDS if not item.required],
            "sample": [(number, cells) for number, cells in plan_import.rows[:SAMPLE_ROWS]],
            "nav_section": NAV,
        },
    )


def _preview_page(
    request: AuthenticatedHttpRequest, plan_import: PlanImport, form: CommitForm, error: str = ""
) -> HttpResponse:
    return render(
        request,
        "actions/imports/preview.html",
        {
            "plan_import": plan_import,
            "read": (plan_import.parsed or {}).get("read", {}),
            "preview": import_preview(plan_import),
            "form": form,
            "error": error,
            "nav_section": NAV,
        },
        status=400 if error else 200,
    )


@login_required
@require_safe
def plan_import_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The plan as it will import, and the form that imports it."""
    plan_import = import_for(request, pk)
    if plan_import.status != PlanImportStatus.PREVIEW:
        return _closed(request, plan_import)
    if not (plan_import.parsed or {}).get("objectives"):
        return redirect("actions:plan-import-columns", pk=plan_import.pk)
    read = plan_import.parsed.get("read", {})
    form = CommitForm(
        initial={
            "title": (read.get("title") or "Action plan")[:200],
            "agencies": services.default_agencies(request.user, plan_import),
        }
    )
    return _preview_page(request, plan_import, form)


@login_required
@require_POST
def plan_import_commit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan_import = import_for(request, pk)
    # The button's own value: an empty POST (or one from anywhere else) imports nothing.
    if request.POST.get("commit") != "yes":
        return redirect("actions:plan-import-preview", pk=plan_import.pk)
    if plan_import.status != PlanImportStatus.PREVIEW:
        return _closed(request, plan_import)
    if not (plan_import.parsed or {}).get("objectives"):
        return redirect("actions:plan-import-columns", pk=plan_import.pk)
    form = CommitForm(request.POST)
    if not form.is_valid():
        return _preview_page(request, plan_import, form)
    data = form.cleaned_data
    try:
        plan = services.plan_import_commit(
            actor=request.user,
            plan_import=plan_import,
            title=data["title"],
            strategy=data["strategy"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            agencies=data["agencies"],
            progress_rag=data["progress_rag"],
        )
    except services.CommitFailed as failed:
        return _preview_page(request, plan_import, form, error=failed.messages[0])
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
        return redirect("actions:plan-import-preview", pk=plan_import.pk)
    messages.success(request, f"“{plan.title}” was imported.")
    return redirect(_plan_url(plan))


@login_required
@require_POST
def plan_import_keep_apart(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Choose which rows joined to the row above are steps of their own instead."""
    plan_import = import_for(request, pk)
    if plan_import.status != PlanImportStatus.PREVIEW:
        return _closed(request, plan_import)
    if not (plan_import.parsed or {}).get("objectives"):
        return redirect("actions:plan-import-columns", pk=plan_import.pk)
    rows = [int(value) for value in request.POST.getlist("keep_apart") if value.isdigit()]
    try:
        services.plan_import_keep_apart(actor=request.user, plan_import=plan_import, rows=rows)
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
    else:
        kept = len(plan_import.kept_apart)
        messages.success(
            request,
            "The plan was read again: "
            + (
                f"{kept} {'row is' if kept == 1 else 'rows are'} imported as steps of their own."
                if kept
                else "every row split by a page break is joined to the row above."
            ),
        )
    return redirect(reverse("actions:plan-import-preview", args=[plan_import.pk]) + "#joined")


@login_required
@require_http_methods(["GET", "POST"])
def plan_import_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan_import = import_for(request, pk)
    if plan_import.status != PlanImportStatus.PREVIEW:
        return _closed(request, plan_import)
    if request.method == "POST":
        if request.POST.get("discard") != "yes":
            return redirect("actions:plan-import-preview", pk=plan_import.pk)
        services.plan_import_discard(actor=request.user, plan_import=plan_import)
        messages.success(request, "The import was discarded. Nothing was imported.")
        return redirect("actions:plan-import")
    return render(
        request,
        "actions/imports/discard.html",
        {"plan_import": plan_import, "nav_section": NAV},
    )
