"""Monthly lists as agencies type them: a slip in a name with the exact date of birth links by
itself when nobody else is possible; a row with only an age is always asked about, and is
offered its record even with typos in both names."""

from __future__ import annotations

from datetime import date

import pytest

from cohorts.models import RowOutcome
from cohorts.services.imports import import_map_columns, import_upload
from tests.factories import make_nominal
from tests.panels.import_samples import csv_bytes

pytestmark = pytest.mark.django_db

HEADERS = ["Surname", "Forename", "DOB", "Age"]
MAPPING = {
    "family_name": "Surname",
    "given_names": "Forename",
    "date_of_birth": "DOB",
    "age": "Age",
}


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2026, 5, 20))


@pytest.fixture
def blake(partnership):
    return make_nominal(
        partnership.partner,
        given_names="Morgan",
        family_name="Blake",
        date_of_birth=date(1985, 7, 9),
    )


def matched_row(p, row: list[str]):
    cohort_import = import_upload(
        actor=p.coordinator,
        panel=p.panel,
        month=date(2026, 5, 1),
        file_name="may.csv",
        data=csv_bytes([row], headers=HEADERS),
    )
    cohort_import = import_map_columns(
        actor=p.coordinator, cohort_import=cohort_import, mapping=MAPPING
    )
    return cohort_import.rows.get()


@pytest.mark.parametrize(
    "row",
    [
        ["Blkae", "Morgan", "09/07/1985", ""],  # a typo in the family name
        ["Blake", "M", "09/07/1985", ""],  # the given name as an initial
        ["Blake", "Morgan", "07/09/1985", ""],  # day and month swapped
    ],
)
def test_a_slip_in_the_names_with_the_exact_date_links_the_only_possible_record(
    partnership, blake, row
):
    matched = matched_row(partnership, row)
    assert (matched.outcome, matched.nominal_id) == (RowOutcome.LINKED, blake.pk)
    # The scorer was not certain: it is the row's exact date and its only candidate that
    # settle it.
    assert matched.score < 0.999


def test_a_second_possible_record_leaves_the_choice_to_the_coordinator(partnership, blake):
    twin = make_nominal(
        partnership.partner,
        given_names="Megan",
        family_name="Blake",
        date_of_birth=date(1985, 7, 9),
    )
    matched = matched_row(partnership, ["Blake", "M", "09/07/1985", ""])
    assert matched.outcome == RowOutcome.QUEUED
    assert {entry["id"] for entry in matched.candidates} == {blake.pk, twin.pk}


def test_slips_that_leave_the_scorer_less_sure_are_asked_about(partnership, blake):
    # Typos in both names of a common family name, and nothing else to go on.
    matched = matched_row(partnership, ["Blaek", "Mogran", "09/07/1985", ""])
    assert matched.outcome == RowOutcome.QUEUED
    assert matched.candidates[0]["id"] == blake.pk


def test_a_date_a_year_out_is_still_asked_about(partnership, blake):
    matched = matched_row(partnership, ["Blkae", "Morgan", "09/07/1986", ""])
    assert matched.outcome == RowOutcome.QUEUED
    assert matched.candidates[0]["id"] == blake.pk


def test_an_age_alone_never_links_a_likely_record_by_itself(partnership, blake):
    matched = matched_row(partnership, ["Blkae", "Morgan", "", "40"])
    assert matched.outcome == RowOutcome.QUEUED
    assert matched.candidates[0]["id"] == blake.pk


def test_typos_in_both_names_with_only_an_age_are_offered_the_record(partnership, blake):
    # No blocking key survives both typos without the exact date; the birth years the age
    # allows and the initials find the record.
    matched = matched_row(partnership, ["Blkae", "Mogran", "", "40"])
    assert matched.outcome == RowOutcome.QUEUED
    assert [entry["id"] for entry in matched.candidates] == [blake.pk]


def test_an_age_that_does_not_fit_offers_nobody(partnership, blake):
    # Born in 1995 or 1996 by this age: not within a year of the record's 1985.
    matched = matched_row(partnership, ["Blkae", "Mogran", "", "30"])
    assert matched.outcome == RowOutcome.CREATED
    assert matched.candidates == []
