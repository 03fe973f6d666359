"""Reads for sharing pages that depend on who is asking."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest

from accounts.access import refuse
from accounts.http import request_user
from accounts.models import ObjectType, User
from sharing.models import InformationSharingAgreement, Signature


def agreements_for(user: User) -> QuerySet[InformationSharingAgreement]:
    return (
        InformationSharingAgreement.objects.visible_to(user)
        .prefetch_related("parties", "panels")
        .order_by("reference")
    )


def agreement_for(request: HttpRequest, pk: int) -> InformationSharingAgreement:
    agreement = (
        agreements_for(request_user(request))
        .prefetch_related(
            Prefetch("signatures", queryset=Signature.objects.select_related("agency"))
        )
        .filter(pk=pk)
        .first()
    )
    if agreement is None:
        refuse(request, object_type=ObjectType.AGREEMENT, object_id=pk)
    return agreement


def agreement_in_force_ids(agreements: list[InformationSharingAgreement]) -> set[int]:
    """Which of these agreements are in force today, in one query."""
    ids = [agreement.pk for agreement in agreements]
    return set(
        InformationSharingAgreement.objects.in_force()
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
