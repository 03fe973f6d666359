"""Reporting periods: financial years (April to March), quarters and chosen dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("A period ends on or after the day it starts")

    @property
    def label(self) -> str:
        fy = financial_year_of(self.start)
        if self == financial_year(fy):
            return f"{fy}-{(fy + 1) % 100:02d}"
        for quarter in range(1, 5):
            if self == financial_quarter(fy, quarter):
                return f"Q{quarter} {fy}-{(fy + 1) % 100:02d}"
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def months(self) -> list[date]:
        """The first day of each calendar month the period touches."""
        month = self.start.replace(day=1)
        months = []
        while month <= self.end:
            months.append(month)
            month += relativedelta(months=1)
        return months

    @property
    def month_count(self) -> float:
        """The period's length in months, for monthly averages (a year counts as 12)."""
        whole = relativedelta(self.end + timedelta(days=1), self.start)
        months = whole.years * 12 + whole.months
        rest = (self.end + timedelta(days=1)) - (self.start + relativedelta(months=months))
        return months + rest.days / 30.4375

    def previous(self) -> Period:
        """The period of the same length just before this one (a year for a year)."""
        fy = financial_year_of(self.start)
        if self == financial_year(fy):
            return financial_year(fy - 1)
        for quarter in range(1, 5):
            if self == financial_quarter(fy, quarter):
                return (
                    financial_quarter(fy, quarter - 1)
                    if quarter > 1
                    else financial_quarter(fy - 1, 4)
                )
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "label": self.label}


def financial_year_of(day: date) -> int:
    """The year a day's financial year starts in: 1 April 2026 to 31 March 2027 is 2026."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year(year: int) -> Period:
    return Period(date(year, 4, 1), date(year + 1, 3, 31))


def financial_quarter(year: int, quarter: int) -> Period:
    """Quarter 1 is April to June of `year`; quarter 4 is January to March of `year + 1`."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("A quarter is 1, 2, 3 or 4")
    start = date(year, 4, 1) + relativedelta(months=3 * (quarter - 1))
    return Period(start, start + relativedelta(months=3) - timedelta(days=1))


def last_complete_financial_year(today: date) -> Period:
    return financial_year(financial_year_of(today) - 1)
