"""The plan as the committee paper: DOCX (python-docx) and XLSX (openpyxl) in the paper's
column layout, with RAG colours, and a summary of actions and steps by RAG.

Columns, one row per action: Strategy Objective | Project / Action (with its numbered
steps) | Outcomes | Timescale | Responsible Service / Lead (numbered to match the steps) |
Progress to date (numbered, each with the step's RAG) | RAG (the action's, shaded).

The export shows what its reader may see on the plan's page: staff names only to their
own agency's staff (`accounts.permissions.person_label`). Spreadsheet cells go through
`core.exports.neutralise`, so text that begins like a formula is never run.
`rag_summary_rows` and `add_docx_rag_summary` are there for reports that show the plan's
progress by RAG.
"""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from accounts.models import User
from actions.models import ActionPlan, Rag
from actions.selectors.plans import (
    ACTION_RAG_RULE,
    ActionRow,
    ObjectiveRows,
    RagSummary,
    StepRow,
    plan_rag_summary,
    plan_table,
)
from core.exports import neutralise

HEADINGS = (
    "Strategy Objective",
    "Project / Action",
    "Outcomes",
    "Timescale",
    "Responsible Service / Lead",
    "Progress to date",
    "RAG",
)
SUMMARY_HEADINGS = ("RAG", "Actions", "Steps")

# Cell shading per RAG, each dark text on a fill with a contrast ratio of at least 4.5:1.
RAG_FILL = {
    Rag.GREEN: "00B050",
    Rag.AMBER_GREEN: "FFD966",
    Rag.AMBER_RED: "F4B084",
    Rag.RED: "FF0000",
    Rag.COMPLETE: "9DC3E6",
    Rag.NOT_STARTED: "D9D9D9",
}
TEXT_COLOUR = "0B0C0C"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- The cells' text -------------------------------------------------------------------------


def action_lines(row: ActionRow) -> list[str]:
    return [row.action.title, *(f"{s.step.number}. {s.step.text}" for s in row.steps)]


def lead_lines(row: ActionRow) -> list[str]:
    return [f"{s.step.number}. {s.lead}" for s in row.steps]


def progress_line(step_row: StepRow) -> tuple[str, str]:
    """(the step's number and RAG label, what its latest update says)."""
    step = step_row.step
    head = f"{step.number}. {step_row.rag.label}"
    if step.last_update_on is None:
        return head, "No update yet"
    return head, f"{step.last_update_on:%-d %B %Y}: {step.latest_text or ''}"


def rag_summary_rows(summary: RagSummary) -> list[tuple[str, int, int]]:
    """(RAG, actions, steps) for each RAG, then the totals."""
    return [
        *((row.label, row.actions, row.steps) for row in summary.rows),
        ("Total", summary.actions, summary.steps),
    ]


def _as_at(today: date) -> str:
    return f"Progress as at {today:%-d %B %Y}"


# --- DOCX -----------------------------------------------------------------------------------


def _shade(cell: _Cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def _shade_run(run, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    run._r.get_or_add_rPr().append(shading)


def _lines(cell: _Cell, lines: list[str], *, bold_first: bool = False) -> None:
    """One paragraph per line in the cell (the cell starts with one empty paragraph)."""
    for index, line in enumerate(lines):
        paragraph: Paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        run = paragraph.add_run(line)
        run.bold = bold_first and index == 0


def _rag_cell(cell: _Cell, rag: Rag) -> None:
    _shade(cell, RAG_FILL[rag])
    run = cell.paragraphs[0].add_run(rag.label)
    run.bold = True
    run.font.color.rgb = RGBColor.from_string(TEXT_COLOUR)


def _header_row(table, headings: tuple[str, ...]) -> None:
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        cell.paragraphs[0].add_run(heading).bold = True
        _shade(cell, "D9D9D9")
    # Repeat the heading row on each page the table runs over.
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(header)


def add_docx_rag_summary(document, summary: RagSummary, *, heading: str) -> None:
    """A table of the plan's actions and steps at each RAG, each RAG cell shaded."""
    document.add_heading(heading, level=2)
    table = document.add_table(rows=1, cols=len(SUMMARY_HEADINGS))
    table.style = "Table Grid"
    _header_row(table, SUMMARY_HEADINGS)
    for row in summary.rows:
        cells = table.add_row().cells
        _rag_cell(cells[0], row.rag)
        cells[1].paragraphs[0].add_run(str(row.actions))
        cells[2].paragraphs[0].add_run(str(row.steps))
    cells = table.add_row().cells
    for cell, value in zip(cells, ("Total", summary.actions, summary.steps), strict=True):
        cell.paragraphs[0].add_run(str(value)).bold = True
    document.add_paragraph(ACTION_RAG_RULE)


def _docx_plan_table(document, objectives: list[ObjectiveRows]) -> None:
    table = document.add_table(rows=1, cols=len(HEADINGS))
    table.style = "Table Grid"
    _header_row(table, HEADINGS)
    widths = (Cm(3.5), Cm(6), Cm(4), Cm(2.2), Cm(3.5), Cm(6.5), Cm(2))
    for group in objectives:
        first_row = None
        for row in group.actions:
            cells = table.add_row().cells
            if first_row is None:
                first_row = cells[0]
                cells[0].paragraphs[0].add_run(group.objective.title)
            else:
                # The objective spans its actions' rows, as in the paper.
                first_row = first_row.merge(cells[0])
            _lines(cells[1], action_lines(row), bold_first=True)
            _lines(cells[2], [row.action.outcomes or ""])
            _lines(cells[3], [row.action.timescale or ""])
            _lines(cells[4], lead_lines(row))
            for index, step_row in enumerate(row.steps):
                paragraph = cells[5].paragraphs[0] if index == 0 else cells[5].add_paragraph()
                head, text = progress_line(step_row)
                number, _, label = head.partition(" ")
                paragraph.add_run(f"{number} ")
                badge = paragraph.add_run(label)
                badge.bold = True
                _shade_run(badge, RAG_FILL[step_row.rag])
                paragraph.add_run(f" {text}")
            _rag_cell(cells[6], row.rag)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def plan_docx(plan: ActionPlan, *, viewer: User, today: date) -> bytes:
    """The plan as a Word document, landscape, in the committee paper's layout."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    document.styles["Normal"].font.size = Pt(9)

    document.add_heading(plan.title, level=1)
    if plan.strategy:
        document.add_paragraph(plan.strategy)
    document.add_paragraph(_as_at(today))
    objectives = plan_table(plan, viewer=viewer, today=today)
    _docx_plan_table(document, objectives)
    add_docx_rag_summary(document, plan_rag_summary(plan), heading="Summary of actions by RAG")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- XLSX -----------------------------------------------------------------------------------


def _text(value: str) -> str:
    # Control characters cannot be stored in XLSX at all; drop them rather than fail.
    return str(neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)))


def _write_row(sheet, values: list[object], *, wrap: bool = True) -> int:
    sheet.append([_text(v) if isinstance(v, str) else v for v in values])
    number = sheet.max_row
    for cell in sheet[number]:
        if isinstance(cell.value, str):
            # openpyxl treats any string starting with "=" as a formula: say "text".
            cell.data_type = TYPE_STRING
        if wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return number


def _xlsx_rag(cell, rag: Rag) -> None:
    cell.fill = PatternFill(fill_type="solid", fgColor=RAG_FILL[rag])
    cell.font = Font(bold=True, color=TEXT_COLOUR)


def plan_xlsx(plan: ActionPlan, *, viewer: User, today: date) -> bytes:
    """The plan as a workbook: the committee paper's table, then the summary by RAG."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Action plan"
    _write_row(sheet, [plan.title], wrap=False)
    sheet["A1"].font = Font(bold=True, size=14)
    _write_row(sheet, [_as_at(today)], wrap=False)
    header = _write_row(sheet, list(HEADINGS))
    for cell in sheet[header]:
        cell.font = Font(bold=True)
    for group in plan_table(plan, viewer=viewer, today=today):
        for row in group.actions:
            number = _write_row(
                sheet,
                [
                    group.objective.title,
                    "\n".join(action_lines(row)),
                    row.action.outcomes,
                    row.action.timescale,
                    "\n".join(lead_lines(row)),
                    "\n".join(" ".join(progress_line(step)) for step in row.steps),
                    row.rag.label,
                ],
            )
            _xlsx_rag(sheet.cell(row=number, column=len(HEADINGS)), row.rag)
    for column, width in enumerate((30, 50, 35, 14, 30, 60, 14), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(row=header + 1, column=1)

    summary_sheet = workbook.create_sheet("Summary by RAG")
    _write_row(summary_sheet, list(SUMMARY_HEADINGS), wrap=False)
    for cell in summary_sheet[1]:
        cell.font = Font(bold=True)
    summary = plan_rag_summary(plan)
    for label, actions, steps in rag_summary_rows(summary):
        number = _write_row(summary_sheet, [label, actions, steps], wrap=False)
        rag = next((row.rag for row in summary.rows if row.label == label), None)
        if rag is not None:
            _xlsx_rag(summary_sheet.cell(row=number, column=1), rag)
        else:
            for cell in summary_sheet[number]:
                cell.font = Font(bold=True)
    _write_row(summary_sheet, [ACTION_RAG_RULE], wrap=False)
    summary_sheet.column_dimensions["A"].width = 16
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
