"""Reads for sharing pages that depend on who is asking."""

from __future__ import annotations

from django.db.models import F, Max, Prefetch, Q, QuerySet
from django.http import HttpRequest

from accounts.access import refuse
from accounts.http import request_user
from accounts.models import ObjectType, Role, User
from panels.models import Panel
from sharing.models import InformationSharingAgreement, PartyWithdrawal, Signature


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


# The register's sort orders: the query parameter's value -> the ordering.
REGISTER_SORTS = {
    "reference": ("reference", "version"),
    "title": ("title", "reference", "version"),
    "status": ("status", "reference", "version"),
    "last_signed": (F("last_signed").desc(nulls_last=True), "reference", "version"),
    "next_review": (F("next_review_due").asc(nulls_last=True), "reference", "version"),
}


def register_for(user: User, sort: str) -> QuerySet[InformationSharingAgreement]:
    """The register: the agreements the user's agency is a party to (system administrators
    see all), each with the date of its latest signature. No personal data."""
    return (
        InformationSharingAgreement.objects.visible_to(user)
        .annotate(last_signed=Max("signatures__signed_on"))
        .prefetch_related("parties")
        .order_by(*REGISTER_SORTS[sort])
    )


def version_history(agreement: InformationSharingAgreement) -> list[InformationSharingAgreement]:
    """Every version of the agreement, newest first, with who signed each and who withdrew.
    A version is the same agreement to its parties, so anyone who sees this one sees the
    history."""
    return list(
        InformationSharingAgreement.objects.filter(reference=agreement.reference)
        .prefetch_related(
            Prefetch(
                "signatures",
                queryset=Signature.objects.select_related("agency").order_by("signed_on"),
            ),
            Prefetch("withdrawals", queryset=PartyWithdrawal.objects.select_related("agency")),
        )
        .order_by("-version")
    )


def panels_to_cover(
    user: User, agreement: InformationSharingAgreement | None = None
) -> QuerySet[Panel]:
    """The panels a draft may cover: those the drafter's agency coordinates or is a member
    of (system administrators: every active panel), and those the agreement already
    covers. No other agency's panel is named to them."""
    panels = Panel.objects.filter(active=True)
    if not user.has_role(Role.SYSTEM_ADMIN):
        mine = Q(coordinating_agency=user.agency_id) | Q(member_agencies=user.agency_id)
        if agreement is not None and agreement.pk:
            mine |= Q(pk__in=agreement.panels.values("pk"))
        panels = panels.filter(mine)
    return Panel.objects.filter(pk__in=panels.values("pk")).order_by("name")
