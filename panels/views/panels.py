from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from panels.selectors import PANEL_SORTS, panels_for
from sharing.access import agencies_seeing_panel, can_coordinate, panel_for
from sharing.audit import log_access
from sharing.selectors import agreement_in_force_ids


@login_required
@require_safe
def panel_list(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "name")
    if sort not in PANEL_SORTS:
        sort = "name"
    return render(
        request,
        "panels/panel_list.html",
        {"panels": panels_for(request.user, sort=sort), "sort": sort, "nav_section": "Panels"},
    )


@login_required
@require_safe
def panel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    panel = panel_for(request, pk)
    log_access(request=request, object_type="panels.panel", object_id=panel.pk)
    agreements = list(panel.agreements.prefetch_related("parties").order_by("reference"))
    in_force = agreement_in_force_ids(agreements)
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
