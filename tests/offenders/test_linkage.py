"""Batch linkage: blocking, estimation, fitted scores and their reasons, on generated people.

Pure Python, no database. The data set is the generator's people plus a second record for
some of them with the errors agencies make, so the truth is known.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest

from matching.linkage import (
    LinkageParameters,
    blocking_keys,
    candidate_pairs,
    comparison_vector,
    estimate_parameters,
    link,
    score_with,
)
from matching.records import Decision, PersonRecord
from tests.people import CORRUPTIONS, corrupt, generate_people


def _data_set(people: int, seed: int) -> tuple[list[PersonRecord], set[tuple[int, int]]]:
    """People, plus for about 40 % a second record with one to three errors; the truth."""
    originals = generate_people(people, seed)
    rng = random.Random(seed)
    records = list(originals)
    truth: set[tuple[int, int]] = set()
    for index, person in enumerate(originals):
        if rng.random() >= 0.4:
            continue
        copy = person
        for kind in rng.sample(CORRUPTIONS, rng.choice((1, 2, 3))):
            try:
                copy = corrupt(copy, rng, kind)
            except ValueError:
                continue
        if rng.random() < 0.5:
            copy = replace(copy, identifiers={})
        truth.add((index, len(records)))
        records.append(copy)
    return records, truth


@pytest.fixture(scope="module")
def generated() -> tuple[list[PersonRecord], set[tuple[int, int]]]:
    return _data_set(1500, seed=11)


@pytest.fixture(scope="module")
def fitted(generated) -> LinkageParameters:
    records, _ = generated
    return estimate_parameters(records, candidate_pairs(records), seed=3)


def _person(**fields) -> PersonRecord:
    values = {"given": "Daniel", "family": "Okoro", "dob": date(1994, 3, 12), "gender": "male"}
    return PersonRecord(**(values | fields))


def test_a_shared_identifier_is_always_a_candidate_whatever_the_names():
    a = _person(identifiers={"crn": "X123456"})
    b = _person(given="Zed", family="Quist", dob=None, identifiers={"crn": "x123456"})
    assert blocking_keys(a) & blocking_keys(b)
    assert candidate_pairs([a, b]) == [(0, 1)]


def test_grouped_records_are_only_paired_across_groups():
    records = [_person(), _person(), _person(given="Danny")]
    assert candidate_pairs(records, groups=[0, 0, 1]) == [(0, 2), (1, 2)]


def test_blocking_finds_nearly_every_true_pair_and_few_others(generated):
    records, truth = generated
    pairs = set(candidate_pairs(records))
    assert len(truth & pairs) / len(truth) >= 0.98
    # Far fewer than every pair: blocking is what makes 100,000 records tractable.
    assert len(pairs) < len(records) * 10


def test_namesakes_are_compared_whatever_their_dates_of_birth():
    # A date of birth typed wrong, or wholly wrong, must not hide a person from their
    # namesakes; the scoring, not the blocking, says whether they are one person.
    a = _person(given="Mohammed", family="Khan", dob=date(1991, 4, 9), postcode="QA1 2BC")
    stranger = _person(given="Mohammed", family="Khan", dob=date(1988, 11, 23), postcode="")
    assert candidate_pairs([a, stranger]) == [(0, 1)]
    for typed in (date(1991, 9, 4), date(1992, 4, 9), date(1991, 4, 19)):
        assert candidate_pairs([a, replace(stranger, dob=typed)]) == [(0, 1)], typed


def test_a_record_without_a_date_of_birth_is_compared_with_its_namesakes():
    undated = _person(dob=None)
    dated = [_person(), _person(dob=date(1970, 1, 1)), _person(given="Zed", dob=None)]
    assert candidate_pairs([undated, *dated]) == [(0, 1), (0, 2), (1, 2)]


def test_exact_agreement_u_is_the_chance_two_records_share_the_value():
    postcodes = ["QA1 2BC"] * 4 + ["QB2 3DE"] * 2 + [f"QC{n} 1AA" for n in range(1, 5)] + [""]
    records = [
        _person(given=f"Given{n}", family=f"Family{n}", postcode=postcode)
        for n, postcode in enumerate(postcodes)
    ]
    params = estimate_parameters(records, candidate_pairs(records), seed=3)
    # 6 + 1 of the 45 pairs of the 10 records with a postcode share one.
    assert params.u["postcode"]["exact"] == pytest.approx(7 / 45)
    assert sum(params.u["postcode"].values()) == pytest.approx(1)


def test_agreeing_on_a_common_name_counts_for_less_and_says_so():
    letters = "abcdefghijklmnopqrstuvwxyz"
    smiths = [_person(given=f"Giv{letters[n]}", family="Smith") for n in range(6)]
    others = [_person(given=f"Giv{letters[n]}", family=f"Fam{letters[n]}") for n in range(6, 26)]
    records = smiths + others
    params = estimate_parameters(records, candidate_pairs(records), seed=3)
    assert params.common["family"] == {"smith": pytest.approx(6 / 26)}
    common, share = params.exact_name_weight("family", "smith")
    rare, none = params.exact_name_weight("family", "famk")
    assert share == pytest.approx(6 / 26) and none is None
    assert common < rare == params.weight("family", "exact")
    result = score_with(_person(family="Smith"), _person(family="Smith"), params)
    family = next(item for item in result.explanation if item.field == "Family name")
    assert family.weight == round(common, 2)
    assert "a name 23.1% of records hold" in family.text
    assert LinkageParameters.from_json(params.to_json()) == params


def test_parameters_round_trip_and_their_version_names_them(fitted):
    again = LinkageParameters.from_json(fitted.to_json())
    assert again == fitted
    assert again.version.startswith("em-")
    changed = LinkageParameters(prior=fitted.prior * 2, m=fitted.m, u=fitted.u)
    assert changed.version != fitted.version


def test_estimation_is_deterministic_for_the_same_seed(generated, fitted):
    records, _ = generated
    assert estimate_parameters(records, candidate_pairs(records), seed=3) == fitted


def test_fitted_weights_say_agreement_is_evidence_for_and_disagreement_against(fitted):
    assert fitted.weight("dob", "exact") > 6
    assert fitted.weight("dob", "transposed") > 2
    assert fitted.weight("dob", "different") < -2
    assert fitted.weight("family", "exact") > 4
    assert fitted.weight("given", "different") < -2
    assert fitted.weight("given", "missing") == 0


def test_the_generated_duplicates_are_found_with_few_false_matches(generated, fitted):
    records, truth = generated
    found = {(i, j) for i, j, _ in link(records, params=fitted).matches}
    precision = len(found & truth) / len(found)
    recall = len(found & truth) / len(truth)
    assert precision >= 0.97
    assert recall >= 0.95


def test_a_nickname_and_transposed_birthday_is_likely_and_says_why(fitted):
    a = _person(given="William", family="Hendry", dob=date(1990, 1, 3), postcode="QA1 2BC")
    b = _person(given="Bill", family="Hendry", dob=date(1990, 3, 1), postcode="QA1 2BC")
    result = score_with(a, b, fitted)
    assert result.decision in (Decision.LIKELY, Decision.DEFINITE)
    reasons = " ".join(item.text for item in result.explanation)
    assert "short form" in reasons
    assert "day and month swapped" in reasons
    assert result.model_version == fitted.version
    assert all(isinstance(item.weight, float) for item in result.explanation)


def test_swapped_names_count_once_and_are_explained(fitted):
    a = _person(given="Okoro", family="Daniel")
    result = score_with(a, _person(), fitted)
    assert result.score >= 0.9
    swapped = [item for item in result.explanation if item.level == "swapped"]
    assert len(swapped) == 1
    assert "swapped" in swapped[0].text


def test_twins_are_held_below_likely_without_an_identifier(fitted):
    a = _person(given="Daniel", postcode="QA1 2BC")
    b = _person(given="Precious", gender="female", postcode="QA1 2BC")
    result = score_with(a, b, fitted)
    assert result.decision not in (Decision.LIKELY, Decision.DEFINITE)


def test_identifier_rules_decide_before_the_weights(fitted):
    same = score_with(
        _person(identifiers={"pnc": "94/123456A"}),
        _person(given="Zed", identifiers={"pnc": "94/123456A"}),
        fitted,
    )
    assert (same.score, same.rule) == (1.0, "same_pnc")
    different = score_with(
        _person(identifiers={"pnc": "94/123456A"}),
        _person(identifiers={"pnc": "95/654321B"}),
        fitted,
    )
    assert (different.score, different.rule) == (0.0, "different_pnc")


def test_an_extra_field_is_compared_and_explained(fitted):
    a = _person(extra={"address": "12 Mill Lane"})
    b = _person(given="Danny", extra={"address": "12 Mill Lne"})
    levels = comparison_vector(a, b)
    assert levels is not None and levels["extra:address"] == "similar"
    assert (
        comparison_vector(_person(identifiers={"crn": "X1"}), _person(identifiers={"crn": "X1"}))
        is None
    )


def test_one_to_one_keeps_one_match_per_record():
    records = [_person(), _person(given="Danny"), _person(given="Dan")]
    result = link(records, groups=[0, 1, 1], one_to_one=True)
    assert len(result.matches) == 1
    assert result.matches[0][0] == 0
