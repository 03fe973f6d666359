"""Hostile and damaged uploads, built in the test run: workbooks whose XML claims or holds far
more than any list, zip bombs, a password-protected workbook, binary junk and cut-off files.
Each is small to upload; the harm is in what reading it would cost."""

from __future__ import annotations

import io
import random
import struct
import zipfile

from openpyxl import Workbook

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def workbook(rows: list[list[object]]) -> bytes:
    """A real workbook written by openpyxl, with these rows on its first sheet."""
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_sheet(sheet_xml: bytes, *, headings: list[str]) -> bytes:
    """A real workbook whose first sheet's XML is replaced by `sheet_xml`, packed as tightly
    as zip allows."""
    source = zipfile.ZipFile(io.BytesIO(workbook([list(headings)])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in source.infolist():
            data = sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            archive.writestr(info.filename, data)
    return buffer.getvalue()


def sheet_xml(rows: bytes, *, dimension: str = "") -> bytes:
    declared = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="'
        + MAIN
        + b'">'
        + declared
        + b"<sheetData>"
        + rows
        + b"</sheetData></worksheet>"
    )


def text_cell(value: str, reference: str = "") -> bytes:
    at = f' r="{reference}"' if reference else ""
    return f'<c{at} t="inlineStr"><is><t>{value}</t></is></c>'.encode()


def row(number: int, cells: bytes) -> bytes:
    return f'<row r="{number}">'.encode() + cells + b"</row>"


def heading_row(headings: list[str]) -> bytes:
    return row(1, b"".join(text_cell(heading) for heading in headings))


def declared_huge(headings: list[str], data: list[str]) -> bytes:
    """A few kilobytes whose sheet declares 16,384 x 1,048,576 cells and holds two rows."""
    rows = heading_row(headings) + row(2, b"".join(text_cell(value) for value in data))
    return with_sheet(sheet_xml(rows, dimension="A1:XFD1048576"), headings=headings)


def cell_in_last_row(headings: list[str]) -> bytes:
    """The headings, and one cell in Excel's last row: a million rows to a row-by-row reader."""
    rows = heading_row(headings) + row(1_048_576, text_cell("x", "A1048576"))
    return with_sheet(sheet_xml(rows), headings=headings)


def far_right_cells(headings: list[str], rows: int = 20_000, *, filled: bool = False) -> bytes:
    """Rows whose one cell is in column XFD, the last: each is 16,384 cells wide when read.
    The cell is empty (as formatting leaves it) unless `filled`."""
    value = b"<v>1</v>" if filled else b""
    body = heading_row(headings) + b"".join(
        row(number, f'<c r="XFD{number}">'.encode() + value + b"</c>") for number in range(2, rows)
    )
    return with_sheet(sheet_xml(body), headings=headings)


def wide_sheet(headings: list[str], columns: int = 20_000) -> bytes:
    """A row of more cells than Excel allows, of numbers that do not compress much."""
    numbers = random.Random(16_384)
    cells = b"".join(f"<c><v>{numbers.randrange(10**6)}</v></c>".encode() for _ in range(columns))
    return with_sheet(sheet_xml(heading_row(headings) + row(2, cells)), headings=headings)


def zip_bomb(headings: list[str], megabytes: int = 50) -> bytes:
    """A sheet holding one cell of `megabytes` of the same letter: it packs a thousandfold."""
    rows = heading_row(headings) + row(2, text_cell("x" * (megabytes * 1024 * 1024)))
    return with_sheet(sheet_xml(rows), headings=headings)


def password_protected() -> bytes:
    """The start of an Excel workbook saved with a password: an OLE compound file whose
    directory holds the EncryptionInfo and EncryptedPackage streams."""
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHH", 0x3E, 3, 0xFFFE, 9)
    )
    header = header.ljust(512, b"\x00")

    def entry(name: str, kind: int) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le")
        return (encoded.ljust(64, b"\x00") + struct.pack("<HBB", len(encoded), kind, 1)).ljust(
            128, b"\x00"
        )

    directory = entry("Root Entry", 5) + entry("EncryptionInfo", 2) + entry("EncryptedPackage", 2)
    return header + directory.ljust(512, b"\x00") + random.Random(7).randbytes(4096)


def junk(size: int = 64 * 1024) -> bytes:
    """Random bytes, as a damaged download or a renamed binary file is."""
    return random.Random(404).randbytes(size)


def cut_off(data: bytes) -> bytes:
    """A workbook cut off part way, as an interrupted copy leaves it."""
    return data[: len(data) * 2 // 3]


def wide_csv(headings: list[str], columns: int = 50_000) -> bytes:
    """A CSV file whose heading row has 50,000 columns after the real ones."""
    line = ",".join(headings + [f"Column {number}" for number in range(columns)])
    return (line + "\r\n" + ",".join(["x"] * len(headings)) + "\r\n").encode()
