"""Reading a panel's monthly cohort list: a CSV or XLSX file into column headings and rows,
the columns it may hold, and each row's values as a person's details.

No database here: `cohorts.services.imports` stores what this reads and matches it. Every
refusal is an `UnreadableFile` whose message tells the coordinator what is wrong with the
file and what to do about it; a refused file changes nothing.

Rows are numbered as the coordinator sees them in their spreadsheet: the heading row is
usually row 1, and blank rows count, so "row 14" in the outcome report is row 14 in Excel.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from rapidfuzz.distance import JaroWinkler

from cohorts.birth_dates import looks_like_year, parse_age, parse_birth_year
from cohorts.names import NameOrder, read_order, split_full_name
from core import table_limits
from core.forms import POSTCODE
from core.tables import (
    WINDOWS_1252,
    UnreadableTable,
    Wording,
    column_letter,
    decode_text,
    is_workbook,
    read_workbook,
    sniff_delimiter,
    within_limits,
)
from core.validators import validate_date_of_birth
from matching.identifiers import validate_identifier

MAX_FILE_BYTES = table_limits.MAX_FILE_BYTES
MAX_ROWS = 20_000

# Comma first: a tie between separators is read as a CSV file's commas.
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}


class UnreadableFile(UnreadableTable):
    """The file cannot be imported; the message says why and what to do."""


WORDING = Wording(error=UnreadableFile, thing="list", chosen="the month's list")


@dataclass(frozen=True)
class Table:
    """A list as read: headings, and each non-blank row with one value per heading."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number in the spreadsheet, values)
    blank_rows: int
    read_as: str  # how the file was read, for the coordinator: "CSV, UTF-8, commas"


def read_table(data: bytes, file_name: str) -> Table:
    """Read a CSV or XLSX list, or raise UnreadableFile saying what is wrong with it."""
    if is_workbook(data, file_name, wording=WORDING, max_bytes=MAX_FILE_BYTES):
        return read_workbook(data, wording=WORDING, table=_table)
    return _read_csv(data)


# --- CSV ----------------------------------------------------------------------------------


def _csv_records(text: str, delimiter: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise UnreadableFile(
                f"Row {number + 1} could not be read as CSV ({error}). Check that row for a "
                "quotation mark that is not closed, then upload the file again."
            ) from None
        number += 1
        yield cells


def _read_csv(data: bytes) -> Table:
    # A person's name must be read as written: bytes Windows-1252 leaves undefined refuse it.
    text, encoding = decode_text(data, wording=WORDING, replace_undecodable=False)
    if encoding == WINDOWS_1252:
        encoding = "Windows-1252 (Excel's plain CSV format)"
    delimiter = sniff_delimiter(text, DELIMITERS)
    rows = within_limits(_csv_records(text, delimiter), wording=WORDING)
    records = ([cell.strip() for cell in cells] for cells in rows)
    return _table(records, read_as=f"CSV, {encoding}, values separated by {DELIMITERS[delimiter]}")


# --- Headings and rows --------------------------------------------------------------------

_LOOKS_LIKE_DATE = re.compile(r"^\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}$")


def _looks_like_data(cell: str) -> bool:
    return bool(_LOOKS_LIKE_DATE.match(cell)) or (cell.isdigit() and len(cell) >= 4)


def _normalised_heading(heading: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", heading.casefold()).split())


def _table(records: Iterable[list[str]], *, read_as: str) -> Table:
    header: list[str] | None = None
    header_number = 0
    rows: list[tuple[int, list[str]]] = []
    blank = 0
    for number, cells in enumerate(records, start=1):
        if not any(cells):
            blank += 1
            continue
        if header is None:
            header, header_number = [" ".join(cell.split()) for cell in cells], number
            continue
        rows.append((number, cells))
        if len(rows) > MAX_ROWS:
            raise UnreadableFile(
                f"The file has more than {MAX_ROWS:,} rows of people. Split the list into "
                "smaller files and upload each in turn."
            )
    if header is None:
        raise UnreadableFile(WORDING.empty())
    _check_header(header, header_number, rows)
    if not rows:
        raise UnreadableFile(
            "The file has column headings but no rows of people. Check you chose the month's "
            "list, then upload it again."
        )
    # Blank rows above the headings are not part of the list.
    blank_in_list = blank - (header_number - 1)
    return _fit_rows(header, rows, blank_in_list, read_as)


def _check_header(header: list[str], number: int, rows: list[tuple[int, list[str]]]) -> None:
    filled = [cell for cell in header if cell]
    if any(_looks_like_data(cell) for cell in filled):
        shown = ", ".join(filled[:4])
        raise UnreadableFile(
            f"Row {number} ({shown}) looks like a person, not column headings. Add a row of "
            "headings at the top (for example Surname, Forename, Date of birth) and upload "
            "the file again."
        )
    if len(filled) == 1 and rows and sum(1 for cell in rows[0][1] if cell) > 1:
        raise UnreadableFile(
            f"Row {number} ({filled[0]}) looks like a title, not column headings. Delete the "
            "rows above the headings so that the headings are the first row, and upload the "
            "file again."
        )


def _fit_rows(
    header: list[str], rows: list[tuple[int, list[str]]], blank: int, read_as: str
) -> Table:
    """Drop unnamed empty columns, refuse unnamed full ones, duplicate headings and rows
    with more values than headings, and give every row one value per heading."""
    width = len(header)
    for number, cells in rows:
        if any(cells[width:]):
            used = max(index for index, cell in enumerate(cells) if cell) + 1
            raise UnreadableFile(
                f"Row {number} has {used} values but there are only {width} columns with "
                "headings. A comma inside a name or an address needs the value in quotation "
                "marks: check that row, or give the extra column a heading, and upload the "
                "file again."
            )
    keep: list[int] = []
    for index, heading in enumerate(header):
        if heading:
            keep.append(index)
            continue
        first_row = next(
            (number for number, cells in rows if index < len(cells) and cells[index]), None
        )
        if first_row is not None:
            raise UnreadableFile(
                f"Column {column_letter(index)} has no heading but has values in it (the first "
                f"in row {first_row}). Give the column a heading, or delete it, and upload the file "
                "again."
            )
    seen: dict[str, int] = {}
    for index in keep:
        key = _normalised_heading(header[index]) or header[index]
        if key in seen:
            raise UnreadableFile(
                f"Two columns have the heading '{header[index]}' (columns "
                f"{column_letter(seen[key])} and {column_letter(index)}). Give each column a "
                "different heading and upload the file again."
            )
        seen[key] = index
    headers = [header[index] for index in keep]
    fitted = [
        (number, [cells[index] if index < len(cells) else "" for index in keep])
        for number, cells in rows
    ]
    return Table(headers=headers, rows=fitted, blank_rows=blank, read_as=read_as)


# --- The columns of a list --------------------------------------------------------------------


@dataclass(frozen=True)
class ImportField:
    """A detail the list may hold, and the headings lists usually give it."""

    key: str
    label: str
    required: bool  # one of the details needed to match people (names, date of birth)
    headings: tuple[str, ...]
    hint: str = ""


FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "family_name",
        "Family name",
        True,
        ("surname", "family name", "last name", "lastname", "family names", "second name"),
    ),
    ImportField(
        "given_names",
        "Given names",
        True,
        (
            "forename",
            "forenames",
            "first name",
            "first names",
            "firstname",
            "given name",
            "given names",
            "christian name",
        ),
    ),
    ImportField(
        "full_name",
        "Whole name",
        True,
        (
            "name",
            "full name",
            "fullname",
            "names",
            "client name",
            "offender name",
            "person name",
            "nominal name",
            "service user name",
            "individual name",
        ),
        "Only when the list has the whole name in one column (FLYNN, Guy or Eric Taylor), "
        "instead of family name and given names",
    ),
    ImportField(
        "date_of_birth",
        "Date of birth",
        True,
        ("date of birth", "dob", "d o b", "birth date", "birthdate", "born", "date born"),
    ),
    ImportField(
        "year_of_birth",
        "Year of birth",
        True,
        ("year of birth", "birth year", "yob", "year born"),
        "For rows with no date of birth: read as an approximate date of birth, in that year",
    ),
    ImportField(
        "age",
        "Age",
        True,
        ("age", "age years", "current age", "age now", "age in years"),
        "For rows with no date of birth or year of birth: read as an approximate date of "
        "birth, a year either side",
    ),
    ImportField("gender", "Gender", False, ("gender", "sex")),
    ImportField("postcode", "Postcode", False, ("postcode", "post code", "postal code")),
    ImportField("pnc", "PNC ID", False, ("pnc", "pnc id", "pnc number", "pnc no", "pncid")),
    ImportField("cro", "CRO number", False, ("cro", "cro number", "cro no")),
    ImportField(
        "crn",
        "Probation CRN",
        False,
        ("crn", "probation crn", "case reference number", "delius crn", "ndelius crn"),
    ),
    ImportField(
        "prison",
        "Prison number",
        False,
        ("prison number", "prison no", "noms number", "noms no", "nomis number", "prisoner number"),
    ),
    ImportField("nhs", "NHS number", False, ("nhs", "nhs number", "nhs no")),
    ImportField(
        "local",
        "Local reference",
        False,
        ("local id", "local reference", "local ref", "local number"),
    ),
)
FIELDS_BY_KEY = {item.key: item for item in FIELDS}
IDENTIFIER_KEYS = ("pnc", "cro", "crn", "prison", "nhs", "local")
# The mapping also says, when the whole name is in one column, which end the family name is.
NAME_ORDER = "name_order"
SEPARATE_NAMES = ("family_name", "given_names")
BIRTH_KEYS = ("date_of_birth", "year_of_birth", "age")


def missing_details(chosen: Mapping[str, str]) -> dict[str, str]:
    """{field key: message} for the details a list needs to match people and the chosen
    columns do not give: the name (one column or two) and a date of birth, year or age."""
    errors: dict[str, str] = {}
    if chosen.get("full_name"):
        both = [key for key in SEPARATE_NAMES if chosen.get(key)]
        if both:
            errors[both[0]] = (
                "Choose either the column with the whole name or the columns with the family "
                "name and given names, not both: set the other to 'Not in this list'"
            )
    else:
        for key in SEPARATE_NAMES:
            if not chosen.get(key):
                label = FIELDS_BY_KEY[key].label.lower()
                errors[key] = (
                    f"Choose the column with the {label}, or the column with the whole name. "
                    "If the list has neither, add it to the spreadsheet and upload the list again"
                )
    if not any(chosen.get(key) for key in BIRTH_KEYS):
        errors["date_of_birth"] = (
            "Choose the column with the date of birth, or with the year of birth or age. If "
            "the list has none, add it to the spreadsheet and upload the list again"
        )
    return errors


# A heading at least this close to a usual heading is suggested for the field.
_SUGGEST_MIN = 0.85


def _heading_score(heading: str, item: ImportField) -> float:
    text = _normalised_heading(heading)
    if not text:
        return 0.0
    if text in item.headings or text.replace(" ", "") in {
        usual.replace(" ", "") for usual in item.headings
    }:
        return 1.0
    words = f" {text} "
    # "Offender surname", "Date of birth (DOB)": a usual heading among the words.
    if any(f" {usual} " in words for usual in item.headings):
        return 0.9
    return max(JaroWinkler.similarity(text, usual) for usual in item.headings)


def suggest_mapping(
    headers: list[str],
    remembered: Mapping[str, str],
    *,
    fits: Callable[[str, str], bool] = lambda key, heading: True,
) -> dict[str, str]:
    """{field key: heading}: the panel's remembered choice where the file has that heading,
    otherwise the heading most like the field's usual headings; never a column whose values
    do not look like the field (`fits(key, heading)`). A whole-name column is suggested only
    when the list has no separate family and given name columns."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    by_normalised = {_normalised_heading(heading): heading for heading in headers}
    for key, heading in remembered.items():
        found = by_normalised.get(_normalised_heading(str(heading)))
        if key in FIELDS_BY_KEY and found and found not in used and fits(key, found):
            mapping[key] = found
            used.add(found)
    if any(key in mapping for key in SEPARATE_NAMES):
        mapping.pop("full_name", None)
    _suggest_by_heading(headers, mapping, used, fits, skip={"full_name"})
    # "Offender surname" is nearly "offender name": the whole name is looked for only in a
    # list that has no separate name columns.
    if not any(key in mapping for key in SEPARATE_NAMES):
        _suggest_by_heading(headers, mapping, used, fits, skip=set())
    return {item.key: mapping[item.key] for item in FIELDS if item.key in mapping}


def _suggest_by_heading(
    headers: list[str],
    mapping: dict[str, str],
    used: set[str],
    fits: Callable[[str, str], bool],
    *,
    skip: set[str],
) -> None:
    scored = sorted(
        (
            (_heading_score(heading, item), index, item.key, heading)
            for index, item in enumerate(FIELDS)
            if item.key not in mapping and item.key not in skip
            for heading in headers
            if heading not in used
        ),
        key=lambda entry: (-entry[0], entry[1]),
    )
    for similarity, _index, key, heading in scored:
        if similarity < _SUGGEST_MIN:
            break
        if key in mapping or heading in used or not fits(key, heading):
            continue
        mapping[key] = heading
        used.add(heading)


# --- Reading a row as a person ------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})$")
_WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-/]+([a-z]+)\.?[\s\-/,]+(\d{4}|\d{2})$")
_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
} | {"sept": 9}


def parse_date_of_birth(text: str, *, today: date) -> date:
    """A date of birth written day first (17/05/1990, 17-05-90, 17 May 1990) or as
    1990-05-17 (how spreadsheet date cells are read). Raises ValueError saying what is
    wrong, in words for the coordinator."""
    value = " ".join(text.split())
    if match := _ISO.match(value):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DAY_FIRST.match(value):
        day, month, year = (int(part) for part in match.groups())
        year = _full_year(match.group(3), today)
    elif match := _WORDS.match(value.lower()):
        month = _MONTHS.get(match.group(2), 0)
        if not month:
            raise ValueError(f"'{value}' is not a date: '{match.group(2)}' is not a month")
        day, year = int(match.group(1)), _full_year(match.group(3), today)
    else:
        raise ValueError(
            f"'{value}' is not a date of birth: write it as day/month/year, like 17/05/1990"
        )
    if not 1 <= month <= 12:
        raise ValueError(
            f"'{value}' is not a real date: there is no month {month} (dates are read day "
            "first, as day/month/year)"
        )
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise ValueError(
            f"'{value}' is not a real date: {calendar.month_name[month]} {year} has {days} days"
        )
    born = date(year, month, day)
    try:
        validate_date_of_birth(born, today=today)
    except ValidationError as error:
        raise ValueError(f"{error.messages[0]}: the list has {value}") from None
    return born


def _full_year(text: str, today: date) -> int:
    """Two-digit years are the latest year ending so that is not in the future."""
    if len(text) == 4:
        return int(text)
    year = 2000 + int(text)
    return year if year <= today.year else year - 100


GENDERS = {
    "m": "male",
    "male": "male",
    "man": "male",
    "f": "female",
    "female": "female",
    "woman": "female",
    "other": "other",
    "x": "other",
    "non binary": "other",
    "non-binary": "other",
    "": "unknown",
    "u": "unknown",
    "unknown": "unknown",
    "not known": "unknown",
    "not stated": "unknown",
    "n/k": "unknown",
}
MAX_NAME_LENGTH = 150


@dataclass
class ParsedRow:
    """A row's values as a person's details, with what stops it being imported (errors)
    and what was left out of it (notes)."""

    given_names: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    # Read from an age or a year of birth: the engine compares only the year.
    dob_approximate: bool = False
    gender: str = "unknown"
    postcode: str = ""
    identifiers: dict[str, str] = field(default_factory=dict)  # kind -> normalised value
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


def name_order(mapping: Mapping[str, str]) -> NameOrder:
    """The order chosen for a whole-name column (given names first unless chosen)."""
    return read_order(mapping.get(NAME_ORDER))


def _cell(values: Mapping[str, str], mapping: Mapping[str, str], key: str) -> str:
    heading = mapping.get(key)
    return " ".join(str(values.get(heading, "")).split()) if heading else ""


def _read_names(values: Mapping[str, str], mapping: Mapping[str, str], parsed: ParsedRow) -> None:
    if mapping.get("full_name"):
        whole = _cell(values, mapping, "full_name")
        if not whole:
            parsed.errors.append("No name")
            return
        try:
            split = split_full_name(whole, name_order(mapping))
        except ValueError as error:
            parsed.errors.append(str(error))
            return
        parsed.family_name, parsed.given_names = split.family, split.given
    else:
        parsed.family_name = _cell(values, mapping, "family_name")
        parsed.given_names = _cell(values, mapping, "given_names")
        for key, label in (("family_name", "family name"), ("given_names", "given names")):
            if not getattr(parsed, key):
                parsed.errors.append(f"No {label}")
    for key, label in (("family_name", "family name"), ("given_names", "given names")):
        if len(getattr(parsed, key)) > MAX_NAME_LENGTH:
            parsed.errors.append(f"The {label} is longer than {MAX_NAME_LENGTH} characters")


def _read_birth(
    values: Mapping[str, str], mapping: Mapping[str, str], parsed: ParsedRow, today: date
) -> None:
    """The date of birth where the row has one; otherwise its year of birth or age, read as
    an approximate date of birth. A date column holding a year alone is a year of birth."""
    born = _cell(values, mapping, "date_of_birth")
    if born and not looks_like_year(born):
        try:
            parsed.date_of_birth = parse_date_of_birth(born, today=today)
        except ValueError as error:
            parsed.errors.append(str(error))
        return
    readers = (
        (born, parse_birth_year),
        (_cell(values, mapping, "year_of_birth"), parse_birth_year),
        (_cell(values, mapping, "age"), parse_age),
    )
    for text, reader in readers:
        if not text:
            continue
        try:
            approximate = reader(text, today=today)
        except ValueError as error:
            parsed.errors.append(str(error))
            return
        parsed.date_of_birth, parsed.dob_approximate = approximate.date_of_birth, True
        parsed.notes.append(approximate.note)
        return
    chosen = [FIELDS_BY_KEY[key].label.lower() for key in BIRTH_KEYS if mapping.get(key)]
    parsed.errors.append(f"No {' or '.join(chosen) or 'date of birth'}")


def parse_row(values: Mapping[str, str], mapping: Mapping[str, str], *, today: date) -> ParsedRow:
    """Read one row's values through the chosen columns."""

    def value(key: str) -> str:
        return _cell(values, mapping, key)

    parsed = ParsedRow()
    _read_names(values, mapping, parsed)
    _read_birth(values, mapping, parsed, today)
    gender = value("gender")
    parsed.gender = GENDERS.get(gender.casefold(), "unknown")
    if gender.casefold() not in GENDERS:
        parsed.notes.append(f"Gender '{gender}' was not recognised and is recorded as not known")
    postcode = value("postcode").upper()
    if postcode:
        match = POSTCODE.match(postcode)
        if match:
            parsed.postcode = f"{match.group(1)} {match.group(2)}"
        else:
            parsed.notes.append(f"Postcode '{postcode}' is not a full UK postcode and was left out")
    for kind in IDENTIFIER_KEYS:
        text = value(kind)
        if not text:
            continue
        try:
            parsed.identifiers[kind] = validate_identifier(kind, text)
        except ValueError as error:
            parsed.errors.append(str(error))
    return parsed


def row_name(values: Mapping[str, str], mapping: Mapping[str, str]) -> str:
    """The person's name as the list gives it, "Given FAMILY", for pages and reports; a whole
    name that cannot be split is shown as written."""
    if mapping.get("full_name"):
        whole = _cell(values, mapping, "full_name")
        try:
            split = split_full_name(whole, name_order(mapping))
        except ValueError:
            return whole or "(no name)"
        given, family = split.given, split.family
    else:
        given = _cell(values, mapping, "given_names")
        family = _cell(values, mapping, "family_name")
    return f"{given} {family.upper()}".strip() or "(no name)"
