"""Identity matching: normalisation, keys, variants, date levels, and the scorer's decisions.

Pure Python: no database. The last test measures search quality on generated people and
prints the figure (run with -s to see it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date

import pytest

from matching.compare import (
    DobLevel,
    NameLevel,
    compare_dob,
    compare_family_names,
    compare_given_names,
)
from matching.keys import match_keys, record_match_keys
from matching.names import (
    name_tokens,
    name_variants,
    normalise_name,
    normalise_postcode,
    phonetic_key,
)
from matching.records import (
    DEFINITE_THRESHOLD,
    LIKELY_THRESHOLD,
    MODEL_VERSION,
    AliasName,
    Decision,
    PersonRecord,
)
from matching.scoring import NameFrequencies, best_matches, score
from tests.people import generate_people, probes

LIKELY_OR_BETTER = {Decision.LIKELY, Decision.DEFINITE}

JOHN = PersonRecord(
    given="John",
    family="Smith",
    dob=date(1985, 7, 3),
    gender="male",
    postcode="QA1 2BD",
)


def person(given: str, family: str, dob: date | None = date(1985, 7, 3), **kw) -> PersonRecord:
    return PersonRecord(given=given, family=family, dob=dob, **kw)


# --- Normalisation and keys ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("Dr Seán O'Brien-Smith Jnr", "sean obrien smith"),
        ("  JOHN   smith ", "john smith"),
        ("Łukasz Wiśniewski", "lukasz wisniewski"),
        ("D’Souza", "dsouza"),
        ("Mrs. Zoë Smith-Jones", "zoe smith jones"),
        ("Lord", "lord"),  # a name that is only a title is kept
    ],
)
def test_normalise_name_folds_case_accents_titles_and_punctuation(typed, normalised):
    assert normalise_name(typed) == normalised


def test_name_tokens_split_double_barrelled_names():
    assert name_tokens("Smith-Jones") == ["smith", "jones"]
    assert name_tokens("O'Brien") == ["obrien"]


def test_normalise_postcode_spaces_the_inward_code():
    assert normalise_postcode("qa16an") == "QA1 6AN"
    assert normalise_postcode(" QA1  6AN ") == "QA1 6AN"


@pytest.mark.parametrize(
    ("a", "b"),
    [("Mohammed", "Muhammad"), ("McDonald", "Mc Donald"), ("Stephen", "Steven")],
)
def test_phonetic_key_agrees_for_names_that_sound_alike(a, b):
    assert phonetic_key(a) == phonetic_key(b)


def test_match_keys_are_short_ascii_strings():
    keys = match_keys("Seán", "O'Brien", date(1990, 1, 2))
    assert keys
    assert all(key.isascii() and len(key) < 40 for key in keys)


def test_swapped_names_share_match_keys():
    assert match_keys("John", "Smith", None) & match_keys("Smith", "John", None)
    assert match_keys("John", "Smith", JOHN.dob) & match_keys("Smith", "John", JOHN.dob)


@pytest.mark.parametrize(("nickname", "full"), [("Bill", "William"), ("Mo", "Muhammad")])
def test_nicknames_share_a_match_key_without_a_date_of_birth(nickname, full):
    assert match_keys(nickname, "Smith", None) & match_keys(full, "Smith", None)


def test_a_misspelt_family_name_still_shares_a_key_through_the_date_of_birth():
    assert match_keys("John", "Smith", JOHN.dob) & match_keys("John", "Xmith", JOHN.dob)


def test_record_match_keys_include_aliases_with_the_main_date_of_birth():
    record = replace(JOHN, aliases=(AliasName("Johnny", "Bloggs"),))
    assert match_keys("Johnny", "Bloggs", JOHN.dob) <= record_match_keys(record)


# --- Name variants --------------------------------------------------------------------------

VARIANT_PAIRS = [
    ("Bill", "William"),
    ("Bob", "Robert"),
    ("Jim", "James"),
    ("Tony", "Anthony"),
    ("Liz", "Elizabeth"),
    ("Mo", "Mohammed"),
    ("Mohammed", "Muhammad"),
    ("Mohamed", "Muhammad"),
    ("Aleksander", "Alexander"),
    ("Jon", "John"),
    ("Piotr", "Peter"),
    ("Siobhan", "Shivaun"),
    ("Ahmed", "Ahmad"),
    ("Babatunde", "Tunde"),
]


@pytest.mark.parametrize(("a", "b"), VARIANT_PAIRS)
def test_name_variants_work_in_both_directions(a, b):
    assert normalise_name(b) in name_variants(a)
    assert normalise_name(a) in name_variants(b)


@pytest.mark.parametrize(("a", "b"), [("John", "Ian"), ("Andrew", "Andrea"), ("Emily", "Emma")])
def test_different_names_linked_only_in_old_genealogy_data_are_not_variants(a, b):
    assert normalise_name(b) not in name_variants(a)


def test_given_name_comparison_explains_a_short_form():
    compared = compare_given_names("Bill", "William")
    assert compared.level == NameLevel.VARIANT
    assert compared.text == "Bill is a short form of William"


def test_one_letter_typo_in_a_given_name_is_similar():
    assert compare_given_names("Mkchael", "Michael").level == NameLevel.SIMILAR


def test_two_real_names_one_letter_apart_are_different_names():
    assert compare_given_names("Dean", "Sean").level == NameLevel.DIFFERENT


def test_family_name_part_of_a_double_barrel_is_other_name():
    assert compare_family_names("Smith-Jones", "Jones").level == NameLevel.OTHER_NAME


# --- Dates of birth -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        (date(1985, 7, 3), date(1985, 7, 3), DobLevel.EXACT),
        (date(1985, 7, 3), date(1985, 3, 7), DobLevel.TRANSPOSED),
        (date(1985, 7, 3), date(1986, 7, 3), DobLevel.YEAR_OFF_BY_ONE),
        (date(1985, 7, 3), date(1985, 7, 8), DobLevel.ONE_DIGIT),
        (date(1985, 7, 13), date(1985, 7, 31), DobLevel.DIGITS_SWAPPED),
        (date(1985, 7, 3), date(1990, 7, 3), DobLevel.SAME_DAY_MONTH),
        (date(1985, 7, 3), date(1962, 7, 3), DobLevel.DIFFERENT),  # a parent, not a typo
        (date(1985, 7, 3), date(1990, 11, 20), DobLevel.DIFFERENT),
        (date(1985, 7, 3), None, DobLevel.MISSING),
    ],
)
def test_compare_dob_levels(a, b, level):
    assert compare_dob(a, b)[0] == level


def test_approximate_dates_of_birth_compare_on_the_year_only():
    assert compare_dob(date(1985, 1, 1), date(1985, 9, 9), approximate=True)[0] == (
        DobLevel.APPROXIMATE_SAME_YEAR
    )
    assert compare_dob(date(1985, 1, 1), date(1987, 9, 9), approximate=True)[0] == (
        DobLevel.APPROXIMATE_NEAR_YEAR
    )


# --- The scorer -----------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), VARIANT_PAIRS)
def test_nickname_and_variant_pairs_match_as_likely_or_better(a, b):
    result = score(replace(JOHN, given=a, family="Okafor"), replace(JOHN, given=b, family="Okafor"))
    assert result.decision in LIKELY_OR_BETTER


def test_nickname_match_explains_the_short_form():
    result = score(replace(JOHN, given="Bill"), replace(JOHN, given="William"))
    assert "Given name: Bill is a short form of William" in result.summary


def test_swapped_given_and_family_names_match():
    result = score(JOHN, replace(JOHN, given="Smith", family="John", postcode=""))
    assert result.decision in LIKELY_OR_BETTER
    assert [item.level for item in result.explanation][0] == "swapped"
    assert "given and family names swapped" in result.summary


def test_swapped_names_match_when_the_given_name_is_also_a_short_form():
    bill = replace(JOHN, given="William", family="Hendry")
    result = score(bill, replace(bill, given="Hendry", family="Bill", postcode=""))
    assert result.decision in LIKELY_OR_BETTER
    assert [item.level for item in result.explanation][0] == "swapped"


def test_transposed_date_of_birth_matches_and_says_so():
    result = score(JOHN, replace(JOHN, dob=date(1985, 3, 7)))
    assert result.decision in LIKELY_OR_BETTER
    assert "Date of birth: day and month swapped (03/07 vs 07/03, 1985)" in result.summary


def test_same_name_and_date_of_birth_and_postcode_is_definite():
    result = score(JOHN, JOHN)
    assert result.decision == Decision.DEFINITE
    assert result.score >= DEFINITE_THRESHOLD
    assert result.rule is None
    assert result.model_version == MODEL_VERSION


def test_every_field_comparison_is_a_plain_english_sentence_with_a_weight():
    result = score(JOHN, replace(JOHN, given="Jon", postcode="QA1 9ZZ", gender="m"))
    fields = [item.field for item in result.explanation]
    assert fields == ["Given name", "Family name", "Date of birth", "Postcode", "Gender"]
    for item in result.explanation:
        assert item.text.startswith(item.field + ":")
        assert isinstance(item.weight, float)
    assert "Postcode: same area (QA1 2BD vs QA1 9ZZ)" in result.summary


def test_same_pnc_id_in_different_forms_is_a_definite_match_whatever_the_names():
    a = replace(JOHN, identifiers={"pnc": "08/56560Z"})
    b = person("Jean", "Dupont", date(1970, 1, 1), identifiers={"pnc": "2008/0056560Z"})
    result = score(a, b)
    assert (result.score, result.decision, result.rule) == (1.0, Decision.DEFINITE, "same_pnc")
    assert result.summary == "PNC ID: same (08/0056560Z)"


@pytest.mark.parametrize("kind", ["cro", "crn"])
def test_same_cro_or_crn_is_a_definite_match(kind):
    value = {"cro": "123456/08T", "crn": "X123456"}[kind]
    result = score(
        replace(JOHN, identifiers={kind: value}), person("A", "B", identifiers={kind: value})
    )
    assert result.decision == Decision.DEFINITE
    assert result.rule == f"same_{kind}"


def test_different_pnc_ids_never_match_even_with_everything_else_the_same():
    a = replace(JOHN, identifiers={"pnc": "08/0056560Z"})
    b = replace(JOHN, identifiers={"pnc": "95/1234567Q"})
    result = score(a, b)
    assert result.score == 0.0
    assert result.decision == Decision.UNLIKELY
    assert result.rule == "different_pnc"
    assert "different people" in result.summary


def test_a_shared_crn_with_different_pnc_ids_is_held_for_review():
    a = replace(JOHN, identifiers={"pnc": "08/0056560Z", "crn": "X123456"})
    b = replace(JOHN, identifiers={"pnc": "95/1234567Q", "crn": "X123456"})
    result = score(a, b)
    assert result.rule == "conflicting_identifiers"
    assert result.score < LIKELY_THRESHOLD


def test_a_different_crn_counts_against_a_match():
    plain = score(JOHN, replace(JOHN, given="Jon"))
    with_crns = score(
        replace(JOHN, identifiers={"crn": "X123456"}),
        replace(JOHN, given="Jon", identifiers={"crn": "Y654321"}),
    )
    assert with_crns.score < plain.score


def test_twins_with_different_given_names_score_below_likely():
    twin = replace(JOHN, given="James")
    result = score(JOHN, twin)
    assert result.score < LIKELY_THRESHOLD
    assert result.decision not in LIKELY_OR_BETTER
    assert "twins and siblings" in result.summary


def test_twins_whose_names_differ_by_one_letter_score_below_likely():
    assert score(replace(JOHN, given="Dean"), replace(JOHN, given="Sean")).score < LIKELY_THRESHOLD


def test_twins_of_different_gender_score_lower_than_twins_of_one_gender():
    brother = score(JOHN, replace(JOHN, given="James"))
    sister = score(JOHN, replace(JOHN, given="Jane", gender="female"))
    assert sister.score < brother.score
    assert "Gender: different" in sister.summary


def test_parent_and_child_of_the_same_name_at_one_address_score_below_likely():
    father = replace(JOHN, dob=date(1962, 7, 3))
    result = score(JOHN, father)
    assert result.score < LIKELY_THRESHOLD
    assert "a parent and child can share a name" in result.summary


def test_a_match_through_an_alias_says_which_alias():
    record = replace(JOHN, aliases=(AliasName("Johnny", "Bloggs"),))
    probe = replace(JOHN, given="Johnny", family="Bloggs", postcode="")
    result = score(probe, record)
    assert result.decision in LIKELY_OR_BETTER
    assert "Compared using the alias Johnny Bloggs" in result.summary


def test_an_alias_date_of_birth_is_used_when_it_fits_better():
    record = replace(JOHN, aliases=(AliasName("John", "Smith", date(1984, 2, 1)),))
    probe = replace(JOHN, dob=date(1984, 2, 1))
    assert score(probe, record).decision in LIKELY_OR_BETTER


def test_score_is_symmetric():
    pairs = [
        (JOHN, replace(JOHN, given="Bill", family="Smyth")),
        (JOHN, replace(JOHN, given="Smith", family="John")),
        (JOHN, replace(JOHN, dob=date(1985, 3, 7), postcode="QA1 9ZZ")),
    ]
    for a, b in pairs:
        assert score(a, b).score == pytest.approx(score(b, a).score)


def test_a_common_name_counts_for_less_than_a_rare_one_with_frequencies():
    names = [("John", "Smith")] * 300 + [("Ifeanyi", "Okonkwo")] + [("Adam", "Brown")] * 700
    frequencies = NameFrequencies.from_names(names)
    common = score(replace(JOHN, postcode=""), replace(JOHN, postcode=""), frequencies=frequencies)
    rare_record = replace(JOHN, given="Ifeanyi", family="Okonkwo", postcode="")
    rare = score(rare_record, rare_record, frequencies=frequencies)
    assert rare.score > common.score
    assert "shared by 30.0% of records" in common.summary


def test_best_matches_orders_by_score_and_limits():
    candidates = [
        ("twin", replace(JOHN, given="James")),
        ("same", JOHN),
        ("other", person("Ama", "Osei")),
    ]
    ranked = best_matches(JOHN, candidates, limit=2)
    assert [key for key, _ in ranked] == ["same", "twin"]


# --- Search quality -------------------------------------------------------------------------

QUALITY_PEOPLE = 2_000
QUALITY_PROBES = 500
TOP = 10


def test_true_record_ranks_in_top_10_for_99_percent_of_corrupted_probes():
    """Each probe has one corruption (typo, nickname, swap, date error, alias, ...); the
    candidates are the people sharing a blocking key, as the database search finds them."""
    people = generate_people(QUALITY_PEOPLE, seed=20)
    index: dict[str, list[int]] = defaultdict(list)
    for i, record in enumerate(people):
        for key in record_match_keys(record):
            index[key].append(i)
    frequencies = NameFrequencies.from_names((p.given, p.family) for p in people)

    found = 0
    misses: list[str] = []
    for probe, true_index, kind in probes(people, QUALITY_PROBES, seed=21):
        candidates = {i for key in record_match_keys(probe) for i in index.get(key, ())}
        if true_index not in candidates:
            misses.append(f"{kind}: not a candidate ({probe.given} {probe.family})")
            continue
        scores = {i: score(probe, people[i], frequencies=frequencies).score for i in candidates}
        # Ties count against the true record: its rank is the number scoring at least as well.
        rank = sum(1 for i, s in scores.items() if i != true_index and s >= scores[true_index])
        if rank < TOP:
            found += 1
        else:
            misses.append(f"{kind}: rank {rank + 1} ({probe.given} {probe.family})")

    recall = found / QUALITY_PROBES
    print(f"\nmatch quality: true record in top {TOP} for {recall:.1%} of {QUALITY_PROBES} probes")
    assert recall >= 0.99, misses
