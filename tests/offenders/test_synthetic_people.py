"""The synthetic people generator: deterministic, realistic, and valid identifiers."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest
from rapidfuzz.distance import OSA

from matching.identifiers import validate_cro_number, validate_nhs_number, validate_pnc_id
from matching.names import name_variants, normalise_name
from tests.people import CORRUPTIONS, corrupt, generate_people, probes

N = 3_000


@pytest.fixture(scope="module")
def people():
    return generate_people(N, seed=5)


def test_same_seed_gives_the_same_people():
    assert generate_people(300, seed=9) == generate_people(300, seed=9)


def test_different_seeds_give_different_people():
    assert generate_people(300, seed=9) != generate_people(300, seed=10)


def test_a_longer_run_starts_with_the_shorter_run():
    assert generate_people(500, seed=9)[:200] == generate_people(200, seed=9)


def test_about_seventy_percent_have_a_pnc_id_with_a_correct_check_letter(people):
    pncs = [p.identifiers["pnc"] for p in people if "pnc" in p.identifiers]
    assert 0.66 <= len(pncs) / N <= 0.74
    assert all(validate_pnc_id(pnc) == pnc for pnc in pncs)


def test_about_forty_percent_have_a_crn(people):
    crns = [p.identifiers["crn"] for p in people if "crn" in p.identifiers]
    assert 0.36 <= len(crns) / N <= 0.44
    assert all(len(crn) == 7 and crn[0].isalpha() and crn[1:].isdigit() for crn in crns)


def test_cro_and_nhs_numbers_are_valid(people):
    for p in people:
        if "cro" in p.identifiers:
            assert validate_cro_number(p.identifiers["cro"]) == p.identifiers["cro"]
        if "nhs" in p.identifiers:
            assert validate_nhs_number(p.identifiers["nhs"]) == p.identifiers["nhs"]


def test_no_two_people_share_an_identifier(people):
    seen: set[tuple[str, str]] = set()
    for p in people:
        for pair in p.identifiers.items():
            assert pair not in seen
            seen.add(pair)


def test_dates_of_birth_fall_between_1960_and_2008(people):
    assert all(date(1960, 1, 1) <= p.dob <= date(2008, 12, 31) for p in people)


def test_postcodes_are_in_fictional_q_areas(people):
    postcodes = [p.postcode for p in people if p.postcode]
    assert len(postcodes) > 0.9 * N
    assert all(postcode.startswith("Q") and len(postcode.split()) == 2 for postcode in postcodes)


def test_names_are_varied_and_include_many_communities(people):
    families = {p.family for p in people}
    assert len(families) > 250
    assert {"Smith", "Khan", "Okafor", "Kowalski", "Murphy"} <= families
    assert any("-" in p.family for p in people)  # double-barrelled names occur
    assert any(not p.given.isascii() or not p.family.isascii() for p in people)  # accents


def test_some_people_have_aliases(people):
    with_aliases = [p for p in people if p.aliases]
    assert 0.10 <= len(with_aliases) / N <= 0.20


def test_typo_changes_one_letter_of_one_name(people):
    rng = random.Random(1)
    for original in people[:200]:
        typed = corrupt(original, rng, "typo")
        # Case aside: a transposed first letter is re-capitalised ("Edepak" for "Deepak").
        given_edits = OSA.distance(typed.given.casefold(), original.given.casefold())
        family_edits = OSA.distance(typed.family.casefold(), original.family.casefold())
        assert sorted((given_edits, family_edits)) == [0, 1]
        assert typed.dob == original.dob


def test_nickname_is_a_known_variant_of_the_given_name(people):
    rng = random.Random(2)
    changed = 0
    for original in people[:200]:
        try:
            typed = corrupt(original, rng, "nickname")
        except ValueError:
            continue  # no known variant of this name
        changed += 1
        assert normalise_name(typed.given) in name_variants(original.given)
        assert normalise_name(typed.given) != normalise_name(original.given)
    assert changed > 50


def test_swap_exchanges_given_and_family_names(people):
    original = people[0]
    typed = corrupt(original, random.Random(3), "swap")
    assert (typed.given, typed.family) == (original.family, original.given)


def test_dob_transposed_swaps_day_and_month():
    original = replace(generate_people(1, seed=1)[0], dob=date(1990, 4, 11), dob_approximate=False)
    typed = corrupt(original, random.Random(4), "dob_transposed")
    assert typed.dob == date(1990, 11, 4)


def test_dob_transposition_is_refused_when_it_would_not_be_a_date():
    original = replace(generate_people(1, seed=1)[0], dob=date(1990, 4, 25), dob_approximate=False)
    with pytest.raises(ValueError):
        corrupt(original, random.Random(4), "dob_transposed")


def test_dob_digit_changes_one_digit(people):
    rng = random.Random(5)
    for original in people[:100]:
        if original.dob_approximate:
            continue
        typed = corrupt(original, rng, "dob_digit")
        before, after = original.dob.strftime("%d%m%Y"), typed.dob.strftime("%d%m%Y")
        assert sum(a != b for a, b in zip(before, after, strict=True)) == 1


def test_alias_corruption_uses_a_recorded_alias(people):
    rng = random.Random(6)
    original = next(p for p in people if p.aliases)
    typed = corrupt(original, rng, "alias")
    assert (typed.given, typed.family) in {(a.given, a.family) for a in original.aliases}
    assert typed.aliases == ()


def test_unknown_corruption_is_refused(people):
    with pytest.raises(ValueError, match="unknown corruption"):
        corrupt(people[0], random.Random(7), "mumble")


def test_probes_are_deterministic_and_cycle_through_every_kind(people):
    first = probes(people, 70, seed=8)
    assert first == probes(people, 70, seed=8)
    assert [kind for _, _, kind in first[: len(CORRUPTIONS)]] == list(CORRUPTIONS)
    for probe, index, _ in first:
        assert 0 <= index < N
        assert probe.identifiers == {}
        assert probe.aliases == ()


def test_probes_can_keep_identifiers(people):
    kept = probes(people, 20, seed=8, kinds=("typo",), keep_identifiers=True)
    assert any(probe.identifiers for probe, _, _ in kept)


def test_a_large_population_generates(people):
    # 100k people take about a second on the CI machine; a smaller run keeps the suite fast
    # while proving the generator scales linearly without collisions in identifiers.
    many = generate_people(20_000, seed=11)
    assert len(many) == 20_000
    assert len({p.identifiers["pnc"] for p in many if "pnc" in p.identifiers}) > 13_000


def test_probes_refuse_a_corruption_nobody_can_show():
    without_aliases = [p for p in generate_people(50, seed=12) if not p.aliases]
    with pytest.raises(ValueError, match="alias"):
        probes(without_aliases, 5, seed=1, kinds=("alias",))
