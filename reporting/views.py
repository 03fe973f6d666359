from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from panels.selectors import panels_for


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """The first page after sign-in: who you are here, and the panels you can see."""
    return render(
        request,
        "reporting/dashboard.html",
        {"panels": panels_for(request.user), "nav_section": "Dashboard"},
    )


@login_required
@require_safe
def report_index(request: HttpRequest) -> HttpResponse:
    return render(request, "reporting/index.html", {"nav_section": "Reports"})
