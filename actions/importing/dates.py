"""Due dates as plans write them: a date, a month ("March 2018", "April 16"), a quarter
("Q3", "Q1-Q4", "Q2 2017/18"), a financial year ("2016/17") or "ongoing". Each becomes the
last day of the period it names, and the wording is kept beside it.

Quarters and months written without a year belong to the plan's financial year: the one
its other dates mostly fall in, or, where it gives none, the current one. UK public bodies
count quarters from April, so Q1 ends on 30 June and Q4 on 31 March.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Iterable
from datetime import date

from actions.importing.text import first_date

_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
} | {"sept": 9}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))

# "2016/17", "2016-17", "2016/2017", "FY16/17", "16/17"
_FINANCIAL_YEAR = re.compile(
    r"(?<![\d/])(?:fy\s*)?(?P<first>(?:19|20)?\d{2})\s*[/-]\s*(?P<second>(?:19|20)?\d{2})(?![\d/])",
    re.I,
)
# "Q1", "Q1-Q4", "Q2 & Q3", "Quarter 3"
_QUARTER = re.compile(r"\b(?:q|quarter\s*)(?P<number>[1-4])\b", re.I)
# "April 16", "Apr-16", "Sept '17": a month and a two-digit year.
_MONTH_SHORT_YEAR = re.compile(rf"\b(?P<month>{_MONTH_NAMES})\.?[\s'’-]+(?P<year>\d{{2}})\b", re.I)
# A month alone: "by March", "end of June".
_MONTH_ALONE = re.compile(rf"\b(?P<month>{_MONTH_NAMES})\b", re.I)
_ONGOING = re.compile(
    r"\b(?:on-?going|continuous(?:ly)?|throughout|rolling|business as usual|bau)\b", re.I
)


def financial_year_of(day: date) -> int:
    """The year a UK financial year starts in: 1 April 2017 to 31 March 2018 is 2017."""
    return day.year if day.month >= 4 else day.year - 1


def plan_financial_year(texts: Iterable[str], *, today: date) -> int:
    """The financial year most of a plan's exact dates fall in; the current one if none."""
    years = Counter(
        financial_year_of(found) for text in texts if (found := first_date(text)) is not None
    )
    return years.most_common(1)[0][0] if years else financial_year_of(today)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _quarter_end(start_year: int, quarter: int) -> date:
    month = 3 * quarter + 3  # Q1 ends in June, Q2 in September, Q3 in December
    return _month_end(start_year, month) if month <= 12 else _month_end(start_year + 1, 3)


def _full_year(text: str) -> int:
    value = int(text)
    return value if value >= 100 else 2000 + value


def _financial_year(match: re.Match[str]) -> int | None:
    """The starting year a "2016/17" names, or None where the two years do not follow."""
    first, second = _full_year(match.group("first")), _full_year(match.group("second"))
    return first if second == first + 1 else None


class DueDateReader:
    """Reads due dates for one plan, whose financial year is `financial_year`."""

    def __init__(self, financial_year: int):
        self.financial_year = financial_year

    def due(self, text: str) -> date | None:
        """The last day of the period the text names, or None where it names none."""
        if not text.strip():
            return None
        exact = first_date(text)
        if exact is not None:
            return exact
        year = self.financial_year
        named_year = None
        for match in _FINANCIAL_YEAR.finditer(text):
            named_year = _financial_year(match)
            if named_year is not None:
                break
        if named_year is not None:
            year = named_year
        quarters = [int(match.group("number")) for match in _QUARTER.finditer(text)]
        if quarters:
            return _quarter_end(year, max(quarters))
        short = _MONTH_SHORT_YEAR.search(text)
        if short:
            return _month_end(
                _full_year(short.group("year")), _MONTHS[short.group("month").lower()]
            )
        alone = _MONTH_ALONE.search(text)
        if alone:
            month = _MONTHS[alone.group("month").lower()]
            return _month_end(year if month >= 4 else year + 1, month)
        if named_year is not None or _ONGOING.search(text):
            # A financial year, or work that runs on through the plan's year: its end.
            return _month_end(year + 1, 3)
        return None
