"""Reads of merge requests: the one visibility rule (`MergeRequest.objects.visible_to`),
and each record as the reader may see it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest

from accounts.access import visible_or_404
from accounts.http import request_user
from accounts.models import User
from crossref.models import MatchFinding, MergeAgreement, MergeRequest, MergeStatus
from offenders.models import Nominal
from offenders.selectors import nominals_for

MERGE_REQUEST = "crossref.mergerequest"


def merge_requests_for(user: User) -> QuerySet[MergeRequest]:
    """Requests the user's agency is asked to agree to, or asked for; waiting ones first."""
    return (
        MergeRequest.objects.visible_to(user)
        .select_related("survivor__owning_agency", "duplicate__owning_agency", "requested_by")
        .prefetch_related(
            Prefetch("agreements", MergeAgreement.objects.select_related("agency", "decided_by"))
        )
        .order_by("-requested_at", "-pk")
    )


def waiting_count(user: User) -> int:
    return (
        MergeRequest.objects.visible_to(user)
        .filter(
            status=MergeStatus.WAITING,
            agreements__agency_id=user.agency_id,
            agreements__decision="waiting",
        )
        .count()
    )


def merge_request_of(finding: MatchFinding) -> MergeRequest | None:
    """The merge request a confirmed finding opened, if any (the finding's reader is a
    coordinator of its panels, who may follow it)."""
    return MergeRequest.objects.filter(finding=finding).first()


def merge_request_for(request: HttpRequest, pk: int) -> MergeRequest:
    """The request if the user's agency is part of it; otherwise 404 (logged)."""
    return visible_or_404(
        request, merge_requests_for(request_user(request)), pk, object_type=MERGE_REQUEST
    )


@dataclass(frozen=True)
class RecordShown:
    """One of the two records, named only to a reader who may see it."""

    pk: int
    held_by: str
    visible: bool
    nominal: Nominal | None


def records_shown(user: User, request: MergeRequest) -> list[RecordShown]:
    pair = (request.survivor, request.duplicate)
    seen = set(nominals_for(user).filter(pk__in=[r.pk for r in pair]).values_list("pk", flat=True))
    return [
        RecordShown(
            pk=record.pk,
            held_by=record.owning_agency.name,
            visible=record.pk in seen,
            nominal=record if record.pk in seen else None,
        )
        for record in pair
    ]
