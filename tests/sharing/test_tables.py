"""The reading both importers share, where one importer's tests do not reach it: each
importer's words and error class, and the choices an importer makes. No database."""

from __future__ import annotations

import io
import zipfile

import pytest

from core.tables import (
    WINDOWS_1252,
    UnreadableTable,
    Wording,
    decode_text,
    is_workbook,
    read_workbook,
    sniff_delimiter,
)


class Refused(UnreadableTable):
    pass


LIST = Wording(error=Refused, thing="list", chosen="the month's list")
PLAN = Wording(
    error=Refused, thing="plan", chosen="the plan", also="You can also paste the plan's table."
)


def _refused(call) -> str:
    with pytest.raises(Refused) as error:
        call()
    return str(error.value)


def test_refusals_use_the_importers_words_and_error_class():
    assert _refused(lambda: is_workbook(b"", "a.csv", wording=LIST, max_bytes=10)) == (
        "The file is empty. Check you chose the month's list, then upload it again."
    )
    assert _refused(lambda: is_workbook(b"%PDF-1.7", "a.pdf", wording=PLAN, max_bytes=10)) == (
        "The file is a PDF, not a spreadsheet. Upload the plan as a CSV or Excel (XLSX) file. "
        "You can also paste the plan's table."
    )


def test_a_word_document_is_named_as_one_for_either_importer():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert is_workbook(out.getvalue(), "may.xlsx", wording=LIST, max_bytes=1_000_000)
    message = _refused(
        lambda: read_workbook(out.getvalue(), wording=LIST, table=lambda rows, *, read_as: rows)
    )
    assert message.startswith("The file is a Word document, not a spreadsheet. Upload the list")


def test_bytes_windows_1252_leaves_undefined_are_refused_or_replaced_as_the_importer_chooses():
    data = b"Objective,Action\r\n\x81,Patrols\r\n"
    assert "could not be read as UTF-8, UTF-16 or Windows-1252" in _refused(
        lambda: decode_text(data, wording=LIST, replace_undecodable=False)
    )
    text, encoding = decode_text(data, wording=PLAN, replace_undecodable=True)
    assert (text.splitlines()[1], encoding) == ("\ufffd,Patrols", WINDOWS_1252)


def test_an_end_of_file_marker_is_text_but_other_control_characters_are_not():
    assert decode_text(b"a,b\r\n1,2\r\n\x1a", wording=LIST, replace_undecodable=False)[0] == (
        "a,b\r\n1,2\r\n"
    )
    message = _refused(
        lambda: decode_text(b"a,b\r\n1,\x02\r\n", wording=LIST, replace_undecodable=False)
    )
    assert message.startswith("The file is not a CSV file: it holds characters that are not text")


def test_a_tie_between_delimiters_goes_to_the_one_the_importer_names_first():
    text = "a,b;c\r\n"
    assert sniff_delimiter(text, [",", ";"]) == ","
    assert sniff_delimiter(text, [";", ","]) == ";"
