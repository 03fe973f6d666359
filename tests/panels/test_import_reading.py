"""Reading a monthly list: encodings, separators, blank rows, workbooks, and a clear
reason for every file that cannot be read. No database: cohorts.importing is plain Python."""

from __future__ import annotations

import codecs
from datetime import date

import pytest

from cohorts import importing
from cohorts.importing import (
    UnreadableFile,
    parse_date_of_birth,
    parse_row,
    read_table,
    suggest_mapping,
)
from tests.panels.import_samples import HEADERS, MAPPING, csv_bytes, xlsx_bytes

TODAY = date(2026, 5, 20)
ROW = ["Ashby", "Jordan", "17/05/1990", "", ""]


def refused(data: bytes, name: str = "may.csv") -> str:
    with pytest.raises(UnreadableFile) as error:
        read_table(data, name)
    return str(error.value)


# --- Encodings and separators ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "read_as"),
    [
        (csv_bytes([ROW, ["Wiśniewski", "Zoë", "01/02/1990", "", ""]]), "UTF-8"),
        (
            codecs.BOM_UTF8 + csv_bytes([ROW, ["Wiśniewski", "Zoë", "01/02/1990", "", ""]]),
            "UTF-8 with a byte order mark",
        ),
        (
            codecs.BOM_UTF16_LE
            + csv_bytes([ROW, ["Wiśniewski", "Zoë", "01/02/1990", "", ""]], encoding="utf-16-le"),
            "UTF-16",
        ),
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16 with BOM"],
)
def test_unicode_lists_are_read_in_the_encoding_they_declare(data, read_as):
    table = read_table(data, "may.csv")
    assert table.read_as == f"CSV, {read_as}, values separated by commas"
    assert table.headers == HEADERS
    assert table.rows[1] == (3, ["Wiśniewski", "Zoë", "01/02/1990", "", ""])


def test_excels_plain_csv_is_read_as_windows_1252_and_says_so():
    data = csv_bytes([ROW, ["O’Brien", "Zoë", "01/02/1990", "", ""]], encoding="cp1252")
    table = read_table(data, "may.csv")
    assert "Windows-1252 (Excel's plain CSV format)" in table.read_as
    assert table.rows[1][1][:2] == ["O’Brien", "Zoë"]


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_the_separator_is_found(delimiter, name):
    # A comma inside a value does not fool the choice of separator.
    data = csv_bytes([ROW, ["Smith, Jr", "John", "01/02/1990", "", ""]], delimiter=delimiter)
    table = read_table(data, "may.txt")
    assert table.read_as.endswith(f"separated by {name}")
    assert table.rows[1][1][0] == "Smith, Jr"


def test_blank_rows_are_ignored_but_counted_and_rows_keep_their_spreadsheet_numbers():
    data = b"\r\nSurname,Forename,DOB\r\nAshby,Jordan,17/05/1990\r\n\r\n,,\r\nShah,Priya,02/03/1985\r\n\r\n"
    table = read_table(data, "may.csv")
    assert table.headers == ["Surname", "Forename", "DOB"]
    assert [number for number, _ in table.rows] == [3, 6]
    assert table.blank_rows == 3


def test_quoted_values_may_hold_commas_quotes_and_line_breaks():
    data = b'Surname,Forename,DOB\r\n"O""Neill, Jr","Sean\r\nPatrick",01/02/1990\r\nShah,Priya,02/03/1985\r\n'
    table = read_table(data, "may.csv")
    assert table.rows == [
        (2, ['O"Neill, Jr', "Sean\r\nPatrick", "01/02/1990"]),
        (3, ["Shah", "Priya", "02/03/1985"]),
    ]


def test_short_rows_are_padded_and_unnamed_empty_columns_dropped():
    data = b"Surname,Forename,,DOB,\r\nAshby,Jordan,,17/05/1990,,,\r\nShah,Priya\r\n"
    table = read_table(data, "may.csv")
    assert table.headers == ["Surname", "Forename", "DOB"]
    assert table.rows == [(2, ["Ashby", "Jordan", "17/05/1990"]), (3, ["Shah", "Priya", ""])]


# --- Workbooks ------------------------------------------------------------------------------


def test_a_workbooks_first_sheet_is_read_with_dates_from_date_cells_or_text():
    data = xlsx_bytes(
        [
            ["Ashby", "Jordan", date(1990, 5, 17), "", ""],  # read back as a datetime
            [None, None, None, None, None],
            ["Shah", "Priya", "02/03/1985", "", 12345],
        ]
    )
    table = read_table(data, "May list.xlsx")
    assert table.read_as == "Excel workbook, first sheet (May list)"
    assert table.rows == [
        (2, ["Ashby", "Jordan", "1990-05-17", "", ""]),
        (4, ["Shah", "Priya", "02/03/1985", "", "12345"]),
    ]
    assert table.blank_rows == 1
    assert parse_date_of_birth(table.rows[0][1][2], today=TODAY) == date(1990, 5, 17)


# --- Files that are refused ----------------------------------------------------------------------


def test_an_empty_file_is_refused():
    assert refused(b"").startswith("The file is empty")
    assert refused(codecs.BOM_UTF8 + b"\r\n\r\n").startswith("The file is empty")


def test_headings_without_rows_are_refused():
    assert refused(csv_bytes([])).startswith("The file has column headings but no rows")


def test_a_pdf_or_a_renamed_binary_is_refused():
    assert refused(b"%PDF-1.4\n...", "may.csv").startswith("The file is a PDF")
    assert "not text" in refused(bytes(range(256)), "may.csv")
    assert "older Excel (.xls)" in refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 50)
    assert "could not be opened as an Excel workbook" in refused(b"PK\x03\x04garbage", "a.xlsx")
    assert "is not an Excel workbook" in refused(csv_bytes([ROW]), "may.xlsx")
    assert "must be a CSV or Excel (XLSX) file" in refused(csv_bytes([ROW]), "may.docx")


def test_text_that_is_no_known_encoding_is_refused():
    # Bytes Windows-1252 leaves undefined, in text that is not UTF-8 either.
    message = refused(b"Surname,Forename,DOB\r\n\x81\x8d,Jo,17/05/1990\r\n")
    assert "could not be read as UTF-8, UTF-16 or Windows-1252" in message


def test_a_list_without_a_heading_row_is_refused():
    message = refused(csv_bytes([ROW], headers=()))
    assert message.startswith("Row 1 (Ashby, Jordan, 17/05/1990) looks like a person")


def test_a_title_above_the_headings_is_refused():
    data = b"IOM cohort May 2026\r\n\r\n" + csv_bytes([ROW])
    assert refused(data).startswith("Row 1 (IOM cohort May 2026) looks like a title")


def test_duplicate_headings_are_refused():
    message = refused(csv_bytes([ROW], headers=["Surname", "Forename", "DOB", "D.O.B.", "dob"]))
    assert message.startswith("Two columns have the heading 'dob' (columns C and E)")


def test_a_column_with_values_but_no_heading_is_refused():
    message = refused(b"Surname,,DOB\r\nAshby,Jordan,17/05/1990\r\n")
    assert message.startswith("Column B has no heading but has values in it (the first in row 2)")


def test_rows_with_more_values_than_headings_are_refused():
    message = refused(b"Surname,Forename,DOB\r\nSmith, Jr,John,01/02/1990\r\n")
    assert message.startswith("Row 2 has 4 values but there are only 3 columns with headings")


def test_an_unclosed_quotation_mark_is_refused():
    message = refused(b'Surname,Forename,DOB\r\nAshby,"Jordan,17/05/1990\r\nShah,Priya,1/1/80\r\n')
    assert message.startswith("Row 2 could not be read as CSV")


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    assert refused(csv_bytes([ROW] * 4)).startswith("The file has more than 3 rows of people")
    assert len(read_table(csv_bytes([ROW] * 3), "may.csv").rows) == 3


def test_a_file_over_the_size_limit_is_refused():
    message = refused(b"x" * (importing.MAX_FILE_BYTES + 1))
    assert message.startswith("The file is 5.0 MB: the largest list that can be imported is 5.0 MB")


# --- Columns -------------------------------------------------------------------------------------


def test_columns_are_suggested_from_their_headings():
    headers = ["Offender Surname", "First Name", "D.O.B.", "PNC ID", "Sex", "Post Code", "Ref"]
    assert suggest_mapping(headers, {}) == {
        "family_name": "Offender Surname",
        "given_names": "First Name",
        "date_of_birth": "D.O.B.",
        "gender": "Sex",
        "postcode": "Post Code",
        "pnc": "PNC ID",
    }


def test_the_remembered_columns_win_over_suggestions_where_the_file_has_them():
    headers = ["Surname", "Known as", "Forename", "DOB"]
    remembered = {"given_names": "Known as", "date_of_birth": "Birth date"}
    assert suggest_mapping(headers, remembered) == {
        "family_name": "Surname",
        "given_names": "Known as",
        "date_of_birth": "DOB",
    }


# --- Reading a row -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17/05/1990", date(1990, 5, 17)),
        ("17-5-1990", date(1990, 5, 17)),
        ("17.05.90", date(1990, 5, 17)),
        ("1/2/05", date(2005, 2, 1)),
        ("17 May 1990", date(1990, 5, 17)),
        ("17th Sept 1990", date(1990, 9, 17)),
        ("17-May-90", date(1990, 5, 17)),
        ("1990-05-17", date(1990, 5, 17)),
    ],
)
def test_dates_of_birth_are_read_day_first(text, expected):
    assert parse_date_of_birth(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/02/1990", "'31/02/1990' is not a real date: February 1990 has 28 days"),
        ("05/13/1990", "there is no month 13 (dates are read day first"),
        ("next week", "'next week' is not a date of birth: write it as day/month/year"),
        ("17 Maybe 1990", "'maybe' is not a month"),
        ("01/01/2030", "Date of birth must be in the past: the list has 01/01/2030"),
        ("20/05/2026", "Date of birth must be in the past: the list has 20/05/2026"),
        ("01/01/1850", "Date of birth must be on or after 1 January 1900: the list has 01/01/1850"),
        ("04/03/0999", "Date of birth must be on or after 1 January 1900: the list has 04/03/0999"),
    ],
)
def test_bad_dates_of_birth_say_what_is_wrong(text, reason):
    with pytest.raises(ValueError, match=None) as error:
        parse_date_of_birth(text, today=TODAY)
    assert reason in str(error.value)


def test_a_row_is_read_through_the_chosen_columns():
    values = dict(
        zip(HEADERS, ["  Ashby ", "Jordan", "17/05/1990", "08/56560z", "e16an"], strict=True)
    )
    parsed = parse_row(values, MAPPING, today=TODAY)
    assert parsed.valid
    assert (parsed.family_name, parsed.given_names) == ("Ashby", "Jordan")
    assert parsed.identifiers == {"pnc": "08/0056560Z"}
    assert parsed.postcode == "E1 6AN"


def test_a_row_with_a_wrong_pnc_check_letter_is_invalid_with_the_reason():
    values = dict(
        zip(HEADERS, ["Ashby", "Jordan", "17/05/1990", "08/56560A", "nowhere"], strict=True)
    )
    parsed = parse_row(values, MAPPING, today=TODAY)
    assert not parsed.valid
    assert parsed.errors == [
        "The check letter of PNC ID '08/56560A' is wrong (for 08/0056560 it should be Z): check "
        "the number was copied correctly."
    ]
    assert parsed.notes == ["Postcode 'NOWHERE' is not a full UK postcode and was left out"]


def test_a_row_without_names_or_date_is_invalid():
    parsed = parse_row({"Surname": "", "Forename": "", "DOB": ""}, MAPPING, today=TODAY)
    assert parsed.errors == ["No family name", "No given names", "No date of birth"]
