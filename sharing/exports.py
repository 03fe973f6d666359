"""The agreements register as the committee reads it: a Word table and a spreadsheet with
the same columns. Agreements hold no personal data; every cell is still written as text
that cannot become a formula (core.exports)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT

from core.exports import Cell
from sharing.models import InformationSharingAgreement

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HEADERS = (
    "Reference",
    "Version",
    "Title",
    "Status",
    "Parties",
    "Last signed",
    "Next review",
    "Retention (months)",
)


def register_rows(
    agreements: Sequence[InformationSharingAgreement],
) -> tuple[tuple[str, ...], list[list[Cell]]]:
    """The register's columns and one row per agreement (`register_for` annotates
    `last_signed`)."""
    rows: list[list[Cell]] = [
        [
            agreement.reference,
            agreement.version,
            agreement.title,
            agreement.get_status_display(),
            ", ".join(sorted(party.name for party in agreement.parties.all())),
            getattr(agreement, "last_signed", None),
            agreement.next_review_due,
            agreement.retention_period_months,
        ]
        for agreement in agreements
    ]
    return HEADERS, rows


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def register_docx(headers: Sequence[str], rows: Sequence[Sequence[Cell]], today: date) -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.add_heading("Information-sharing agreements register", level=1)
    document.add_paragraph(f"As at {today.strftime('%d %B %Y')}: {len(rows)} agreements.")
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = header
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = _text(value)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
