"""The matching engine compares any two dates a record can hold, however unlikely: a year
before 1000 (0999 typed for 1999), the first and last days Python knows, leap days. Dates
of birth before 1900 are refused where they come in, but records older than that rule, or
data handed to the engine directly, must still be compared and never crash a run."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from matching.compare import DobLevel, compare_dob
from matching.keys import batch_match_keys, match_keys
from matching.linkage import link
from matching.records import PersonRecord
from matching.scoring import score

ODD_DATES = [
    date.min,
    date(5, 3, 4),
    date(999, 3, 4),
    date(1000, 3, 4),
    date(1899, 12, 31),
    date(1999, 3, 4),
    date(2000, 2, 29),
    date(9999, 3, 4),
    date.max,
]


@pytest.mark.parametrize(("a", "b"), list(itertools.product(ODD_DATES, repeat=2)))
def test_any_two_dates_are_compared(a, b):
    level, text = compare_dob(a, b)
    assert isinstance(level, DobLevel) and text
    assert compare_dob(a, b, approximate=True)[0] in DobLevel


def test_a_year_typed_as_0999_for_1999_is_one_digit_out():
    level, text = compare_dob(date(999, 3, 4), date(1999, 3, 4))
    assert level == DobLevel.ONE_DIGIT
    assert text == "one digit differs (04/03/0999 vs 04/03/1999)"


def test_dates_in_the_tenth_century_compare_digit_by_digit():
    assert compare_dob(date(999, 3, 4), date(999, 4, 3))[0] == DobLevel.TRANSPOSED
    assert compare_dob(date(999, 3, 4), date(990, 3, 4))[0] == DobLevel.ONE_DIGIT


@pytest.mark.parametrize("born", ODD_DATES)
def test_records_with_any_date_are_keyed_scored_and_linked(born):
    record = PersonRecord(given="Jordan", family="Ashby", dob=born, gender="male")
    other = PersonRecord(given="Jordan", family="Ashby", dob=date(1999, 3, 4), gender="male")
    assert match_keys("Jordan", "Ashby", born)
    assert batch_match_keys("Jordan", "Ashby", born, approximate=False)
    result = score(record, other)
    assert 0.0 <= result.score <= 1.0
    linked = link([record, other, record], threshold=0.0)
    assert all(0.0 <= result.score <= 1.0 for _, _, result in linked.matches)
