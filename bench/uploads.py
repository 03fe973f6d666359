"""How long each importer takes to refuse a hostile or damaged upload, and to read the
largest lists it accepts, for the record: `python -m bench.uploads` (with the usual
environment). Times are printed, never asserted; the tests check instead that the reading
stops at the limits of `core.table_limits`.

The files are the ones the tests use (`tests.hostile_files`), and for comparison a real
workbook and CSV of 20,000 people in five columns, the most a monthly list may hold.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import django

HEADINGS = ["Surname", "Forename", "DOB", "PNC ID", "Postcode"]


def _files() -> dict[str, tuple[bytes, str]]:
    from tests import hostile_files as hostile
    from tests.panels.import_samples import csv_bytes, xlsx_bytes

    people = [["Ashby", f"Jordan {n}", "17/05/1990", "", "E1 6AN"] for n in range(20_000)]
    return {
        "workbook declaring 16,384 x 1,048,576 cells": (
            hostile.declared_huge(HEADINGS, people[0]),
            "list.xlsx",
        ),
        "a cell in row 1,048,576": (hostile.cell_in_last_row(HEADINGS), "list.xlsx"),
        "20,000 rows reaching column XFD": (hostile.far_right_cells(HEADINGS), "list.xlsx"),
        "a row of 20,000 cells": (hostile.wide_sheet(HEADINGS), "list.xlsx"),
        "zip bomb (50 MB sheet)": (hostile.zip_bomb(HEADINGS), "list.xlsx"),
        "CSV of 50,000 columns": (hostile.wide_csv(HEADINGS), "list.csv"),
        "password-protected workbook": (hostile.password_protected(), "list.xlsx"),
        "cut-off workbook": (hostile.cut_off(xlsx_bytes(people[:500])), "list.xlsx"),
        "random bytes": (hostile.junk(), "list.xlsx"),
        "20,000 people, workbook": (xlsx_bytes(people), "list.xlsx"),
        "20,000 people, CSV": (csv_bytes(people), "list.csv"),
    }


def _timed(read: Callable[[bytes, str], object], data: bytes, name: str) -> tuple[float, str]:
    from core.tables import UnreadableTable

    start = time.perf_counter()
    try:
        read(data, name)
        outcome = "read"
    except UnreadableTable as refusal:
        outcome = f"refused: {refusal}"
    return time.perf_counter() - start, outcome


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from actions.importing import read_file
    from cohorts.importing import read_table

    print(f"{'file':<46} {'bytes':>9}  {'list':>7}  {'plan':>7}  outcome (list)")
    for label, (data, name) in _files().items():
        list_seconds, outcome = _timed(read_table, data, name)
        plan_seconds, _ = _timed(read_file, data, name)
        print(
            f"{label:<46} {len(data):>9,}  {list_seconds:>6.2f}s  {plan_seconds:>6.2f}s  "
            f"{outcome[:60]}"
        )


if __name__ == "__main__":
    main()
