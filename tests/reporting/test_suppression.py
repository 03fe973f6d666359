"""Small-number suppression: what a committee is shown of each figure, worked out by hand.

The threshold is the caller's: 5 in most tests, as the reports use by default.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import override_settings

from reporting.figures.compute import compute_figures
from reporting.figures.suppression import present, present_headline, present_table, present_value
from reporting.figures.values import (
    Average,
    Column,
    Count,
    Day,
    Definition,
    Money,
    Row,
    Share,
    Table,
    Text,
    Value,
)
from reporting.periods import financial_quarter
from tests.reporting.conftest import World
from tests.reporting.factories import TargetFactory

PEOPLE = Definition("test_people", "People", "A table of people for the tests.")
ACTIONS = Definition("test_actions", "Actions", "A table of actions.", about_people=False)
HIDDEN_TOO = "hidden so a small number cannot be worked out"


def shown(cell: dict) -> object:
    """What the reader sees in a cell."""
    return cell["display"]


def grid(presented: dict) -> list[list[object]]:
    return [[shown(cell) for cell in row["cells"]] for row in presented["rows"]]


def counts_table(
    values: list[list[int]],
    *,
    total_row: bool = True,
    total_column: bool = True,
    columns: list[Column] | None = None,
    definition: Definition = PEOPLE,
    marks: dict[tuple[int, int], str] | None = None,
) -> Table:
    labels = [f"Row {n}" for n in range(1, len(values))] + ["Total"]
    return Table(
        definition,
        columns or [Column(f"Column {n}") for n in range(1, len(values[0]) + 1)],
        [Row(label, [Count(v) for v in row]) for label, row in zip(labels, values, strict=True)],
        total_row=total_row,
        total_column=total_column,
        marks=marks or {},
    )


# --- One value -------------------------------------------------------------------------------


class TestCounts:
    @pytest.mark.parametrize(
        ("n", "display"),
        [(0, "fewer than 5"), (4, "fewer than 5"), (5, "5"), (1234, "1,234")],
    )
    def test_a_count_below_the_threshold_shows_fewer_than(self, n: int, display: str):
        cell = present_value(Count(n), 5)

        assert cell["display"] == display
        assert cell["suppressed"] is (n < 5)
        # A hidden count keeps no number at all.
        assert cell["value"] == (None if n < 5 else n)

    def test_the_threshold_comes_from_the_caller(self):
        assert present_value(Count(7), 10)["display"] == "fewer than 10"
        assert present_value(Count(7), 5)["display"] == "7"

    def test_no_threshold_shows_everything(self):
        assert present_value(Count(1), None) == {"value": 1, "display": "1", "suppressed": False}

    def test_a_count_that_is_not_about_people_is_shown(self):
        assert present_value(Count(2), 5, about_people=False)["display"] == "2"

    def test_no_value_is_no_target_set(self):
        assert present_value(None, 5)["display"] == "no target set"


class TestShares:
    @pytest.mark.parametrize(
        ("share", "display"),
        [
            # 5 of 10: 5 counted, 5 left out, 10 in all, none below 5: shown, 50%.
            (Share(5, 10), "50% (5 of 10)"),
            # 4 counted: the people counted could be picked out.
            (Share(4, 20), "not shown (fewer than 5 people)"),
            # 16 of 20 leaves out 20 - 16 = 4.
            (Share(16, 20), "not shown (fewer than 5 people)"),
            # 4 in all.
            (Share(2, 4), "not shown (fewer than 5 people)"),
            # 0 counted, 0 in all.
            (Share(0, 0), "not shown (fewer than 5 people)"),
            # 15 of 20 = 75%, leaving 5 out.
            (Share(15, 20), "75% (15 of 20)"),
            # 1,000 of 3,000 = 33.3%, shown to the whole per cent.
            (Share(1000, 3000), "33% (1,000 of 3,000)"),
        ],
    )
    def test_a_share_is_hidden_when_any_of_its_three_counts_is_small(
        self, share: Share, display: str
    ):
        assert present_value(share, 5)["display"] == display

    def test_with_no_threshold_every_share_is_shown(self):
        assert present_value(Share(2, 3), None)["display"] == "67% (2 of 3)"  # 66.7%
        assert present_value(Share(0, 0), None)["display"] == "none to count"
        assert present_value(Share(0, 0), None)["value"] is None


class TestOtherValues:
    def test_money_is_hidden_when_made_from_few_people(self):
        assert present_value(Money(Decimal(342), 5), 5)["display"] == "£342"
        assert present_value(Money(Decimal(-1158), 6), 5)["display"] == "-£1,158"
        assert present_value(Money(Decimal(342), 4), 5)["display"] == (
            "not shown (fewer than 5 people)"
        )

    def test_an_average_is_hidden_when_made_from_a_small_count(self):
        assert present_value(Average(1.5, 18), 5)["display"] == "1.5"
        assert present_value(Average(0.3, 4), 5)["suppressed"] is True

    def test_text_and_dates_are_never_hidden(self):
        assert present_value(Text("ISA-1"), 5)["display"] == "ISA-1"
        assert present_value(Day("2025-05-01"), 5)["display"] == "1 May 2025"
        assert present_value(Day(""), 5)["display"] == "not recorded"


# --- Tables ----------------------------------------------------------------------------------


class TestSecondarySuppression:
    def test_one_small_cell_in_a_row_forces_another_to_be_hidden(self):
        # 4 in the first row's first column; without more hiding it is 10 - 6.
        table = counts_table([[4, 6, 10], [8, 12, 20], [12, 18, 30]])

        presented = present_table(table, 5)

        # The column [4, 8, 12]: the smallest other, 8, is hidden (never the total first).
        # Then the row [4, 6, 10]: 6 hidden. The second row [8, 12, 20] now has one
        # hidden cell, so 12 goes too; every line then has two hidden or none.
        assert grid(presented) == [
            ["fewer than 5", HIDDEN_TOO, "10"],
            [HIDDEN_TOO, HIDDEN_TOO, "20"],
            ["12", "18", "30"],
        ]

    def test_the_hiding_goes_on_until_no_line_gives_a_small_number_away(self):
        #           A    B    C   Total
        table = counts_table(
            [
                [3, 36, 31, 70],
                [20, 9, 50, 79],
                [25, 40, 60, 125],
                [48, 85, 141, 274],
            ]
        )

        presented = present_table(table, 5)

        # Primary: 3. Column A [3, 20, 25, 48]: hide 20. Column B, C: nothing hidden yet.
        # Row 1 [3, 36, 31, 70]: hide 31. Row 2 [20, 9, 50, 79]: hide 9.
        # Now column B has only 9 hidden: hide 36 (smaller than 40). Column C has only 31
        # hidden: hide 50 (smaller than 60). Every line now has two or three hidden.
        assert grid(presented) == [
            ["fewer than 5", HIDDEN_TOO, HIDDEN_TOO, "70"],
            [HIDDEN_TOO, HIDDEN_TOO, HIDDEN_TOO, "79"],
            ["25", "40", "60", "125"],
            ["48", "85", "141", "274"],
        ]

    def test_a_total_row_alone_hides_the_next_smallest_band(self):
        # An age profile: 1 + 9 + 6 = 16.
        table = counts_table([[1], [9], [6], [16]], total_column=False)

        # 1 is hidden; 16 - 9 - 6 would give it away, so the smallest other, 6, goes too.
        assert grid(present_table(table, 5)) == [["fewer than 5"], ["9"], [HIDDEN_TOO], ["16"]]

    def test_the_other_hidden_cell_may_itself_be_small(self):
        table = counts_table([[0], [3], [8], [11]], total_column=False)

        # 0 and 3 are both below 5: two hidden, nothing more to hide.
        assert grid(present_table(table, 5)) == [
            ["fewer than 5"],
            ["fewer than 5"],
            ["8"],
            ["11"],
        ]

    def test_a_target_column_is_never_hidden_nor_hides_others(self):
        table = Table(
            PEOPLE,
            [Column("People on the cohort"), Column("Target", about_people=False)],
            [Row("Apr 2025", [Count(3), Count(2)]), Row("May 2025", [Count(7), Count(4)])],
        )

        assert grid(present_table(table, 5)) == [["fewer than 5", "2"], ["7", "4"]]

    def test_a_table_not_about_people_is_shown_whole(self):
        table = counts_table([[1, 2, 3], [1, 2, 3]], total_row=False, definition=ACTIONS)

        assert grid(present_table(table, 5)) == [["1", "2", "3"], ["1", "2", "3"]]

    def test_no_threshold_shows_every_cell(self):
        table = counts_table([[4, 6, 10], [8, 12, 20], [12, 18, 30]])

        assert grid(present_table(table, None)) == [
            ["4", "6", "10"],
            ["8", "12", "20"],
            ["12", "18", "30"],
        ]

    def test_a_mark_on_a_hidden_cell_is_dropped(self):
        table = counts_table(
            [[4, 12], [8, 30]],
            total_row=False,
            total_column=False,
            marks={(0, 0): "up", (0, 1): "met"},
        )

        presented = present_table(table, 5)

        assert "mark" not in presented["rows"][0]["cells"][0]
        assert presented["rows"][0]["cells"][1]["mark"] == "met"


# --- The whole set ---------------------------------------------------------------------------


class TestPresent:
    def test_a_small_cohort_is_hidden_and_its_target_shown(self, world: World):
        for _ in range(3):
            world.member()
        TargetFactory(panel=world.panel, value=4, set_by=world.staff)

        figures = compute_figures(world.scope())
        at_end = next(h for h in figures.headline if h.definition.key == "cohort_at_end")
        cell = present_headline(at_end, 5)

        # 3 people: fewer than 5. The target of 4 counts no one: shown as it is.
        assert cell["display"] == "fewer than 5"
        assert cell["target"] == {"value": 4, "display": "4"}

    def test_the_threshold_is_the_callers_not_the_settings(self, world: World):
        for _ in range(7):
            world.member()
        figures = compute_figures(world.scope(financial_quarter(2025, 1)))

        def cohort_size(presented: dict) -> str:
            return next(h for h in presented["headline"] if h["key"] == "cohort_size")["display"]

        with override_settings(REPORT_SUPPRESSION_THRESHOLD=3):
            assert cohort_size(present(figures, 10)) == "fewer than 10"  # 7 < 10
            assert cohort_size(present(figures, 5)) == "7"
            assert cohort_size(present(figures, None)) == "7"
            assert present(figures, 10)["threshold"] == 10

    def test_targets_in_tables_are_never_hidden(self, world: World):
        world.member(start=date(2025, 4, 1))
        TargetFactory(panel=world.panel, value=3, set_by=world.staff)

        presented = present(compute_figures(world.scope(financial_quarter(2025, 1))), 5)

        by_month = next(t for t in presented["tables"] if t["key"] == "cohort_by_month")
        # 1 person each month: hidden; the target of 3 shown though it is below 5.
        assert grid(by_month) == [["fewer than 5", "3"]] * 3

    def test_the_previous_periods_value_is_hidden_by_the_same_rule(self, world: World):
        for _ in range(2):
            world.member(start=date(2024, 4, 1), end=date(2025, 3, 31))
        for _ in range(6):
            world.member(start=date(2025, 4, 1))

        figures = compute_figures(
            world.scope(financial_quarter(2025, 1)), world.scope(financial_quarter(2024, 4))
        )
        presented = next(h for h in present(figures, 5)["headline"] if h["key"] == "cohort_size")

        # This quarter: the 6 who joined in April 2025. The quarter before: the 2 who
        # left on 31 March 2025, fewer than 5.
        assert presented["display"] == "6"
        assert presented["previous"]["display"] == "fewer than 5"


def test_every_value_kind_is_presented() -> None:
    values: list[Value] = [
        Count(9),
        Share(5, 10),
        Money(Decimal(1), 9),
        Average(1.0, 9),
        Text("a"),
        Day("2026-03-31"),
    ]

    assert [present_value(v, 5)["display"] for v in values] == [
        "9",
        "50% (5 of 10)",
        "£1",
        "1.0",
        "a",
        "31 March 2026",
    ]
