"""The cross-reference meets people whatever an agency mistyped: blocking that needs no date
of birth, bounded for very common names, and how much of the truth it puts forward."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest

from matching.compare import compare_dob
from matching.linkage import block, blocking_keys, candidate_pairs
from matching.records import PersonRecord
from tests.people import AGENCY_CORRUPTIONS, corrupt, generate_people


def _person(**fields) -> PersonRecord:
    values = {
        "given": "Daniel",
        "family": "Okonkwo",
        "dob": date(1994, 3, 12),
        "gender": "male",
        "postcode": "QA1 2BC",
    }
    return PersonRecord(**(values | fields))


@pytest.mark.parametrize(
    "typed",
    [
        # typos in both names, and no date of birth
        {"given": "Dnaiel", "family": "Okonkow", "dob": None, "postcode": ""},
        # the given name cut to an initial, no date of birth, another address
        {"given": "D", "dob": None, "postcode": "QF9 9ZZ"},
        # names the wrong way round, no date of birth
        {"given": "Okonkwo", "family": "Daniel", "dob": None, "postcode": ""},
        # a nickname and an age rather than a date
        {"given": "Dan", "dob": date(1993, 1, 1), "dob_approximate": True, "postcode": ""},
        # a wholly wrong date of birth, elsewhere
        {"dob": date(1979, 8, 30), "postcode": "QF9 9ZZ"},
        # a typo in each name and a slip in the date, elsewhere
        {"given": "Danial", "family": "Okonkow", "dob": date(1994, 3, 21), "postcode": ""},
        # typos in both names at the same address, wrong date
        {"given": "Danieo", "family": "Okonkwi", "dob": date(1994, 12, 3)},
    ],
)
def test_an_agency_typed_record_meets_its_person_without_a_date_of_birth(typed):
    recorded = _person()
    assert candidate_pairs([recorded, _person(**typed)]) == [(0, 1)]


def test_two_people_who_share_only_a_family_name_are_not_paired():
    a = _person(dob=None, postcode="")
    b = _person(given="Zainab", dob=None, postcode="")
    assert candidate_pairs([a, b]) == []


def _khans(district_sizes: dict[str, int]) -> list[PersonRecord]:
    return [
        _person(given="Mohammed", family="Khan", dob=None, postcode=f"{district} {n % 9 + 1}AA")
        for district, size in district_sizes.items()
        for n in range(size)
    ]


def test_a_very_common_name_is_narrowed_by_address_rather_than_compared_whole():
    # 45 undated Mohammed Khans in three districts: too many to compare all with all.
    records = _khans({"QA1": 15, "QB2": 15, "QC3": 15})
    blocking = block(records, max_block=30, loose_max_block=20)
    district = [record.postcode.split()[0] for record in records]
    assert blocking.pairs, "namesakes in one district are still compared"
    assert all(district[i] == district[j] for i, j in blocking.pairs)
    assert blocking.split_blocks >= 1
    # The name-sound key with no date is too common even so: left out, and counted.
    assert blocking.skipped_blocks >= 1 and blocking.skipped_records == 45


def test_what_is_too_common_even_narrowed_is_skipped_and_counted():
    # No address, no date of birth: nothing narrows 25 Mohammed Khans.
    records = [replace(record, postcode="") for record in _khans({"QA1": 25})]
    blocking = block(records, max_block=20, loose_max_block=20)
    assert blocking.pairs == []
    assert blocking.skipped_blocks >= 2 and blocking.skipped_records == 25


def test_identifiers_are_compared_however_common_they_make_a_block():
    records = [_person(given=f"Given{n}", identifiers={"crn": "X123456"}) for n in range(30)]
    assert len(block(records, max_block=10, loose_max_block=5).pairs) == 30 * 29 // 2


def _agency_typed(people: int, seed: int) -> tuple[list[PersonRecord], set[tuple[int, int]]]:
    """People, 40 % recorded again with one or two hand-typing slips, then a quarter of all
    records without a date of birth; the true pairs."""
    rng = random.Random(seed)
    originals = generate_people(people, seed)
    records, truth = list(originals), set()
    for index, person in enumerate(originals):
        if rng.random() >= 0.4:
            continue
        copy = person
        for kind in rng.sample(AGENCY_CORRUPTIONS, rng.choice((1, 2))):
            try:
                copy = corrupt(copy, rng, kind)
            except ValueError:
                continue
        truth.add((index, len(records)))
        records.append(replace(copy, identifiers={}))
    records = [replace(r, dob=None) if rng.random() < 0.25 else r for r in records]
    return records, truth


def test_nearly_every_true_pair_is_compared_when_a_quarter_have_no_date_of_birth():
    records, truth = _agency_typed(1500, seed=16)
    assert sum(record.dob is None for record in records) > len(records) / 5
    pairs = set(candidate_pairs(records))
    assert len(truth & pairs) / len(truth) >= 0.95
    # Still far fewer than every pair.
    assert len(pairs) < len(records) * 10


@pytest.mark.parametrize(
    "early", [date(999, 3, 4), date(1, 1, 1), date(9999, 12, 31), date(1000, 1, 1)]
)
def test_any_date_of_birth_is_compared_and_blocked_without_failing(early):
    level, text = compare_dob(early, date(1994, 3, 12))
    assert level == "different" and text
    assert compare_dob(early, early)[0] == "exact"
    assert compare_dob(early, replace_day(early))[0] in {"one_digit", "different"}
    assert blocking_keys(_person(dob=early))
    assert candidate_pairs([_person(dob=early), _person(dob=early)]) == [(0, 1)]


def replace_day(day: date) -> date:
    return day.replace(day=2 if day.day != 2 else 3)
