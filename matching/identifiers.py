"""Validation and normalisation of the identifiers partners record for a nominal.

Pure Python, no Django: the model field validators, the import, search and the
cross-referencing job all call `validate_identifier(kind, value)` and store or compare the
normalised value it returns, so "08/56560Z", "2008/0056560Z" and "08/0056560z" are one PNC ID.

Kinds are plain strings ("pnc", "cro", "crn", "prison", "nhs", "local") so the module does not
depend on the model's choices class; `IDENTIFIER_KINDS` lists them with their labels.

Check characters follow the published rules used by HMPPS systems: for a PNC ID, the two-digit
year followed by the serial zero-padded to 7 digits, read as one number, modulo 23, indexes
"ZABCDEFGHJKLMNPQRTUVWXY" (the alphabet without I, O and S, which are read as digits); a CRO
number uses the same alphabet on its two-digit year followed by its serial padded to 6 digits.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = [
    "CHECK_LETTERS",
    "IDENTIFIER_KINDS",
    "MAX_LOCAL_ID_LENGTH",
    "cro_check_letter",
    "nhs_check_digit",
    "pnc_check_letter",
    "validate_cro_number",
    "validate_crn",
    "validate_identifier",
    "validate_local_id",
    "validate_nhs_number",
    "validate_pnc_id",
    "validate_prison_number",
]

# The check alphabet of PNC IDs and CRO numbers: 23 letters, no I, O or S.
CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"

MAX_LOCAL_ID_LENGTH = 50

IDENTIFIER_KINDS: dict[str, str] = {
    "pnc": "PNC ID",
    "cro": "CRO number",
    "crn": "Probation case reference number (CRN)",
    "prison": "Prison number",
    "nhs": "NHS number",
    "local": "Local identifier",
}

# Separators people type inside identifiers ("123 456 7890", "A1234 BC"); the slash is
# meaningful in PNC and CRO numbers, so each validator decides about it.
_SPACES = re.compile(r"[\s\-.]+")

# Short form 08/56560Z, long form 2008/0056560Z; the slash is often left out.
_PNC = re.compile(r"^(?P<year>\d{2}|\d{4})/(?P<serial>\d{1,7})(?P<check>[A-Z])$")
_PNC_NO_SLASH = re.compile(r"^\d{3,11}[A-Z]$")
# Standard form 123456/08A; "SF" forms (SF08/123456A) are the older fingerprint-only series.
_CRO = re.compile(r"^(?P<serial>\d{1,6})/(?P<year>\d{2})(?P<check>[A-Z])$")
_CRO_SF = re.compile(r"^SF(?P<year>\d{2})/(?P<serial>\d{1,6})(?P<check>[A-Z])$")
_CRN = re.compile(r"^[A-Z]\d{6}$")
_PRISON = re.compile(r"^[A-Z]\d{4}[A-Z]{2}$")
_NHS = re.compile(r"^\d{10}$")


def _compact(value: str) -> str:
    return _SPACES.sub("", value).upper()


def pnc_check_letter(year: int | str, serial: int | str) -> str:
    """The check letter for a PNC ID with this two-digit year and serial number."""
    number = int(f"{int(year) % 100:02d}{int(serial):07d}")
    return CHECK_LETTERS[number % len(CHECK_LETTERS)]


def cro_check_letter(year: int | str, serial: int | str) -> str:
    """The check letter for a CRO number with this two-digit year and serial number."""
    number = int(f"{int(year) % 100:02d}{int(serial):06d}")
    return CHECK_LETTERS[number % len(CHECK_LETTERS)]


def _pnc_readings(text: str) -> list[tuple[str, str, str]]:
    """The (year, serial, check) readings of a compact PNC ID, most likely first.

    With a slash the year's length is plain. Without one, "080056560Z" could be 08/0056560Z
    or 0800/56560Z, so both readings are returned and the check letter decides.
    """
    if match := _PNC.match(text):
        return [(match["year"], match["serial"], match["check"])]
    if not _PNC_NO_SLASH.match(text):
        return []
    digits, check = text[:-1], text[-1]
    readings = []
    for year_length in (2, 4):
        year, serial = digits[:year_length], digits[year_length:]
        if 1 <= len(serial) <= 7 and (year_length == 2 or year[:2] in ("19", "20")):
            readings.append((year, serial, check))
    return readings


def validate_pnc_id(value: str) -> str:
    """Return the PNC ID as YY/NNNNNNNA, or raise ValueError saying what is wrong.

    Accepts the short (08/56560Z) and long (2008/0056560Z) forms, with or without the slash;
    the long form's century is dropped because the check letter only uses two year digits.
    """
    readings = _pnc_readings(_compact(value))
    if not readings:
        raise ValueError(
            f"Enter a PNC ID like 08/0056560Z: a two-digit year, a slash, up to 7 digits and "
            f"a check letter ('{value.strip()}' is not in that format)."
        )
    for year_digits, serial_digits, check in readings:
        year, serial = year_digits[-2:], int(serial_digits)
        if check == pnc_check_letter(year, serial):
            return f"{year}/{serial:07d}{check}"
    year, serial = readings[0][0][-2:], int(readings[0][1])
    raise ValueError(
        f"The check letter of PNC ID '{value.strip()}' is wrong (for {year}/{serial:07d} it "
        f"should be {pnc_check_letter(year, serial)}): check the number was copied correctly."
    )


def validate_cro_number(value: str) -> str:
    """Return the CRO number as NNNNNN/YYA (or SFYY/NNNNNNA), or raise ValueError."""
    text = _compact(value)
    if match := _CRO.match(text):
        canonical = "{serial:06d}/{year}{check}"
    elif match := _CRO_SF.match(text):
        canonical = "SF{year}/{serial:06d}{check}"
    else:
        raise ValueError(
            f"Enter a CRO number like 123456/08B: up to 6 digits, a slash, a two-digit year and "
            f"a check letter ('{value.strip()}' is not in that format)."
        )
    serial = int(match["serial"])
    expected = cro_check_letter(match["year"], serial)
    if match["check"] != expected:
        raise ValueError(
            f"The check letter of CRO number '{value.strip()}' is wrong (it should be "
            f"{expected}): check the number was copied correctly."
        )
    return canonical.format(serial=serial, year=match["year"], check=expected)


def validate_crn(value: str) -> str:
    """Return the probation case reference number (one letter and six digits, X123456)."""
    text = _compact(value)
    if not _CRN.match(text):
        raise ValueError(
            f"Enter a probation CRN like X123456: one letter then six digits "
            f"('{value.strip()}' is not in that format)."
        )
    return text


def validate_prison_number(value: str) -> str:
    """Return the prison number (a letter, four digits, two letters: A1234BC)."""
    text = _compact(value)
    if not _PRISON.match(text):
        raise ValueError(
            f"Enter a prison number like A1234BC: a letter, four digits and two letters "
            f"('{value.strip()}' is not in that format)."
        )
    return text


def nhs_check_digit(first_nine: str) -> int | None:
    """The modulus 11 check digit for the first nine digits, or None if no digit can be valid.

    Digits are weighted 10 down to 2; the check digit is 11 minus the remainder of the sum by
    11, with 11 read as 0; a result of 10 means the nine digits are never issued.
    """
    total = sum(
        int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def validate_nhs_number(value: str) -> str:
    """Return the NHS number as ten digits (written 3 3 4 on screen), or raise ValueError."""
    text = _compact(value)
    if not _NHS.match(text):
        raise ValueError(
            f"Enter an NHS number of 10 digits, like 943 476 5919 "
            f"('{value.strip()}' is not 10 digits)."
        )
    if nhs_check_digit(text[:9]) != int(text[9]):
        raise ValueError(
            f"NHS number '{value.strip()}' fails its check digit: check it was copied correctly."
        )
    return text


def validate_local_id(value: str) -> str:
    """Return a local identifier: any text up to 50 characters, inner spaces collapsed."""
    text = " ".join(value.split())
    if not text:
        raise ValueError("Enter the local identifier.")
    if len(text) > MAX_LOCAL_ID_LENGTH:
        raise ValueError(f"A local identifier must be {MAX_LOCAL_ID_LENGTH} characters or fewer.")
    return text


_VALIDATORS: dict[str, Callable[[str], str]] = {
    "pnc": validate_pnc_id,
    "cro": validate_cro_number,
    "crn": validate_crn,
    "prison": validate_prison_number,
    "nhs": validate_nhs_number,
    "local": validate_local_id,
}


def validate_identifier(kind: str, value: str) -> str:
    """Validate `value` as an identifier of `kind` and return its normalised form.

    Raises ValueError with a message fit to show next to the form field.
    """
    try:
        validator = _VALIDATORS[kind.lower()]
    except KeyError:
        raise ValueError(f"Unknown identifier kind '{kind}'.") from None
    if not value or not value.strip():
        raise ValueError(f"Enter the {IDENTIFIER_KINDS[kind.lower()]}.")
    return validator(value)
