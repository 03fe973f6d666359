"""Reading an uploaded table, for the importers that take one (a panel's monthly cohort list,
an action plan): what kind of file it is, its text and separator if it is CSV, and the first
sheet's cells if it is an Excel workbook.

No database here. Every refusal is raised as the importer's own error class, a subclass of
`UnreadableTable`, with a message in the importer's words (`Wording`) that says what is wrong
with the file and what to do about it. What a table's rows mean stays with each importer.

An upload is untrusted: every reading here stops at the limits of `core.table_limits`, counted
from what the file holds rather than what it declares, so a hostile or damaged file is refused
in a moment instead of tying up the web worker that reads it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import IO, Protocol

from core import table_limits as limits

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")

# Encodings as `decode_text` names them, for an importer's "Read as".
UTF_8 = "UTF-8"
UTF_8_BOM = "UTF-8 with a byte order mark"
UTF_16 = "UTF-16"
WINDOWS_1252 = "Windows-1252"


class UnreadableTable(ValueError):
    """The file cannot be imported; the message says why and what to do."""


@dataclass(frozen=True)
class Wording:
    """How one importer words the refusals these checks share."""

    error: type[UnreadableTable]  # raised with each message
    thing: str  # "list": "the largest list that can be imported"
    chosen: str  # "the month's list": "Check you chose the month's list"
    also: str = ""  # a sentence offering another way in: "You can also paste ..."

    def and_also(self, message: str) -> str:
        return f"{message} {self.also}" if self.also else message

    def empty(self) -> str:
        return f"The file is empty. Check you chose {self.chosen}, then upload it again."

    def upload_as(self) -> str:
        return self.and_also(f"Upload the {self.thing} as a CSV or Excel (XLSX) file.")


class TableBuilder[T](Protocol):
    """An importer's reading of rows of cells (numbered from 1) into its table."""

    def __call__(self, records: Iterator[list[str]], *, read_as: str) -> T: ...


def column_letter(index: int) -> str:
    """Spreadsheet column letters for a 0-based index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


# --- Recognising the file -------------------------------------------------------------------

# Old Office files, and Excel workbooks saved with a password, are OLE compound files. A
# password-protected workbook keeps the encrypted zip in a stream named "EncryptedPackage",
# its name written in UTF-16 in the file's directory.
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
LOCKED_WORKBOOK = (
    "This workbook is password-protected: save it without a password and upload it again."
)


def is_workbook(data: bytes, file_name: str, *, wording: Wording, max_bytes: int) -> bool:
    """True for a workbook (a zip archive, whatever its name), False for a CSV file, or the
    refusal of a file that is too large, empty, a PDF, an old Office file, or misnamed."""
    name = file_name.strip()
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if len(data) > max_bytes:
        raise wording.error(
            f"The file is {_megabytes(len(data))}: the largest {wording.thing} that can be "
            f"imported is {_megabytes(max_bytes)}. Remove columns that are not needed, or "
            f"split the {wording.thing}."
        )
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise wording.error(wording.empty())
    if data.startswith(b"%PDF"):
        raise wording.error(f"The file is a PDF, not a spreadsheet. {wording.upload_as()}")
    if data.startswith(_OLE_SIGNATURE):
        if _ENCRYPTED_PACKAGE in data:
            raise wording.error(LOCKED_WORKBOOK)
        raise wording.error(
            wording.and_also(
                "The file is an older Excel (.xls) or Word (.doc) file. Open it in Excel, save "
                "it as an Excel Workbook (.xlsx) or as CSV, and upload that."
            )
        )
    if data.startswith(b"PK\x03\x04"):
        # A workbook saved under another name is still read as the workbook it is.
        return True
    if extension in XLSX_EXTENSIONS:
        raise wording.error(
            f"{name} is not an Excel workbook. Open it in Excel, save it as an Excel Workbook "
            "(.xlsx) or as CSV, then upload it again."
        )
    if extension not in CSV_EXTENSIONS:
        raise wording.error(
            wording.and_also(
                f"{name or 'The file'} is not a CSV or Excel (XLSX) file. The {wording.thing} "
                "must be a CSV or Excel (XLSX) file: save it as one and upload it again."
            )
        )
    return False


# --- CSV ------------------------------------------------------------------------------------

# Control characters never found in a spreadsheet's text: a file holding them is binary.
# Ctrl-Z (\x1a) is let through: old systems write it as an end-of-file marker.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x19\x1b-\x1f\x7f]")


def decode_text(data: bytes, *, wording: Wording, replace_undecodable: bool) -> tuple[str, str]:
    """The text of a CSV file, without a byte order mark or a trailing Ctrl-Z, and the name
    of the encoding it was read in (UTF_8, UTF_8_BOM, UTF_16 or WINDOWS_1252).

    A byte order mark says UTF-8 or UTF-16 for certain. Without one, UTF-8 is tried first:
    text that is not UTF-8 almost never decodes as UTF-8 by accident. Excel's plain "CSV"
    format writes Windows-1252, which is the fallback; the few bytes it leaves undefined
    refuse the file, or with `replace_undecodable` become U+FFFD.
    """
    text, encoding = _decode(data, wording=wording, replace_undecodable=replace_undecodable)
    text = text.removeprefix("\ufeff").rstrip("\x1a")
    if _CONTROL.search(text):
        raise wording.error(
            "The file is not a CSV file: it holds characters that are not text. "
            + wording.upload_as()
        )
    if not text.strip():
        raise wording.error(wording.empty())
    return text, encoding


def _decode(data: bytes, *, wording: Wording, replace_undecodable: bool) -> tuple[str, str]:
    for bom, codec, encoding, said in (
        (codecs.BOM_UTF8, "utf-8-sig", UTF_8_BOM, "UTF-8"),
        (codecs.BOM_UTF16_LE, "utf-16", UTF_16, "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16", UTF_16, "UTF-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec), encoding
            except UnicodeDecodeError:
                raise wording.error(
                    f"The file says it is {said} text but some of its characters are not. "
                    "In Excel, save it as 'CSV UTF-8 (Comma delimited)' and upload that."
                ) from None
    if b"\x00" in data:
        raise wording.error(
            "The file is not a CSV file: it holds data that is not text. " + wording.upload_as()
        )
    try:
        return data.decode("utf-8"), UTF_8
    except UnicodeDecodeError:
        pass
    errors = "replace" if replace_undecodable else "strict"
    try:
        return data.decode("cp1252", errors=errors), WINDOWS_1252
    except UnicodeDecodeError:
        raise wording.error(
            "The file's characters could not be read as UTF-8, UTF-16 or Windows-1252 text. "
            "In Excel, save it as 'CSV UTF-8 (Comma delimited)' and upload that."
        ) from None


def sniff_delimiter(text: str, delimiters: Iterable[str]) -> str:
    """The delimiter that gives most rows of its commonest width (more than one cell), in the
    first 65,536 characters; a tie goes to the delimiter named first."""
    sample = text[:65_536]
    best, best_key = ",", (0, 0)
    for delimiter in delimiters:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        widths = Counter(len(cells) for cells in reader if len(cells) > 1)
        if not widths:
            continue
        width, rows = max(widths.items(), key=lambda item: (item[1], item[0]))
        if (rows, width) > best_key:
            best, best_key = delimiter, (rows, width)
    return best


# --- XLSX -----------------------------------------------------------------------------------


def cell_text(value: object, *, line_breaks: bool = False) -> str:
    """A spreadsheet cell as text: dates as YYYY-MM-DD, whole numbers without ".0", and runs
    of white space as one space unless `line_breaks` keeps the text as the cell has it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if line_breaks else " ".join(str(value).split())


_NOT_A_WORKBOOK = (
    "The file could not be opened as an Excel workbook: it may be damaged, protected with a "
    "password, or another kind of file. Open it in Excel, save it as an Excel Workbook (.xlsx) "
    "or as CSV, and upload that."
)


def read_workbook[T](
    data: bytes,
    *,
    wording: Wording,
    table: TableBuilder[T],
    line_breaks: bool = False,
) -> T:
    """The importer's table, built by `table(records, read_as=...)` from the first sheet's rows
    as they are read. A parser failure anywhere in the reading refuses the file, and so does a
    workbook bigger than `core.table_limits` allows, before or while it is read."""
    archive = _open_archive(data, wording)
    if "word/document.xml" in archive.namelist():
        raise wording.error(
            f"The file is a Word document, not a spreadsheet. {wording.upload_as()}"
        )
    _check_packing(archive, wording)
    _count_cells(archive, wording)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # the parser may fail in any way on an untrusted file
        raise wording.error(_NOT_A_WORKBOOK) from None
    try:
        if not workbook.worksheets:
            raise wording.error(_NOT_A_WORKBOOK)
        sheet = workbook.worksheets[0]
        # The sheet's own <dimension> is not trusted: openpyxl would pad every row to it.
        sheet.reset_dimensions()
        records = (
            [cell_text(value, line_breaks=line_breaks) for value in row]
            for row in within_limits(sheet.iter_rows(values_only=True), wording=wording)
        )
        return table(records, read_as=f"Excel workbook, first sheet ({sheet.title})")
    except UnreadableTable:
        raise
    except Exception:  # a sheet whose contents the parser cannot read
        raise wording.error(_NOT_A_WORKBOOK) from None
    finally:
        workbook.close()


def _open_archive(data: bytes, wording: Wording) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception:  # a damaged zip fails in many ways: BadZipFile, NotImplementedError, ...
        raise wording.error(_NOT_A_WORKBOOK) from None
    if any(info.flag_bits & 0x1 for info in infos):  # a part encrypted inside the zip
        raise wording.error(LOCKED_WORKBOOK)
    return archive


def _too_big(wording: Wording) -> str:
    return (
        f"The workbook is far bigger inside than any {wording.thing}: it unpacks to more than "
        f"{_megabytes(limits.MAX_UNPACKED_BYTES)}, or holds an unusual amount of repeated "
        f"data. Check you chose {wording.chosen}. If you did, save it as CSV and upload that."
    )


def _check_packing(archive: zipfile.ZipFile, wording: Wording) -> None:
    """Refuse a zip bomb from the archive's directory, before any part is unpacked. zipfile
    never unpacks more of a part than its directory entry declares, so the declared sizes
    bound the unpacking."""
    infos = archive.infolist()
    if len(infos) > limits.MAX_PARTS:
        raise wording.error(_too_big(wording))
    if sum(info.file_size for info in infos) > limits.MAX_UNPACKED_BYTES:
        raise wording.error(_too_big(wording))
    for info in infos:
        if (
            info.file_size >= limits.RATIO_CHECKED_FROM_BYTES
            and info.file_size > limits.MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
        ):
            raise wording.error(_too_big(wording))


# A row or cell element of a worksheet, with or without a namespace prefix ("<x:row ...>").
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_CHUNK_BYTES = 1024 * 1024


def _count_cells(archive: zipfile.ZipFile, wording: Wording) -> None:
    """Count the rows and cells of every XML part as it unpacks, and refuse a sheet over the
    limits before openpyxl parses it: openpyxl reads a whole row before handing it over, so a
    row of a million cells would hold the worker for as long as it takes to read."""
    for info in archive.infolist():
        if info.filename.endswith(".xml"):
            try:
                with archive.open(info) as part:
                    _count_part(part, wording)
            except UnreadableTable:
                raise
            except Exception:  # a part that does not unpack
                raise wording.error(_NOT_A_WORKBOOK) from None


def _count_part(part: IO[bytes], wording: Wording) -> None:
    rows = cells = in_row = 0
    carry = b""
    while chunk := part.read(_CHUNK_BYTES):
        text = carry + chunk
        # A tag cut at the chunk's end is counted with the next chunk.
        cut = text.rfind(b"<")
        if cut == -1 or len(text) - cut > 64:
            cut = len(text)
        text, carry = text[:cut], text[cut:]
        for index, piece in enumerate(_ROW_TAG.split(text)):
            if index:
                rows, in_row = rows + 1, 0
            found = sum(1 for _ in _CELL_TAG.finditer(piece))
            cells, in_row = cells + found, in_row + found
            if in_row > limits.MAX_CELLS_IN_A_ROW:
                raise wording.error(_too_wide(wording, rows, limits.MAX_CELLS_IN_A_ROW))
        if rows > limits.MAX_ROWS:
            raise wording.error(_too_long(wording))
        if cells > limits.MAX_CELLS:
            raise wording.error(_too_many_cells(wording))


# --- Limits on any table --------------------------------------------------------------------


def _too_long(wording: Wording) -> str:
    return (
        f"The file has more than {limits.MAX_ROWS:,} rows, counting blank ones, more than any "
        f"{wording.thing}. Check you chose {wording.chosen}, delete any rows below the "
        f"{wording.thing}, or split it into smaller files."
    )


def _too_wide(wording: Wording, row: int, most: int = limits.MAX_COLUMNS) -> str:
    return (
        f"Row {row} has more than {most:,} columns, more than any "
        f"{wording.thing}. Check you chose {wording.chosen}, and delete the columns that are "
        "not needed, then upload it again."
    )


def _too_many_cells(wording: Wording) -> str:
    return (
        f"The file has more than {limits.MAX_CELLS:,} cells, counting empty ones, more than any "
        f"{wording.thing}. Check you chose {wording.chosen}, and delete the rows and columns "
        "that are not needed, or save it as CSV, then upload it again."
    )


def within_limits[R: Sequence[object]](records: Iterable[R], *, wording: Wording) -> Iterator[R]:
    """The records, one by one, refusing the table as soon as it passes `core.table_limits`:
    too many rows, too many cells, or a row with too many filled columns. Nothing past the
    limit is read."""
    cells = 0
    for number, cells_in_row in enumerate(records, start=1):
        if number > limits.MAX_ROWS:
            raise wording.error(_too_long(wording))
        cells += len(cells_in_row)
        if cells > limits.MAX_CELLS:
            raise wording.error(_too_many_cells(wording))
        if len(cells_in_row) > limits.MAX_COLUMNS and _filled_width(cells_in_row) > (
            limits.MAX_COLUMNS
        ):
            raise wording.error(_too_wide(wording, number))
        yield cells_in_row


def _filled_width(cells: Sequence[object]) -> int:
    """The row's width up to its last cell with something in it."""
    width = len(cells)
    while width and cells[width - 1] in (None, ""):
        width -= 1
    return width
