"""Coordinators' decisions on cross-referencing findings: confirm that two records are one
person (and merge them), dismiss a possible match, or close a person-on-several-panels finding
as needing no action. Lead panels are agreed between coordinators (crossref/services/leads.py).

Each decision is made by a coordinator of a panel the finding names, on a finding that is
still open: the finding's row is locked first, so two coordinators deciding at once (or a
second click) cannot both act; the later one is told it was already decided. Every decision
is audited in the same transaction.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit
from accounts.models import User, Verb
from crossref.models import FindingKind, FindingStatus, MatchFinding
from crossref.permissions import may_decide
from crossref.services.leads import lead_proposals_close
from crossref.services.merges import merge_request_open
from crossref.services.reasons import checked_reason
from offenders.models import Nominal
from offenders.permissions import can_edit_identity
from offenders.selectors import nominals_for
from offenders.services import nominals_merge


def _check(actor: User, finding: MatchFinding, kind: str) -> None:
    if not may_decide(actor, finding):
        raise PermissionDenied
    if finding.kind != kind:
        if kind == FindingKind.DUPLICATE:
            raise ValidationError("This finding is about one person on several panels.")
        raise ValidationError("This finding is about two records that may be one person.")


def _lock_open(finding: MatchFinding) -> MatchFinding:
    """The finding's row, locked until the transaction ends, if it is still open."""
    locked = MatchFinding.objects.select_for_update().get(pk=finding.pk)
    if locked.status != FindingStatus.OPEN:
        raise ValidationError(
            f"This finding has already been decided ({locked.get_status_display().lower()}). "
            "Nothing was changed."
        )
    return locked


def _resolve(finding: MatchFinding, *, actor: User, status: str, note: str) -> None:
    finding.status = status
    finding.resolved_by = actor
    finding.resolved_at = timezone.now()
    finding.resolution_note = note
    finding.save(
        update_fields=["status", "resolved_by", "resolved_at", "resolution_note", "lead_panel"]
    )


def _who_must_merge(actor: User, records: list[Nominal]) -> str:
    """Why the actor could not merge: the records they may not change, and whose they are."""
    visible = set(
        nominals_for(actor).filter(pk__in=[r.pk for r in records]).values_list("pk", flat=True)
    )
    blocked = [
        record
        for record in records
        if record.pk not in visible or not can_edit_identity(actor, record)
    ]
    agencies = " or ".join(dict.fromkeys(record.owning_agency.name for record in blocked))
    held = " and ".join(
        f"record {record.pk} (held by {record.owning_agency.name})" for record in blocked
    )
    return (
        f"Confirmed as one person. {actor.agency.name} may not change {held}, so {agencies} "
        "has been asked to agree to the merge. The records are merged when every agency "
        "holding one of them has agreed."
    )


def finding_confirm(*, actor: User, finding: MatchFinding, survivor: Nominal) -> MatchFinding:
    """The two records are one person: merge the other record into `survivor` (status
    merged). Where the coordinator may not change one record's identity, the finding is
    confirmed with a note saying which agency must merge."""
    _check(actor, finding, FindingKind.DUPLICATE)
    if finding.nominal_b_id is None:
        raise ValidationError("Only a possible duplicate names two records to merge")
    pair = [finding.nominal_a_id, finding.nominal_b_id]
    if survivor.pk not in pair:
        raise ValidationError({"survivor": "Choose which of the two records to keep"})
    duplicate_id = pair[1] if survivor.pk == pair[0] else pair[0]
    with transaction.atomic():
        locked = _lock_open(finding)
        records = {
            record.pk: record
            for record in Nominal.objects.select_related("owning_agency").filter(pk__in=pair)
        }
        kept, merged_away = records[survivor.pk], records[duplicate_id]
        # A record merged since the finding was raised is no longer anyone's to merge: say so,
        # rather than report it as a record the coordinator may not change.
        for record in (kept, merged_away):
            if record.merged_into_id:
                raise ValidationError(
                    f"Record {record.pk} has already been merged into record "
                    f"{record.merged_into_id}. Nothing was changed."
                )
        try:
            nominals_merge(actor=actor, survivor=kept, duplicate=merged_away)
        except PermissionDenied:
            status = FindingStatus.CONFIRMED
            note = _who_must_merge(actor, [kept, merged_away])
            merge_request_open(actor=actor, finding=locked, survivor=kept, duplicate=merged_away)
        else:
            status = FindingStatus.MERGED
            note = f"Record {merged_away.pk} was merged into record {kept.pk}."
        _resolve(locked, actor=actor, status=status, note=note)
        audit(
            actor=actor,
            verb=Verb.FINDING_CONFIRMED,
            target=locked,
            detail={
                "survivor": kept.pk,
                "duplicate": merged_away.pk,
                "merged": status == FindingStatus.MERGED,
            },
        )
    return locked


def finding_dismiss(*, actor: User, finding: MatchFinding, reason: str) -> MatchFinding:
    """The two records are different people. The record versions the finding was raised on
    stay as they are, so the job does not raise the pair again until one record changes."""
    _check(actor, finding, FindingKind.DUPLICATE)
    reason = checked_reason(reason, missing="Enter why these are different people")
    with transaction.atomic():
        locked = _lock_open(finding)
        _resolve(locked, actor=actor, status=FindingStatus.DISMISSED, note=reason)
        audit(
            actor=actor,
            verb=Verb.FINDING_DISMISSED,
            target=locked,
            # The reason is kept as the finding's resolution note, not in the append-only
            # trail: it may describe the people, and the trail outlives their records.
            detail={
                "a_version": locked.a_version,
                "b_version": locked.b_version,
            },
        )
    return locked


def overlap_close(*, actor: User, finding: MatchFinding, reason: str) -> MatchFinding:
    """The panels already work together on this person: no action is needed. The person is
    not raised again while they are on the same panels."""
    _check(actor, finding, FindingKind.OVERLAP)
    reason = checked_reason(reason, missing="Enter why no action is needed")
    with transaction.atomic():
        locked = _lock_open(finding)
        _resolve(locked, actor=actor, status=FindingStatus.NO_ACTION, note=reason)
        lead_proposals_close(locked)
        # The reason stays on the finding, not in the append-only trail (it may name people).
        audit(
            actor=actor, verb=Verb.OVERLAP_CLOSED, target=locked, detail={"panels": locked.panels}
        )
    return locked
