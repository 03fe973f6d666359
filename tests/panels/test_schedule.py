"""The meeting date rules, checked against the calendar: dates written out by hand."""

from dataclasses import dataclass
from datetime import date

import pytest

from meetings.schedule import add_months, month_end, nth_weekday, occurrences

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


@dataclass
class Rule:
    week: int
    weekday: int


def test_first_wednesday_of_each_month():
    assert occurrences(Rule(1, WED), date(2026, 1, 1), date(2026, 6, 30)) == [
        date(2026, 1, 7),
        date(2026, 2, 4),
        date(2026, 3, 4),
        date(2026, 4, 1),  # April starts on a Wednesday
        date(2026, 5, 6),
        date(2026, 6, 3),
    ]


def test_third_wednesday_for_the_iom_mid_month_panel():
    assert occurrences(Rule(3, WED), date(2026, 3, 1), date(2026, 5, 31)) == [
        date(2026, 3, 18),
        date(2026, 4, 15),
        date(2026, 5, 20),
    ]


def test_fifth_wednesday_only_in_months_that_have_one():
    assert occurrences(Rule(5, WED), date(2026, 1, 1), date(2026, 12, 31)) == [
        date(2026, 4, 29),
        date(2026, 7, 29),
        date(2026, 9, 30),
        date(2026, 12, 30),
    ]


@pytest.mark.parametrize("month", [1, 2, 3, 5, 6, 8, 10, 11])
def test_months_without_a_fifth_wednesday_give_no_date_rather_than_next_months(month):
    assert nth_weekday(2026, month, week=5, weekday=WED) is None


@pytest.mark.parametrize("weekday", range(7))
def test_february_of_a_non_leap_year_starting_on_a_sunday_has_no_fifth_anything(weekday):
    # February 2026 is exactly four weeks long, Sunday 1st to Saturday 28th.
    assert nth_weekday(2026, 2, week=5, weekday=weekday) is None


def test_february_of_a_leap_year_has_a_fifth_of_its_first_weekday():
    assert nth_weekday(2024, 2, week=5, weekday=THU) == date(2024, 2, 29)
    assert nth_weekday(2024, 2, week=5, weekday=FRI) is None
    assert nth_weekday(2028, 2, week=5, weekday=TUE) == date(2028, 2, 29)
    assert nth_weekday(2032, 2, week=5, weekday=SUN) == date(2032, 2, 29)


def test_last_thursday_of_february_in_leap_and_non_leap_years():
    assert nth_weekday(2024, 2, week=-1, weekday=THU) == date(2024, 2, 29)
    assert nth_weekday(2025, 2, week=-1, weekday=THU) == date(2025, 2, 27)
    assert nth_weekday(2026, 2, week=-1, weekday=SAT) == date(2026, 2, 28)
    assert nth_weekday(2026, 2, week=-1, weekday=SUN) == date(2026, 2, 22)


def test_last_thursday_when_the_month_ends_on_a_thursday_is_its_last_day():
    assert nth_weekday(2026, 4, week=-1, weekday=THU) == date(2026, 4, 30)
    assert nth_weekday(2026, 12, week=-1, weekday=THU) == date(2026, 12, 31)
    assert nth_weekday(2027, 9, week=-1, weekday=THU) == date(2027, 9, 30)


def test_last_thursday_for_the_dip_panel_over_a_quarter():
    assert occurrences(Rule(-1, THU), date(2026, 1, 1), date(2026, 3, 31)) == [
        date(2026, 1, 29),
        date(2026, 2, 26),
        date(2026, 3, 26),
    ]


def test_last_weekday_when_it_is_the_fifth_and_when_it_is_the_fourth():
    # The last Wednesday is the fifth in April 2026 and the fourth in May 2026.
    assert nth_weekday(2026, 4, week=-1, weekday=WED) == date(2026, 4, 29)
    assert nth_weekday(2026, 5, week=-1, weekday=WED) == date(2026, 5, 27)


def test_rules_run_from_december_into_january():
    assert occurrences(Rule(1, WED), date(2026, 12, 1), date(2027, 1, 31)) == [
        date(2026, 12, 2),
        date(2027, 1, 6),
    ]
    assert occurrences(Rule(-1, THU), date(2026, 12, 1), date(2027, 2, 28)) == [
        date(2026, 12, 31),
        date(2027, 1, 28),
        date(2027, 2, 25),
    ]


def test_start_and_end_are_both_included_and_dates_outside_are_not():
    assert occurrences(Rule(1, WED), date(2026, 1, 7), date(2026, 2, 4)) == [
        date(2026, 1, 7),
        date(2026, 2, 4),
    ]
    assert occurrences(Rule(1, WED), date(2026, 1, 8), date(2026, 2, 3)) == []


def test_an_empty_window_gives_nothing():
    assert occurrences(Rule(1, WED), date(2026, 3, 1), date(2026, 2, 1)) == []


def test_first_weekday_when_the_month_starts_on_it():
    assert nth_weekday(2026, 7, week=1, weekday=WED) == date(2026, 7, 1)
    assert nth_weekday(2026, 7, week=1, weekday=TUE) == date(2026, 7, 7)


@pytest.mark.parametrize(("week", "weekday"), [(0, WED), (6, WED), (-2, WED), (1, 7), (1, -1)])
def test_impossible_rules_are_refused(week, weekday):
    with pytest.raises(ValueError, match="no such rule"):
        nth_weekday(2026, 1, week=week, weekday=weekday)


def test_add_months_keeps_the_day_or_takes_the_shorter_months_last():
    assert add_months(date(2026, 1, 15), 3) == date(2026, 4, 15)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)


def test_month_end():
    assert month_end(date(2026, 2, 10)) == date(2026, 2, 28)
    assert month_end(date(2024, 2, 1)) == date(2024, 2, 29)
    assert month_end(date(2026, 12, 31)) == date(2026, 12, 31)
