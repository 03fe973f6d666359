"""Hostile and damaged files given to the monthly list import are refused with the reason,
as the upload page's error, and store nothing. How far each is read before it is refused is
tested in tests/core/test_table_limits.py."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from cohorts.models import CohortImport, ImportRow
from tests import hostile_files as hostile
from tests.panels.import_samples import HEADERS, xlsx_bytes

pytestmark = pytest.mark.django_db

ROW = ["Ashby", "Jordan", "17/05/1990", "", ""]

HOSTILE = [
    (
        "a cell in the last row",
        hostile.cell_in_last_row(HEADERS),
        "may.xlsx",
        "more than 25,000 rows",
    ),
    (
        "16,384 columns of empty cells",
        hostile.far_right_cells(HEADERS),
        "may.xlsx",
        "more than 300,000 cells",
    ),
    (
        "a value in the last column",
        hostile.far_right_cells(HEADERS, filled=True),
        "may.xlsx",
        "Row 2 has more than 200 columns",
    ),
    (
        "a row wider than Excel allows",
        hostile.wide_sheet(HEADERS),
        "may.xlsx",
        "Row 2 has more than 16,384 columns",
    ),
    (
        "a zip bomb",
        hostile.zip_bomb(HEADERS),
        "may.xlsx",
        "The workbook is far bigger inside than any list",
    ),
    (
        "a CSV of 50,000 columns",
        hostile.wide_csv(HEADERS),
        "may.csv",
        "Row 1 has more than 200 columns",
    ),
    (
        "password-protected",
        hostile.password_protected(),
        "may.xlsx",
        "This workbook is password-protected: save it without a password and upload it again.",
    ),
    (
        "cut off",
        hostile.cut_off(xlsx_bytes([ROW] * 50)),
        "may.xlsx",
        "could not be opened as an Excel workbook",
    ),
    ("junk named .xlsx", hostile.junk(), "may.xlsx", "may.xlsx is not an Excel workbook"),
    ("junk named .csv", hostile.junk(), "may.csv", "The file is not a CSV file"),
    (
        "junk after a zip signature",
        b"PK\x03\x04" + hostile.junk(),
        "may.xlsx",
        "could not be opened as an Excel workbook",
    ),
]


def upload(client, panel, data: bytes, name: str):
    form = {"list_file": SimpleUploadedFile(name, data), "month-month": "5", "month-year": "2026"}
    return client.post(reverse("cohorts:import-upload", args=[panel.pk]), form)


@pytest.mark.parametrize(
    ("data", "name", "reason"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE]
)
def test_a_hostile_file_is_refused_with_the_reason_and_nothing_is_stored(
    partnership, client_for, data, name, reason
):
    response = upload(client_for(partnership.coordinator), partnership.panel, data, name)
    assert response.status_code == 200
    body = response.content.decode().replace("&#x27;", "'")
    assert "There is a problem" in body
    assert reason in body
    assert not CohortImport.objects.exists() and not ImportRow.objects.exists()
    assert not AuditEvent.objects.filter(verb="import_uploaded").exists()


def test_a_workbook_declaring_17_billion_cells_is_read_as_the_rows_it_holds(
    partnership, client_for
):
    data = hostile.declared_huge(HEADERS, ROW)
    response = upload(client_for(partnership.coordinator), partnership.panel, data, "may.xlsx")
    assert response.status_code == 302
    cohort_import = CohortImport.objects.get()
    assert cohort_import.headers == HEADERS
    assert cohort_import.rows.count() == 1
