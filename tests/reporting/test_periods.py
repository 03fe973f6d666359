"""Reporting periods: financial years run from 1 April to 31 March, in four quarters."""

from __future__ import annotations

from datetime import date

import pytest

from reporting.periods import (
    Period,
    financial_quarter,
    financial_year,
    financial_year_of,
    last_complete_financial_year,
)


class TestFinancialYears:
    @pytest.mark.parametrize(
        ("day", "year"),
        [
            (date(2026, 3, 31), 2025),  # the last day of 2025-26
            (date(2026, 4, 1), 2026),  # the first day of 2026-27
            (date(2025, 12, 31), 2025),
        ],
    )
    def test_the_year_a_day_falls_in(self, day: date, year: int):
        assert financial_year_of(day) == year

    def test_a_year_runs_from_april_to_march(self):
        year = financial_year(2025)

        assert (year.start, year.end) == (date(2025, 4, 1), date(2026, 3, 31))
        assert year.label == "2025-26"
        assert year.days == 365  # 30+31+30+31+31+30+31+30+31+31+28+31

    def test_a_year_holding_29_february_has_366_days(self):
        assert financial_year(2023).days == 366  # April 2023 to March 2024

    def test_the_label_of_the_year_ending_in_a_new_century(self):
        assert financial_year(2099).label == "2099-00"

    @pytest.mark.parametrize(
        ("today", "year"),
        [(date(2026, 3, 31), 2024), (date(2026, 4, 1), 2025)],
    )
    def test_the_last_complete_year(self, today: date, year: int):
        # On 31 March 2026 the year 2025-26 is not over, so the last complete is 2024-25.
        assert last_complete_financial_year(today) == financial_year(year)


class TestQuarters:
    @pytest.mark.parametrize(
        ("quarter", "start", "end", "label"),
        [
            (1, date(2025, 4, 1), date(2025, 6, 30), "Q1 2025-26"),
            (2, date(2025, 7, 1), date(2025, 9, 30), "Q2 2025-26"),
            (3, date(2025, 10, 1), date(2025, 12, 31), "Q3 2025-26"),
            (4, date(2026, 1, 1), date(2026, 3, 31), "Q4 2025-26"),
        ],
    )
    def test_the_four_quarters(self, quarter: int, start: date, end: date, label: str):
        period = financial_quarter(2025, quarter)

        assert (period.start, period.end, period.label) == (start, end, label)

    @pytest.mark.parametrize("quarter", [0, 5])
    def test_there_is_no_other_quarter(self, quarter: int):
        with pytest.raises(ValueError, match="A quarter is 1, 2, 3 or 4"):
            financial_quarter(2025, quarter)


class TestPeriods:
    def test_a_period_cannot_end_before_it_starts(self):
        with pytest.raises(ValueError, match="A period ends on or after the day it starts"):
            Period(date(2026, 1, 2), date(2026, 1, 1))

    def test_a_single_day_is_a_period_of_one_day(self):
        assert Period(date(2026, 1, 1), date(2026, 1, 1)).days == 1

    def test_a_chosen_period_is_labelled_with_its_dates(self):
        period = Period(date(2026, 1, 1), date(2026, 1, 15))

        assert period.label == "1 January 2026 to 15 January 2026"
        assert period.as_dict() == {
            "start": "2026-01-01",
            "end": "2026-01-15",
            "label": "1 January 2026 to 15 January 2026",
        }

    def test_the_months_a_period_touches(self):
        period = Period(date(2025, 11, 15), date(2026, 2, 1))

        # Part of November, December, January and the first of February.
        assert period.months() == [
            date(2025, 11, 1),
            date(2025, 12, 1),
            date(2026, 1, 1),
            date(2026, 2, 1),
        ]

    @pytest.mark.parametrize(
        ("period", "months"),
        [
            pytest.param(financial_year(2025), 12.0, id="a year is 12"),
            pytest.param(financial_year(2023), 12.0, id="a leap year is 12 too"),
            pytest.param(financial_quarter(2025, 4), 3.0, id="a quarter is 3"),
            # 1 to 15 January: 15 days of an average month of 365.25 / 12 = 30.4375 days.
            pytest.param(
                Period(date(2026, 1, 1), date(2026, 1, 15)), 15 / 30.4375, id="half a month"
            ),
            # 1 April to 15 May: one whole month and 15 days.
            pytest.param(
                Period(date(2025, 4, 1), date(2025, 5, 15)),
                1 + 15 / 30.4375,
                id="a month and a half",
            ),
        ],
    )
    def test_the_number_of_months_for_monthly_averages(self, period: Period, months: float):
        assert period.month_count == pytest.approx(months)


class TestThePeriodBefore:
    def test_a_year_is_compared_with_the_year_before(self):
        assert financial_year(2025).previous() == financial_year(2024)

    def test_a_quarter_is_compared_with_the_quarter_before(self):
        assert financial_quarter(2025, 3).previous() == financial_quarter(2025, 2)

    def test_the_first_quarter_is_compared_with_the_last_of_the_year_before(self):
        # Q1 2025-26 (April to June 2025) follows Q4 2024-25 (January to March 2025).
        assert financial_quarter(2025, 1).previous() == Period(date(2025, 1, 1), date(2025, 3, 31))

    def test_a_chosen_period_is_compared_with_as_many_days_just_before(self):
        # 11 to 20 January is 10 days; the 10 days before are 1 to 10 January.
        period = Period(date(2026, 1, 11), date(2026, 1, 20))

        assert period.previous() == Period(date(2026, 1, 1), date(2026, 1, 10))
