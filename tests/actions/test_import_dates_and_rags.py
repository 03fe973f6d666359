"""Due dates and RAG ratings as other councils' plans write them."""

from __future__ import annotations

from datetime import date

import pytest

from actions.importing.dates import DueDateReader, plan_financial_year
from actions.importing.rag import leading_rating, read_rating
from actions.models import Rag

READER = DueDateReader(2016)  # the financial year 1 April 2016 to 31 March 2017


@pytest.mark.parametrize(
    ("written", "due"),
    [
        ("31 March 2017", date(2017, 3, 31)),
        ("March 2018", date(2018, 3, 31)),
        ("April 16", date(2016, 4, 30)),
        ("Apr-17", date(2017, 4, 30)),
        ("Sept '16", date(2016, 9, 30)),
        ("Q1", date(2016, 6, 30)),
        ("Q3", date(2016, 12, 31)),
        ("Q1-Q4", date(2017, 3, 31)),
        ("Q2 & Q3", date(2016, 12, 31)),
        ("Quarter 2", date(2016, 9, 30)),
        ("Q2 2017/18", date(2017, 9, 30)),
        ("2016/17", date(2017, 3, 31)),
        ("FY 2017-18", date(2018, 3, 31)),
        ("By end of June", date(2016, 6, 30)),
        ("January", date(2017, 1, 31)),
        ("Ongoing", date(2017, 3, 31)),
        ("on-going throughout the year", date(2017, 3, 31)),
        ("", None),
        ("When funding allows", None),
        ("2016-2018", None),
    ],
)
def test_due_dates_become_the_last_day_of_the_period_they_name(written, due):
    assert READER.due(written) == due


def test_the_plans_financial_year_is_the_one_most_of_its_dates_fall_in():
    texts = ["March 2017", "31/12/2016", "Q3", "June 2016", "May 2019"]
    assert plan_financial_year(texts, today=date(2026, 12, 7)) == 2016
    assert plan_financial_year(["Q1", "ongoing"], today=date(2026, 12, 7)) == 2026


@pytest.mark.parametrize(
    ("comment", "rag", "plain_amber", "rest"),
    [
        ("Green - first meeting held", Rag.GREEN, False, "first meeting held"),
        ("GREEN: done", Rag.GREEN, False, "done"),
        ("Amber/Red: funding delayed", Rag.AMBER_RED, False, "funding delayed"),
        ("Amber-Green – on track", Rag.AMBER_GREEN, False, "on track"),
        ("AR: awaiting data", Rag.AMBER_RED, False, "awaiting data"),
        ("(AG) going well", Rag.AMBER_GREEN, False, "going well"),
        ("Amber - slipped a month", Rag.AMBER_RED, True, "slipped a month"),
        ("Red", Rag.RED, False, ""),
        ("Complete. Report signed off", Rag.COMPLETE, False, "Report signed off"),
        ("RAG: Green - all in place", Rag.GREEN, False, "all in place"),
    ],
)
def test_a_rating_at_the_start_of_a_comment_is_read(comment, rag, plain_amber, rest):
    read = leading_rating(comment)
    assert read is not None
    assert (read.rag, read.plain_amber, read.rest) == (rag, plain_amber, rest)


@pytest.mark.parametrize(
    "comment",
    [
        "Red tape has delayed the launch",
        "A meeting was held in May",
        "Greenwich partners agreed the terms",
        "Agreed at the board",
        "",
    ],
)
def test_a_comment_that_only_starts_with_a_colour_word_is_not_a_rating(comment):
    assert leading_rating(comment) is None


@pytest.mark.parametrize(
    ("value", "rag"),
    [("Amber/Green", Rag.AMBER_GREEN), ("AG", Rag.AMBER_GREEN), ("r", Rag.RED), ("G", Rag.GREEN)],
)
def test_a_rag_columns_values_are_read(value, rag):
    read = read_rating(value)
    assert read is not None and read.rag == rag


def test_a_rag_column_value_that_is_not_a_rating_is_none():
    assert read_rating("On track") is None
