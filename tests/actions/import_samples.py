"""The seed plan (a borough's reducing reoffending action plan, copied as a table into
fixtures/) and the same table as CSV and as an Excel workbook, for the import tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import Workbook

from actions.importing import AgencyName

SEED_PLAN = Path(__file__).parent / "fixtures" / "reducing_reoffending_plan.tsv"

# The partnership of tests/conftest.py as the importer matches leads against it.
COUNCIL, POLICE, PROBATION, HOUSING = 1, 2, 3, 4
PARTNERSHIP = (
    AgencyName(COUNCIL, "Council CST", "council", "council"),
    AgencyName(POLICE, "Borough Police", "police", "police"),
    AgencyName(PROBATION, "Probation", "probation", "probation"),
    AgencyName(HOUSING, "Housing", "housing", "housing"),
)


def seed_text() -> str:
    return SEED_PLAN.read_text(encoding="utf-8")


def seed_records() -> list[list[str]]:
    return list(csv.reader(io.StringIO(seed_text(), newline=""), delimiter="\t"))


def seed_csv() -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(seed_records())
    return out.getvalue().encode("utf-8")


def seed_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Action plan"
    for record in seed_records():
        sheet.append([cell or None for cell in record] or [None])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def table_text(*rows: list[str]) -> str:
    """Rows of cells as pasted text."""
    return "\n".join("\t".join(cells) for cells in rows) + "\n"


HEADINGS = [
    "Strategy Objective",
    "Project / Action",
    "Outcomes",
    "Timescale",
    "Responsible Service / Lead Person",
    "Progress to date",
]
