"""Identifier validation: formats, check characters, and the normalised forms stored."""

from __future__ import annotations

import pytest

from matching.identifiers import (
    IDENTIFIER_KINDS,
    cro_check_letter,
    nhs_check_digit,
    pnc_check_letter,
    validate_crn,
    validate_cro_number,
    validate_identifier,
    validate_local_id,
    validate_nhs_number,
    validate_pnc_id,
    validate_prison_number,
)

# Check letters worked by hand: year + serial padded to 7 digits, mod 23, into
# Z A B C D E F G H J K L M N P Q R T U V W X Y (index 0..22).
#   08/0056560: 080056560 = 23 x 3480720 + 0   -> Z
#   12/0000001: 120000001 = 23 x 5217391 + 8   -> H
#   95/1234567: 951234567 = 23 x 41358024 + 15 -> Q
#   79/0163001: 790163001 = 23 x 34354913 + 2  -> B
VALID_PNC_IDS = {
    "08/0056560Z": "08/0056560Z",
    "12/0000001H": "12/0000001H",
    "95/1234567Q": "95/1234567Q",
    "79/163001B": "79/0163001B",
}


@pytest.mark.parametrize(("typed", "normalised"), VALID_PNC_IDS.items())
def test_pnc_id_with_correct_check_letter_is_accepted_and_normalised(typed, normalised):
    assert validate_pnc_id(typed) == normalised


@pytest.mark.parametrize(
    "typed",
    ["2008/0056560Z", "08/56560Z", "08/56560z", " 08 / 0056560Z ", "080056560Z", "20080056560Z"],
)
def test_pnc_id_long_short_and_unslashed_forms_normalise_to_one_value(typed):
    assert validate_pnc_id(typed) == "08/0056560Z"


def test_pnc_check_letter_matches_hand_worked_examples():
    assert pnc_check_letter(8, 56560) == "Z"
    assert pnc_check_letter(12, 1) == "H"
    assert pnc_check_letter(95, 1234567) == "Q"
    assert pnc_check_letter(1979, 163001) == "B"  # only the last two year digits count


@pytest.mark.parametrize(
    "mistyped",
    [
        "95/1234576Q",  # two serial digits swapped
        "95/1234567R",  # wrong check letter
        "96/1234567Q",  # wrong year
        "08/0056561Z",  # one digit off
    ],
)
def test_mistyped_pnc_id_is_rejected_by_its_check_letter(mistyped):
    with pytest.raises(ValueError, match="check letter"):
        validate_pnc_id(mistyped)


def test_pnc_check_error_message_gives_the_expected_letter():
    with pytest.raises(ValueError, match="should be Q"):
        validate_pnc_id("95/1234567R")


@pytest.mark.parametrize(
    "typed", ["", "ABC", "08/12345678Z", "8/123Z", "08/1234A5", "1X23/1234567A"]
)
def test_malformed_pnc_id_is_rejected_with_the_expected_format(typed):
    with pytest.raises(ValueError, match="like 08/0056560Z"):
        validate_pnc_id(typed)


def test_cro_number_with_correct_check_letter_is_accepted():
    # 08 + 123456 = 8123456 = 23 x 353193 + 17 -> T
    assert cro_check_letter(8, 123456) == "T"
    assert validate_cro_number("123456/08T") == "123456/08T"


def test_cro_number_serial_is_zero_padded_to_six_digits():
    letter = cro_check_letter(8, 1234)
    assert validate_cro_number(f"1234/08{letter}") == f"001234/08{letter}"


def test_cro_number_in_sf_series_is_accepted():
    letter = cro_check_letter(95, 12345)
    assert validate_cro_number(f"sf95/12345{letter}") == f"SF95/012345{letter}"


def test_mistyped_cro_number_is_rejected():
    with pytest.raises(ValueError, match="check letter"):
        validate_cro_number("123456/08U")
    with pytest.raises(ValueError, match="like 123456/08B"):
        validate_cro_number("08/123456T")


def test_crn_is_one_letter_and_six_digits():
    assert validate_crn(" x123456 ") == "X123456"
    for bad in ("X12345", "X1234567", "123456X", "XX12345"):
        with pytest.raises(ValueError, match="like X123456"):
            validate_crn(bad)


def test_prison_number_is_letter_four_digits_two_letters():
    assert validate_prison_number("a1234bc") == "A1234BC"
    assert validate_prison_number("A1234 BC") == "A1234BC"
    for bad in ("A12345B", "1234ABC", "A123BC"):
        with pytest.raises(ValueError, match="like A1234BC"):
            validate_prison_number(bad)


def test_nhs_number_passes_modulus_11():
    # 9*10 + 4*9 + 3*8 + 4*7 + 7*6 + 6*5 + 5*4 + 9*3 + 1*2 = 299; 299 mod 11 = 2; 11 - 2 = 9
    assert nhs_check_digit("943476591") == 9
    assert validate_nhs_number("943 476 5919") == "9434765919"
    assert validate_nhs_number("943-476-5919") == "9434765919"


def test_nhs_number_with_wrong_check_digit_is_rejected():
    with pytest.raises(ValueError, match="check digit"):
        validate_nhs_number("943 476 5918")


def test_nhs_number_whose_check_would_be_ten_is_never_valid():
    # 0*10 + ... + 6*2 = 12; 12 mod 11 = 1; 11 - 1 = 10: such numbers are not issued.
    assert nhs_check_digit("000000006") is None
    for last in "0123456789":
        with pytest.raises(ValueError):
            validate_nhs_number("000000006" + last)


def test_nhs_check_digit_eleven_reads_as_zero():
    # "100000006": 1*10 + 6*2 = 22; 22 mod 11 = 0; 11 - 0 = 11, written 0
    assert nhs_check_digit("100000006") == 0
    assert validate_nhs_number("1000000060") == "1000000060"


def test_nhs_number_must_be_ten_digits():
    with pytest.raises(ValueError, match="10 digits"):
        validate_nhs_number("94347659")


def test_local_id_is_free_text_up_to_fifty_characters():
    assert validate_local_id("  Housing   ref 42/B ") == "Housing ref 42/B"
    assert validate_local_id("x" * 50) == "x" * 50
    with pytest.raises(ValueError, match="50 characters"):
        validate_local_id("x" * 51)


@pytest.mark.parametrize(
    ("kind", "typed", "normalised"),
    [
        ("pnc", "2008/0056560Z", "08/0056560Z"),
        ("PNC", "08/56560Z", "08/0056560Z"),
        ("cro", "123456/08T", "123456/08T"),
        ("crn", "x123456", "X123456"),
        ("prison", "a1234bc", "A1234BC"),
        ("nhs", "943 476 5919", "9434765919"),
        ("local", " YOS-0042 ", "YOS-0042"),
    ],
)
def test_validate_identifier_dispatches_on_kind(kind, typed, normalised):
    assert validate_identifier(kind, typed) == normalised


def test_validate_identifier_rejects_unknown_kind_and_blank_value():
    with pytest.raises(ValueError, match="Unknown identifier kind"):
        validate_identifier("passport", "123")
    with pytest.raises(ValueError, match="Enter the PNC ID"):
        validate_identifier("pnc", "   ")


def test_every_kind_has_a_label():
    assert set(IDENTIFIER_KINDS) == {"pnc", "cro", "crn", "prison", "nhs", "local"}
