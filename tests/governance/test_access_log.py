"""The governance lead's access-log search and its export: their own agency's staff's
reads, by person (record number, or a name resolved to records the agency may see), by
member of staff and by date; names never in an address; the pages themselves logged."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AccessLog, AccessOutcome, AuditEvent, ObjectType, Role, Verb
from tests.factories import make_nominal, make_user
from tests.signing_in import age_authentication

pytestmark = pytest.mark.django_db

SEARCH = reverse("governance:access-log")
EXPORT = reverse("governance:access-log-xlsx")
EXPORT_CSV = reverse("governance:access-log-csv")
NOMINAL = ObjectType.NOMINAL


def read(
    user, nominal_or_id, *, at=None, endpoint="/nominals/1/", purpose="case_management", **extra
):
    object_id = getattr(nominal_or_id, "pk", nominal_or_id)
    return AccessLog.objects.create(
        user=user,
        agency=user.agency,
        outcome=extra.pop("outcome", AccessOutcome.ALLOWED),
        object_type=extra.pop("object_type", NOMINAL),
        object_id=str(object_id),
        endpoint=endpoint,
        purpose=purpose,
        at=at or timezone.now(),
    )


def local(*args):
    return datetime(*args, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def reads(partnership):
    p = partnership
    person = make_nominal(
        p.coordinator, given_names="Ottoline", family_name="Brackenbury", on_panel=p.panel
    )
    other = make_nominal(p.coordinator, given_names="Percival", family_name="Dunmore")
    hidden = make_nominal(p.outsider_partner, given_names="Wilhelmina", family_name="Scarsdale")
    read(p.partner, person, at=local(2026, 3, 2, 10))
    read(p.coordinator, other, at=local(2026, 3, 3, 11))
    read(p.coordinator, person, at=local(2026, 3, 4, 9), outcome=AccessOutcome.DENIED)
    # Probation's read of the council's record is probation's lead's to see.
    read(p.member_partner, person, at=local(2026, 3, 2, 12))
    return person, other, hidden


def rows_shown(response):
    return [line for line in response.context["lines"]]


def test_the_lead_sees_their_own_agencys_reads_newest_first(partnership, client_for, reads):
    p = partnership
    person, other, _ = reads
    response = client_for(p.governance_lead).get(SEARCH)
    assert response.status_code == 200
    lines = rows_shown(response)
    body = response.content.decode()
    whats = [line.what for line in lines]
    assert f"Person's record, record number {person.pk}" in whats
    assert f"Person's record, record number {other.pk}" in whats
    assert [line.at for line in lines] == sorted((line.at for line in lines), reverse=True)
    assert p.member_partner.get_full_name() not in body
    assert p.partner.get_full_name() in body
    assert "Case management" in body and "Refused" in body
    # The person's name is never on the page; the lead does no casework.
    assert "Brackenbury" not in body


def test_filters_by_record_staff_and_dates(partnership, client_for, reads):
    p = partnership
    person, other, _ = reads
    client = client_for(p.governance_lead)
    by_record = rows_shown(client.get(SEARCH, {"records": str(person.pk)}))
    assert {line.person for line in by_record} == {person.pk}
    assert len(by_record) == 2  # carol's read and alice's refused one
    by_staff = rows_shown(client.get(SEARCH, {"staff": p.coordinator.pk}))
    assert {line.who for line in by_staff} == {p.coordinator.get_full_name()}
    dates = {"start-day": "3", "start-month": "3", "start-year": "2026"}
    dates |= {"end-day": "3", "end-month": "3", "end-year": "2026"}
    by_day = rows_shown(client.get(SEARCH, dates))
    assert [line.person for line in by_day] == [other.pk]


def test_the_filter_form_shows_every_error_at_once(partnership, client_for):
    response = client_for(partnership.governance_lead).get(
        SEARCH,
        {
            "records": "12 abc",
            "start-day": "5",
            "start-month": "3",
            "start-year": "2026",
            "end-day": "1",
            "end-month": "3",
            "end-year": "2026",
        },
    )
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter record numbers in digits" in body
    assert "must be the same as or after" in body


def test_a_name_is_posted_and_comes_back_as_record_numbers(partnership, client_for, reads):
    p = partnership
    person, _, hidden = reads
    client = client_for(p.governance_lead)
    response = client.post(SEARCH, {"name": "ottoline BRACKENBURY"})
    assert response.status_code == 302
    assert response["Location"] == f"{SEARCH}?records={person.pk}"
    assert "racken" not in response["Location"].lower()
    # A person only another borough's staff may see is not found, and not named.
    response = client.post(SEARCH, {"name": "Wilhelmina Scarsdale"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "No record your agency" in body
    assert str(hidden.pk) not in response.get("Location", "")
    # The search is logged with a count, never the words.
    assert not AccessLog.objects.filter(endpoint__icontains="scarsdale").exists()


def test_reading_the_log_about_a_person_is_a_read_of_that_person(partnership, client_for, reads):
    p = partnership
    person, other, _ = reads
    client_for(p.governance_lead).get(SEARCH, {"records": str(person.pk)})
    mine = AccessLog.objects.filter(user=p.governance_lead)
    assert mine.filter(object_type=ObjectType.ACCESS_LOG, object_id="2").exists()
    assert set(mine.filter(object_type=NOMINAL).values_list("object_id", flat=True)) == {
        str(person.pk)
    }


def test_only_governance_leads_search_the_log(partnership, client_for):
    p = partnership
    for user in (p.coordinator, p.partner, p.agency_admin, p.system_admin, p.committee):
        assert client_for(user).get(SEARCH).status_code == 403
        assert client_for(user).get(EXPORT).status_code == 403
    assert AccessLog.objects.filter(
        user=p.coordinator, object_type=ObjectType.ACCESS_LOG, outcome=AccessOutcome.DENIED
    ).exists()


def test_pages_of_fifty_and_the_filters_kept_across_pages(partnership, client_for):
    p = partnership
    start = local(2026, 3, 2, 9)
    for minute in range(60):
        read(p.partner, 1000 + minute, at=start + timedelta(minutes=minute))
    client = client_for(p.governance_lead)
    response = client.get(SEARCH, {"staff": p.partner.pk})
    assert len(response.context["lines"]) == 50
    assert f"staff={p.partner.pk}&amp;page=2" in response.content.decode()
    second = client.get(SEARCH, {"staff": p.partner.pk, "page": 2})
    assert len(second.context["lines"]) == 10


def test_the_export_asks_to_confirm_identity_is_audited_and_logged(partnership, client_for, reads):
    p = partnership
    person, _, _ = reads
    client = age_authentication(client_for(p.governance_lead), minutes=16)
    stale = client.get(EXPORT, {"records": str(person.pk)})
    assert stale.status_code == 302
    assert stale["Location"].startswith(reverse("confirm-identity"))
    assert not AuditEvent.objects.filter(verb=Verb.ACCESS_LOG_EXPORTED).exists()

    client = client_for(p.governance_lead)
    response = client.get(EXPORT, {"records": str(person.pk)})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0] == ("When", "Who", "What was read", "Page", "Why", "Outcome")
    assert len(rows) == 3
    event = AuditEvent.objects.get(verb=Verb.ACCESS_LOG_EXPORTED)
    assert event.actor == p.governance_lead
    assert event.detail["records"] == [person.pk] and event.detail["rows"] == 2
    logged = AccessLog.objects.filter(user=p.governance_lead, endpoint=EXPORT)
    assert logged.filter(object_type=ObjectType.ACCESS_LOG, object_id="2").exists()
    assert logged.filter(object_type=NOMINAL, object_id=str(person.pk)).exists()

    csv = client.get(EXPORT_CSV, {"records": str(person.pk)})
    assert csv["Content-Type"].startswith("text/csv")


def test_the_export_neutralises_formulas(partnership, client_for):
    p = partnership
    read(p.partner, 5, endpoint='=HYPERLINK("http://evil.example")')
    response = client_for(p.governance_lead).get(EXPORT)
    sheet = load_workbook(io.BytesIO(response.content)).active
    pages = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://evil.example")' in pages


def test_another_agencys_lead_sees_only_their_own_staffs_reads(partnership, client_for, reads):
    p = partnership
    probation_lead = make_user(p.probation, Role.GOVERNANCE_LEAD, username="pam")
    lines = rows_shown(client_for(probation_lead).get(SEARCH))
    assert {line.who for line in lines} <= {
        p.member_partner.get_full_name(),
        probation_lead.get_full_name(),
    }
    assert any(line.who == p.member_partner.get_full_name() for line in lines)
