"""The subject access export: every section of what is held about the person, who has read
the record, only what the lead's agency may see, re-authentication, audit and access log."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from accounts.models import AccessLog, AccessOutcome, AuditEvent, ObjectType, Role, Verb
from crossref.models import CrossReferenceRun, MatchFinding, RunStatus
from meetings.models import AgendaItem, AgendaReason, CaseAction, Meeting
from offenders.models import Address, CustodyEpisode, Need, Offence, RiskScore
from offenders.services import alias_add, event_add, identifier_add
from panels.models import CohortMembership, RagReview
from tests.factories import make_agency, make_nominal, make_panel, make_user
from tests.signing_in import age_authentication

pytestmark = pytest.mark.django_db

SECTIONS = [
    "Identity",
    "Other names (aliases)",
    "Identifiers",
    "Addresses",
    "Needs",
    "Risk scores",
    "Offences",
    "Custody",
    "Enforcement",
    "Timeline",
    "Panel memberships",
    "Panel decisions (RAG)",
    "Agenda items",
    "Minutes",
    "Case actions",
    "Cross-reference findings",
    "Held by panels your agency does not see",
    "Who has read the record",
]


def export_url(nominal):
    return reverse("governance:subject-access-docx", args=[nominal.pk])


def text_of(response) -> str:
    document = Document(io.BytesIO(response.content))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


@pytest.fixture
def person(partnership):
    p = partnership
    nominal = make_nominal(
        p.coordinator, given_names="Ottoline", family_name="Brackenbury", on_panel=p.panel
    )
    identifier_add(actor=p.coordinator, nominal=nominal, kind="pnc", value="08/56560Z")
    alias_add(actor=p.coordinator, nominal=nominal, given_names="Lina", family_name="Bracken")
    Address.objects.create(
        nominal=nominal, line="12 Ivy Row", postcode="E1 6AN", recorded_by_agency=p.council
    )
    Need.objects.create(
        nominal=nominal,
        pathway="accommodation",
        level="high",
        note="Sofa surfing",
        updated_on=date(2026, 2, 1),
        updated_by=p.coordinator,
    )
    RiskScore.objects.create(
        nominal=nominal,
        ogrs_percent=81,
        assessed_on=date(2026, 1, 20),
        recorded_by_agency=p.probation,
    )
    offence = Offence.objects.create(
        nominal=nominal,
        offence_type="burglary",
        committed_on=date(2025, 6, 1),
        outcome="Suspended sentence",
        recorded_by_agency=p.police,
    )
    CustodyEpisode.objects.create(
        nominal=nominal,
        entered_on=date(2025, 7, 1),
        released_on=date(2025, 12, 1),
        reason="remand",
        establishment="HMP Pentonville",
        offence=offence,
        recorded_by_agency=p.probation,
    )
    event_add(
        actor=p.coordinator,
        nominal=nominal,
        kind="visit",
        occurred_on=date(2026, 2, 2),
        summary="Home visit, engaged well",
    )
    event_add(
        actor=p.member_partner,
        nominal=nominal,
        kind="breach",
        occurred_on=date(2026, 2, 9),
        summary="Missed appointment, breach warning",
    )
    RagReview.objects.create(
        nominal=nominal,
        panel=p.panel,
        rag="amber",
        reviewed_on=date(2026, 2, 4),
        author=p.coordinator,
        note="Stable housing needed",
    )
    meeting = Meeting.objects.create(
        panel=p.panel, date=date(2026, 2, 4), minutes_published_on=timezone.now()
    )
    item = AgendaItem.objects.create(
        meeting=meeting,
        nominal=nominal,
        reason=AgendaReason.RED_RAG,
        notes="Discussed housing options",
        rag_decided="amber",
    )
    other = make_nominal(p.coordinator, given_names="Someone", family_name="Else", on_panel=p.panel)
    meeting.minutes = json.dumps(
        {
            "items": [
                {
                    "nominal": nominal.pk,
                    "reason": "Red RAG",
                    "notes": "Minuted: housing referral agreed",
                    "rag": "amber",
                    "actions": [{"description": "Refer to housing"}],
                },
                {
                    "nominal": other.pk,
                    "reason": "Red RAG",
                    "notes": "Minuted about someone else",
                    "rag": "red",
                    "actions": [],
                },
            ]
        }
    )
    meeting.save()
    CaseAction.objects.create(
        panel=p.panel,
        nominal=nominal,
        agenda_item=item,
        description="Refer to housing options team",
        owner_agency=p.housing,
        due=date(2026, 3, 1),
        created_by=p.coordinator,
    )
    run = CrossReferenceRun.objects.create(month=date(2026, 2, 1), status=RunStatus.COMPLETE)
    hidden = make_nominal(p.outsider_partner, given_names="Hidden", family_name="Twin")
    MatchFinding.objects.create(
        run=run, last_seen_run=run, kind="duplicate", nominal_a=nominal, nominal_b=hidden, panels=[]
    )
    # A panel the council does not see: named with its coordinator, nothing from it shown.
    far = make_agency("far", name="Far Away Trust")
    secret = make_panel(far, [], name="Elsewhere MAPPA panel")
    CohortMembership.objects.create(
        nominal=nominal,
        panel=secret,
        status="active",
        referred_on=date(2026, 1, 2),
        reason="Secret referral reason",
    )
    RagReview.objects.create(
        nominal=nominal,
        panel=secret,
        rag="red",
        reviewed_on=date(2026, 2, 5),
        author=p.coordinator,
        note="Elsewhere's own note",
    )
    AccessLog.objects.create(
        user=p.member_partner,
        agency=p.probation,
        outcome=AccessOutcome.ALLOWED,
        object_type=ObjectType.NOMINAL,
        object_id=str(nominal.pk),
        endpoint=f"/nominals/{nominal.pk}/",
        purpose="enforcement",
    )
    return nominal


def test_every_section_is_in_the_document(partnership, client_for, person):
    p = partnership
    response = client_for(p.governance_lead).get(export_url(person))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.docx"')
    text = text_of(response)
    for title in SECTIONS:
        assert title in text, title
    for held in (
        "Brackenbury",
        "56560Z",
        "Bracken",
        "12 Ivy Row",
        "Sofa surfing",
        "81%",
        "Burglary",
        "HMP Pentonville",
        "Missed appointment, breach warning",
        "Home visit, engaged well",
        "Stable housing needed",
        "Discussed housing options",
        "Minuted: housing referral agreed",
        "Refer to housing options team",
        "May be recorded twice",
        "Elsewhere MAPPA panel",
        "Far Away Trust",
    ):
        assert held in text, held
    # Who read it: other agencies' staff by agency, the lead's own by name.
    assert "Probation" in text and "Enforcement" in text
    assert p.member_partner.get_full_name() not in text


def test_nothing_the_leads_agency_may_not_see(partnership, client_for, person):
    text = text_of(client_for(partnership.governance_lead).get(export_url(person)))
    assert "Secret referral reason" not in text
    assert "Elsewhere's own note" not in text
    assert "Minuted about someone else" not in text
    assert "Twin" not in text and "A record your agency does not see" in text


def test_it_asks_to_confirm_identity_and_is_audited_and_logged(partnership, client_for, person):
    p = partnership
    stale = age_authentication(client_for(p.governance_lead), minutes=16).get(export_url(person))
    assert stale.status_code == 302
    assert stale["Location"].startswith(reverse("confirm-identity"))
    assert not AuditEvent.objects.filter(verb=Verb.SUBJECT_ACCESS_EXPORTED).exists()

    client_for(p.governance_lead).get(export_url(person))
    event = AuditEvent.objects.get(verb=Verb.SUBJECT_ACCESS_EXPORTED)
    assert (event.actor, event.object_id) == (p.governance_lead, str(person.pk))
    assert AccessLog.objects.filter(
        user=p.governance_lead,
        object_type=ObjectType.NOMINAL,
        object_id=str(person.pk),
        endpoint=export_url(person),
        outcome=AccessOutcome.ALLOWED,
    ).exists()


def test_another_agencys_lead_gets_404(partnership, client_for, person):
    p = partnership
    elsewhere_lead = make_user(p.outsider, Role.GOVERNANCE_LEAD, username="olga")
    client = client_for(elsewhere_lead)
    assert client.get(export_url(person)).status_code == 404
    assert client.get(reverse("governance:subject-access", args=[person.pk])).status_code == 404
    assert (
        AccessLog.objects.filter(
            user=elsewhere_lead, object_id=str(person.pk), outcome=AccessOutcome.DENIED
        ).count()
        == 2
    )
    # A member agency's lead whose staff see the record gets the document.
    probation_lead = make_user(p.probation, Role.GOVERNANCE_LEAD, username="pam")
    assert client_for(probation_lead).get(export_url(person)).status_code == 200


def test_casework_staff_are_refused(partnership, client_for, person):
    assert client_for(partnership.coordinator).get(export_url(person)).status_code == 403


def test_found_by_record_number(partnership, client_for, person):
    client = client_for(partnership.governance_lead)
    find = reverse("governance:subject-access-find")
    response = client.get(find, {"record": str(person.pk)})
    assert response["Location"] == reverse("governance:subject-access", args=[person.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Brackenbury" not in page.content.decode()
    assert "There is a problem" in client.get(find, {"record": "x1"}).content.decode()
