"""Merging two records of one person across agencies.

A coordinator who confirms that two records are one person may not be allowed to change
both (each agency answers for its own records). Then a merge request asks every agency
holding one of the records to agree; `MERGE_RULE` says when the merge runs, and the page
shows it. Each answer is audited; the agencies asked, and the coordinator who asked, are
notified in the service (title and link only, never a name).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit
from accounts.models import User, Verb
from accounts.notifications import casework_staff, send
from crossref.models import (
    AgreementDecision,
    FindingStatus,
    MatchFinding,
    MergeAgreement,
    MergeRequest,
    MergeStatus,
)
from crossref.services.reasons import REASON_MAX_LENGTH, checked_reason
from offenders.models import Nominal
from offenders.permissions import can_edit_identity
from offenders.services import nominals_merge_agreed

MERGE_RULE = (
    "The two records are merged as soon as every agency that holds one of them has agreed. "
    "If any agency refuses, nothing is merged, and the coordinator who asked is told why."
)
NOTIFY_KIND = "merge_request"


def request_url(request: MergeRequest) -> str:
    return reverse("crossref:merge", args=[request.pk])


def merge_request_open(
    *, actor: User, finding: MatchFinding, survivor: Nominal, duplicate: Nominal
) -> MergeRequest:
    """Ask the agencies holding the two records to agree to merge them. The requesting
    coordinator's agency agrees at once for a record the coordinator may change. Call inside
    the transaction that confirms the finding."""
    request = MergeRequest.objects.create(
        finding=finding, survivor=survivor, duplicate=duplicate, requested_by=actor
    )
    holders = {record.owning_agency_id: record.owning_agency for record in (survivor, duplicate)}
    for agency_id, agency in holders.items():
        own = [r for r in (survivor, duplicate) if r.owning_agency_id == agency_id]
        agreed = agency_id == actor.agency_id and all(can_edit_identity(actor, r) for r in own)
        MergeAgreement.objects.create(
            request=request,
            agency=agency,
            decision=AgreementDecision.AGREED if agreed else AgreementDecision.WAITING,
            decided_by=actor if agreed else None,
            decided_at=timezone.now() if agreed else None,
        )
        if not agreed:
            send(
                casework_staff([agency.pk]),
                kind=NOTIFY_KIND,
                key=f"{request.pk}:asked",
                text="Two records may be one person: your agency is asked to agree a merge",
                url=request_url(request),
            )
    audit(
        actor=actor,
        verb=Verb.MERGE_REQUESTED,
        target=request,
        detail={"survivor": survivor.pk, "duplicate": duplicate.pk, "agencies": list(holders)},
    )
    return request


def may_answer(user: User, request: MergeRequest) -> bool:
    """Casework staff of an agency still to answer, who may change that agency's record."""
    if not user.is_authenticated or not user.is_active:
        return False
    waiting = request.agreements.filter(
        agency_id=user.agency_id, decision=AgreementDecision.WAITING
    ).exists()
    if not waiting or request.status != MergeStatus.WAITING:
        return False
    own = [r for r in (request.survivor, request.duplicate) if r.owning_agency_id == user.agency_id]
    return bool(own) and all(can_edit_identity(user, record) for record in own)


def merge_request_answer(
    *, actor: User, request: MergeRequest, agree: bool, reason: str = ""
) -> MergeRequest:
    """Record the actor's agency's answer; merge when every agency has agreed, or close the
    request when one refuses. Re-authentication is asked for by the page, before this."""
    reason = (
        reason.strip()
        if agree
        else checked_reason(reason, missing="Enter why your agency does not agree to the merge")
    )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": f"The reason must be {REASON_MAX_LENGTH} characters or fewer"}
        )
    with transaction.atomic():
        locked = (
            MergeRequest.objects.select_for_update()
            .select_related("survivor__owning_agency", "duplicate__owning_agency", "finding")
            .get(pk=request.pk)
        )
        if locked.status != MergeStatus.WAITING:
            raise ValidationError(
                f"This merge has already been decided ({locked.get_status_display().lower()}). "
                "Nothing was changed."
            )
        if not may_answer(actor, locked):
            raise PermissionDenied
        answer = locked.agreements.get(agency_id=actor.agency_id)
        answer.decision = AgreementDecision.AGREED if agree else AgreementDecision.REFUSED
        answer.decided_by, answer.decided_at, answer.reason = actor, timezone.now(), reason
        answer.save(update_fields=["decision", "decided_by", "decided_at", "reason"])
        audit(
            actor=actor,
            verb=Verb.MERGE_AGREED if agree else Verb.MERGE_REFUSED,
            target=locked,
            detail={"agency": actor.agency.code},
        )
        if not agree:
            _close(locked, MergeStatus.REFUSED, f"{actor.agency.name} refused: {reason}")
            _tell_requester(locked, "A merge you asked for was refused")
        elif not locked.agreements.exclude(decision=AgreementDecision.AGREED).exists():
            _merge(actor, locked)
    return locked


def _merge(actor: User, request: MergeRequest) -> None:
    survivor, duplicate = request.survivor, request.duplicate
    if survivor.merged_into_id or duplicate.merged_into_id:
        _close(request, MergeStatus.REFUSED, "One of the records was merged elsewhere meanwhile.")
        _tell_requester(request, "A merge you asked for could not be made")
        return
    nominals_merge_agreed(actor=actor, survivor=survivor, duplicate=duplicate)
    note = f"Record {duplicate.pk} was merged into record {survivor.pk}, as every agency agreed."
    _close(request, MergeStatus.MERGED, note)
    finding = request.finding
    if finding.status == FindingStatus.CONFIRMED:
        finding.status = FindingStatus.MERGED
        finding.resolution_note = note
        finding.save(update_fields=["status", "resolution_note"])
    _tell_requester(request, "A merge you asked for has been made")


def _close(request: MergeRequest, status: str, outcome: str) -> None:
    request.status, request.decided_at, request.outcome = status, timezone.now(), outcome
    request.save(update_fields=["status", "decided_at", "outcome"])


def _tell_requester(request: MergeRequest, text: str) -> None:
    send(
        [request.requested_by],
        kind=NOTIFY_KIND,
        key=f"{request.pk}:outcome",
        text=text,
        url=request_url(request),
    )
