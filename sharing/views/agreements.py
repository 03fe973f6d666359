"""Information-sharing agreements the user's agency is a party to."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from sharing.selectors import agreement_for, agreement_in_force_ids, agreements_for


@login_required
@require_safe
def agreement_list(request: HttpRequest) -> HttpResponse:
    agreements = list(agreements_for(request.user))
    in_force = agreement_in_force_ids(agreements)
    return render(
        request,
        "sharing/agreement_list.html",
        {
            "rows": [(agreement, agreement.pk in in_force) for agreement in agreements],
            "nav_section": "Sharing",
        },
    )


@login_required
@require_safe
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
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
