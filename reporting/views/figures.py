"""The partnership dashboard and the page that says what each figure means."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import require
from accounts.http import AuthenticatedHttpRequest
from reporting.charts import charts_for
from reporting.figures.compute import compute_figures  # noqa: F401  (registers every definition)
from reporting.figures.values import DEFINITIONS
from reporting.forms import DashboardForm
from reporting.periods import last_complete_financial_year
from reporting.permissions import dashboard_threshold, may_use_reports
from reporting.selectors import dashboard_figures, reporting_panels

FIGURES_OBJECT = "reporting.figures"


@login_required
@require_safe
def partnership_dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    require(request, may_use_reports(user), object_type=FIGURES_OBJECT)
    today = timezone.localdate()
    panels = reporting_panels(user)
    form = DashboardForm(request.GET or None, panels=panels, today=today)
    period = last_complete_financial_year(today)
    chosen = list(panels)
    if request.GET and form.is_valid():
        period = form.chosen_period() or period
        chosen = list(form.cleaned_data["panels"]) or chosen
    elif not request.GET:
        form = DashboardForm(
            initial={"period": f"fy-{period.start.year}"}, panels=panels, today=today
        )
    figures = dashboard_figures(user, period, chosen, period.previous(), today) if chosen else None
    return render(
        request,
        "reporting/dashboard_figures.html",
        {
            "form": form,
            "figures": figures,
            "charts": charts_for(figures) if figures else {},
            "chosen_panels": chosen,
            "suppressed": dashboard_threshold(user) is not None,
            "nav_section": "Reports",
        },
    )


@login_required
@require_safe
def definitions(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request, may_use_reports(request.user), object_type=FIGURES_OBJECT)
    return render(
        request,
        "reporting/definitions.html",
        {"definitions": DEFINITIONS.values(), "nav_section": "Reports"},
    )
