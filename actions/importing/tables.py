"""Reading a plan's table: pasted text, a CSV file or an Excel workbook, into headings and
rows, and the columns a plan may have with the headings that suggest them.

A table that cannot be read raises `UnreadablePlan`, whose message says what is wrong and
what to do about it. The heading row repeated after a page break is left out, and a title
above the headings is kept for the plan's title.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from actions.importing.text import clean_line, clean_text

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_PASTE_CHARACTERS = 1_000_000
MAX_ROWS = 2_000

TEXT_EXTENSIONS = (".csv", ".tsv", ".txt")
WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm")
DELIMITERS = {"\t": "tabs", ",": "commas", ";": "semicolons"}


class UnreadablePlan(ValueError):
    """The table cannot be imported; the message says why and what to do."""


def column_letter(index: int) -> str:
    """Spreadsheet column letters for a 0-based index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# --- The table ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A plan's table as read: the headings, and each row of the plan with its number in the
    source (counting every line, as an editor or a spreadsheet numbers them)."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]
    title: str  # a line above the headings, such as "Reducing Reoffending Strategy: Action plan"
    read_as: str
    repeated_headings: int  # heading rows repeated after page breaks, left out


def read_pasted(text: str) -> Table:
    """A table pasted into the page: rows on lines, cells separated by tabs."""
    if len(text) > MAX_PASTE_CHARACTERS:
        raise UnreadablePlan(
            f"The pasted text is {len(text):,} characters long: the most that can be pasted "
            f"is {MAX_PASTE_CHARACTERS:,}. Save the plan as an Excel or CSV file and upload it."
        )
    if not text.strip():
        raise UnreadablePlan("Paste the plan's table, or choose a file to upload.")
    if "\t" not in text:
        raise UnreadablePlan(
            "The pasted text has no columns: copy the whole table from Word or Excel (select "
            "the table, not only its text) and paste it again, or upload the plan as a file."
        )
    return _table(_records(text, "\t"), read_as="Pasted text, cells separated by tabs")


def read_file(data: bytes, file_name: str) -> Table:
    """A CSV (or tab-separated) file or an Excel workbook."""
    name = file_name.strip() or "The file"
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if len(data) > MAX_FILE_BYTES:
        raise UnreadablePlan(
            f"The file is {len(data) / (1024 * 1024):.1f} MB: the largest plan that can be "
            f"imported is {MAX_FILE_BYTES // (1024 * 1024)} MB."
        )
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise UnreadablePlan("The file is empty. Check you chose the plan, then upload it again.")
    if data.startswith(b"%PDF"):
        raise UnreadablePlan(
            "The file is a PDF. Open it, copy the plan's table and paste it into the box "
            "instead, or upload the plan as an Excel (XLSX) or CSV file."
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadablePlan(
            "The file is an older Excel (.xls) or Word (.doc) file. Save it as an Excel "
            "Workbook (.xlsx) or as CSV and upload that, or copy the table and paste it."
        )
    if data.startswith(b"PK\x03\x04"):
        return _read_workbook(data)
    if extension in WORKBOOK_EXTENSIONS:
        raise UnreadablePlan(
            f"{name} is not an Excel workbook. Open it in Excel, save it as an Excel "
            "Workbook (.xlsx) or as CSV, then upload it again."
        )
    if extension not in TEXT_EXTENSIONS:
        raise UnreadablePlan(
            f"{name} is not a CSV or Excel (XLSX) file. Upload the plan as one of those, or "
            "copy its table and paste it into the box."
        )
    text, encoding = _decode(data)
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text.rstrip("\x1a")):
        raise UnreadablePlan(
            f"{name} holds characters that are not text, so it is not a CSV file. Upload the "
            "plan as a CSV or Excel (XLSX) file."
        )
    delimiter = _sniff_delimiter(text)
    return _table(
        _records(text, delimiter),
        read_as=f"CSV file, {encoding}, values separated by {DELIMITERS[delimiter]}",
    )


def _decode(data: bytes) -> tuple[str, str]:
    """The text and its encoding's name: a byte order mark says for certain; otherwise UTF-8,
    which other text almost never passes for, then Windows-1252, Excel's plain CSV."""
    for bom, encoding, label in (
        (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
        (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), label
            except UnicodeDecodeError:
                raise UnreadablePlan(
                    f"The file says it is {label} text but some of its characters are not. "
                    "In Excel, save it as 'CSV UTF-8 (Comma delimited)' and upload that."
                ) from None
    if b"\x00" in data:
        raise UnreadablePlan(
            "The file holds data that is not text, so it is not a CSV file. Upload the plan "
            "as a CSV or Excel (XLSX) file."
        )
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "Windows-1252"


def _sniff_delimiter(text: str) -> str:
    """Tab, comma or semicolon: the one that gives most rows of the commonest width."""
    sample = text[:65_536]
    best, best_key = ",", (0, 0)
    for delimiter in DELIMITERS:
        widths: dict[int, int] = {}
        for cells in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
            if len(cells) > 1:
                widths[len(cells)] = widths.get(len(cells), 0) + 1
        if widths:
            width, count = max(widths.items(), key=lambda item: (item[1], item[0]))
            if (count, width) > best_key:
                best, best_key = delimiter, (count, width)
    return best


def _records(text: str, delimiter: str) -> list[list[str]]:
    """Rows of cells. Excel quotes a cell holding a line break or a tab; Word does not quote
    at all, so a cell that merely starts with a quotation mark can break the quoted reading,
    and then each line is split as it stands."""
    text = text.removeprefix("\ufeff").rstrip("\x1a")
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error:
        return [line.split(delimiter) for line in text.splitlines()]


def _normalised(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", clean_text(text).casefold()).split())


def _looks_like_headings(cells: list[str]) -> bool:
    """Headings are short and hold no numbered steps."""
    filled = [cell for cell in cells if cell.strip()]
    return len(filled) >= 2 and all(
        len(cell) <= 80 and not re.search(r"(^|\s)1[.)]\s", cell) for cell in filled
    )


def _table(records: Iterable[list[str]], *, read_as: str) -> Table:
    header: list[str] | None = None
    header_key: list[str] = []
    title = ""
    rows: list[tuple[int, list[str]]] = []
    repeated = 0
    for number, cells in enumerate(records, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            if sum(1 for cell in cells if cell.strip()) == 1 and not title:
                # A title above the headings, as a paper has.
                title = clean_line(next(cell for cell in cells if cell.strip()))
                continue
            # Headings are short, hold no numbered steps, and name at least one column a
            # plan has; anything else is the plan itself, pasted without its headings.
            if not _looks_like_headings(cells) or not suggest_mapping(cells):
                shown = clean_line(next(cell for cell in cells if cell.strip()))[:60]
                raise UnreadablePlan(
                    f"The table has no row of column headings: row {number} ({shown}…) "
                    "looks like part of the plan. Include the headings row (for example "
                    "Strategy objective, Project / action, Outcomes, Timescale, Lead, Progress "
                    "to date) when you copy the table, then try again."
                )
            header = [clean_line(cell) for cell in cells]
            header_key = [_normalised(cell) for cell in header]
            continue
        key = [_normalised(cell) for cell in cells]
        filled = [(index, value) for index, value in enumerate(key) if value]
        if len(filled) >= 2 and all(
            index < len(header_key) and header_key[index] == value for index, value in filled
        ):
            repeated += 1  # the headings again, after a page break
            continue
        rows.append((number, cells))
        if len(rows) > MAX_ROWS:
            raise UnreadablePlan(
                f"The table has more than {MAX_ROWS:,} rows, more than any action plan. "
                "Check you chose the plan, or split it and import each part."
            )
    if header is None:
        raise UnreadablePlan(
            "The table has no row of column headings. Include the headings row (for example "
            "Strategy objective, Project / action, Outcomes, Timescale, Lead, Progress to "
            "date) when you copy the table, then try again."
        )
    if not rows:
        raise UnreadablePlan(
            "The table has column headings but no rows under them. Copy the whole table, "
            "then try again."
        )
    width = max(len(header), *(len(cells) for _, cells in rows))
    headers = header + [""] * (width - len(header))
    fitted = [
        (number, [cell.strip() for cell in cells] + [""] * (width - len(cells)))
        for number, cells in rows
    ]
    return Table(headers, fitted, title, read_as, repeated)


# --- Excel ----------------------------------------------------------------------------------

_NOT_A_WORKBOOK = (
    "The file could not be opened as an Excel workbook: it may be damaged, protected with a "
    "password, or another kind of file. Open it in Excel, save it as an Excel Workbook (.xlsx) "
    "or as CSV, and upload that."
)


def _cell_text(value: object) -> str:
    """A workbook cell as text: dates as YYYY-MM-DD, whole numbers without ".0", and the
    line breaks inside a cell kept (they separate steps and bullets)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_workbook(data: bytes) -> Table:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        raise UnreadablePlan(_NOT_A_WORKBOOK) from None
    if "word/document.xml" in names:
        raise UnreadablePlan(
            "The file is a Word document. Open it, select the plan's table, copy it and paste "
            "it into the box instead."
        )
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # the parser may fail in any way on an untrusted file
        raise UnreadablePlan(_NOT_A_WORKBOOK) from None
    try:
        if not workbook.worksheets:
            raise UnreadablePlan(_NOT_A_WORKBOOK)
        sheet = workbook.worksheets[0]
        records = [
            [_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)
        ]
        return _table(records, read_as=f"Excel workbook, first sheet ({sheet.title})")
    except UnreadablePlan:
        raise
    except Exception:  # a sheet whose contents the parser cannot read
        raise UnreadablePlan(_NOT_A_WORKBOOK) from None
    finally:
        workbook.close()


# --- Columns --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanField:
    """A column the plan may have, and the headings plans usually give it."""

    key: str
    label: str
    required: bool
    headings: tuple[str, ...]
    hint: str = ""


FIELDS: tuple[PlanField, ...] = (
    PlanField(
        "objective",
        "Strategy objective",
        True,
        ("strategy objective", "objective", "objectives", "strategic objective", "aim", "priority"),
        "Written on an objective's first row; the rows after it belong to it.",
    ),
    PlanField(
        "action",
        "Project or action",
        True,
        ("project action", "project", "action", "actions", "project or action", "activity"),
        "Its title, then its numbered steps: “Title 1. first step 2. second step”.",
    ),
    PlanField(
        "outcomes",
        "Outcomes",
        False,
        ("outcomes", "outcome", "expected outcomes", "intended outcomes", "success measures"),
    ),
    PlanField(
        "timescale",
        "Timescale",
        False,
        ("timescale", "timescales", "deadline", "due", "due date", "by when", "target date"),
        "Kept as written; the first date it names (“March 2018”) is the action's due date.",
    ),
    PlanField(
        "lead",
        "Responsible service or lead",
        False,
        (
            "responsible service lead person",
            "responsible service",
            "lead",
            "lead person",
            "lead agency",
            "responsible",
            "owner",
            "who",
        ),
        "One lead for every step, or numbered to match the steps: “1. DWP 2. Probation”.",
    ),
    PlanField(
        "progress",
        "Progress to date",
        False,
        ("progress to date", "progress", "update", "updates", "progress update", "status"),
        "One text for every step, or numbered to match the steps: “1. Done 2. Started”.",
    ),
    PlanField(
        "progress_date",
        "Date of the progress",
        False,
        ("date of update", "update date", "last updated", "progress date", "date updated"),
        "When the progress was reported. Without it, progress is dated the day you import.",
    ),
)
FIELDS_BY_KEY = {item.key: item for item in FIELDS}
REQUIRED_KEYS = tuple(item.key for item in FIELDS if item.required)


def _heading_score(heading: str, item: PlanField) -> int:
    text = _normalised(heading)
    if not text:
        return 0
    if text in item.headings:
        return 3
    words = f" {text} "
    if any(f" {usual} " in words for usual in item.headings):
        return 2
    if any(text in usual for usual in item.headings if len(text) >= 4):
        return 1
    return 0


def suggest_mapping(headers: Sequence[str]) -> dict[str, int]:
    """{field key: column index}, each column suggested for at most one field, by heading."""
    scored = sorted(
        (
            (-_heading_score(heading, item), order, index, item.key)
            for order, item in enumerate(FIELDS)
            for index, heading in enumerate(headers)
        ),
    )
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for negative, _order, index, key in scored:
        if negative == 0:
            break
        if key in mapping or index in used:
            continue
        mapping[key] = index
        used.add(index)
    return {item.key: mapping[item.key] for item in FIELDS if item.key in mapping}
