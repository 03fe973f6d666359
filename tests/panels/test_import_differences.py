"""A linked row that says something its record does not (a new postcode, another CRN) is
shown with the difference; the coordinator chooses to update the record from the list, and
the record keeps where it came from. Nothing changes unless chosen, and another agency's
record is only shown."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from cohorts.models import RowOutcome
from cohorts.selectors.differences import row_differences
from cohorts.services.imports import import_commit, import_map_columns, import_upload
from offenders.models import Address, CaseEvent, Identifier
from offenders.services import identifier_add
from tests.factories import make_nominal
from tests.panels.import_samples import HEADERS, MAPPING, csv_bytes

pytestmark = pytest.mark.django_db

MAY = date(2026, 5, 1)
CRN_HELD, CRN_LISTED = "X123456", "Y654321"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2026, 5, 20))


@pytest.fixture
def people(partnership):
    p = partnership
    ours = make_nominal(
        p.coordinator, given_names="Dana", family_name="Moss", date_of_birth=date(1990, 5, 17)
    )
    ours.postcode = "E8 2BB"
    ours.save(update_fields=["postcode"])
    identifier_add(actor=p.coordinator, nominal=ours, kind="crn", value=CRN_HELD)
    theirs = make_nominal(
        p.member_partner,
        given_names="Lee",
        family_name="Stone",
        date_of_birth=date(1988, 1, 2),
        on_panel=p.panel,
    )
    return ours, theirs


def matched(p):
    rows = [
        ["Moss", "Dana", "17/05/1990", "", "e8 1aa", CRN_LISTED],
        ["Stone", "Lee", "02/01/1988", "", "N1 9GU", ""],
    ]
    cohort_import = import_upload(
        actor=p.coordinator,
        panel=p.panel,
        month=MAY,
        file_name="may.csv",
        data=csv_bytes(rows, headers=[*HEADERS, "CRN"]),
    )
    return import_map_columns(
        actor=p.coordinator, cohort_import=cohort_import, mapping={**MAPPING, "crn": "CRN"}
    )


def test_differences_are_shown_and_only_the_chosen_record_is_updated(
    partnership, client_for, people
):
    p = partnership
    ours, theirs = people
    cohort_import = matched(p)
    assert cohort_import.rows.get(number=2).outcome == RowOutcome.LINKED
    client = client_for(p.coordinator)
    url = reverse("cohorts:import", args=[cohort_import.pk])

    page = client.get(url).content.decode()
    assert "Postcode: the list has E8 1AA; the record has E8 2BB" in page
    assert f"Probation case reference number (CRN): the list has {CRN_LISTED}" in page or (
        f"the list has {CRN_LISTED}; the record has {CRN_HELD}" in page
    )
    assert 'id="update-2"' in page
    # Probation holds Lee Stone's record, and he is on the council's panel, so its
    # coordinator may update it too.
    assert 'id="update-3"' in page

    client.post(reverse("cohorts:import-updates", args=[cohort_import.pk]), {"update": ["2"]})
    assert cohort_import.rows.get(number=2).update_record is True
    import_commit(actor=p.coordinator, cohort_import=cohort_import, exit_leavers=False)

    ours.refresh_from_db()
    assert ours.postcode == "E8 1AA"
    address = Address.objects.get(nominal=ours)
    assert (address.postcode, address.source, address.recorded_by_agency) == (
        "E8 1AA",
        "Test IOM panel list for May 2026",
        p.council,
    )
    assert sorted(Identifier.objects.filter(nominal=ours).values_list("value", flat=True)) == [
        CRN_HELD,
        CRN_LISTED,
    ]
    note = CaseEvent.objects.get(nominal=ours, summary__startswith="Updated from")
    assert "Test IOM panel list for May 2026 (Council CST)" in note.summary
    theirs.refresh_from_db()
    assert theirs.postcode == ""


def test_nothing_is_updated_unless_chosen(partnership, people):
    p = partnership
    ours, _ = people
    cohort_import = matched(p)

    import_commit(actor=p.coordinator, cohort_import=cohort_import, exit_leavers=False)

    ours.refresh_from_db()
    assert ours.postcode == "E8 2BB"
    assert not Address.objects.filter(nominal=ours).exists()
    assert list(Identifier.objects.filter(nominal=ours).values_list("value", flat=True)) == [
        CRN_HELD
    ]


def test_a_record_the_coordinator_may_not_change_cannot_be_chosen(partnership, client_for, people):
    p = partnership
    _, theirs = people
    cohort_import = matched(p)
    # Lee Stone's referral to the council's panel is declined: his record is probation's
    # alone, and the council no longer sees it.
    theirs_membership = theirs.memberships.get()
    theirs_membership.status = "declined"
    theirs_membership.save(update_fields=["status"])
    client = client_for(p.coordinator)

    page = client.get(reverse("cohorts:import", args=[cohort_import.pk])).content.decode()
    response = client.post(
        reverse("cohorts:import-updates", args=[cohort_import.pk]), {"update": ["3"]}, follow=True
    )

    assert 'id="update-3"' not in page
    assert "Row 3 cannot update its record" in response.content.decode()
    assert not cohort_import.rows.filter(update_record=True).exists()


def test_differences_take_a_fixed_number_of_queries(
    partnership, people, django_assert_max_num_queries
):
    p = partnership
    cohort_import = matched(p)
    with django_assert_max_num_queries(8):
        found = row_differences(p.coordinator, cohort_import)
    assert [d.row.number for d in found] == [2, 3]
