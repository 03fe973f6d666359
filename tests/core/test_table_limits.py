"""Reading an untrusted table stops at the limits of core.table_limits, counted from what the
file holds rather than what it declares: a hostile workbook or CSV is refused after reading
no more than the limits allow, and a workbook that lies about its size is read as it is."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

import openpyxl
import pytest

from core import table_limits as limits
from core.tables import UnreadableTable, Wording, is_workbook, read_workbook, within_limits
from tests import hostile_files as hostile

HEADINGS = ["Surname", "Forename", "Date of birth"]


class Refused(UnreadableTable):
    pass


WORDING = Wording(error=Refused, thing="list", chosen="the month's list")


class Reading:
    """A table builder that keeps the rows it was handed, as an importer reads them."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []

    def __call__(self, records: Iterator[list[str]], *, read_as: str) -> list[list[str]]:
        for cells in records:
            self.rows.append(cells)
        return self.rows


def read(data: bytes, reading: Reading | None = None) -> list[list[str]]:
    return read_workbook(data, wording=WORDING, table=reading or Reading())


def refusal(data: bytes, reading: Reading | None = None) -> str:
    with pytest.raises(Refused) as error:
        read(data, reading)
    return str(error.value)


@pytest.fixture
def openpyxl_never_opens(monkeypatch):
    """The file must be refused from its zip directory or its XML's counts alone."""

    def opened(*args, **kwargs):
        raise AssertionError("openpyxl was asked to read the workbook")

    monkeypatch.setattr(openpyxl, "load_workbook", opened)


# --- Workbooks ------------------------------------------------------------------------------


def test_a_declared_sheet_of_17_billion_cells_is_read_as_the_two_rows_it_holds():
    rows = read(hostile.declared_huge(HEADINGS, ["Ashby", "Jordan", "17/05/1990"]))
    assert rows == [HEADINGS, ["Ashby", "Jordan", "17/05/1990"]]


def test_a_cell_in_the_last_row_stops_the_reading_at_the_row_limit():
    reading = Reading()
    message = refusal(hostile.cell_in_last_row(HEADINGS), reading)
    assert f"more than {limits.MAX_ROWS:,} rows" in message
    assert "Check you chose the month's list" in message
    assert len(reading.rows) == limits.MAX_ROWS


def test_rows_reaching_the_last_column_stop_the_reading_at_the_cell_limit():
    reading = Reading()
    message = refusal(hostile.far_right_cells(HEADINGS), reading)
    assert f"more than {limits.MAX_CELLS:,} cells" in message
    # Each row is 16,384 cells wide when read: the reading stops within the cell budget.
    assert len(reading.rows) <= limits.MAX_CELLS // 16_384 + 1


def test_a_value_in_the_last_column_is_refused_at_its_row():
    reading = Reading()
    message = refusal(hostile.far_right_cells(HEADINGS, filled=True), reading)
    assert f"Row 2 has more than {limits.MAX_COLUMNS:,} columns" in message
    assert reading.rows == [HEADINGS]


def test_a_row_wider_than_excel_allows_is_refused_before_openpyxl_reads_it(openpyxl_never_opens):
    message = refusal(hostile.wide_sheet(HEADINGS))
    assert f"Row 2 has more than {limits.MAX_CELLS_IN_A_ROW:,} columns" in message


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(openpyxl_never_opens, monkeypatch):
    data = hostile.zip_bomb(HEADINGS)
    assert len(data) < 200_000  # 50 MB of sheet in a small upload

    def unpacked(*args, **kwargs):
        raise AssertionError("a part of the archive was unpacked")

    monkeypatch.setattr("zipfile.ZipFile.open", unpacked)
    assert "The workbook is far bigger inside than any list" in refusal(data)


def test_parts_that_unpack_to_more_than_the_limit_are_refused(openpyxl_never_opens, monkeypatch):
    monkeypatch.setattr(limits, "MAX_UNPACKED_BYTES", 1024)
    data = hostile.workbook([HEADINGS, *[["Ashby", "Jordan", f"row {n}"] for n in range(100)]])
    assert "it unpacks to more than" in refusal(data)


def test_a_sheet_of_more_cells_than_the_limit_is_refused_before_openpyxl_reads_it(
    openpyxl_never_opens, monkeypatch
):
    monkeypatch.setattr(limits, "MAX_CELLS", 100)
    data = hostile.workbook([HEADINGS] * 40)
    assert "more than 100 cells" in refusal(data)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (hostile.cut_off(hostile.workbook([HEADINGS, ["Ashby", "Jordan", "x"]])), "may.xlsx"),
        (b"PK\x03\x04" + hostile.junk(), "may.xlsx"),
        (b"PK\x03\x04" + hostile.junk(), "may.csv"),
    ],
    ids=["cut off", "junk after a zip signature", "junk after a zip signature named .csv"],
)
def test_a_damaged_workbook_is_refused_as_one(data, name):
    assert is_workbook(data, name, wording=WORDING, max_bytes=limits.MAX_FILE_BYTES)
    assert "could not be opened as an Excel workbook" in refusal(data)


def test_every_corruption_of_a_workbook_is_refused_with_the_reason_never_an_error():
    good = hostile.workbook([HEADINGS, ["Ashby", "Jordan", "17/05/1990"]])
    damage = random.Random(16)
    for _ in range(300):
        data = bytearray(good)
        for _ in range(damage.randint(1, 6)):
            data[damage.randrange(len(data))] = damage.randrange(256)
        try:
            read(bytes(data))
        except Refused:
            pass


def test_a_password_protected_workbook_is_named_as_one():
    with pytest.raises(Refused) as error:
        is_workbook(hostile.password_protected(), "may.xlsx", wording=WORDING, max_bytes=10**7)
    assert str(error.value) == (
        "This workbook is password-protected: save it without a password and upload it again."
    )


def test_an_old_excel_file_without_a_password_is_still_told_to_save_as_xlsx():
    with pytest.raises(Refused, match=r"older Excel \(\.xls\)"):
        is_workbook(
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048),
            "may.xls",
            wording=WORDING,
            max_bytes=10**7,
        )


# --- Any table, workbook or CSV -------------------------------------------------------------


def endless_rows() -> Iterator[list[str]]:
    for number in itertools.count(1):
        yield ["Ashby", "Jordan", str(number)]


def test_an_endless_table_is_read_no_further_than_the_row_limit():
    rows = endless_rows()
    with pytest.raises(Refused, match=f"more than {limits.MAX_ROWS:,} rows"):
        for _ in within_limits(rows, wording=WORDING):
            pass
    # One row past the limit is read, to know it is past; no more.
    assert next(rows)[2] == str(limits.MAX_ROWS + 2)


def test_a_row_of_50000_columns_is_refused_at_that_row():
    rows = iter([HEADINGS, ["x"] * 50_000, HEADINGS])
    with pytest.raises(Refused, match=f"Row 2 has more than {limits.MAX_COLUMNS:,} columns"):
        list(within_limits(rows, wording=WORDING))
    assert next(rows) == HEADINGS  # the row after it was never read


def test_empty_cells_beyond_the_column_limit_are_not_counted_as_columns():
    row = ["x"] * limits.MAX_COLUMNS + [""] * 1_000 + [None]
    assert list(within_limits([row], wording=WORDING)) == [row]
