"""Agreeing a lead panel for a person on several panels: one coordinator proposes, the
coordinators of the person's other panels agree or say why not, and the lead is set only
when every panel has agreed. Each step is audited and the agencies asked are notified."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEvent, Notification, Role, Verb
from crossref.models import (
    AgreementDecision,
    FindingStatus,
    LeadProposal,
    MatchFinding,
    OverlapEntry,
    ProposalStatus,
)
from crossref.services.leads import lead_panel_answer, lead_panel_propose
from crossref.services.review import overlap_close
from panels.models import LeadPanel
from tests.factories import make_nominal, make_panel, make_user
from tests.panels.test_crossref_review import FEBRUARY, make_finding, make_mappa, make_run, put_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def overlap(partnership):
    """A council record on the council's IOM panel and probation's MAPPA panel, in January's
    and February's reports, with probation's MAPPA coordinator."""
    p = partnership
    mappa = make_mappa(p)
    person = make_nominal(p.coordinator, on_panel=p.panel)
    put_on(person, mappa)
    january = make_run(date(2026, 1, 1))
    run = make_run()
    OverlapEntry.objects.create(run=january, nominal=person, panels=[p.panel.pk, mappa.pk])
    OverlapEntry.objects.create(run=run, nominal=person, panels=[p.panel.pk, mappa.pk])
    finding = make_finding(run, person, None, [p.panel, mappa])
    mappa_coordinator = make_user(p.probation, Role.COORDINATOR, Role.PARTNER, username="mo")
    return person, mappa, finding, mappa_coordinator


def audits(verb: Verb) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=verb))


def notified(user, text: str) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind="lead_panel", text__contains=text))


def test_a_proposal_waits_for_the_other_panels_coordinator_who_is_told(partnership, overlap):
    person, mappa, finding, mo = overlap

    proposal = lead_panel_propose(actor=partnership.coordinator, finding=finding, panel=mappa)

    assert proposal.status == ProposalStatus.WAITING
    answers = {answer.panel_id: answer.decision for answer in proposal.answers.all()}
    # The proposer's own panel agrees at once; probation's MAPPA panel is asked.
    assert answers == {
        partnership.panel.pk: AgreementDecision.AGREED,
        mappa.pk: AgreementDecision.WAITING,
    }
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    assert not LeadPanel.objects.filter(nominal=person).exists()
    [asked] = notified(mo, "your agreement is needed")
    assert asked.url == f"/panels/cross-referencing/findings/{finding.pk}/"
    # Nobody outside probation's coordinators is asked, and no name is in the message.
    assert Notification.objects.filter(kind="lead_panel").count() == 1
    assert person.family_name not in asked.text
    [event] = audits(Verb.LEAD_PANEL_PROPOSED)
    assert event.detail == {
        "finding": finding.pk,
        "panel": mappa.pk,
        "asked": [partnership.probation.pk],
    }


def test_the_lead_is_set_when_the_last_panel_agrees_and_the_proposer_is_told(partnership, overlap):
    person, mappa, finding, mo = overlap
    proposal = lead_panel_propose(actor=partnership.coordinator, finding=finding, panel=mappa)

    lead_panel_answer(actor=mo, proposal=proposal, agree=True)

    finding.refresh_from_db()
    assert finding.status == FindingStatus.LEAD_AGREED and finding.lead_panel == mappa
    assert finding.resolved_by == mo
    lead = LeadPanel.objects.get(nominal=person)
    assert (lead.panel, lead.agreed_by, lead.finding) == (mappa, partnership.coordinator, finding)
    leads = dict(
        OverlapEntry.objects.filter(nominal=person).values_list("run__month", "lead_panel_id")
    )
    assert leads == {date(2026, 1, 1): None, FEBRUARY: mappa.pk}
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.AGREED
    assert notified(partnership.coordinator, "has been agreed")
    [event] = audits(Verb.LEAD_PANEL_AGREED)
    assert event.detail == {"panel": mappa.pk, "nominal": person.pk}
    [answered] = audits(Verb.LEAD_PANEL_ANSWERED)
    assert answered.detail == {"agreed": True, "panels": [mappa.pk]}


def test_where_the_proposers_agency_coordinates_every_panel_the_lead_is_agreed_at_once(
    partnership,
):
    p = partnership
    sgv = make_panel(p.council, [], name="SGV panel")
    person = make_nominal(p.coordinator, on_panel=p.panel)
    put_on(person, sgv)
    finding = make_finding(make_run(), person, None, [p.panel, sgv])

    lead_panel_propose(actor=p.coordinator, finding=finding, panel=sgv)

    finding.refresh_from_db()
    assert finding.status == FindingStatus.LEAD_AGREED
    assert LeadPanel.objects.get(nominal=person).panel == sgv
    assert not Notification.objects.filter(kind="lead_panel").exists()


def test_a_panel_that_does_not_agree_must_say_why_and_the_proposal_closes(partnership, overlap):
    person, mappa, finding, mo = overlap
    proposal = lead_panel_propose(actor=partnership.coordinator, finding=finding, panel=mappa)

    with pytest.raises(ValidationError, match="Enter why this panel should not lead"):
        lead_panel_answer(actor=mo, proposal=proposal, agree=False, reason="   ")
    lead_panel_answer(
        actor=mo, proposal=proposal, agree=False, reason="MAPPA level 1: IOM should lead"
    )

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REFUSED
    refused = proposal.answers.get(panel=mappa)
    assert (refused.decision, refused.reason) == (
        AgreementDecision.REFUSED,
        "MAPPA level 1: IOM should lead",
    )
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    assert not LeadPanel.objects.filter(nominal=person).exists()
    assert notified(partnership.coordinator, "was not agreed")
    # A new proposal can be made, and agreed.
    again = lead_panel_propose(actor=mo, finding=finding, panel=mappa)
    lead_panel_answer(actor=partnership.coordinator, proposal=again, agree=True)
    assert LeadPanel.objects.get(nominal=person).panel == mappa


def test_only_a_coordinator_of_a_panel_asked_may_answer(partnership, overlap):
    _, mappa, finding, mo = overlap
    proposal = lead_panel_propose(actor=partnership.coordinator, finding=finding, panel=mappa)
    probation_partner = partnership.member_partner

    for someone in (partnership.coordinator, probation_partner, partnership.outsider_coordinator):
        with pytest.raises(PermissionDenied):
            lead_panel_answer(actor=someone, proposal=proposal, agree=True)

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WAITING
    assert proposal.answers.get(panel=mappa).decision == AgreementDecision.WAITING
    assert not audits(Verb.LEAD_PANEL_ANSWERED)


def test_a_second_proposal_while_one_waits_is_refused(partnership, overlap):
    _, mappa, finding, mo = overlap
    lead_panel_propose(actor=partnership.coordinator, finding=finding, panel=mappa)

    with pytest.raises(ValidationError, match="already been proposed"):
        lead_panel_propose(actor=mo, finding=finding, panel=partnership.panel)

    assert LeadProposal.objects.count() == 1


def test_closing_the_finding_closes_a_waiting_proposal(partnership, overlap):
    _, mappa, finding, mo = overlap
    proposal = lead_panel_propose(actor=partnership.coordinator, finding=finding, panel=mappa)

    overlap_close(actor=partnership.coordinator, finding=finding, reason="Shared plan already")

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CLOSED
    with pytest.raises(ValidationError, match="already been decided"):
        lead_panel_answer(actor=mo, proposal=proposal, agree=True)
    assert not LeadPanel.objects.exists()


def test_the_lead_panel_must_be_one_of_the_persons_panels(partnership, overlap):
    _, _, finding, _ = overlap
    elsewhere = make_panel(partnership.outsider, [], name="Elsewhere IOM panel")

    with pytest.raises(ValidationError) as refused:
        lead_panel_propose(actor=partnership.coordinator, finding=finding, panel=elsewhere)

    assert "panel" in refused.value.message_dict
    assert not LeadProposal.objects.exists()


def test_a_coordinator_of_another_borough_may_not_propose(partnership, overlap):
    _, mappa, finding, _ = overlap

    with pytest.raises(PermissionDenied):
        lead_panel_propose(actor=partnership.outsider_coordinator, finding=finding, panel=mappa)

    assert not LeadProposal.objects.exists()


def test_a_proposal_on_a_finding_already_decided_is_refused(partnership, overlap):
    _, mappa, finding, _ = overlap
    stale = MatchFinding.objects.get(pk=finding.pk)
    overlap_close(actor=partnership.coordinator, finding=finding, reason="Shared plan already")

    with pytest.raises(ValidationError, match="already been decided"):
        lead_panel_propose(actor=partnership.coordinator, finding=stale, panel=mappa)
    assert not LeadProposal.objects.exists()


def test_a_possible_duplicate_takes_no_lead_panel(partnership):
    p = partnership
    first = make_nominal(p.coordinator, on_panel=p.panel)
    second = make_nominal(p.coordinator, given_names="Jordon", on_panel=p.panel)
    duplicate = make_finding(make_run(), first, second, [p.panel])

    with pytest.raises(ValidationError, match="two records"):
        lead_panel_propose(actor=p.coordinator, finding=duplicate, panel=p.panel)
