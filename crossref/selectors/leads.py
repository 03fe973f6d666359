"""Reads of lead-panel proposals, as a finding's page shows them. The finding's own
visibility (`finding_for`) decides who reads them: they name panels, not people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch

from accounts.models import User
from accounts.permissions import person_label
from crossref.models import (
    AgreementDecision,
    LeadAnswer,
    LeadProposal,
    MatchFinding,
    ProposalStatus,
)


@dataclass(frozen=True)
class AnswerShown:
    panel: str
    coordinated_by: str
    decision: str
    decided: bool
    agreed: bool
    by: str
    at: datetime | None
    reason: str


@dataclass(frozen=True)
class ProposalShown:
    pk: int
    panel: str
    proposed_by: str
    proposed_at: datetime
    status: str
    waiting: bool
    answers: list[AnswerShown]


def lead_proposals_of(finding: MatchFinding, viewer: User) -> list[ProposalShown]:
    """The finding's proposals, newest first, each with every panel's answer."""
    proposals = (
        LeadProposal.objects.filter(finding=finding)
        .select_related("panel", "proposed_by__agency")
        .prefetch_related(
            Prefetch(
                "answers",
                LeadAnswer.objects.select_related(
                    "panel__coordinating_agency", "decided_by__agency"
                ),
            )
        )
    )
    return [
        ProposalShown(
            pk=proposal.pk,
            panel=proposal.panel.name,
            proposed_by=person_label(proposal.proposed_by, viewer),
            proposed_at=proposal.proposed_at,
            status=proposal.get_status_display(),
            waiting=proposal.status == ProposalStatus.WAITING,
            answers=[
                AnswerShown(
                    panel=answer.panel.name,
                    coordinated_by=answer.panel.coordinating_agency.name,
                    decision=answer.get_decision_display(),
                    decided=answer.decision != AgreementDecision.WAITING,
                    agreed=answer.decision == AgreementDecision.AGREED,
                    by=person_label(answer.decided_by, viewer),
                    at=answer.decided_at,
                    reason=answer.reason,
                )
                for answer in proposal.answers.all()
            ],
        )
        for proposal in proposals
    ]
