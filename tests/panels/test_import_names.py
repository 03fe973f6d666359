"""Splitting a list's one name column into family name and given names: commas and
capitals say where the family name is, otherwise the order the coordinator chose does.
No database: cohorts.names is plain Python."""

from __future__ import annotations

import pytest

from cohorts.names import NameOrder, guess_order, read_order, split_full_name

GIVEN_FIRST = NameOrder.GIVEN_FIRST
FAMILY_FIRST = NameOrder.FAMILY_FIRST


@pytest.mark.parametrize(
    ("text", "order", "given", "family", "rule"),
    [
        # A comma: the family name is before it, whichever order was chosen.
        ("FLYNN, Guy", GIVEN_FIRST, "Guy", "FLYNN", "comma"),
        ("Flynn, Guy", FAMILY_FIRST, "Guy", "Flynn", "comma"),
        ("Smith-Jones,Mary Ann", GIVEN_FIRST, "Mary Ann", "Smith-Jones", "comma"),
        ("de la Cruz, Maria José", GIVEN_FIRST, "Maria José", "de la Cruz", "comma"),
        ("SMITH JONES, Mary", FAMILY_FIRST, "Mary", "SMITH JONES", "comma"),
        ("Taylor, Mr Eric", GIVEN_FIRST, "Eric", "Taylor", "comma"),
        # Capitals among words that are not: the family name, at either end.
        ("Guy FLYNN", FAMILY_FIRST, "Guy", "FLYNN", "capitals"),
        ("FLYNN Guy", GIVEN_FIRST, "Guy", "FLYNN", "capitals"),
        ("Mary Ann SMITH JONES", GIVEN_FIRST, "Mary Ann", "SMITH JONES", "capitals"),
        ("SMITH JONES Mary Ann", GIVEN_FIRST, "Mary Ann", "SMITH JONES", "capitals"),
        ("Siobhan O'NEIL", FAMILY_FIRST, "Siobhan", "O'NEIL", "capitals"),
        ("Maria de la CRUZ", GIVEN_FIRST, "Maria", "de la CRUZ", "capitals"),
        ("DE LA CRUZ Maria", GIVEN_FIRST, "Maria", "DE LA CRUZ", "capitals"),
        ("J FLYNN", FAMILY_FIRST, "J", "FLYNN", "capitals"),
        ("FLYNN J", GIVEN_FIRST, "J", "FLYNN", "capitals"),
        ("Ann-Marie SMITH-JONES", FAMILY_FIRST, "Ann-Marie", "SMITH-JONES", "capitals"),
        # The order, when the name itself does not say.
        ("Eric Taylor", GIVEN_FIRST, "Eric", "Taylor", "given_first"),
        ("Taylor Eric", FAMILY_FIRST, "Eric", "Taylor", "family_first"),
        ("Eric John Taylor", GIVEN_FIRST, "Eric John", "Taylor", "given_first"),
        ("Taylor Eric John", FAMILY_FIRST, "Eric John", "Taylor", "family_first"),
        ("ERIC TAYLOR", GIVEN_FIRST, "ERIC", "TAYLOR", "given_first"),
        ("TAYLOR ERIC", FAMILY_FIRST, "ERIC", "TAYLOR", "family_first"),
        ("Siobhan O'Neil", GIVEN_FIRST, "Siobhan", "O'Neil", "given_first"),
        ("Mary Smith-Jones", GIVEN_FIRST, "Mary", "Smith-Jones", "given_first"),
        ("Smith-Jones Mary", FAMILY_FIRST, "Mary", "Smith-Jones", "family_first"),
        ("Angus McDonald", GIVEN_FIRST, "Angus", "McDonald", "given_first"),
        # Particles stay with the family name.
        ("Maria José de la Cruz", GIVEN_FIRST, "Maria José", "de la Cruz", "given_first"),
        ("de la Cruz Maria", FAMILY_FIRST, "Maria", "de la Cruz", "family_first"),
        ("Dick Van Dyke", GIVEN_FIRST, "Dick", "Van Dyke", "given_first"),
        ("Ludwig van Beethoven", GIVEN_FIRST, "Ludwig", "van Beethoven", "given_first"),
        ("Omar al Rashid", GIVEN_FIRST, "Omar", "al Rashid", "given_first"),
        # A particle-like first name is not taken as part of the family name.
        ("Al Jones", GIVEN_FIRST, "Al", "Jones", "given_first"),
        # Titles are left out, and spacing does not matter.
        ("Mr Eric Taylor", GIVEN_FIRST, "Eric", "Taylor", "given_first"),
        ("Ms. Priya SHAH", FAMILY_FIRST, "Priya", "SHAH", "capitals"),
        ("  Eric    Taylor ", GIVEN_FIRST, "Eric", "Taylor", "given_first"),
    ],
)
def test_a_whole_name_is_split(text, order, given, family, rule):
    split = split_full_name(text, order)
    assert (split.given, split.family, split.rule) == (given, family, rule)


def test_capitals_in_the_middle_of_a_name_leave_it_to_the_order():
    # "TAYLOR" is neither at the start nor the end: capitals do not say where the family
    # name is, so the chosen order does.
    assert split_full_name("Eric TAYLOR Jones", GIVEN_FIRST).family == "Jones"
    assert split_full_name("Eric TAYLOR Jones", FAMILY_FIRST).family == "Eric"


def test_a_two_word_family_name_without_a_mark_is_read_by_the_order():
    split = split_full_name("Mary Smith Jones", GIVEN_FIRST)
    assert (split.given, split.family) == ("Mary Smith", "Jones")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Flynn", "'Flynn' has only one name in it: the list needs a family name and a given"),
        ("Mr Flynn", "'Mr Flynn' has only one name in it"),
        ("FLYNN,", "has a comma but not a name on both sides of it"),
        (", Guy", "has a comma but not a name on both sides of it"),
        ("", "has only one name in it"),
    ],
)
def test_a_name_that_cannot_be_split_says_why(text, reason):
    with pytest.raises(ValueError, match=None) as error:
        split_full_name(text, GIVEN_FIRST)
    assert reason in str(error.value)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["FLYNN, Guy", "TAYLOR, Eric", "Jo Bloggs"], FAMILY_FIRST),
        (["FLYNN Guy", "TAYLOR Eric"], FAMILY_FIRST),
        (["Guy FLYNN", "Eric TAYLOR", "SHAH, Priya"], GIVEN_FIRST),
        (["Guy Flynn", "Eric Taylor"], None),
        (["GUY FLYNN", "ERIC TAYLOR"], None),
        ([], None),
    ],
)
def test_the_order_is_guessed_from_the_names_that_show_it(names, expected):
    assert guess_order(names) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("family_first", FAMILY_FIRST),
        ("given_first", GIVEN_FIRST),
        ("", GIVEN_FIRST),
        (None, GIVEN_FIRST),
        ("sideways", GIVEN_FIRST),
    ],
)
def test_an_unknown_order_reads_as_given_names_first(value, expected):
    assert read_order(value) == expected
