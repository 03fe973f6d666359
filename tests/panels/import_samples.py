"""Small monthly lists for the import tests, generated in the test run (no files kept)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

HEADERS = ["Surname", "Forename", "DOB", "PNC ID", "Postcode"]
MAPPING = {
    "family_name": "Surname",
    "given_names": "Forename",
    "date_of_birth": "DOB",
    "pnc": "PNC ID",
    "postcode": "Postcode",
}


def csv_bytes(
    rows: Sequence[Sequence[str]],
    *,
    headers: Sequence[str] = HEADERS,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    """A CSV as a spreadsheet program writes it (CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if headers:
        writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[object]], *, headers: Sequence[str] = HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "May list"
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    workbook.create_sheet("Notes").append(["Not read: only the first sheet is"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
