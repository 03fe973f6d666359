"""Information-sharing agreements the user's agency is a party to."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from accounts.access import require
from accounts.http import AuthenticatedHttpRequest
from accounts.models import ObjectType
from accounts.permissions import is_governance_lead, may_manage_staff, may_run_the_service
from sharing.models import IN_FORCE_STATUSES
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
            "manages_staff": may_manage_staff(request.user),
            "governs_information": is_governance_lead(request.user),
            "may_recompute": may_run_the_service(request.user),
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
            "signed": agreement.status in IN_FORCE_STATUSES and agreement.signed_off_on,
            "today": timezone.localdate(),
            "grace_days": settings.ISA_REVIEW_GRACE_DAYS,
            "nav_section": "Sharing",
        },
    )


@login_required
@require_POST
def recompute_access_now(request: AuthenticatedHttpRequest) -> HttpResponse:
    """System administrators can rebuild panel access at once rather than wait for the night."""
    require(request, may_run_the_service(request.user), object_type=ObjectType.ACCESS_GRANTS)
    transaction.on_commit(recompute_access.delay)
    messages.success(request, "Panel access is being recomputed. It takes a few seconds.")
    return redirect("sharing:agreements")
