"""Hostile and damaged files given to the action plan import are refused with the reason, as
the import page's error, and store nothing; so is a pasted table of 50,000 columns. How far
each is read before it is refused is tested in tests/core/test_table_limits.py."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import PlanImport
from tests import hostile_files as hostile

pytestmark = pytest.mark.django_db

START = reverse("actions:plan-import")
HEADINGS = ["Strategy objective", "Project / action", "Timescale"]
ROW = ["Reduce reoffending", "Lighting 1. Survey 2. Install", "March 2017"]

HOSTILE = [
    (
        "a cell in the last row",
        hostile.cell_in_last_row(HEADINGS),
        "plan.xlsx",
        "more than 25,000 rows",
    ),
    (
        "16,384 columns of empty cells",
        hostile.far_right_cells(HEADINGS),
        "plan.xlsx",
        "more than 300,000 cells",
    ),
    (
        "a value in the last column",
        hostile.far_right_cells(HEADINGS, filled=True),
        "plan.xlsx",
        "Row 2 has more than 200 columns",
    ),
    (
        "a row wider than Excel allows",
        hostile.wide_sheet(HEADINGS),
        "plan.xlsx",
        "Row 2 has more than 16,384 columns",
    ),
    (
        "a zip bomb",
        hostile.zip_bomb(HEADINGS),
        "plan.xlsx",
        "The workbook is far bigger inside than any plan",
    ),
    (
        "a CSV of 50,000 columns",
        hostile.wide_csv(HEADINGS),
        "plan.csv",
        "Row 1 has more than 200 columns",
    ),
    (
        "password-protected",
        hostile.password_protected(),
        "plan.xlsx",
        "This workbook is password-protected: save it without a password and upload it again.",
    ),
    (
        "cut off",
        hostile.cut_off(hostile.workbook([HEADINGS] + [ROW] * 50)),
        "plan.xlsx",
        "could not be opened as an Excel workbook",
    ),
    ("junk named .xlsx", hostile.junk(), "plan.xlsx", "plan.xlsx is not an Excel workbook"),
    ("junk named .csv", hostile.junk(), "plan.csv", "The file is not a CSV file"),
    (
        "junk after a zip signature",
        b"PK\x03\x04" + hostile.junk(),
        "plan.xlsx",
        "could not be opened as an Excel workbook",
    ),
]


def refused_with(response, reason: str) -> None:
    assert response.status_code == 200
    body = response.content.decode().replace("&#x27;", "'")
    assert "There is a problem" in body
    assert reason in body
    assert not PlanImport.objects.exists()


@pytest.mark.parametrize(
    ("data", "name", "reason"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE]
)
def test_a_hostile_file_is_refused_with_the_reason_and_nothing_is_saved(
    partnership, client_for, data, name, reason
):
    response = client_for(partnership.coordinator).post(
        START, {"plan_file": SimpleUploadedFile(name, data)}
    )
    refused_with(response, reason)


def test_a_pasted_table_of_50000_columns_is_refused(partnership, client_for):
    pasted = hostile.wide_csv(HEADINGS).decode().replace(",", "\t")
    response = client_for(partnership.coordinator).post(START, {"pasted": pasted})
    refused_with(response, "Row 1 has more than 200 columns")


def test_a_workbook_declaring_17_billion_cells_is_read_as_the_rows_it_holds(
    partnership, client_for
):
    data = hostile.declared_huge(HEADINGS, ROW)
    response = client_for(partnership.coordinator).post(
        START, {"plan_file": SimpleUploadedFile("plan.xlsx", data)}
    )
    assert response.status_code == 302
    plan_import = PlanImport.objects.get()
    assert plan_import.headers == HEADINGS
    assert len(plan_import.rows) == 1
