"""Targets and unit costs: the values the figures are measured against, with history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.access import forbid, require
from accounts.http import AuthenticatedHttpRequest
from core.forms import add_service_errors
from reporting.forms import TargetForm, UnitCostForm
from reporting.permissions import may_set_unit_costs, may_use_reports
from reporting.selectors import reporting_panels, target_history, unit_cost_history
from reporting.services import target_set, unit_cost_set

TARGET_OBJECT = "reporting.target"
UNIT_COST_OBJECT = "reporting.unitcost"


@login_required
@require_http_methods(["GET", "POST"])
def targets(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    require(request, may_use_reports(user), object_type=TARGET_OBJECT)
    panels = reporting_panels(user)
    today = timezone.localdate()
    form = TargetForm(request.POST or None, panels=panels, today=today)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target = target_set(
                actor=user,
                panel=data["panel"],
                measure=data["measure"],
                year=data["year"],
                value=data["value"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{target.panel}: {target.get_measure_display()} for {target.year}-{(target.year + 1) % 100:02d} set to {target.value:,}",
            )
            return redirect("reporting:targets")
    return render(
        request,
        "reporting/targets.html",
        {"form": form, "history": target_history(panels)[:200], "nav_section": "Reports"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_costs(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    require(request, may_use_reports(user), object_type=UNIT_COST_OBJECT)
    may_edit = may_set_unit_costs(user)
    form = UnitCostForm(request.POST or None)
    if request.method == "POST":
        if not may_edit:
            forbid(request, object_type=UNIT_COST_OBJECT)
        if form.is_valid():
            try:
                cost = unit_cost_set(actor=user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, f"{cost.get_offence_type_display()}: cost set to £{cost.cost:,}"
                )
                return redirect("reporting:unit-costs")
    return render(
        request,
        "reporting/unit_costs.html",
        {
            "form": form,
            "may_edit": may_edit,
            "history": unit_cost_history()[:300],
            "nav_section": "Reports",
        },
    )
