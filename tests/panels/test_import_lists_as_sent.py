"""Monthly lists as agencies send them: one column with the whole name (either order), an
age or a year of birth instead of a date of birth, and columns whose headings mislead. The
coordinator sees each column's first values and how many look right, and how names will be
split; a wrong choice of column is called a wrong choice."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cohorts.models import CohortImport, ImportStatus, RowOutcome
from offenders.models import Nominal
from tests.factories import make_nominal
from tests.panels.import_samples import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

MAY = date(2026, 5, 1)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2026, 5, 20))


def upload(client, panel, data: bytes, name: str) -> CohortImport:
    response = client.post(
        reverse("cohorts:import-upload", args=[panel.pk]),
        {
            "list_file": SimpleUploadedFile(name, data),
            "month-month": str(MAY.month),
            "month-year": str(MAY.year),
        },
    )
    assert response.status_code == 302, response.content.decode()
    return CohortImport.objects.get(file_name=name)


def columns_url(cohort_import: CohortImport) -> str:
    return reverse("cohorts:import-columns", args=[cohort_import.pk])


def family_first_csv() -> bytes:
    return csv_bytes(
        [
            ["FLYNN, Guy", "36", "CR-2291"],
            ["TAYLOR Eric", "41", "CR-2292"],
            ["Shah Priya", "", "CR-2304"],
        ],
        headers=["Name", "Age", "Case reference number"],
    )


def test_a_family_first_list_with_ages_is_suggested_checked_and_matched(partnership, client_for):
    p = partnership
    known = make_nominal(
        p.coordinator, given_names="Guy", family_name="Flynn", date_of_birth=date(1990, 3, 4)
    )
    client = client_for(p.coordinator)
    cohort_import = upload(client, p.panel, family_first_csv(), "flynn.csv")
    # The name and age columns are suggested, the order read from the commas and
    # capitals; the case reference is not offered as the CRN.
    assert cohort_import.mapping == {
        "full_name": "Name",
        "age": "Age",
        "name_order": "family_first",
    }

    page = client.get(columns_url(cohort_import)).content.decode()
    values = page.split('id="column-values"')[1].split("</table>")[0]
    assert "FLYNN, Guy" in values and "TAYLOR Eric" in values
    assert "CR-2291" in values
    assert "3 of 3 look like a whole name (family and given names)" in values
    assert "2 of 2 look like an age" in values
    # How the names are split, each way, with the chosen order marked.
    splitting = page.split('id="name-splitting"')[1].split("</table>")[0]
    assert "Family name first (chosen)" in splitting
    assert "Family name FLYNN, given names Guy" in splitting
    assert "Family name Shah, given names Priya" in splitting
    assert "Family name Priya, given names Shah" in splitting
    assert 'value="family_first" checked' in page

    response = client.post(
        columns_url(cohort_import),
        {"full_name": "Name", "age": "Age", "name_order": "family_first"},
    )
    assert response.status_code == 302
    rows = {row.number: row for row in cohort_import.rows.all()}
    # The age is an approximate date of birth, matched as one: the known Guy Flynn is
    # offered (or linked), not refused for want of a date.
    assert rows[2].outcome in (RowOutcome.LINKED, RowOutcome.QUEUED)
    offered = [rows[2].nominal_id] + [entry["id"] for entry in rows[2].candidates]
    assert known.pk in offered
    assert "Approximate date of birth: born about 1989, from the age 36" in rows[2].message
    assert rows[4].outcome == RowOutcome.INVALID
    assert rows[4].message == "No age"

    check = client.get(reverse("cohorts:import", args=[cohort_import.pk])).content.decode()
    assert "Names are split from the column ‘Name’, read family name first." in check
    assert "A comma marks the family name before it" in check
    assert "Eric TAYLOR" in check


def test_switching_the_order_splits_unmarked_names_the_other_way(partnership, client_for):
    p = partnership
    client = client_for(p.coordinator)
    data = csv_bytes(
        [["Taylor Eric", "17/05/1990"], ["Jones Mary", "02/03/1985"]],
        headers=["Client name", "DOB"],
    )
    cohort_import = upload(client, p.panel, data, "unmarked.csv")
    # Nothing in the names says which end the family name is: given names first.
    assert cohort_import.mapping["name_order"] == "given_first"
    client.post(
        columns_url(cohort_import),
        {"full_name": "Client name", "date_of_birth": "DOB", "name_order": "given_first"},
    )
    check = client.get(reverse("cohorts:import", args=[cohort_import.pk])).content.decode()
    assert "Taylor ERIC" in check

    client.post(
        columns_url(cohort_import),
        {"full_name": "Client name", "date_of_birth": "DOB", "name_order": "family_first"},
    )
    cohort_import.refresh_from_db()
    assert cohort_import.mapping["name_order"] == "family_first"
    check = client.get(reverse("cohorts:import", args=[cohort_import.pk])).content.decode()
    assert "Eric TAYLOR" in check
    assert "read family name first" in check
    # The panel remembers the order for next month's list.
    p.panel.refresh_from_db()
    assert p.panel.import_columns["name_order"] == "family_first"


def test_an_excel_list_with_a_year_of_birth_creates_records_that_keep_the_approximation(
    partnership, client_for
):
    p = partnership
    client = client_for(p.coordinator)
    data = xlsx_bytes(
        [["Eric TAYLOR", 1985], ["Guy FLYNN", 1990]], headers=["Full name", "Year of birth"]
    )
    cohort_import = upload(client, p.panel, data, "years.xlsx")
    assert cohort_import.mapping == {
        "full_name": "Full name",
        "year_of_birth": "Year of birth",
        "name_order": "given_first",
    }
    page = client.get(columns_url(cohort_import)).content.decode()
    assert "2 of 2 look like a year of birth" in page
    response = client.post(
        columns_url(cohort_import),
        {"full_name": "Full name", "year_of_birth": "Year of birth", "name_order": "given_first"},
    )
    assert response.status_code == 302
    committed = client.post(
        reverse("cohorts:import-commit", args=[cohort_import.pk]), {"commit": "yes"}
    )
    assert committed.status_code == 302
    taylor = Nominal.objects.get(family_name="TAYLOR")
    assert (taylor.given_names, taylor.date_of_birth, taylor.dob_approximate) == (
        "Eric",
        date(1985, 7, 1),
        True,
    )
    report = client.get(committed["Location"]).content.decode()
    assert "Approximate date of birth: born about 1985, from the year of birth 1985" in report


def test_an_excel_list_given_names_first_with_an_age_beside_some_dates(partnership, client_for):
    p = partnership
    known = make_nominal(
        p.coordinator, given_names="Eric", family_name="Taylor", date_of_birth=date(1985, 2, 1)
    )
    client = client_for(p.coordinator)
    data = xlsx_bytes(
        [["Eric Taylor", None, 41], ["Priya Shah", date(1985, 3, 2), None]],
        headers=["Name", "Date of birth", "Age"],
    )
    cohort_import = upload(client, p.panel, data, "ages.xlsx")
    assert cohort_import.mapping == {
        "full_name": "Name",
        "date_of_birth": "Date of birth",
        "age": "Age",
        "name_order": "given_first",
    }
    client.post(columns_url(cohort_import), cohort_import.mapping)
    rows = {row.number: row for row in cohort_import.rows.all()}
    offered = [rows[2].nominal_id] + [entry["id"] for entry in rows[2].candidates]
    assert known.pk in offered
    assert rows[3].outcome == RowOutcome.CREATED


def test_a_column_chosen_against_its_values_is_called_a_wrong_choice(partnership, client_for):
    p = partnership
    client = client_for(p.coordinator)
    cohort_import = upload(client, p.panel, family_first_csv(), "wrong.csv")
    response = client.post(
        columns_url(cohort_import),
        {
            "full_name": "Name",
            "age": "Age",
            "name_order": "family_first",
            "crn": "Case reference number",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        "The column &#x27;Case reference number&#x27; does not look like the probation CRN: 0 of 3 "
        "look like a probation CRN (a letter and six digits)" in body
    )
    assert "The choice of column looks wrong" in body
    # The columns table marks it too.
    values = body.split('id="column-values"')[1].split("</table>")[0]
    assert "Looks wrong" in values
    cohort_import.refresh_from_db()
    assert cohort_import.status == ImportStatus.MAPPING
    assert not cohort_import.rows.exclude(outcome="").exists()


def test_a_whole_name_and_separate_name_columns_are_not_both_chosen(partnership, client_for):
    p = partnership
    client = client_for(p.coordinator)
    data = csv_bytes(
        [["Eric Taylor", "Taylor", "Eric", "17/05/1990"]],
        headers=["Name", "Surname", "Forename", "DOB"],
    )
    cohort_import = upload(client, p.panel, data, "both.csv")
    assert "full_name" not in cohort_import.mapping
    response = client.post(
        columns_url(cohort_import),
        {
            "full_name": "Name",
            "family_name": "Surname",
            "given_names": "Forename",
            "date_of_birth": "DOB",
        },
    )
    assert response.status_code == 200
    assert "Choose either the column with the whole name or the columns with the family name" in (
        response.content.decode()
    )


def test_an_age_is_matched_as_a_year_band(partnership, client_for):
    """Aged 34 on 20 May 2026 is born between May 1991 and May 1992: a record born in
    either year is offered, one born five years earlier is not."""
    p = partnership
    early = make_nominal(
        p.coordinator, given_names="Nia", family_name="Okafor", date_of_birth=date(1992, 4, 1)
    )
    late = make_nominal(
        p.coordinator, given_names="Nia", family_name="Okafor", date_of_birth=date(1991, 6, 1)
    )
    elder = make_nominal(
        p.coordinator, given_names="Nia", family_name="Okafor", date_of_birth=date(1986, 6, 1)
    )
    client = client_for(p.coordinator)
    data = csv_bytes([["OKAFOR, Nia", "34"]], headers=["Name", "Age"])
    cohort_import = upload(client, p.panel, data, "band.csv")
    client.post(columns_url(cohort_import), cohort_import.mapping)
    row = cohort_import.rows.get()
    assert row.outcome == RowOutcome.QUEUED
    offered = {entry["id"] for entry in row.candidates}
    assert {early.pk, late.pk} <= offered
    assert elder.pk not in offered


def test_an_approximate_row_looks_up_the_years_either_side():
    from cohorts.selectors.imports import probe_keys
    from offenders.records import person_record

    exact = person_record(given="Nia", family="Okafor", dob=date(1991, 11, 20))
    approximate = person_record(
        given="Nia", family="Okafor", dob=date(1991, 11, 20), dob_approximate=True
    )
    family_years = {key for key in probe_keys(approximate) if key.startswith("F:")}
    assert {key.rsplit(":", 1)[1] for key in family_years} == {"1990", "1991", "1992"}
    assert {key.rsplit(":", 1)[1] for key in probe_keys(exact) if key.startswith("F:")} == {"1991"}
