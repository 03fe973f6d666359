"""The monthly list import's pages: only the panel's coordinator uses them, bad files are
refused with the reason and change nothing, and every row's outcome can be read and
downloaded."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AccessLog, AccessOutcome, AuditEvent
from cohorts.models import CohortImport, ImportRow, ImportStatus, RowOutcome
from cohorts.services.imports import import_map_columns, import_upload
from offenders.models import Nominal
from panels.models import CohortMembership
from tests.factories import make_nominal
from tests.panels.import_samples import MAPPING, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

MAY = date(2026, 5, 1)
ROWS = [
    ["Ashby", "Jordan", "17/05/1990", "", ""],
    ["Blake", "Morgan", "09/07/1986", "", ""],
    ["Shah", "Priya", "02/03/1985", "", ""],
    ['=HYPERLINK("http://evil.example")', "Mallory", "01/01/1980", "", ""],
    ["Bad", "Date", "31/02/1990", "", ""],
]


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2026, 5, 20))


@pytest.fixture
def cohort(partnership):
    p = partnership
    return {
        "staying": make_nominal(p.coordinator, on_panel=p.panel, status="active"),
        "leaver": make_nominal(
            p.coordinator,
            given_names="Casey",
            family_name="Leaver",
            date_of_birth=date(1988, 1, 1),
            on_panel=p.panel,
            status="active",
        ),
        "uncertain": make_nominal(
            p.partner, given_names="Morgan", family_name="Blake", date_of_birth=date(1985, 7, 9)
        ),
    }


def upload_form(data: bytes, name: str = "may.csv", month: date = MAY) -> dict:
    return {
        "list_file": SimpleUploadedFile(name, data),
        "month-month": str(month.month),
        "month-year": str(month.year),
    }


def matched(p, rows=ROWS) -> CohortImport:
    cohort_import = import_upload(
        actor=p.coordinator, panel=p.panel, month=MAY, file_name="may.csv", data=csv_bytes(rows)
    )
    return import_map_columns(actor=p.coordinator, cohort_import=cohort_import, mapping=MAPPING)


# --- Who gets the pages -----------------------------------------------------------------------


def test_the_coordinator_opens_the_imports_and_the_upload_page(partnership, client_for):
    client = client_for(partnership.coordinator)
    imports = client.get(reverse("cohorts:imports", args=[partnership.panel.pk]))
    assert imports.status_code == 200
    assert b"No list has been uploaded for this panel yet" in imports.content
    upload = client.get(reverse("cohorts:import-upload", args=[partnership.panel.pk]))
    assert upload.status_code == 200
    assert b'value="5"' in upload.content and b'value="2026"' in upload.content
    detail = client.get(reverse("panels:detail", args=[partnership.panel.pk]))
    assert b"Monthly lists" in detail.content


def test_partners_who_see_the_panel_are_refused_and_others_told_it_does_not_exist(
    partnership, client_for, cohort
):
    cohort_import = matched(partnership)
    urls = [
        reverse("cohorts:imports", args=[partnership.panel.pk]),
        reverse("cohorts:import-upload", args=[partnership.panel.pk]),
        reverse("cohorts:import", args=[cohort_import.pk]),
        reverse("cohorts:import-columns", args=[cohort_import.pk]),
        reverse("cohorts:import-row", args=[cohort_import.pk, 3]),
        reverse("cohorts:import-outcome", args=[cohort_import.pk]),
        reverse("cohorts:import-discard", args=[cohort_import.pk]),
    ]
    for user, status in (
        (partnership.partner, 403),
        (partnership.member_partner, 403),
        (partnership.unsigned_partner, 404),
        (partnership.outsider_coordinator, 404),
        (partnership.committee, 404),
    ):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == status, (user.username, url)
    detail = client_for(partnership.partner).get(
        reverse("panels:detail", args=[partnership.panel.pk])
    )
    assert b"Monthly lists" not in detail.content
    assert AccessLog.objects.filter(
        user=partnership.member_partner, outcome=AccessOutcome.DENIED
    ).count() == len(urls)


# --- Uploading --------------------------------------------------------------------------------

BAD_FILES = [
    ("empty", b"", "may.csv", "The file is empty"),
    ("pdf", b"%PDF-1.7\n%binary", "may.pdf", "The file is a PDF"),
    ("binary renamed", bytes(range(256)) * 4, "may.csv", "holds data that is not text"),
    ("no headings", csv_bytes(ROWS[:2], headers=()), "may.csv", "looks like a person"),
    (
        "malformed",
        b'Surname,Forename,DOB\r\nAshby,"Jordan,17/05/1990\r\n',
        "may.csv",
        "Row 2 could not be read as CSV",
    ),
    (
        "wrong encoding",
        b"Surname,Forename,DOB\r\n\x81\x8d\x8f\x90\x9d,Jo,17/05/1990\r\n",
        "may.csv",
        "could not be read as UTF-8, UTF-16 or Windows-1252",
    ),
    (
        "duplicate headings",
        csv_bytes(ROWS[:1], headers=["Surname", "Forename", "DOB", "dob", "Postcode"]),
        "may.csv",
        "Two columns have the heading",
    ),
    ("not a workbook", b"Surname,Forename\r\nA,B\r\n", "may.xlsx", "is not an Excel workbook"),
]


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [case[1:] for case in BAD_FILES],
    ids=[case[0] for case in BAD_FILES],
)
def test_a_bad_file_is_refused_with_the_reason_and_nothing_is_stored(
    partnership, client_for, data, name, reason
):
    response = client_for(partnership.coordinator).post(
        reverse("cohorts:import-upload", args=[partnership.panel.pk]), upload_form(data, name)
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert reason in body.replace("&#x27;", "'")
    assert not CohortImport.objects.exists() and not ImportRow.objects.exists()
    assert not AuditEvent.objects.filter(verb="import_uploaded").exists()


def test_a_file_over_five_megabytes_is_refused(partnership, client_for):
    data = csv_bytes([["Ashby", "Jordan", "17/05/1990", "", "x" * 100]] * 60_000)
    assert len(data) > 5 * 1024 * 1024
    response = client_for(partnership.coordinator).post(
        reverse("cohorts:import-upload", args=[partnership.panel.pk]), upload_form(data)
    )
    assert "the largest list that can be imported is 5 MB" in response.content.decode()
    assert not CohortImport.objects.exists()


def test_a_month_in_the_future_is_refused(partnership, client_for):
    response = client_for(partnership.coordinator).post(
        reverse("cohorts:import-upload", args=[partnership.panel.pk]),
        upload_form(csv_bytes(ROWS), month=date(2026, 6, 1)),
    )
    assert "must be this month or an earlier month" in response.content.decode()
    assert not CohortImport.objects.exists()


def test_an_excel_list_is_uploaded_and_its_columns_are_offered(partnership, client_for):
    data = xlsx_bytes([["Ashby", "Jordan", date(1990, 5, 17), "", ""]])
    client = client_for(partnership.coordinator)
    response = client.post(
        reverse("cohorts:import-upload", args=[partnership.panel.pk]),
        upload_form(data, "May list.xlsx"),
    )
    cohort_import = CohortImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cohorts:import-columns", args=[cohort_import.pk])
    assert cohort_import.rows.get().values["DOB"] == "1990-05-17"
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "Excel workbook, first sheet (May list)" in body
    assert '<option value="Surname" selected>' in body
    assert AccessLog.objects.filter(
        user=partnership.coordinator, object_type="cohorts.cohortimport"
    ).exists()


def test_missing_columns_are_refused_on_the_columns_page(partnership, client_for):
    cohort_import = import_upload(
        actor=partnership.coordinator,
        panel=partnership.panel,
        month=MAY,
        file_name="may.csv",
        data=csv_bytes(ROWS),
    )
    response = client_for(partnership.coordinator).post(
        reverse("cohorts:import-columns", args=[cohort_import.pk]),
        {"family_name": "Surname", "given_names": "Forename"},
    )
    assert response.status_code == 200
    assert "Choose the column with the date of birth" in response.content.decode()
    cohort_import.refresh_from_db()
    assert cohort_import.status == ImportStatus.MAPPING


# --- Checking, deciding, committing -----------------------------------------------------------


def test_the_check_shows_joiners_leavers_the_queue_and_rows_not_imported(
    partnership, client_for, cohort
):
    cohort_import = matched(partnership)
    response = client_for(partnership.coordinator).get(
        reverse("cohorts:import", args=[cohort_import.pk])
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "1 row needs a decision" in body
    assert "1 person on the list is already on the cohort" in body
    assert "Casey LEAVER" in body  # not on the list
    assert "February 1990 has 28 days" in body
    assert AccessLog.objects.filter(
        user=partnership.coordinator,
        object_type="offenders.nominal",
        object_id=str(cohort["leaver"].pk),
    ).exists()


def test_commit_is_refused_with_a_link_to_the_first_row_waiting(partnership, client_for, cohort):
    cohort_import = matched(partnership)
    response = client_for(partnership.coordinator).post(
        reverse("cohorts:import-commit", args=[cohort_import.pk]),
        {"commit": "yes", "exit_leavers": "on"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "1 row needs a decision before the list can be imported" in body
    assert reverse("cohorts:import-row", args=[cohort_import.pk, 3]) in body
    cohort_import.refresh_from_db()
    assert cohort_import.status == ImportStatus.PREVIEW


def test_nobody_is_exited_unless_the_coordinator_ticks_the_box(partnership, client_for, cohort):
    cohort_import = matched(partnership)
    client = client_for(partnership.coordinator)
    check = client.get(reverse("cohorts:import", args=[cohort_import.pk])).content.decode()
    box = check.split('name="exit_leavers"')[1].split(">")[0]
    assert "checked" not in box
    assert "Casey LEAVER" in check  # named before the commit


def test_an_empty_post_commits_nothing(partnership, client_for, cohort):
    cohort_import = matched(partnership)
    client = client_for(partnership.coordinator)
    for name in ("cohorts:import-commit", "cohorts:import-discard"):
        response = client.post(reverse(name, args=[cohort_import.pk]), {})
        assert response.status_code == 302
    cohort_import.refresh_from_db()
    assert cohort_import.status == ImportStatus.PREVIEW


def test_the_coordinator_decides_a_queued_row_then_imports_and_reads_the_report(
    partnership, client_for, cohort
):
    cohort_import = matched(partnership)
    client = client_for(partnership.coordinator)
    row_url = reverse("cohorts:import-row", args=[cohort_import.pk, 3])
    page = client.get(row_url)
    body = page.content.decode()
    assert "Who is Morgan BLAKE?" in body
    assert f"Record {cohort['uncertain'].pk}: Morgan BLAKE" in body
    assert "year one out" in body
    assert AccessLog.objects.filter(
        object_id=str(cohort["uncertain"].pk), purpose="data_quality"
    ).exists()

    missing_reason = client.post(row_url, {"choice": "skip"})
    assert "Enter why the row is left out" in missing_reason.content.decode()

    chosen = client.post(row_url, {"choice": str(cohort["uncertain"].pk)})
    assert chosen.status_code == 302
    assert chosen["Location"] == reverse("cohorts:import", args=[cohort_import.pk])
    check = client.get(chosen["Location"]).content.decode()
    assert f"Row 3: linked to record {cohort['uncertain'].pk}" in check
    assert f'href="{row_url}">Change the decision' in check

    committed = client.post(
        reverse("cohorts:import-commit", args=[cohort_import.pk]),
        {"commit": "yes", "exit_leavers": "on"},
    )
    assert committed.status_code == 302
    report = client.get(committed["Location"])
    body = report.content.decode()
    assert "The May 2026 list was imported: 3 joined, 1 stayed and 1 left the cohort." in body
    assert "Every row of the list, page 1 of 1" in body
    assert CohortMembership.objects.get(nominal=cohort["leaver"]).status == "exited"
    # The report names who left, linked to their records.
    leavers = body.split('id="leavers"')[1].split("</ul>")[0]
    assert "Casey LEAVER" in leavers

    again = client.post(
        reverse("cohorts:import-commit", args=[cohort_import.pk]),
        {"commit": "yes", "exit_leavers": "on"},
    )
    assert again.status_code == 302
    assert "This list was already imported by" in client.get(again["Location"]).content.decode()


def test_the_outcome_csv_has_one_line_per_row_and_neutralises_formulas(
    partnership, client_for, cohort
):
    cohort_import = matched(partnership)
    response = client_for(partnership.coordinator).get(
        reverse("cohorts:import-outcome", args=[cohort_import.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="list-2026-05-outcome-{cohort_import.pk}.csv"'
    )
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == [
        "Row",
        "Surname",
        "Forename",
        "DOB",
        "PNC ID",
        "Postcode",
        "Outcome",
        "Record number",
        "Reason or message",
        "Result",
    ]
    assert [line[0] for line in lines[1:]] == ["2", "3", "4", "5", "6"]
    assert lines[1][6] == RowOutcome.LINKED.label
    assert lines[1][7] == str(cohort["staying"].pk)
    assert lines[4][1].startswith("'=HYPERLINK")
    assert lines[5][6] == RowOutcome.INVALID.label
    assert "February 1990 has 28 days" in lines[5][8]


def test_discarding_a_list_from_its_page(partnership, client_for, cohort):
    cohort_import = matched(partnership)
    client = client_for(partnership.coordinator)
    assert client.get(reverse("cohorts:import-discard", args=[cohort_import.pk])).status_code == 200
    response = client.post(
        reverse("cohorts:import-discard", args=[cohort_import.pk]), {"discard": "yes"}
    )
    assert response["Location"] == reverse("cohorts:imports", args=[partnership.panel.pk])
    cohort_import.refresh_from_db()
    assert cohort_import.status == ImportStatus.DISCARDED
    assert not Nominal.objects.filter(family_name="Shah").exists()


def test_the_check_and_report_pages_use_a_fixed_number_of_queries(
    partnership, client_for, cohort, django_assert_max_num_queries
):
    client = client_for(partnership.coordinator)
    small = matched(partnership)
    big = matched(
        partnership,
        [[f"Person{i}", "Alex", f"{i % 28 + 1:02d}/03/1980", "", ""] for i in range(150)],
    )
    for cohort_import in (small, big):
        with django_assert_max_num_queries(22):
            assert client.get(reverse("cohorts:import", args=[cohort_import.pk])).status_code == 200
    imports_url = reverse("cohorts:imports", args=[partnership.panel.pk])
    with django_assert_max_num_queries(15):
        assert client.get(imports_url).status_code == 200


def test_importing_a_month_again_warns_and_shows_who_differs(partnership, client_for, cohort):
    from cohorts.services.imports import import_commit as commit

    p = partnership
    first_rows = [
        ["Ashby", "Jordan", "17/05/1990", "", ""],
        ["Leaver", "Casey", "01/01/1988", "", ""],
    ]
    first = matched(p, rows=first_rows)
    commit(actor=p.coordinator, cohort_import=first, exit_leavers=False)

    second = matched(p, rows=[["Ashby", "Jordan", "17/05/1990", "", ""]])
    page = (
        client_for(p.coordinator).get(reverse("cohorts:import", args=[second.pk])).content.decode()
    )
    assert "The May 2026 list for this panel was already imported on" in page
    differences = page.split('id="differences"')[1].split("</dl>")[0]
    assert "Only on the earlier list" in differences and "Casey LEAVER" in differences

    fresh = client_for(p.coordinator).get(reverse("cohorts:import", args=[first.pk]))
    assert fresh.status_code == 200
