"""Splitting a list's one name column ("FLYNN, Guy", "Eric Taylor") into family name and
given names, by a rule the coordinator is shown and can change.

Plain Python, no Django. Whatever order the coordinator chooses, what the name itself says
wins, because agencies write names in ways that mark the family name:
1. a comma: the family name comes before it ("FLYNN, Guy", "Smith-Jones, Mary Ann");
2. capitals: words wholly in capitals at one end of the name, among words that are not,
   are the family name ("Guy FLYNN", "FLYNN Guy", "Mary Ann SMITH JONES");
3. otherwise the order: given names first takes the last word as the family name ("Eric
   Taylor"), family name first takes the first word ("Taylor Eric").
Words such as "de", "van" and "al" stay with the family name ("Maria de la Cruz"), hyphens
and apostrophes keep a name whole ("Smith-Jones", "O'Neil"), and titles (Mr, Ms, Dr) are
left out. A family name of two words with neither a hyphen, a comma nor capitals cannot be
told from a middle name, so it is read by the order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class NameOrder(StrEnum):
    GIVEN_FIRST = "given_first"
    FAMILY_FIRST = "family_first"


def read_order(value: str | None) -> NameOrder:
    """A stored or posted order; given names first when it is missing or unknown."""
    return (
        NameOrder(value) if value in {order.value for order in NameOrder} else NameOrder.GIVEN_FIRST
    )


ORDER_LABELS = {
    NameOrder.GIVEN_FIRST: "Given names first, like Eric Taylor",
    NameOrder.FAMILY_FIRST: "Family name first, like Taylor Eric",
}

# How the page states the rule beside the chosen order.
RULE = (
    "A comma marks the family name before it (FLYNN, Guy). Words in capitals among words "
    "that are not are the family name, at either end (Guy FLYNN, FLYNN Guy). Otherwise the "
    "order you choose decides which end the family name is. Words such as de, van and al stay "
    "with the family name (Maria de la Cruz), hyphenated names stay whole (Smith-Jones) and "
    "titles such as Mr and Ms are left out."
)

# Words that begin a family name rather than end the given names, compared lower case.
PARTICLES = frozenset(
    {
        "da",
        "das",
        "de",
        "del",
        "della",
        "der",
        "des",
        "di",
        "dos",
        "du",
        "la",
        "le",
        "van",
        "von",
        "ten",
        "ter",
        "bin",
        "ibn",
        "al",
        "el",
        "st",
        "st.",
        "mac",
    }
)
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "sir", "rev", "prof"})


@dataclass(frozen=True)
class SplitName:
    """A name split into its parts, and which rule decided (for the page)."""

    given: str
    family: str
    rule: str  # "comma", "capitals" or the order's value


def _is_title(word: str) -> bool:
    return word.rstrip(".").casefold() in TITLES


def _without_titles(words: list[str]) -> list[str]:
    while words and _is_title(words[0]):
        words = words[1:]
    return words


def _letters(word: str) -> str:
    return "".join(character for character in word if character.isalpha())


def _in_capitals(word: str) -> bool:
    """A word of two or more letters, all capitals: "FLYNN", "O'NEIL", "SMITH-JONES"."""
    letters = _letters(word)
    return len(letters) >= 2 and letters.isupper()


def _is_particle(word: str) -> bool:
    return word.casefold() in PARTICLES


def _capitals_block(words: list[str]) -> tuple[int, int] | None:
    """(start, end) of the words in capitals when they are one run at either end of the
    name and some words are not in capitals; None when capitals say nothing."""
    marked = [_in_capitals(word) for word in words]
    if all(marked) or not any(marked):
        return None
    first = marked.index(True)
    last = len(marked) - 1 - marked[::-1].index(True)
    if not all(marked[first : last + 1]):
        return None
    if first == 0:
        return 0, last + 1
    if last == len(words) - 1:
        return first, len(words)
    return None


def _family_at_end(words: list[str], start: int) -> tuple[list[str], list[str]]:
    """(given, family) with the family name from `start`, taking the particles before it
    ("Maria de la Cruz") while a given name remains."""
    while start > 1 and _is_particle(words[start - 1]):
        start -= 1
    return words[:start], words[start:]


def _family_at_start(words: list[str], end: int) -> tuple[list[str], list[str]]:
    """(given, family) with the family name before `end`; a family name that begins with
    particles ("de la Cruz Maria") runs on to the first word that is not one."""
    while end < len(words) - 1 and _is_particle(words[end - 1]):
        end += 1
    return words[end:], words[:end]


def split_full_name(text: str, order: NameOrder | str) -> SplitName:
    """Family name and given names from one name as the list writes it. Raises ValueError,
    in words for the coordinator, when the name has fewer than two parts."""
    name = " ".join(text.split())
    if "," in name:
        family_part, _, given_part = name.partition(",")
        family = " ".join(_without_titles(family_part.split()))
        given = " ".join(_without_titles(given_part.replace(",", " ").split()))
        if not family or not given:
            raise ValueError(
                f"The name '{name}' has a comma but not a name on both sides of it: write it "
                "as family name, given names (FLYNN, Guy)"
            )
        return SplitName(given, family, "comma")
    words = _without_titles(name.split())
    if len(words) < 2:
        raise ValueError(
            f"The name '{name}' has only one name in it: the list needs a family name and a given name "
            "for each person"
        )
    block = _capitals_block(words)
    if block is not None:
        start, end = block
        given_words, family_words = (
            _family_at_start(words, end) if start == 0 else _family_at_end(words, start)
        )
        return SplitName(" ".join(given_words), " ".join(family_words), "capitals")
    if NameOrder(order) == NameOrder.FAMILY_FIRST:
        given_words, family_words = _family_at_start(words, 1)
    else:
        given_words, family_words = _family_at_end(words, len(words) - 1)
    return SplitName(" ".join(given_words), " ".join(family_words), str(NameOrder(order)))


def guess_order(names: Iterable[str]) -> NameOrder | None:
    """The order the list's names seem to be written in, from the names whose commas or
    capitals show where the family name is; None when none of them show it."""
    family_first = given_first = 0
    for text in names:
        if "," in text:
            family_first += 1
            continue
        words = _without_titles(text.split())
        block = _capitals_block(words) if len(words) > 1 else None
        if block is None:
            continue
        if block[0] == 0:
            family_first += 1
        else:
            given_first += 1
    if family_first == given_first == 0:
        return None
    return NameOrder.FAMILY_FIRST if family_first > given_first else NameOrder.GIVEN_FIRST
