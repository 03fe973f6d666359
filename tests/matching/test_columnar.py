"""The batch scorer in columns gives every pair exactly the score the one-pair scorer gives,
so the monthly job keeps the same pairs and explains them in the same words."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from matching.blocking import _date_digits, _dates_slip_apart
from matching.columnar import Columns, comparison_patterns, score_pairs
from matching.compare import DobLevel, compare_dob
from matching.linkage import (
    _compare,
    _present,
    candidate_pairs,
    estimate_parameters,
    link,
    score_with,
)
from matching.records import AliasName, PersonRecord
from tests.matching.test_batch_scoring import PARAMS as BATCH_PARAMS
from tests.people import AGENCY_CORRUPTIONS, CORRUPTIONS, corrupt, generate_people


def _edge_cases() -> list[PersonRecord]:
    """Records that take every branch of the scorer: blanks, middle names, double-barrelled
    and swapped names, initials, approximate and missing dates, dates a digit or a
    generation apart, postcodes agreeing in part, identifiers that agree, differ or do
    both, aliases, and address lines agreeing exactly, closely or not at all."""
    born = date(1988, 4, 12)
    base = PersonRecord(
        "Daniel",
        "Okonkwo",
        born,
        gender="male",
        postcode="QA1 2BC",
        extra={"address": "12 High Street"},
    )
    return [
        base,
        replace(base, given="Danny", postcode="QA1 2BD"),  # nickname, same sector
        replace(base, given="Danial", postcode="QA1 9ZZ"),  # typo, same district
        replace(base, given="Tobenna"),  # a name of his own: the cap is excused
        replace(base, given="Dean"),  # two real names: twins
        replace(base, given="D"),  # initial only
        replace(base, given="Daniel Chidi"),  # a middle name
        replace(base, given="Chidi Daniel"),  # known by the middle name
        replace(base, family="Okonkwo-Smith"),  # double-barrelled
        replace(base, family="Smith Okonkwo"),
        replace(base, given="Okonkwo", family="Daniel"),  # swapped
        replace(base, given="Okonkwo", family="Danny"),
        replace(base, given="", family=""),  # no names at all
        replace(base, given="Daniel", family=""),
        replace(base, dob=None),
        replace(base, dob=date(1988, 12, 4)),  # day and month swapped
        replace(base, dob=date(1989, 4, 12)),  # year one out
        replace(base, dob=date(1988, 4, 13)),  # one digit
        replace(base, dob=date(1988, 4, 21)),  # two digits swapped
        replace(base, dob=date(1991, 4, 12)),  # same day and month, a few years out
        replace(base, dob=date(1962, 4, 12)),  # a generation apart
        replace(base, dob=date(1960, 1, 30)),  # wholly different
        replace(base, dob=date(1988, 1, 1), dob_approximate=True),
        replace(base, dob=date(1990, 1, 1), dob_approximate=True),
        replace(base, dob=date(1970, 1, 1), dob_approximate=True),
        replace(base, gender="F"),
        replace(base, gender="not known"),
        replace(base, postcode=""),
        replace(base, postcode="QA1"),  # an outward code alone
        replace(base, postcode="QB7 1AA"),
        replace(base, identifiers={"pnc": "88/123456X", "crn": "X123456"}),
        replace(base, identifiers={"pnc": "88/123456X"}),  # shares the PNC
        replace(base, identifiers={"pnc": "89/654321Y"}),  # a different PNC
        replace(base, identifiers={"pnc": "89/654321Y", "crn": "X123456"}),  # both
        replace(base, identifiers={"crn": "Y999999"}),  # a different CRN
        replace(base, identifiers={"cro": "123456/88A", "nhs": "943 476 5919"}),
        replace(base, identifiers={"cro": "654321/88B", "nhs": "943 476 5919"}),
        replace(base, aliases=(AliasName("Danny", "Oke"),)),
        replace(base, given="Kofi", aliases=(AliasName("Daniel", "Okonkwo", date(1988, 4, 21)),)),
        replace(base, family="Mensah", aliases=(AliasName("Dan", "Okonkwo"), AliasName("D", "O"))),
        replace(base, given="Danny", family="Oke"),
        replace(base, extra={"address": "12 High St."}),  # the same, written short
        replace(base, extra={"address": "12 High Stret"}),  # close
        replace(base, extra={"address": "Flat 3, Long Lane"}),
        replace(base, extra={}),
        replace(base, given="Mohammed", family="Khan"),
        replace(base, given="Muhammad", family="Khan"),
        replace(base, given="Mo", family="Kahn"),
        replace(base, given="Piotr", family="Nowak"),
        replace(base, given="Peter", family="Nowak"),
        replace(base, given="Sean", family="O'Brien"),
        replace(base, given="Shaun", family="OBrien"),
        replace(base, given="Jon", family="Smyth"),
        replace(base, given="John", family="Smith"),
    ]


@pytest.fixture(scope="module")
def population() -> list[PersonRecord]:
    """A few thousand generated people, copies of many as other agencies typed them (every
    kind of slip the generator makes), and the edge cases."""
    rng = random.Random(7)
    people = generate_people(2_500, 7)
    records = list(people)
    for index, person in enumerate(rng.sample(people, 1_200)):
        kinds = (*CORRUPTIONS, *AGENCY_CORRUPTIONS)
        try:
            records.append(corrupt(person, rng, kinds[index % len(kinds)]))
        except ValueError:
            continue
    for index, record in enumerate(records[:400]):
        records[index] = replace(record, extra={"address": f"{index % 37} Mill Road"})
    return records + _edge_cases()


def _pairs(records: list[PersonRecord]) -> tuple[np.ndarray, np.ndarray]:
    """Every pair blocking puts forward, random pairs, and every pair of the edge cases."""
    rng = random.Random(3)
    edges = range(len(records) - len(_edge_cases()), len(records))
    pairs = set(candidate_pairs(records))
    pairs |= {tuple(sorted(rng.sample(range(len(records)), 2))) for _ in range(10_000)}
    pairs |= {(i, j) for i in edges for j in edges if i != j}
    ordered = sorted(pairs)
    return np.array([i for i, _ in ordered]), np.array([j for _, j in ordered])


def test_every_pair_scores_exactly_as_the_one_pair_scorer_says(population):
    left, right = _pairs(population)
    params = estimate_parameters(population, list(zip(left.tolist(), right.tolist(), strict=True)))
    scores = score_pairs(Columns.of(population), left, right, params)
    expected = [
        score_with(population[i], population[j], params).score
        for i, j in zip(left.tolist(), right.tolist(), strict=True)
    ]
    differing = [
        (population[i], population[j], got, want)
        for i, j, got, want in zip(left, right, scores.tolist(), expected, strict=True)
        if got != want
    ]
    assert len(left) > 12_000
    with_aliases = sum(
        bool(population[i].aliases or population[j].aliases)
        for i, j in zip(left.tolist(), right.tolist(), strict=True)
    )
    assert with_aliases > 1_000  # each of whose names is tried against each of the other's
    assert differing == []
    # The set covers each outcome: certain, likely, held below likely, and rejected.
    assert {1.0, 0.0, 0.85, 0.99} <= set(expected)


def test_common_values_and_extra_fields_weigh_as_the_fitted_model_says():
    # A hand-set model whose common town counts for less, as a fitted one can.
    params = replace(
        BATCH_PARAMS, common={"extra:town": {"london": 0.4}, "given": {"daniel": 0.05}}
    )
    records = [
        replace(record, extra={"town": town})
        for record in _edge_cases()
        for town in ("London", "Lewes", "Lewis")
    ]
    left, right = np.triu_indices(len(records), k=1)
    scores = score_pairs(Columns.of(records), left, right, params)
    expected = [
        score_with(records[i], records[j], params).score
        for i, j in zip(left.tolist(), right.tolist(), strict=True)
    ]
    assert scores.tolist() == expected


def test_the_batch_job_keeps_and_explains_the_same_matches_as_pair_by_pair(population):
    result = link(population, threshold=0.3)
    params = result.params
    by_hand = []
    for i, j in result.compared:
        explained = score_with(population[i], population[j], params)
        if explained.score >= 0.3:
            by_hand.append((i, j, explained))
    by_hand.sort(key=lambda match: (-match[2].score, match[0], match[1]))
    assert result.matches == by_hand
    assert len(by_hand) > 500


def test_blocking_finds_dates_a_slip_apart_exactly_as_the_date_comparison_does():
    rng = random.Random(11)
    born = [date(1960, 1, 1) + timedelta(days=rng.randrange(18_000)) for _ in range(300)]
    # Dates and their likely slips: a digit, two digits swapped, day and month swapped.
    dates = (
        born + [replace_digit(day, rng) for day in born] + [date(1988, 4, 21), date(1988, 12, 4)]
    )
    dates += [date(1988, 4, 12), date(1989, 4, 12), date(1993, 4, 12), date(1994, 4, 12)]
    for a in dates:
        for b in rng.sample(dates, 40) + [date(1988, 4, 12)]:
            expected = compare_dob(a, b)[0] != DobLevel.DIFFERENT
            assert _dates_slip_apart(a, b, _date_digits(a), _date_digits(b)) == expected, (a, b)


def replace_digit(day: date, rng: random.Random) -> date:
    text = f"{day.day:02d}{day.month:02d}{day.year:04d}"
    for _ in range(20):
        k = rng.randrange(8)
        changed = text[:k] + str(rng.randrange(10)) + text[k + 1 :]
        try:
            return date(int(changed[4:]), int(changed[2:4]), int(changed[:2]))
        except ValueError:
            continue
    return day


def test_estimation_counts_the_same_levels_in_columns_as_pair_by_pair(population):
    left, right = _pairs(population)
    patterns = comparison_patterns(Columns.of(population), left, right)
    expected = [
        _present(_compare(population[i], population[j]).levels)
        for i, j in zip(left.tolist(), right.tolist(), strict=True)
    ]
    assert patterns == expected
    assert any(("identifiers", "identifier_same") in pattern for pattern in patterns)
