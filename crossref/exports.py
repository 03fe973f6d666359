"""The overlap report as a spreadsheet (CSV or XLSX): the same rows the page shows, for all
pages, and the people who have left the report since the previous month.

A person the reader may not see is written only as the panels they are known to and whom
to contact: no record number, name or date of birth. Text goes through the writers of
panels/exports.py, which neutralise anything a spreadsheet would run as a formula.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from core.exports import Cell, write_csv, write_xlsx
from crossref.selectors.findings import LeftRow, OverlapRow

HEADINGS = (
    "Record number",
    "Name",
    "Date of birth",
    "Panels",
    "Contacts",
    "Lead panel",
    "Change since the previous month",
)
LEFT = "No longer on more than one panel"


def _panels(row: OverlapRow | LeftRow) -> tuple[str, str]:
    names = "; ".join(item.name for item in row.panels)
    contacts = "; ".join(dict.fromkeys(item.contact for item in row.panels))
    return names, contacts


def overlap_lines(rows: Sequence[OverlapRow], left: Sequence[LeftRow]) -> Iterator[list[Cell]]:
    for row in rows:
        names, contacts = _panels(row)
        yield [
            row.nominal_id if row.visible else None,
            row.name if row.visible else f"Not shown. {row.name}",
            row.date_of_birth,
            names,
            contacts,
            row.lead.name if row.lead else "",
            "; ".join(row.changes),
        ]
    for gone in left:
        names, contacts = _panels(gone)
        yield [
            gone.nominal_id if gone.visible else None,
            gone.name if gone.visible else f"Not shown. {gone.name}",
            None,
            names,
            contacts,
            "",
            LEFT,
        ]


def overlap_csv(rows: Sequence[OverlapRow], left: Sequence[LeftRow]) -> bytes:
    return write_csv(HEADINGS, overlap_lines(rows, left))


def overlap_xlsx(rows: Sequence[OverlapRow], left: Sequence[LeftRow], *, title: str) -> bytes:
    return write_xlsx(HEADINGS, overlap_lines(rows, left), sheet_title=title)
