"""The files governance pages hand out: the access log as a spreadsheet, and the subject
access export as a Word document."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils import timezone
from docx import Document

from core.exports import Sheet, write_csv, write_workbook
from governance.selectors.access_log import LogLine
from governance.selectors.subject_access import SubjectAccess

LOG_HEADERS = ["When", "Who", "What was read", "Page", "Why", "Outcome"]


def _log_rows(lines: Iterable[LogLine]) -> list[list]:
    return [
        [
            timezone.localtime(line.at).replace(tzinfo=None),
            line.who,
            line.what,
            line.page,
            line.why,
            line.outcome,
        ]
        for line in lines
    ]


def access_log_xlsx(lines: Iterable[LogLine]) -> bytes:
    """Text goes through core.exports, so nothing in a row is ever run as a formula."""
    return write_workbook([Sheet("Access log", LOG_HEADERS, _log_rows(lines))])


def access_log_csv(lines: Iterable[LogLine]) -> bytes:
    return write_csv(LOG_HEADERS, _log_rows(lines))


def subject_access_docx(document: SubjectAccess) -> bytes:
    """A readable document: a title, what it covers, then one heading and table a section."""
    doc = Document()
    nominal = document.nominal
    doc.add_heading(f"Subject access export: record {nominal.pk}", level=0)
    produced = timezone.localtime(document.produced_at).strftime("%-d %B %Y at %H:%M")
    lead = document.produced_for
    doc.add_paragraph(
        f"Produced on {produced} by {lead.get_full_name() or lead.username}, information "
        f"governance lead, {lead.agency.name}."
    )
    doc.add_paragraph(
        "It holds everything the service records about the person that "
        f"{lead.agency.name} may see, and who has read the record. Panels that "
        f"{lead.agency.name} does not see are named at the end with the agency to ask."
    )
    for section in document.sections:
        doc.add_heading(section.title, level=1)
        doc.add_paragraph(section.intro)
        if not section.rows:
            doc.add_paragraph(section.empty)
            continue
        table = doc.add_table(rows=1, cols=len(section.headers))
        table.style = "Table Grid"
        for cell, header in zip(table.rows[0].cells, section.headers, strict=True):
            cell.text = header
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for row in section.rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = value or ""
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
