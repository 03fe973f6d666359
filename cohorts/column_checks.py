"""Whether a column's values look like the detail it is chosen for: "18 of 20 look like a
date of birth", "0 of 20 look like a probation CRN".

Plain Python, no Django. Suggestions are checked with it (a column whose values do not fit
is never suggested), the columns page shows it beside each column, and a choice whose
values do not fit is refused as a wrong choice of column, not as bad data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from cohorts.birth_dates import looks_like_year, parse_age, parse_birth_year
from cohorts.importing import FIELDS_BY_KEY, GENDERS, parse_date_of_birth
from cohorts.names import split_full_name
from core.forms import POSTCODE
from matching.identifiers import validate_identifier

# The most values of a column checked: enough to judge it, quick for a list of thousands.
CHECKED_VALUES = 500
# Examples of a column's values shown on the page.
SAMPLES = 3
# A column fits a detail when at least this share of its values look like it.
FITS_ENOUGH = 0.5


# What a fitting value looks like, for "18 of 20 look like ...".
LOOKS_LIKE = {
    "family_name": "a name",
    "given_names": "a name",
    "full_name": "a whole name (family and given names)",
    "date_of_birth": "a date of birth",
    "year_of_birth": "a year of birth",
    "age": "an age",
    "gender": "a gender",
    "postcode": "a UK postcode",
    "pnc": "a PNC ID (like 08/0056560Z)",
    "cro": "a CRO number (like 123456/08B)",
    "crn": "a probation CRN (a letter and six digits)",
    "prison": "a prison number (like A1234BC)",
    "nhs": "an NHS number (ten digits with a valid check digit)",
    "local": "a local reference",
}


def _passes(check: Callable[..., object]) -> Callable[[str, date], bool]:
    def fits(text: str, today: date) -> bool:
        try:
            check(text, today=today)
        except ValueError:
            return False
        return True

    return fits


def _name(text: str, today: date) -> bool:
    """Mostly letters: a name, not a date, a number or a reference."""
    characters = [character for character in text if not character.isspace()]
    letters = sum(1 for character in characters if character.isalpha())
    return letters > len(characters) / 2


def _whole_name(text: str, today: date) -> bool:
    if not _name(text, today):
        return False
    try:
        split_full_name(text, "given_first")
    except ValueError:
        return False
    return True


def _birth_date(text: str, today: date) -> bool:
    reader = parse_birth_year if looks_like_year(text) else parse_date_of_birth
    return _passes(reader)(text, today)


def _identifier(kind: str) -> Callable[[str, date], bool]:
    def fits(text: str, today: date) -> bool:
        try:
            validate_identifier(kind, text)
        except ValueError:
            return False
        return True

    return fits


CHECKS: dict[str, Callable[[str, date], bool]] = {
    "family_name": _name,
    "given_names": _name,
    "full_name": _whole_name,
    "date_of_birth": _birth_date,
    "year_of_birth": _passes(parse_birth_year),
    "age": _passes(parse_age),
    "gender": lambda text, today: text.casefold() in GENDERS,
    "postcode": lambda text, today: bool(POSTCODE.match(text.upper())),
    **{kind: _identifier(kind) for kind in ("pnc", "cro", "crn", "prison", "nhs", "local")},
}


@dataclass(frozen=True)
class ColumnFit:
    """How many of a column's (first CHECKED_VALUES filled) values look like a detail."""

    key: str
    heading: str
    fitting: int
    filled: int
    checked_all: bool  # every filled value of the column was checked

    @property
    def fits(self) -> bool:
        """An empty column says nothing against the choice."""
        return not self.filled or self.fitting >= self.filled * FITS_ENOUGH

    @property
    def text(self) -> str:
        label = LOOKS_LIKE[self.key]
        if not self.filled:
            return "The column is empty"
        verb = "looks" if self.fitting == 1 else "look"
        of = f"{self.filled}" if self.checked_all else f"the first {self.filled}"
        return f"{self.fitting} of {of} {verb} like {label}"


def filled_values(rows: Iterable[Mapping[str, object]], heading: str) -> list[str]:
    """The column's first CHECKED_VALUES values that are not blank, as read."""
    found = []
    for values in rows:
        text = " ".join(str(values.get(heading, "")).split())
        if text:
            found.append(text)
            if len(found) > CHECKED_VALUES:
                break
    return found


def column_fit(key: str, heading: str, values: Sequence[str], *, today: date) -> ColumnFit:
    """How well `values` (from `filled_values`) fit the detail `key`."""
    checked = values[:CHECKED_VALUES]
    check = CHECKS[key]
    return ColumnFit(
        key=key,
        heading=heading,
        fitting=sum(1 for text in checked if check(text, today)),
        filled=len(checked),
        checked_all=len(values) <= CHECKED_VALUES,
    )


def _in_a_sentence(label: str) -> str:
    """ "Date of birth" as "date of birth", but "PNC ID" and "NHS number" as written."""
    return label[0].lower() + label[1:] if label[1:2].islower() else label


def wrong_choice_message(fit: ColumnFit, examples: Sequence[str]) -> str:
    """The message for a column chosen for a detail its values do not look like: the
    choice looks wrong, the data is not blamed."""
    label = _in_a_sentence(FIELDS_BY_KEY[fit.key].label)
    shown = ", ".join(f"'{text}'" for text in examples[:SAMPLES])
    return (
        f"The column '{fit.heading}' does not look like the {label}: {fit.text}, for example "
        f"{shown}. The choice of column looks wrong: check you chose the right one, or "
        "choose 'Not in this list'"
    )
