"""Agreeing which panel leads for a person on several panels.

One coordinator proposes a lead panel; the coordinators of the person's other panels are
asked to agree. `LEAD_RULE` says when the lead is set, and the finding's page shows it.
Panels coordinated by the proposer's own agency agree at once. A panel that does not agree
gives a reason; the proposal is then closed, the proposer is told, and anyone may propose
again. Each step is audited and notified in the service (title and link only).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit
from accounts.models import User, Verb
from accounts.notifications import coordinators_of, send
from crossref.models import (
    AgreementDecision,
    FindingKind,
    FindingStatus,
    LeadAnswer,
    LeadProposal,
    MatchFinding,
    OverlapEntry,
    ProposalStatus,
)
from crossref.permissions import may_decide, reviews_crossref
from crossref.services.reasons import REASON_MAX_LENGTH, checked_reason
from panels.models import LeadPanel, Panel

LEAD_RULE = (
    "The lead panel is agreed once a coordinator of each of the person's panels has agreed. "
    "Panels coordinated by the proposer's agency agree at once. If any panel does not agree, "
    "the proposal is closed, the proposer is told why, and a new one can be made."
)
NOTIFY_KIND = "lead_panel"


def _finding_url(finding: MatchFinding) -> str:
    return reverse("crossref:finding", args=[finding.pk])


def waiting_proposal(finding: MatchFinding) -> LeadProposal | None:
    return (
        LeadProposal.objects.filter(finding=finding, status=ProposalStatus.WAITING)
        .select_related("panel", "proposed_by__agency")
        .first()
    )


def _lock_open_overlap(finding: MatchFinding) -> MatchFinding:
    locked = MatchFinding.objects.select_for_update().get(pk=finding.pk)
    if locked.status != FindingStatus.OPEN:
        raise ValidationError(
            f"This finding has already been decided ({locked.get_status_display().lower()}). "
            "Nothing was changed."
        )
    return locked


def lead_panel_propose(*, actor: User, finding: MatchFinding, panel: Panel) -> LeadProposal:
    """Propose `panel` to lead. The coordinators of the person's other panels are asked to
    agree; where the proposer's agency coordinates every panel, the lead is agreed at once."""
    if not may_decide(actor, finding):
        raise PermissionDenied
    if finding.kind != FindingKind.OVERLAP:
        raise ValidationError("This finding is about two records that may be one person.")
    if panel.pk not in finding.panels:
        raise ValidationError({"panel": "Choose one of the panels the person is on"})
    with transaction.atomic():
        locked = _lock_open_overlap(finding)
        if waiting_proposal(locked) is not None:
            raise ValidationError(
                "A lead panel has already been proposed for this person and is waiting for "
                "the other panels to answer. Nothing was changed."
            )
        proposal = LeadProposal.objects.create(finding=locked, panel=panel, proposed_by=actor)
        now = timezone.now()
        waiting_agencies: set[int] = set()
        for each in Panel.objects.filter(pk__in=locked.panels).order_by("name"):
            own = each.coordinating_agency_id == actor.agency_id
            LeadAnswer.objects.create(
                proposal=proposal,
                panel=each,
                decision=AgreementDecision.AGREED if own else AgreementDecision.WAITING,
                decided_by=actor if own else None,
                decided_at=now if own else None,
            )
            if not own:
                waiting_agencies.add(each.coordinating_agency_id)
        audit(
            actor=actor,
            verb=Verb.LEAD_PANEL_PROPOSED,
            target=proposal,
            detail={"finding": locked.pk, "panel": panel.pk, "asked": sorted(waiting_agencies)},
        )
        if waiting_agencies:
            send(
                coordinators_of(waiting_agencies),
                kind=NOTIFY_KIND,
                key=f"{proposal.pk}:asked",
                text="A lead panel is proposed for a person on your panel: your agreement is needed",
                url=_finding_url(locked),
            )
        else:
            _settle(locked, proposal, actor=actor)
    return proposal


def answerable_panels(user: User, proposal: LeadProposal) -> list[LeadAnswer]:
    """The waiting answers this user may give: for panels their agency coordinates."""
    if proposal.status != ProposalStatus.WAITING or not reviews_crossref(user):
        return []
    return list(
        proposal.answers.filter(
            decision=AgreementDecision.WAITING, panel__coordinating_agency_id=user.agency_id
        ).select_related("panel")
    )


def lead_panel_answer(
    *, actor: User, proposal: LeadProposal, agree: bool, reason: str = ""
) -> LeadProposal:
    """Agree or not, for every waiting panel the actor's agency coordinates. The lead is set
    when every panel has agreed; one panel not agreeing closes the proposal."""
    reason = (
        reason.strip()
        if agree
        else checked_reason(reason, missing="Enter why this panel should not lead")
    )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": f"The reason must be {REASON_MAX_LENGTH} characters or fewer"}
        )
    with transaction.atomic():
        locked = (
            LeadProposal.objects.select_for_update()
            .select_related("panel", "proposed_by")
            .get(pk=proposal.pk)
        )
        if locked.status != ProposalStatus.WAITING:
            raise ValidationError(
                f"This proposal has already been decided ({locked.get_status_display().lower()})."
                " Nothing was changed."
            )
        answers = answerable_panels(actor, locked)
        if not answers or not may_decide(actor, locked.finding):
            raise PermissionDenied
        finding = _lock_open_overlap(locked.finding)
        now = timezone.now()
        decision = AgreementDecision.AGREED if agree else AgreementDecision.REFUSED
        LeadAnswer.objects.filter(pk__in=[answer.pk for answer in answers]).update(
            decision=decision, decided_by=actor, decided_at=now, reason=reason
        )
        audit(
            actor=actor,
            verb=Verb.LEAD_PANEL_ANSWERED,
            target=locked,
            # The reason stays on the answer, not in the append-only trail (it may name people).
            detail={"agreed": agree, "panels": [answer.panel_id for answer in answers]},
        )
        if not agree:
            _close(locked, ProposalStatus.REFUSED)
            _tell_proposer(locked, "A lead panel you proposed was not agreed")
        elif not locked.answers.exclude(decision=AgreementDecision.AGREED).exists():
            _settle(finding, locked, actor=actor)
    return locked


def lead_proposals_close(finding: MatchFinding) -> None:
    """The finding was closed another way: any proposal still waiting is closed with it."""
    LeadProposal.objects.filter(finding=finding, status=ProposalStatus.WAITING).update(
        status=ProposalStatus.CLOSED, decided_at=timezone.now()
    )


def _close(proposal: LeadProposal, status: str) -> None:
    proposal.status, proposal.decided_at = status, timezone.now()
    proposal.save(update_fields=["status", "decided_at"])


def _tell_proposer(proposal: LeadProposal, text: str) -> None:
    send(
        [proposal.proposed_by],
        kind=NOTIFY_KIND,
        key=f"{proposal.pk}:outcome",
        text=text,
        url=_finding_url(proposal.finding),
    )


def _settle(finding: MatchFinding, proposal: LeadProposal, *, actor: User) -> None:
    """Every panel agreed: record the lead on the person (LeadPanel), the finding and the
    person's row of the latest overlap report."""
    panel = proposal.panel
    now = timezone.now()
    LeadPanel.objects.update_or_create(
        nominal_id=finding.nominal_a_id,
        defaults={
            "panel": panel,
            "agreed_by": proposal.proposed_by,
            "agreed_at": now,
            "finding": finding,
        },
    )
    finding.lead_panel = panel
    finding.status = FindingStatus.LEAD_AGREED
    finding.resolved_by = actor
    finding.resolved_at = now
    finding.resolution_note = f"{panel.name} leads, agreed by every panel's coordinator."
    finding.save(
        update_fields=["status", "resolved_by", "resolved_at", "resolution_note", "lead_panel"]
    )
    latest = (
        OverlapEntry.objects.filter(nominal_id=finding.nominal_a_id)
        .order_by("-run__month")
        .values_list("pk", flat=True)
        .first()
    )
    if latest is not None:
        OverlapEntry.objects.filter(pk=latest).update(lead_panel=panel)
    _close(proposal, ProposalStatus.AGREED)
    audit(
        actor=actor,
        verb=Verb.LEAD_PANEL_AGREED,
        target=finding,
        detail={"panel": panel.pk, "nominal": finding.nominal_a_id},
    )
    if proposal.proposed_by_id != actor.pk:
        _tell_proposer(proposal, "A lead panel you proposed has been agreed")
