"""The monthly job's scoring is fair to every field: one disagreement does not sink a pair
the rest agrees on, postcodes and places agree in part, and common values count for less;
and its groups of records never chain different people together."""

from __future__ import annotations

from datetime import date

import pytest

from matching.clusters import Agreement, clusters
from matching.linkage import LinkageParameters, group_people, score_with
from matching.records import PersonRecord

# A model as the job fits one: m and u for each level (weights are log2 m/u).
PARAMS = LinkageParameters(
    prior=1e-4,
    m={
        "given": {"exact": 0.8, "similar": 0.1, "initial": 0.05, "different": 0.05},
        "family": {"exact": 0.85, "similar": 0.1, "different": 0.05},
        "dob": {"exact": 0.85, "one_digit": 0.1, "different": 0.05},
        "postcode": {"exact": 0.6, "same_sector": 0.1, "same_outward": 0.1, "different": 0.2},
        "gender": {"same": 0.99, "different": 0.01},
        "extra:town": {"exact": 0.8, "similar": 0.1, "different": 0.1},
    },
    u={
        "given": {"exact": 0.01, "similar": 0.002, "initial": 0.001, "different": 0.987},
        "family": {"exact": 0.003, "similar": 0.001, "different": 0.996},
        "dob": {"exact": 0.0001, "one_digit": 0.002, "different": 0.9979},
        "postcode": {
            "exact": 0.0005,
            "same_sector": 0.002,
            "same_outward": 0.02,
            "different": 0.9775,
        },
        "gender": {"same": 0.7, "different": 0.3},
        "extra:town": {"exact": 0.01, "similar": 0.01, "different": 0.98},
    },
    common={"extra:town": {"london": 0.4}, "postcode": {}, "given": {}, "family": {}},
)


def _person(**fields) -> PersonRecord:
    values = {
        "given": "Daniel",
        "family": "Okonkwo",
        "dob": date(1994, 3, 12),
        "gender": "male",
        "postcode": "QA1 2BC",
    }
    return PersonRecord(**(values | fields))


def _item(result, field):
    return next(item for item in result.explanation if item.field == field)


def test_a_different_given_name_alone_does_not_keep_a_strong_pair_below_likely():
    # Known as Daniel at one agency, by a name of his own (not on the name lists) at another.
    result = score_with(_person(), _person(given="Tobenna"), PARAMS)
    assert result.decision == "likely"
    # Never certain: twins share everything but a given name.
    assert result.score < 0.999
    conflict = [item for item in result.explanation if item.level == "conflict"]
    assert len(conflict) == 1
    assert "everything else agrees strongly" in conflict[0].text
    assert "twins" in conflict[0].text
    assert "evidence against" in _item(result, "Given name").text


def test_twins_with_two_real_given_names_stay_below_likely():
    result = score_with(_person(given="Darren"), _person(given="Lee"), PARAMS)
    assert result.score <= 0.85
    assert "twins and siblings" in result.summary


def test_a_date_of_birth_slip_of_a_few_years_alone_does_not_keep_it_below_likely():
    result = score_with(_person(), _person(dob=date(1991, 7, 30)), PARAMS)
    assert result.decision == "likely"


def test_a_parent_and_child_of_one_name_at_one_address_stay_below_likely():
    result = score_with(_person(), _person(dob=date(1968, 7, 30)), PARAMS)
    assert result.score <= 0.85 and result.decision == "possible"
    assert "a parent and child" in result.summary


def test_two_disagreeing_fields_stay_below_likely():
    result = score_with(_person(), _person(given="Tobenna", dob=date(1991, 7, 30)), PARAMS)
    assert result.score <= 0.85


def test_a_disagreement_is_not_excused_when_the_rest_is_only_middling():
    # Names only, no date of birth or address on one side: not "strongly".
    result = score_with(_person(), _person(given="Tobenna", postcode=""), PARAMS)
    assert result.decision in {"possible", "unlikely"}


def test_postcodes_of_one_street_area_agree_more_than_of_one_district_less_than_exactly():
    base = _person(given="D", dob=None)
    exact = score_with(base, _person(given="D", dob=None), PARAMS)
    sector = score_with(base, _person(given="D", dob=None, postcode="QA1 2XY"), PARAMS)
    district = score_with(base, _person(given="D", dob=None, postcode="QA1 7XY"), PARAMS)
    assert exact.score > sector.score > district.score
    assert _item(sector, "Postcode").level == "same_sector"
    assert "same street area (QA1 2BC vs QA1 2XY)" in _item(sector, "Postcode").text


def test_place_names_agree_however_they_are_written():
    a = _person(extra={"town": "St. Mary's Rd, Newcastle-upon-Tyne"})
    b = _person(extra={"town": "st marys road newcastle upon tyne"})
    assert _item(score_with(a, b, PARAMS), "Town").level == "exact"


def test_a_common_place_counts_for_less_than_a_village_and_says_so():
    london = score_with(
        _person(dob=None, postcode="", extra={"town": "London"}),
        _person(dob=None, postcode="", extra={"town": "LONDON"}),
        PARAMS,
    )
    village = score_with(
        _person(dob=None, postcode="", extra={"town": "Much Wenlock"}),
        _person(dob=None, postcode="", extra={"town": "much wenlock"}),
        PARAMS,
    )
    assert _item(london, "Town").weight < _item(village, "Town").weight
    assert "a value 40.0% of records hold" in _item(london, "Town").text
    assert london.score < village.score


def test_a_closer_agreement_never_counts_for_less_than_a_looser_one():
    skewed = LinkageParameters(
        prior=PARAMS.prior,
        m=PARAMS.m | {"given": {"exact": 0.1, "initial": 0.5, "different": 0.4}},
        u=PARAMS.u | {"given": {"exact": 0.01, "initial": 0.005, "different": 0.985}},
    )
    assert skewed.weight("given", "initial") <= skewed.weight("given", "exact")


# --- Groups of records -----------------------------------------------------------------------


def test_a_chain_of_matches_does_not_join_two_clearly_different_people():
    # Daniel born 1994, an undated Daniel at the same address, and a Daniel born 1961 there:
    # each is a match for the undated one, but the first and last are a father and son.
    son = _person()
    undated = _person(dob=None)
    father = _person(dob=date(1961, 5, 5))
    records = [son, undated, father]
    son_undated = score_with(son, undated, PARAMS).score
    undated_father = score_with(undated, father, PARAMS).score
    assert min(son_undated, undated_father) >= 0.5
    groups = group_people(records, [(0, 1, son_undated), (1, 2, undated_father)], PARAMS)
    assert [0, 1, 2] not in groups
    assert all(not {0, 2} <= set(group) for group in groups)


def test_three_records_of_one_person_make_one_group():
    records = [_person(), _person(given="Danial"), _person(dob=date(1994, 3, 13))]
    matches = [
        (i, j, score_with(records[i], records[j], PARAMS).score)
        for i, j in ((0, 1), (1, 2), (0, 2))
    ]
    assert group_people(records, matches, PARAMS) == [[0, 1, 2]]


def test_a_group_grows_only_when_most_of_it_agrees():
    verdicts = {(0, 1): Agreement.MATCH, (1, 2): Agreement.MATCH, (0, 2): Agreement.UNSURE}
    groups = clusters(3, [(0, 1, 0.99), (1, 2, 0.95)], lambda i, j: verdicts[(i, j)])
    assert groups == [[0, 1]]
    verdicts[(0, 2)] = Agreement.MATCH
    assert clusters(3, [(0, 1, 0.99), (1, 2, 0.95)], lambda i, j: verdicts[(i, j)]) == [[0, 1, 2]]


def test_different_identifiers_keep_records_apart_however_well_the_rest_matches():
    a = _person(identifiers={"pnc": "12/0000001Z"})
    b = _person(given="Danial")
    c = _person(identifiers={"pnc": "13/0000002Z"})
    records = [a, b, c]
    matches = [(0, 1, 0.99), (1, 2, 0.99)]
    groups = group_people(records, matches, PARAMS)
    assert all(not {0, 2} <= set(group) for group in groups)


@pytest.mark.parametrize("size", [0, 1])
def test_nothing_to_group_gives_no_groups(size):
    assert clusters(size, [], lambda i, j: Agreement.MATCH) == []
