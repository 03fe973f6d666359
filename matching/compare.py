"""Field comparisons: the level at which two names, dates of birth, postcodes or genders
agree, and the weight of evidence (log2 m/u) each level carries."""

from __future__ import annotations

import math
import re
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz.distance import OSA

from matching.identifiers import validate_identifier
from matching.names import (
    _KNOWN_GIVEN_NAMES,
    _SIMILAR_MIN,
    _TABLES,
    _similarity,
    _sounds_alike,
    _variant_text,
    name_tokens,
)


class NameLevel(StrEnum):
    EXACT = "exact"
    VARIANT = "variant"  # nickname, spelling or language variant
    PHONETIC = "phonetic"
    SIMILAR = "similar"  # Jaro-Winkler >= 0.92, or one letter added, lost, changed or swapped
    OTHER_NAME = "other_name"  # a middle name, or one part of a double-barrelled name
    INITIAL = "initial"  # one side gives only an initial that agrees
    DIFFERENT = "different"
    MISSING = "missing"


class DobLevel(StrEnum):
    EXACT = "exact"
    TRANSPOSED = "transposed"  # day and month swapped
    YEAR_OFF_BY_ONE = "year_off_by_one"
    ONE_DIGIT = "one_digit"
    DIGITS_SWAPPED = "digits_swapped"  # two neighbouring digits typed the wrong way round
    SAME_DAY_MONTH = "same_day_month"
    APPROXIMATE_SAME_YEAR = "approximate_same_year"
    APPROXIMATE_NEAR_YEAR = "approximate_near_year"
    DIFFERENT = "different"
    MISSING = "missing"


# (m, u) for each level. m: chance two records of one person agree at this level;
# u: chance two different people do. Each weight is log2(m / u).
_GIVEN_MU: dict[NameLevel, tuple[float, float]] = {
    # Given names are recorded exactly in most agency records (~85 %). u is the chance two
    # random people share a given name: ~1 % across a mixed urban population, higher for
    # the commonest names.
    NameLevel.EXACT: (0.85, 0.01),
    NameLevel.VARIANT: (0.05, 0.002),  # nicknames in ~5 % of records; few random pairs
    NameLevel.PHONETIC: (0.03, 0.004),
    NameLevel.SIMILAR: (0.03, 0.003),  # one typo in ~3 % of records
    NameLevel.OTHER_NAME: (0.015, 0.003),  # known by a middle name
    NameLevel.INITIAL: (0.01, 0.006),  # initial only: weak, near neutral
    # A wholly different given name for the same person is rare once aliases, nicknames and
    # typos are accounted for.
    NameLevel.DIFFERENT: (0.015, 0.97),
}


_FAMILY_MU: dict[NameLevel, tuple[float, float]] = {
    # Family names are rarer than given names (u ~0.3 % on average: Smith is ~1 %).
    NameLevel.EXACT: (0.88, 0.003),
    NameLevel.VARIANT: (0.01, 0.0005),
    NameLevel.PHONETIC: (0.03, 0.001),
    NameLevel.SIMILAR: (0.03, 0.001),
    NameLevel.OTHER_NAME: (0.02, 0.0005),  # Smith-Jones vs Smith
    NameLevel.INITIAL: (0.003, 0.004),
    # Marriage, a parent's surname, or a different name given to police: ~3 %.
    NameLevel.DIFFERENT: (0.03, 0.99),
}


# Given and family names recorded the wrong way round (common with names from cultures that
# put the family name first, and with two "given-looking" names): the cross-comparison's
# weights are used, less this many bits, because a swap is less likely than a straight match.
_SWAP_PENALTY = 2.0


_DOB_MU: dict[DobLevel, tuple[float, float]] = {
    # Births here span ~49 years, so two random people share a date with chance ~1/18,000;
    # u is set ten times higher because twins, siblings and default dates (01/01) break the
    # independence the model assumes.
    DobLevel.EXACT: (0.90, 0.0006),
    DobLevel.TRANSPOSED: (0.02, 0.0002),  # US-style entry: 1 in 50 records
    DobLevel.YEAR_OFF_BY_ONE: (0.008, 0.00011),  # same day and month, one year out
    DobLevel.ONE_DIGIT: (0.03, 0.0015),  # ~25 one-digit neighbours of a date / 18,000
    DobLevel.DIGITS_SWAPPED: (0.01, 0.0004),  # ~7 neighbours of a date / 18,000
    # Same day and month within a few years: a mistyped year. Further apart, it is more
    # often a parent and child of the same name, so it counts as different.
    DobLevel.SAME_DAY_MONTH: (0.005, 0.0006),  # 1/365 x (share of pairs within 5 years)
    # An approximate date is often a guess ("about 30"): agreement on the year is weak.
    DobLevel.APPROXIMATE_SAME_YEAR: (0.5, 0.03),  # 1/49, raised for clustering of ages
    DobLevel.APPROXIMATE_NEAR_YEAR: (0.3, 0.1),  # within two years
    DobLevel.DIFFERENT: (0.02, 0.99),
}


_POSTCODE_MU: dict[str, tuple[float, float]] = {
    # People move and agencies hold different addresses: only ~50 % agree exactly. u is
    # inflated from ~1/2,000 because relatives (the usual false match) share addresses.
    "exact": (0.50, 0.004),
    "same_outward": (0.20, 0.03),
    "different": (0.30, 0.966),
}


_GENDER_MU: dict[str, tuple[float, float]] = {
    "same": (0.98, 0.55),  # ~85 % of this population is male, so agreement says little
    "different": (0.02, 0.45),
}


# A different identifier of a kind where a person can wrongly get two (a second CRN on
# nDelius, a second CRO) counts against a match, but does not rule it out.
_IDENTIFIER_DIFFERENT_MU: dict[str, tuple[float, float]] = {
    "cro": (0.01, 1.0),
    "crn": (0.05, 1.0),
    "prison": (0.03, 1.0),
    "nhs": (0.01, 1.0),
}


# The prior odds that two records compared are of the same person: about 1 in 10,000,
# roughly the chance for a record against a borough's or a London-wide population.
PRIOR_LOG2_ODDS = math.log2(1 / 10_000)


# Identifiers unique to one person: two records that share one are the same person.
DEFINITE_IDENTIFIER_KINDS: tuple[str, ...] = ("pnc", "cro", "crn", "prison", "nhs")


# Two different PNC IDs mean two people: the PNC merges its own duplicates.
EXCLUDING_IDENTIFIER_KINDS: tuple[str, ...] = ("pnc",)


# Given names, or dates of birth, that disagree completely cap the score below LIKELY: twins
# and siblings share a family name, date of birth and address, and a parent and child a name
# and an address. The weights assume fields agree independently, and over-count these.
CONFLICT_CAP = 0.85


_IDENTIFIER_LABELS = {
    "pnc": "PNC ID",
    "cro": "CRO number",
    "crn": "CRN",
    "prison": "Prison number",
    "nhs": "NHS number",
}


def _weight(mu: tuple[float, float]) -> float:
    return math.log2(mu[0] / mu[1])


_GIVEN_WEIGHTS = {level: _weight(mu) for level, mu in _GIVEN_MU.items()}


_FAMILY_WEIGHTS = {level: _weight(mu) for level, mu in _FAMILY_MU.items()}


_DOB_WEIGHTS = {level: _weight(mu) for level, mu in _DOB_MU.items()}


_POSTCODE_WEIGHTS = {level: _weight(mu) for level, mu in _POSTCODE_MU.items()}


_GENDER_WEIGHTS = {level: _weight(mu) for level, mu in _GENDER_MU.items()}


class NameComparison(NamedTuple):
    level: NameLevel
    text: str  # the reason, without the field name


def _show(value: str) -> str:
    """A name as the agency typed it, spaces tidied: explanations quote the records."""
    return " ".join(value.split()) or "(blank)"


def compare_given_names(a: str, b: str) -> NameComparison:
    """Compare two given names (all their words) and say how they agree."""
    return _compare_names(a, b, given=True)


def compare_family_names(a: str, b: str) -> NameComparison:
    """Compare two family names; the parts of a double-barrelled name count separately."""
    return _compare_names(a, b, given=False)


@lru_cache(maxsize=262_144)
def _compare_names(a: str, b: str, *, given: bool) -> NameComparison:
    tokens_a, tokens_b = name_tokens(a), name_tokens(b)
    if not tokens_a or not tokens_b:
        return NameComparison(NameLevel.MISSING, "not recorded on both")
    shown = f"({_show(a)} / {_show(b)})"
    # Given names compare on the first word (the one people use); family names compare
    # whole, with spaces and hyphens removed, so "Mc Donald" = "McDonald".
    whole_a = tokens_a[0] if given else "".join(tokens_a)
    whole_b = tokens_b[0] if given else "".join(tokens_b)
    if whole_a == whole_b:
        return NameComparison(NameLevel.EXACT, f"same ({whole_a.title() if given else _show(a)})")
    if given and len(whole_a) > 1 and len(whole_b) > 1:
        if whole_b in _TABLES.variants.get(whole_a, ()):
            return NameComparison(NameLevel.VARIANT, _variant_text(whole_a, whole_b))
    if min(len(whole_a), len(whole_b)) > 1:
        if _sounds_alike(whole_a, whole_b):
            return NameComparison(NameLevel.PHONETIC, f"sound alike {shown}")
        similarity = _similarity(whole_a, whole_b)
        one_edit = min(len(whole_a), len(whole_b)) >= 3 and OSA.distance(whole_a, whole_b) == 1
        if similarity >= _SIMILAR_MIN or one_edit:
            if given and whole_a in _KNOWN_GIVEN_NAMES and whole_b in _KNOWN_GIVEN_NAMES:
                # Two real names a letter apart (Dean / Sean, Daniel / Danielle) are two
                # names, not a typing slip: siblings are often named this way.
                return NameComparison(NameLevel.DIFFERENT, f"different names {shown}")
            if one_edit:
                return NameComparison(NameLevel.SIMILAR, f"one letter different {shown}")
            return NameComparison(
                NameLevel.SIMILAR, f"spelt similarly {shown}, similarity {similarity:.2f}"
            )
    if not given and whole_a in _TABLES.spelling_of.get(whole_b, ()):
        return NameComparison(NameLevel.VARIANT, _variant_text(whole_a, whole_b))
    common = set(tokens_a) & set(tokens_b)
    if common:
        what = "a middle name" if given else "one part of a double-barrelled name"
        return NameComparison(
            NameLevel.OTHER_NAME, f"{sorted(common)[0].title()} is {what} in common {shown}"
        )
    if given and (len(whole_a) == 1 or len(whole_b) == 1) and whole_a[0] == whole_b[0]:
        return NameComparison(NameLevel.INITIAL, f"only an initial agrees {shown}")
    return NameComparison(NameLevel.DIFFERENT, f"different {shown}")


# Same day and month up to this many years apart reads as a mistyped year.
_MISTYPED_YEAR_SPAN = 5


def _fmt(day: date) -> str:
    # Not strftime: it writes year 999 as "999", and the digit comparison below needs
    # every date as the same eight digits.
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def _digits(day: date) -> str:
    return f"{day.day:02d}{day.month:02d}{day.year:04d}"


@lru_cache(maxsize=262_144)
def compare_dob(
    a: date | None, b: date | None, *, approximate: bool = False
) -> tuple[DobLevel, str]:
    """The level at which two dates of birth agree, and a sentence saying so.

    `approximate` is true when either date is only known roughly: then only the years count.
    """
    if a is None or b is None:
        return DobLevel.MISSING, "not recorded on both"
    if approximate:
        if a.year == b.year:
            return DobLevel.APPROXIMATE_SAME_YEAR, f"approximate, same year ({a.year})"
        if abs(a.year - b.year) <= 2:
            return (
                DobLevel.APPROXIMATE_NEAR_YEAR,
                f"approximate, years close ({a.year} vs {b.year})",
            )
        return DobLevel.DIFFERENT, f"approximate and years far apart ({a.year} vs {b.year})"
    if a == b:
        return DobLevel.EXACT, f"same ({_fmt(a)})"
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return (
            DobLevel.TRANSPOSED,
            f"day and month swapped ({a:%d/%m} vs {b:%d/%m}, {a.year})",
        )
    # Formatted only past the common cases: the batch job compares millions of pairs.
    shown = f"({_fmt(a)} vs {_fmt(b)})"
    if a.day == b.day and a.month == b.month:
        if abs(a.year - b.year) == 1:
            return DobLevel.YEAR_OFF_BY_ONE, f"same day and month, year one out {shown}"
    text_a, text_b = _digits(a), _digits(b)
    differing = [i for i, (x, y) in enumerate(zip(text_a, text_b, strict=True)) if x != y]
    if len(differing) == 1:
        return DobLevel.ONE_DIGIT, f"one digit differs {shown}"
    if (
        len(differing) == 2
        and differing[1] == differing[0] + 1
        and text_a[differing[0]] == text_b[differing[1]]
        and text_a[differing[1]] == text_b[differing[0]]
    ):
        return DobLevel.DIGITS_SWAPPED, f"two digits typed the wrong way round {shown}"
    if a.day == b.day and a.month == b.month and abs(a.year - b.year) <= _MISTYPED_YEAR_SPAN:
        return DobLevel.SAME_DAY_MONTH, f"same day and month, different year {shown}"
    return DobLevel.DIFFERENT, f"different {shown}"


def _normalise_gender(value: str) -> str:
    text = value.strip().casefold()
    if text in ("m", "male", "man", "boy"):
        return "m"
    if text in ("f", "female", "woman", "girl"):
        return "f"
    if text in ("", "u", "unknown", "not known", "not stated", "prefer not to say", "n/k"):
        return ""
    return text


def _normalise_identifier(kind: str, value: str) -> str:
    try:
        return validate_identifier(kind, value)
    except ValueError:
        # An invalid value still identifies the same typed text on both sides.
        return re.sub(r"\s+", "", value).upper()
