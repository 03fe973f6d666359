"""Reading a plan's table: pasted text, a CSV file or an Excel workbook, into headings and
rows, and the columns a plan may have with the headings that suggest them.

A table that cannot be read raises `UnreadablePlan`, whose message says what is wrong and
what to do about it. The heading row repeated after a page break is left out, and a title
above the headings is kept for the plan's title.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from actions.importing.text import clean_line, clean_text
from core import table_limits
from core.tables import (
    UnreadableTable,
    Wording,
    decode_text,
    is_workbook,
    read_workbook,
    sniff_delimiter,
    within_limits,
)

MAX_FILE_BYTES = table_limits.MAX_FILE_BYTES
MAX_PASTE_CHARACTERS = 1_000_000
MAX_ROWS = 2_000

# Tab first: Word and Excel copy a table as tab-separated text.
DELIMITERS = {"\t": "tabs", ",": "commas", ";": "semicolons"}


class UnreadablePlan(UnreadableTable):
    """The table cannot be imported; the message says why and what to do."""


WORDING = Wording(
    error=UnreadablePlan,
    thing="plan",
    chosen="the plan",
    also="You can also copy the plan's table and paste it into the box instead.",
)


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
    return _table(
        within_limits(_records(text, "\t"), wording=WORDING),
        read_as="Pasted text, cells separated by tabs",
    )


def read_file(data: bytes, file_name: str) -> Table:
    """A CSV (or tab-separated) file or an Excel workbook."""
    if is_workbook(data, file_name, wording=WORDING, max_bytes=MAX_FILE_BYTES):
        # Line breaks inside a cell separate steps and bullets, so they are kept.
        return read_workbook(data, wording=WORDING, table=_table, line_breaks=True)
    # A plan is prose: a byte Windows-1252 leaves undefined should not stop its import.
    text, encoding = decode_text(data, wording=WORDING, replace_undecodable=True)
    delimiter = sniff_delimiter(text, DELIMITERS)
    return _table(
        within_limits(_records(text, delimiter), wording=WORDING),
        read_as=f"CSV file, {encoding}, values separated by {DELIMITERS[delimiter]}",
    )


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
        "milestone",
        "Milestone or step",
        False,
        (
            "milestone",
            "milestones",
            "key milestones",
            "milestone step",
            "step",
            "steps",
            "task",
            "tasks",
            "sub action",
            "deliverable",
            "deliverables",
        ),
        "Where the plan gives one row per milestone under each action: each becomes a step.",
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
        (
            "progress to date",
            "progress",
            "update",
            "updates",
            "progress update",
            "status",
            "comments",
            "comment",
            "commentary",
            "progress comments",
        ),
        "One text for every step, or numbered to match the steps: “1. Done 2. Started”.",
    ),
    PlanField(
        "rag",
        "RAG",
        False,
        ("rag", "rag status", "rag rating", "rating", "rag rating status", "red amber green"),
        "Each step's RAG (“Green”, “Amber/Red”, “AG”). Without it, a RAG at the start of "
        "the progress (“Green - meeting held”) is read.",
    ),
    PlanField(
        "strategic_links",
        "Strategic links",
        False,
        (
            "strategic links",
            "strategic link",
            "links to strategy",
            "link to strategy",
            "links to other strategies",
            "related strategies",
            "strategic fit",
            "links",
        ),
        "The strategies or plans the action serves.",
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
