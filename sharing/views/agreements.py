"""Information-sharing agreements the user's agency is a party to."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.access import forbid
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from sharing.selectors import agreement_for, agreement_in_force_ids, agreements_for
from sharing.tasks import recompute_access


@login_required
@require_safe
def agreement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(agreements_for(request.user), 50).get_page(request.GET.get("page"))
    in_force = agreement_in_force_ids(list(page))
    return render(
        request,
        "sharing/agreement_list.html",
        {
            "page": page,
            "rows": [(agreement, agreement.pk in in_force) for agreement in page],
            "nav_section": "Sharing",
        },
    )


@login_required
@require_safe
def agreement_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    agreement = agreement_for(request, pk)
    current = {s.agency_id: s for s in agreement.signatures.all() if s.version == agreement.version}
    parties = [(party, current.get(party.pk)) for party in agreement.parties.all()]
    return render(
        request,
        "sharing/agreement_detail.html",
        {
            "agreement": agreement,
            "parties": parties,
            "in_force": agreement.pk in agreement_in_force_ids([agreement]),
            "nav_section": "Sharing",
        },
    )


@login_required
@require_POST
def recompute_access_now(request: AuthenticatedHttpRequest) -> HttpResponse:
    """System administrators can rebuild panel access at once rather than wait for the night."""
    if not request.user.has_role(Role.SYSTEM_ADMIN):
        forbid(request, object_type="sharing.access")
    transaction.on_commit(recompute_access.delay)
    messages.success(request, "Panel access is being recomputed. It takes a few seconds.")
    return redirect("sharing:agreements")
