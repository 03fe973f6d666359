"""Date rules for panel meetings: "the Nth weekday of each month", without the database.

A rule names a week of the month (1 to 5, or -1 for the last) and a weekday (Monday 0 to
Sunday 6, as `date.weekday()` counts). The fifth such weekday exists in some months only;
a fifth-weekday rule produces no date in the others rather than slipping to the next month.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Protocol

LAST = -1


class DateRule(Protocol):
    """Anything with a week of the month and a weekday, such as a MeetingRule."""

    week: int
    weekday: int


def nth_weekday(year: int, month: int, *, week: int, weekday: int) -> date | None:
    """The date of the `week`-th `weekday` of the month, the last one for week -1, or None
    when the month has no such day (a fifth Wednesday in a month with four)."""
    if not (week == LAST or 1 <= week <= 5) or not 0 <= weekday <= 6:
        raise ValueError(f"no such rule: week {week}, weekday {weekday}")
    days_in_month = calendar.monthrange(year, month)[1]
    if week == LAST:
        last = date(year, month, days_in_month)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    day = 1 + (weekday - first.weekday()) % 7 + (week - 1) * 7
    return date(year, month, day) if day <= days_in_month else None


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def occurrences(rule: DateRule, start: date, end: date) -> list[date]:
    """Every date the rule gives from `start` to `end`, both included, in order."""
    found: list[date] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        day = nth_weekday(year, month, week=rule.week, weekday=rule.weekday)
        if day is not None and start <= day <= end:
            found.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found
