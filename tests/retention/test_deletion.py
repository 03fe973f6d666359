"""The proof: a person deleted at their retention review leaves nothing of themselves in
any table of the database, or in any export; and deletion is refused when it must be."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import AccessLog, AuditEvent, Notification, Verb
from accounts.notifications import notify
from cohorts.models import CohortImport, ImportRow, RowOutcome
from cohorts.services.membership import membership_exit
from crossref.models import CrossReferenceRun, FindingKind, MatchFinding, OverlapEntry, RunStatus
from crossref.services.review import finding_dismiss
from matching.identifiers import cro_check_letter, pnc_check_letter, validate_identifier
from meetings.minutes import build_minutes
from meetings.models import AgendaItem, AgendaReason, CaseAction, Meeting, MeetingStatus
from meetings.services.agenda import agenda_item_add
from meetings.services.case_actions import case_action_add_update, case_action_cancel
from offenders.models import (
    Address,
    Nominal,
)
from offenders.services import (
    alias_add,
    custody_add,
    event_add,
    identifier_add,
    need_set,
    nominal_update,
    nominals_merge,
    offence_add,
    risk_record,
)
from panels.models import CohortMembership, LeadPanel, PanelKind, RagReview
from retention.models import DeletionLog, RetentionReview, ReviewStatus
from retention.services import record_delete, review_keep, reviews_list
from tests.factories import make_agency, make_nominal, make_panel, make_user
from tests.retention.helpers import LONG_AGO, age

pytestmark = pytest.mark.django_db

DOB = date(1971, 3, 14)
PNC = validate_identifier("pnc", f"71/123456{pnc_check_letter(71, 123456)}")
CRO = validate_identifier("cro", f"654321/71{cro_check_letter(71, 654321)}")
NHS = "9434765919"
# Everything that identifies the person, as any table might hold it.
TERMS = [
    "Quentin",
    "Zebedee-Marlowe",
    "Zebedee",
    "Quinn",
    "Marlowe-Zed",
    DOB.isoformat(),
    DOB.strftime("%d/%m/%Y"),
    PNC,
    PNC.replace("/0", "/"),
    CRO,
    NHS,
    "ZZ9 9ZZ",
    "ZZ9 8ZZ",
    "7 Hidden Lane",
]


def mentions(terms: list[str], dob: date) -> list[str]:
    """Every column of every table in the database (all apps, from information_schema)
    whose text, JSON or array value mentions one of the terms, or whose date is the date of
    birth: as "table.column"."""
    found = []
    patterns = [f"%{term}%" for term in terms]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', "
            "'character', 'json', 'jsonb', 'ARRAY', 'date') ORDER BY table_name, column_name"
        )
        columns = cursor.fetchall()
        assert len(columns) > 200
        for table, column, kind in columns:
            name, col = connection.ops.quote_name(table), connection.ops.quote_name(column)
            if kind == "date":
                cursor.execute(f"SELECT count(*) FROM {name} WHERE {col} = %s", [dob])  # noqa: S608
            else:
                cursor.execute(
                    f"SELECT count(*) FROM {name} WHERE {col}::text ILIKE ANY(%s)",  # noqa: S608
                    [patterns],
                )
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


def cohort_size(client) -> int:
    """The report figures' cohort size for the years the person was on the cohort."""
    figures = client.get(reverse("figures") + "?start=2012-04-01&end=2015-03-31").json()
    return next(row["value"] for row in figures["headline"] if row["key"] == "cohort_size")


def build_person(p):
    """A person recorded by the council, with a row in every table that can hold them."""
    person = make_nominal(
        p.coordinator,
        given_names="Quentin",
        family_name="Zebedee-Marlowe",
        date_of_birth=DOB,
        postcode="ZZ9 9ZZ",
    )
    # A second record of the same person, merged into the first: it goes with them.
    duplicate = make_nominal(
        p.coordinator, given_names="Quentin", family_name="Zebedee", date_of_birth=DOB
    )
    identifier_add(actor=p.coordinator, nominal=duplicate, kind="cro", value=CRO)
    nominals_merge(actor=p.coordinator, survivor=person, duplicate=duplicate)
    # A change of address: the audit trail holds which field changed, not the values.
    person = nominal_update(
        actor=p.coordinator,
        nominal=person,
        version=Nominal.objects.get(pk=person.pk).version,
        changes={"postcode": "ZZ9 8ZZ"},
    )
    identifier_add(actor=p.coordinator, nominal=person, kind="pnc", value=PNC)
    identifier_add(actor=p.coordinator, nominal=person, kind="nhs", value=NHS)
    alias_add(actor=p.coordinator, nominal=person, given_names="Quinn", family_name="Marlowe-Zed")
    event_add(
        actor=p.coordinator,
        nominal=person,
        kind="visit",
        occurred_on=LONG_AGO,
        summary="Home visit: Quentin was in",
    )
    need_set(
        actor=p.coordinator,
        nominal=person,
        pathway="accommodation",
        level="high",
        note="Quentin sofa-surfing",
        on=LONG_AGO,
    )
    agency = p.council
    Address.objects.create(
        nominal=person, line="7 Hidden Lane", postcode="ZZ9 9ZZ", recorded_by_agency=agency
    )
    offence = offence_add(
        actor=p.coordinator, nominal=person, offence_type="burglary",
        committed_on=date(2013, 1, 5), outcome="Quentin convicted at Hidden Lane court",
    )  # fmt: skip
    custody_add(
        actor=p.coordinator, nominal=person, entered_on=date(2013, 2, 1),
        released_on=date(2013, 8, 1), reason="sentence", offence=offence,
        establishment="HMP Quentinshire",
    )  # fmt: skip
    risk_record(
        actor=p.coordinator, nominal=person, assessed_on=date(2013, 9, 1), ogrs_percent=60,
        rosh_level="medium",
    )  # fmt: skip
    membership = CohortMembership.objects.create(
        nominal=person, panel=p.panel, status="active", referred_on=date(2012, 1, 5),
        start=date(2012, 1, 12), reason="Quentin referred by police",
    )  # fmt: skip
    RagReview.objects.create(
        nominal=person, panel=p.panel, rag="red", reviewed_on=date(2013, 3, 1),
        author=p.coordinator, note="Quentin engaging poorly",
    )  # fmt: skip

    # A meeting that discussed them and someone else, with published minutes.
    other = make_nominal(p.coordinator, given_names="Bella", family_name="Bystander",
                         date_of_birth=date(1985, 1, 1), on_panel=p.panel)  # fmt: skip
    # Through the services while the meeting is ahead; `age` moves it back.
    meeting = Meeting.objects.create(panel=p.panel, date=date(2030, 1, 2))
    item = agenda_item_add(
        actor=p.coordinator, meeting=meeting, nominal=person, reason=AgendaReason.OTHER,
        reason_detail="Quentin arrested on 1 May",
    )  # fmt: skip
    AgendaItem.objects.filter(pk=item.pk).update(
        notes="Quentin Zebedee-Marlowe missed appointments", discussed=True
    )
    agenda_item_add(actor=p.coordinator, meeting=meeting, nominal=other, reason=AgendaReason.OTHER,
                    reason_detail="Asked for by the police")  # fmt: skip
    action = CaseAction.objects.create(
        panel=p.panel, nominal=person, agenda_item=item, description="Visit Quentin at home",
        owner_agency=agency, due=date(2014, 7, 1), created_by=p.coordinator,
    )  # fmt: skip
    case_action_add_update(actor=p.coordinator, action=action, text="Quentin seen at 7 Hidden Lane")
    case_action_cancel(actor=p.coordinator, action=action, reason="Quentin moved away")
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD)
    meeting.refresh_from_db()
    meeting.minutes = json.dumps(build_minutes(meeting), ensure_ascii=False)
    meeting.save(update_fields=["minutes"])
    # They leave the cohort once the panel has discussed them.
    membership_exit(
        actor=p.coordinator, membership=membership, end=LONG_AGO, reason="Quentin moved away"
    )

    # A monthly list: their linked row, a second row of theirs left out, and another
    # person's row that offered them as a possible match.
    cohort_import = CohortImport.objects.create(
        panel=p.panel, uploaded_by=p.coordinator, month=date(2014, 5, 1), file_name="may.csv",
        headers=["Surname", "Forename", "DOB", "PNC"], status="committed",
    )  # fmt: skip
    raw = {"Surname": "Zebedee-Marlowe", "Forename": "Quentin", "DOB": "14/03/1971"}
    ImportRow.objects.create(
        cohort_import=cohort_import, number=2, values=raw | {"PNC": PNC},
        outcome=RowOutcome.LINKED, nominal=person,
    )  # fmt: skip
    ImportRow.objects.create(
        cohort_import=cohort_import, number=3, values={"PNC": PNC.replace("/0", "/")},
        outcome=RowOutcome.DUPLICATE, message="Same person as row 2",
    )  # fmt: skip
    ImportRow.objects.create(
        cohort_import=cohort_import, number=4, values=raw, outcome=RowOutcome.SKIPPED
    )
    offering = ImportRow.objects.create(
        cohort_import=cohort_import, number=5,
        values={"Surname": "Bystander", "Forename": "Bella", "DOB": "01/01/1985"},
        outcome=RowOutcome.QUEUED, nominal=None, score=0.71,
        explanation=["Family names Zebedee-Marlowe and Bystander differ"],
        candidates=[
            {"id": person.pk, "score": 0.71, "decision": "possible", "by_identifier": False,
             "reasons": ["Quentin and Bella differ"]},
            {"id": other.pk, "score": 0.6, "decision": "possible", "by_identifier": False,
             "reasons": ["Same date of birth"]},
        ],
    )  # fmt: skip

    # Cross-referencing: a possible duplicate, an overlap, and a lead panel.
    mappa = make_panel(p.council, [], name="MAPPA panel", kind=PanelKind.MAPPA)
    run = CrossReferenceRun.objects.create(month=date(2014, 5, 1), status=RunStatus.COMPLETE)
    a, b = sorted([person, other], key=lambda n: n.pk)
    finding = MatchFinding.objects.create(
        run=run, kind=FindingKind.DUPLICATE, nominal_a=a, nominal_b=b,
        explanation=[{"text": "Family names Zebedee-Marlowe and Bystander"}],
        panels=[p.panel.pk],
    )  # fmt: skip
    finding_dismiss(
        actor=p.coordinator, finding=finding, reason="Quentin Zebedee-Marlowe is not Bella"
    )
    MatchFinding.objects.create(
        run=run, kind=FindingKind.OVERLAP, nominal_a=person, panels=[p.panel.pk, mappa.pk]
    )
    OverlapEntry.objects.create(run=run, nominal=person, panels=[p.panel.pk, mappa.pk])
    LeadPanel.objects.create(nominal=person, panel=p.panel, agreed_by=p.coordinator)
    notify(
        user=p.coordinator,
        kind="test",
        key=str(person.pk),
        text="A record changed",
        url=reverse("offenders:profile", args=[person.pk]),
    )
    age(person)
    return person, other, offering, meeting


@pytest.fixture
def listed(partnership, client_for):
    """The person, built, read by their coordinator, aged past 72 months and listed."""
    p = partnership
    person, other, offering, meeting = build_person(p)
    assert client_for(p.coordinator).get(
        reverse("offenders:profile", args=[person.pk])
    ).status_code == 200  # fmt: skip
    reviews_list()
    review = RetentionReview.objects.get(record_id=person.pk)
    return p, person, other, offering, meeting, review


def test_a_deleted_person_leaves_nothing_in_any_table_or_export(listed, client_for):
    p, person, other, offering, meeting, review = listed
    assert review.status == ReviewStatus.PENDING and review.agency == p.council
    assert set(mentions(TERMS, DOB)) >= {
        "offenders_nominal.family_name",
        "cohorts_importrow.values",
        "meetings_meeting.minutes",
    }, "the set-up must put the person where the scan looks"
    # Kept once, with a reason; listed again when the next review came.
    review_keep(
        actor=p.governance_lead,
        review=review,
        reason="Quentin's appeal pending",
        next_review_on=date(2099, 1, 1),
    )
    RetentionReview.objects.filter(pk=review.pk).update(next_review_on=date(2015, 1, 1))
    reviews_list()
    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING

    # Before: the overlap export names them, and the report figures count them.
    coordinator = client_for(p.coordinator)
    assert "Quentin ZEBEDEE-MARLOWE" in coordinator.get(reverse("crossref:overlaps-csv")).text
    assert cohort_size(coordinator) == 1

    lead = client_for(p.governance_lead)
    response = lead.post(reverse("retention:delete", args=[review.pk]), {"confirm": "yes"})
    assert response.status_code == 302

    assert mentions(TERMS, DOB) == []
    assert not Nominal.objects.filter(pk=person.pk).exists()
    # The other person keeps their records: their row, their agenda item, the minutes.
    offering.refresh_from_db()
    assert [c["id"] for c in offering.candidates] == [other.pk]
    meeting.refresh_from_db()
    assert [item["nominal"] for item in json.loads(meeting.minutes)["items"]] == [other.pk]
    assert Nominal.objects.filter(pk=other.pk).exists()

    log = DeletionLog.objects.get(object_id=str(person.pk))
    assert log.actor == p.governance_lead and log.agency == p.council
    assert log.rule.startswith("On no cohort and no activity for 72 months")
    assert log.counts["offenders.nominal"] == 2  # the record and its merged duplicate
    assert log.counts["cohorts.importrow"] == 3
    assert log.counts["meetings.meeting (minutes)"] == 1
    assert log.counts["accounts.notification"] == 1
    for table in (
        "offenders.offence", "offenders.custodyepisode", "offenders.riskscore",
        "offenders.identifier", "offenders.alias", "offenders.address", "offenders.need",
        "offenders.caseevent", "panels.cohortmembership", "panels.ragreview",
        "panels.leadpanel", "meetings.agendaitem", "meetings.caseaction",
        "meetings.caseactionupdate", "crossref.matchfinding", "crossref.overlapentry",
    ):  # fmt: skip
        assert log.counts.get(table, 0) >= 1, table
    review.refresh_from_db()
    assert (review.status, review.nominal_id, review.reason) == (ReviewStatus.DELETED, None, "")
    assert AuditEvent.objects.filter(
        verb=Verb.RETENTION_DELETED, object_type="retention.deletionlog", object_id=str(log.pk)
    ).exists()

    # Exports of personal data and the report figures do not mention them either.
    assert cohort_size(coordinator) == 0
    for url in (
        reverse("cohorts:cohort-csv", args=[p.panel.pk]),
        reverse("cohorts:cohort-xlsx", args=[p.panel.pk]),
        reverse("crossref:overlaps-csv"),
        reverse("figures") + "?start=2012-04-01&end=2015-03-31",
    ):
        response = coordinator.get(url)
        assert response.status_code in (200, 302), url
        body = response.content.decode(errors="replace")
        assert not [term for term in TERMS if term in body], url
        assert str(person.pk) not in body.split(","), url


def test_deleting_twice_is_a_no_op_that_says_so(listed, client_for):
    p, person, *_ , review = listed  # fmt: skip
    first = record_delete(actor=p.governance_lead, review=review)
    second = record_delete(actor=p.governance_lead, review=review)
    assert not first.already_deleted and second.already_deleted
    assert second.log.pk == first.log.pk
    assert DeletionLog.objects.filter(object_id=str(person.pk)).count() == 1
    assert AuditEvent.objects.filter(verb=Verb.RETENTION_DELETED).count() == 1

    response = client_for(p.governance_lead).post(
        reverse("retention:delete", args=[review.pk]), {"confirm": "yes"}, follow=True
    )
    assert f"Record {person.pk} has already been deleted" in response.content.decode()


def test_deletion_is_refused_for_a_person_back_on_a_cohort(listed, client_for):
    p, person, *_ , review = listed  # fmt: skip
    CohortMembership.objects.create(
        nominal=person, panel=p.panel, status="active", referred_on=date(2026, 1, 5),
        start=date(2026, 1, 12),
    )  # fmt: skip
    client = client_for(p.governance_lead)
    page = client.get(reverse("retention:delete", args=[review.pk]))
    assert "cannot be deleted" in page.content.decode()
    response = client.post(reverse("retention:delete", args=[review.pk]), {"confirm": "yes"})
    assert response.status_code == 200
    assert "cannot be deleted" in response.content.decode()
    assert Nominal.objects.filter(pk=person.pk).exists()
    assert not DeletionLog.objects.exists()


def test_a_lead_of_another_agency_gets_404_and_the_refusal_is_logged(listed, client_for):
    p, person, *_ , review = listed  # fmt: skip
    elsewhere = make_user(make_agency("elsewhere-la"), "governance_lead")
    client = client_for(elsewhere)
    for name in ("retention:delete", "retention:keep"):
        url = reverse(name, args=[review.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"confirm": "yes", "reason": "x"}).status_code == 404
    assert Nominal.objects.filter(pk=person.pk).exists()
    refused = AccessLog.objects.filter(user=elsewhere, outcome="denied")
    assert refused.count() == 4
    assert {row.object_id for row in refused} == {str(review.pk)}
    assert not Notification.objects.filter(user=elsewhere).exists()
