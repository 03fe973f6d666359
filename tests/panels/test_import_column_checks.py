"""Column choices are checked against the column's values: a column is never suggested for
a detail its values do not look like, and the page and messages say how many fit.
No database: cohorts.column_checks, cohorts.birth_dates and cohorts.importing are plain
Python."""

from __future__ import annotations

from datetime import date

import pytest

from cohorts.birth_dates import parse_age, parse_birth_year
from cohorts.column_checks import (
    CHECKED_VALUES,
    column_fit,
    filled_values,
    wrong_choice_message,
)
from cohorts.importing import NAME_ORDER, missing_details, parse_row, row_name, suggest_mapping
from matching.identifiers import nhs_check_digit

TODAY = date(2026, 5, 20)


def nhs(stem: str) -> str:
    return f"{stem}{nhs_check_digit(stem)}"


@pytest.mark.parametrize(
    ("key", "good", "bad"),
    [
        (
            "family_name",
            ["Flynn", "O'Neil", "SMITH-JONES", "de la Cruz", "Person7"],
            ["1990", "X123456"],
        ),
        ("full_name", ["FLYNN, Guy", "Eric Taylor"], ["Flynn", "17/05/1990", "CR-2291 A"]),
        (
            "date_of_birth",
            ["17/05/1990", "1990-05-17", "17 May 1990", "1990"],
            ["31/02/1990", "34", "soon"],
        ),
        ("year_of_birth", ["1990", "2001"], ["1850", "2030", "17/05/1990", "90"]),
        ("age", ["34", "34 years", "0", "34.0"], ["121", "1990", "thirty"]),
        ("gender", ["M", "female", "Not known"], ["34", "Green"]),
        ("postcode", ["E1 6AN", "e16an"], ["E1", "London"]),
        ("crn", ["X123456", "x 123 456"], ["CR-2291", "123456", "AB12345"]),
        ("pnc", ["08/56560Z", "2008/0056560Z"], ["08/56560A", "X123456"]),
        ("cro", ["123456/08T"], ["123456/08A", "X123456"]),
        ("prison", ["A1234BC"], ["1234ABC", "X123456"]),
        (
            "nhs",
            [nhs("943476591"), "943 476 5919"],
            ["9434765918", "12345"],
        ),
    ],
)
def test_each_detail_says_which_values_look_like_it(key, good, bad):
    fit = column_fit(key, "Column", good + bad, today=TODAY)
    assert (fit.fitting, fit.filled) == (len(good), len(good) + len(bad))


def test_the_count_is_said_in_words():
    values = ["17/05/1990"] * 18 + ["unknown", "n/a"]
    fit = column_fit("date_of_birth", "DOB", values, today=TODAY)
    assert fit.fits
    assert fit.text == "18 of 20 look like a date of birth"
    wrong = column_fit("crn", "Case ref", ["CR-2291", "CR-2292"], today=TODAY)
    assert not wrong.fits
    assert wrong.text == "0 of 2 look like a probation CRN (a letter and six digits)"
    assert column_fit("crn", "CRN", [], today=TODAY).text == "The column is empty"


def test_a_long_column_is_judged_by_its_first_values():
    rows = [{"DOB": "17/05/1990"} for _ in range(CHECKED_VALUES + 100)]
    values = filled_values(rows, "DOB")
    fit = column_fit("date_of_birth", "DOB", values, today=TODAY)
    assert fit.text == f"{CHECKED_VALUES} of the first {CHECKED_VALUES} look like a date of birth"


def test_filled_values_skip_blanks_and_squeeze_spaces():
    rows = [{"Name": ""}, {"Name": "  Eric   Taylor "}, {}, {"Name": "FLYNN, Guy"}]
    assert filled_values(rows, "Name") == ["Eric Taylor", "FLYNN, Guy"]


def test_a_wrong_choice_is_called_a_wrong_choice_not_bad_data():
    values = ["CR-2291", "CR-2292", "CR-2304"]
    fit = column_fit("crn", "Case ref", values, today=TODAY)
    message = wrong_choice_message(fit, values)
    assert message == (
        "The column 'Case ref' does not look like the probation CRN: 0 of 3 look like a "
        "probation CRN (a letter and six digits), for example 'CR-2291', 'CR-2292', 'CR-2304'. "
        "The choice of column looks wrong: check you chose the right one, or choose 'Not in "
        "this list'"
    )


# --- Suggestions -------------------------------------------------------------------------------


def fits_from(columns: dict[str, list[str]]):
    def fits(key: str, heading: str) -> bool:
        return column_fit(key, heading, columns.get(heading, []), today=TODAY).fits

    return fits


def test_a_case_reference_is_not_suggested_as_the_crn():
    columns = {
        "Surname": ["Flynn", "Taylor"],
        "Forename": ["Guy", "Eric"],
        "DOB": ["17/05/1990", "02/03/1985"],
        "Case reference number": ["CR-2291", "CR-2292"],
    }
    mapping = suggest_mapping(list(columns), {}, fits=fits_from(columns))
    assert "crn" not in mapping
    # Its heading alone would have suggested it.
    assert suggest_mapping(list(columns), {})["crn"] == "Case reference number"


def test_a_remembered_column_whose_values_no_longer_fit_is_not_suggested():
    columns = {"Surname": ["Flynn"], "Forename": ["Guy"], "DOB": ["17/05/1990"], "Ref": ["R-1"]}
    mapping = suggest_mapping(list(columns), {"crn": "Ref"}, fits=fits_from(columns))
    assert "crn" not in mapping


def test_a_whole_name_column_age_and_year_of_birth_are_suggested():
    columns = {
        "Name": ["FLYNN, Guy", "Eric Taylor"],
        "Year of birth": ["1990", ""],
        "Age": ["36", "41"],
        "CRN": ["X123456", "X654321"],
    }
    assert suggest_mapping(list(columns), {}, fits=fits_from(columns)) == {
        "full_name": "Name",
        "year_of_birth": "Year of birth",
        "age": "Age",
        "crn": "CRN",
    }


def test_a_whole_name_column_is_not_suggested_beside_separate_name_columns():
    headers = ["Offender Surname", "First Name", "Offender name", "DOB"]
    mapping = suggest_mapping(headers, {})
    assert mapping["family_name"] == "Offender Surname"
    assert "full_name" not in mapping


# --- The details a list needs --------------------------------------------------------------------


def test_a_list_needs_a_name_and_a_date_year_or_age():
    assert missing_details({"full_name": "Name", "age": "Age"}) == {}
    assert missing_details({"family_name": "S", "given_names": "F", "year_of_birth": "Y"}) == {}
    errors = missing_details({"family_name": "S"})
    assert set(errors) == {"given_names", "date_of_birth"}
    assert errors["given_names"].startswith(
        "Choose the column with the given names, or the column with the whole name"
    )
    assert errors["date_of_birth"].startswith(
        "Choose the column with the date of birth, or with the year of birth or age"
    )
    both = missing_details({"full_name": "Name", "family_name": "S", "date_of_birth": "D"})
    assert both == {
        "family_name": "Choose either the column with the whole name or the columns with the "
        "family name and given names, not both: set the other to 'Not in this list'"
    }


# --- Reading ages, years and whole names ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "year"),
    [("34", 1991), ("34 years", 1991), ("34 yrs old", 1991), ("34.0", 1991), ("0", 2025)],
)
def test_an_age_is_the_middle_of_the_year_of_dates_it_allows(text, year):
    # Aged 34 on 20 May 2026: born 21 May 1991 to 20 May 1992, the middle in November 1991.
    born = parse_age(text, today=TODAY)
    assert born.date_of_birth.year == year
    assert born.source.startswith("age ")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("thirty", "'thirty' is not an age: write it as a number of years, like 34"),
        ("121", "The age 121 is more than 120 years"),
        ("-3", "'-3' is not an age: write it as a number of years, like 34"),
    ],
)
def test_an_age_that_cannot_be_read_says_why(text, reason):
    with pytest.raises(ValueError, match=None) as error:
        parse_age(text, today=TODAY)
    assert str(error.value) == reason


def test_a_year_of_birth_is_the_middle_of_that_year_and_refuses_the_impossible():
    assert parse_birth_year("1990", today=TODAY).date_of_birth == date(1990, 7, 1)
    # This year: no later than today.
    assert parse_birth_year("2026", today=TODAY).date_of_birth == TODAY
    for text, reason in [
        ("2030", "The year of birth 2030 is in the future"),
        ("1850", "The year of birth 1850 is before 1900"),
        ("90", "'90' is not a year of birth: write it with 4 numbers, like 1990"),
    ]:
        with pytest.raises(ValueError, match=None) as error:
            parse_birth_year(text, today=TODAY)
        assert str(error.value) == reason


WHOLE = {"full_name": "Name", "date_of_birth": "DOB", "age": "Age", "year_of_birth": "Born"}


def test_a_row_with_a_whole_name_and_an_age_is_read_as_an_approximate_person():
    values = {"Name": "FLYNN, Guy", "DOB": "", "Age": "34", "Born": ""}
    parsed = parse_row(values, WHOLE, today=TODAY)
    assert parsed.valid
    assert (parsed.family_name, parsed.given_names) == ("FLYNN", "Guy")
    assert parsed.dob_approximate
    assert parsed.date_of_birth is not None and parsed.date_of_birth.year == 1991
    assert parsed.notes == ["Approximate date of birth: born about 1991, from the age 34"]


def test_the_date_of_birth_wins_then_the_year_then_the_age():
    exact = parse_row(
        {"Name": "Eric Taylor", "DOB": "17/05/1990", "Age": "50", "Born": "1970"},
        WHOLE,
        today=TODAY,
    )
    assert (exact.date_of_birth, exact.dob_approximate) == (date(1990, 5, 17), False)
    year = parse_row(
        {"Name": "Eric Taylor", "DOB": "", "Age": "50", "Born": "1988"}, WHOLE, today=TODAY
    )
    assert (year.date_of_birth, year.dob_approximate) == (date(1988, 7, 1), True)
    # A date of birth column holding a year alone is a year of birth.
    alone = parse_row(
        {"Name": "Eric Taylor", "DOB": "1987", "Age": "", "Born": ""}, WHOLE, today=TODAY
    )
    assert (alone.date_of_birth, alone.dob_approximate) == (date(1987, 7, 1), True)


def test_a_row_with_neither_date_year_nor_age_says_which_it_lacks():
    parsed = parse_row(
        {"Name": "Eric Taylor", "DOB": "", "Age": "", "Born": ""}, WHOLE, today=TODAY
    )
    assert parsed.errors == ["No date of birth or year of birth or age"]
    bad = parse_row(
        {"Name": "Eric Taylor", "DOB": "", "Age": "old", "Born": ""}, WHOLE, today=TODAY
    )
    assert bad.errors == ["'old' is not an age: write it as a number of years, like 34"]


def test_the_chosen_order_splits_names_the_list_does_not_mark():
    values = {"Name": "Taylor Eric", "DOB": "17/05/1990"}
    given_first = parse_row(values, {**WHOLE, NAME_ORDER: "given_first"}, today=TODAY)
    family_first = parse_row(values, {**WHOLE, NAME_ORDER: "family_first"}, today=TODAY)
    assert (given_first.family_name, given_first.given_names) == ("Eric", "Taylor")
    assert (family_first.family_name, family_first.given_names) == ("Taylor", "Eric")
    assert row_name(values, {**WHOLE, NAME_ORDER: "family_first"}) == "Eric TAYLOR"


def test_a_whole_name_that_cannot_be_split_is_an_error_and_shown_as_written():
    values = {"Name": "Flynn", "DOB": "17/05/1990"}
    parsed = parse_row(values, WHOLE, today=TODAY)
    assert parsed.errors == [
        "The name 'Flynn' has only one name in it: the list needs a family name and a given "
        "name for each person"
    ]
    assert row_name(values, WHOLE) == "Flynn"
