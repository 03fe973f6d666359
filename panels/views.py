from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import require
from accounts.audit import log_access
from accounts.http import AuthenticatedHttpRequest
from accounts.models import ObjectType
from accounts.permissions import is_coordinator
from core.forms import add_service_errors
from panels.forms import PanelSettingsForm
from panels.permissions import can_coordinate
from panels.selectors import PANEL_SORTS, agencies_seeing_panel, panel_for, panels_for
from panels.services import panel_update


@login_required
@require_safe
def panel_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "name")
    if sort not in PANEL_SORTS:
        sort = "name"
    return render(
        request,
        "panels/panel_list.html",
        {
            "panels": panels_for(request.user, sort=sort),
            "sort": sort,
            "is_coordinator": is_coordinator(request.user),
            "nav_section": "Panels",
        },
    )


@login_required
@require_safe
def panel_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    panel = panel_for(request, pk)
    log_access(request=request, object_type=ObjectType.PANEL, object_id=panel.pk)
    # The agreements that cover the panel, through its reverse relation: panels sit below
    # sharing and do not import it.
    agreements = list(panel.agreements.prefetch_related("parties").order_by("reference"))
    in_force = set(panel.agreements.in_force().values_list("pk", flat=True))
    return render(
        request,
        "panels/panel_detail.html",
        {
            "panel": panel,
            "members": panel.member_agencies.order_by("name"),
            "seeing": agencies_seeing_panel(panel),
            "agreements": [(agreement, agreement.pk in in_force) for agreement in agreements],
            "coordinates": can_coordinate(request.user, panel),
            "nav_section": "Panels",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def panel_settings(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The coordinator's settings for their panel: description, RAG scheme, review interval."""
    panel = panel_for(request, pk)
    require(
        request,
        can_coordinate(request.user, panel),
        object_type=ObjectType.PANEL,
        object_id=panel.pk,
    )
    initial = {
        "description": panel.description,
        "rag_scheme": panel.rag_scheme,
        "review_interval_days": panel.review_interval_days,
    }
    form = PanelSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            panel_update(actor=request.user, panel=panel, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Panel settings saved")
            return redirect("panels:detail", pk=panel.pk)
    return render(
        request,
        "panels/panel_settings.html",
        {"panel": panel, "form": form, "nav_section": "Panels"},
    )
