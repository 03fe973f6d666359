"""An age ("34") or a year of birth ("1990") on a list, read as an approximate date of birth.

The record keeps a date and marks it approximate
(`Nominal.dob_approximate`), and the matching engine then compares only the years, with a
year either side still counting as close: the date chosen is the middle of the span the
age or year allows, so that year is the likeliest one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from core.validators import EARLIEST_DATE_OF_BIRTH

# The same first year as every other entry point (core.validators).
EARLIEST_BIRTH_YEAR = EARLIEST_DATE_OF_BIRTH.year
OLDEST_AGE = 120

_AGE = re.compile(r"^(\d{1,3})(?:\.0+)?(?:\s*(?:years?|yrs?|y)(?:\s*old)?)?$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})(?:\.0+)?$")


@dataclass(frozen=True)
class ApproximateBirth:
    """A date of birth known only roughly, and what it was read from, for the page."""

    date_of_birth: date
    source: str  # "age 34", "year of birth 1990"

    @property
    def note(self) -> str:
        return f"Approximate date of birth: born about {self.date_of_birth.year}, from the {self.source}"


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def parse_age(text: str, *, today: date) -> ApproximateBirth:
    """An age in whole years ("34", "34 years") as the middle of the year of dates of birth
    it allows. Raises ValueError in words for the coordinator."""
    value = " ".join(text.split())
    match = _AGE.match(value)
    if not match:
        raise ValueError(f"'{value}' is not an age: write it as a number of years, like 34")
    age = int(match.group(1))
    if age > OLDEST_AGE:
        raise ValueError(f"The age {age} is more than {OLDEST_AGE} years")
    # Someone aged 34 today was born after this day 35 years ago and on or before this day
    # 34 years ago: the middle of that span.
    latest = _years_before(today, age)
    born = latest - timedelta(days=182)
    if born.year < EARLIEST_BIRTH_YEAR:
        raise ValueError(f"The age {age} means a date of birth before {EARLIEST_BIRTH_YEAR}")
    return ApproximateBirth(born, f"age {age}")


def parse_birth_year(text: str, *, today: date) -> ApproximateBirth:
    """A year of birth ("1990") as the middle of that year (or of its part so far).
    Raises ValueError in words for the coordinator."""
    value = " ".join(text.split())
    match = _YEAR.match(value)
    if not match:
        raise ValueError(f"'{value}' is not a year of birth: write it with 4 numbers, like 1990")
    year = int(match.group(1))
    if year > today.year:
        raise ValueError(f"The year of birth {year} is in the future")
    if year < EARLIEST_BIRTH_YEAR:
        raise ValueError(f"The year of birth {year} is before {EARLIEST_BIRTH_YEAR}")
    middle = date(year, 7, 1)
    return ApproximateBirth(min(middle, today), f"year of birth {year}")


def looks_like_year(text: str) -> bool:
    """A value that is a year alone ("1990"), as some lists write a date of birth."""
    return bool(_YEAR.match(" ".join(text.split())))
