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
import re
from collections.abc import Callable
from datetime import date
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import nsmap, qn
from docx.oxml.parser import parse_xml
from docx.shared import Cm, Length, Pt, RGBColor
from docx.table import _Cell
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


# Column widths of the plan's table, as in the committee paper.
WIDTHS = (Cm(3.5), Cm(6), Cm(4), Cm(2.2), Cm(3.5), Cm(6.5), Cm(2))
# How often (in actions) a long export reports how far it has got.
PROGRESS_EVERY = 25

type Progress = Callable[[int, int], None]

# Characters XML cannot hold at all: dropped rather than fail the whole document.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_W = f'xmlns:w="{nsmap["w"]}"'


def _run(text: str, *, bold: bool = False, colour: str = "", fill: str = "") -> str:
    """A `w:r` holding `text` as python-docx's `Run.text` writes it: a line break for each
    newline and a tab for each tab."""
    properties = (
        ("<w:b/>" if bold else "")
        + (f'<w:color w:val="{colour}"/>' if colour else "")
        + (f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else "")
    )
    parts = []
    for index, line in enumerate(_NOT_XML.sub("", text).split("\n")):
        if index:
            parts.append("<w:br/>")
        for number, piece in enumerate(line.split("\t")):
            if number:
                parts.append("<w:tab/>")
            if piece:
                parts.append(f'<w:t xml:space="preserve">{escape(piece)}</w:t>')
    return f"<w:r>{f'<w:rPr>{properties}</w:rPr>' if properties else ''}{''.join(parts)}</w:r>"


def _cell(width: Length, paragraphs: list[str], *, merge: str = "", fill: str = "") -> str:
    """A `w:tc` of `width` holding `paragraphs` (each the runs of one `w:p`); `merge`
    "restart" begins a vertical span and "continue" carries it on."""
    properties = (
        f'<w:tcW w:w="{width.twips}" w:type="dxa"/>'
        + (f'<w:vMerge w:val="{merge}"/>' if merge else "")
        + (f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else "")
    )
    body = "".join(f"<w:p>{runs}</w:p>" for runs in paragraphs or [""])
    return f"<w:tc><w:tcPr>{properties}</w:tcPr>{body}</w:tc>"


def _progress_paragraph(step_row: StepRow) -> str:
    head, text = progress_line(step_row)
    number, _, label = head.partition(" ")
    badge = _run(label, bold=True, fill=RAG_FILL[step_row.rag])
    return f"{_run(f'{number} ')}{badge}{_run(f' {text}')}"


def _action_row(objective: str, row: ActionRow, merge: str) -> str:
    """One action's row of the committee paper's table, as WordprocessingML."""
    lines = action_lines(row)
    cells = (
        _cell(WIDTHS[0], [_run(objective)] if objective else [], merge=merge),
        _cell(WIDTHS[1], [_run(lines[0], bold=True), *(_run(line) for line in lines[1:])]),
        _cell(WIDTHS[2], [_run(row.action.outcomes or "")]),
        _cell(WIDTHS[3], [_run(row.action.timescale or "")]),
        _cell(WIDTHS[4], [_run(line) for line in lead_lines(row)]),
        _cell(WIDTHS[5], [_progress_paragraph(step) for step in row.steps]),
        _cell(
            WIDTHS[6],
            [_run(row.rag.label, bold=True, colour=TEXT_COLOUR)],
            fill=RAG_FILL[row.rag],
        ),
    )
    return f"<w:tr {_W}>{''.join(cells)}</w:tr>"


def _docx_plan_table(
    document, objectives: list[ObjectiveRows], progress: Progress | None = None
) -> None:
    """The committee paper's table: one row per action, each objective's cell spanning
    its actions' rows (Word's vertical merge: the first row's cell starts the span, the
    others' continue it).

    Each row is written as WordprocessingML and added at the end of the table, so the
    time grows in step with the rows. python-docx's own `merge`, and reading a merged
    row's `cells`, search the whole table for the row's place: merging the objective's
    cell row by row made the export's time grow with the square of the plan's length.
    """
    table = document.add_table(rows=1, cols=len(HEADINGS))
    table.style = "Table Grid"
    for column, width in zip(table.columns, WIDTHS, strict=True):
        column.width = width
    for cell, width in zip(table.rows[0].cells, WIDTHS, strict=True):
        cell.width = width
    _header_row(table, HEADINGS)
    total = sum(len(group.actions) for group in objectives)
    done = 0
    for group in objectives:
        spans = len(group.actions) > 1
        for index, row in enumerate(group.actions):
            merge = ("continue" if index else "restart") if spans else ""
            title = "" if index else group.objective.title
            table._tbl.append(parse_xml(_action_row(title, row, merge)))
            done += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(done, total)
    if progress:
        progress(done, total)


def plan_docx(
    plan: ActionPlan, *, viewer: User, today: date, progress: Progress | None = None
) -> bytes:
    """The plan as a Word document, landscape, in the committee paper's layout.
    `progress(actions done, actions)` is told how far the table has got, now and then."""
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
    _docx_plan_table(document, objectives, progress)
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
