"""Each scrutiny-report figure, worked out by hand on a few people and checked against the
SQL that computes it.

Unless a test says otherwise the period is the financial year 2025-26 (1 April 2025 to
31 March 2026, 365 days), the figures are taken on 30 September 2026, and the scope is
both of the world's panels (see conftest.py). Every assertion is a number a committee
would read; the comment beside it is the arithmetic.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from actions.models import ActionStep, Rag
from reporting.figures import cohort, cost, custody, discussion, partnership, rag, treatment
from reporting.figures.compute import compute_figures, treatment_table
from reporting.figures.suppression import present
from reporting.figures.targets import targets_for, unit_costs
from reporting.figures.values import Average, Count, Day, Money, Share, Table, Text, Value
from reporting.models import Target
from reporting.periods import Period, financial_quarter
from sharing.models import InformationSharingAgreement
from tests.actions.factories import make_plan
from tests.factories import make_agency
from tests.reporting.conftest import World
from tests.reporting.factories import (
    AgendaItemFactory,
    CaseEventFactory,
    CustodyEpisodeFactory,
    MeetingFactory,
    NeedFactory,
    OffenceFactory,
    RagReviewFactory,
    TargetFactory,
    UnitCostFactory,
)

Q1 = financial_quarter(2025, 1)  # April to June 2025
Q2 = financial_quarter(2025, 2)  # July to September 2025
Q3 = financial_quarter(2025, 3)  # October to December 2025


def at(year: int, month: int, day: int) -> datetime:
    """A moment a target or unit cost was set (9am UTC on the day)."""
    return datetime(year, month, day, 9, tzinfo=UTC)


def plain(value: Value | None) -> object:
    """A value as a reader would take it in: a count's number, a share's two counts."""
    match value:
        case Count(n):
            return n
        case Share(numerator, denominator):
            return (numerator, denominator)
        case None:
            return None
    return value


def rows(table: Table) -> list[tuple[str, list[object]]]:
    return [(row.label, [plain(cell) for cell in row.cells]) for row in table.rows]


# --- Cohort size -----------------------------------------------------------------------------


class TestCohortSize:
    def test_a_person_on_two_panels_counts_once(self, world: World):
        world.member()
        both = world.member()
        world.join(both, panel=world.other_panel, start=date(2025, 9, 1))

        # Two people; the second has two memberships: 1 + 1 = 2.
        assert cohort.cohort_size(world.scope()) == Count(2)

    def test_referred_and_declined_memberships_do_not_count(self, world: World):
        world.member()
        world.member(status="referred", start=None)
        # Declined, even with a start date wrongly left on it.
        world.member(status="declined", start=date(2025, 5, 1))

        # Only the active member: 1.
        assert cohort.cohort_size(world.scope()) == Count(1)

    def test_a_membership_ending_the_day_before_the_period_does_not_count(self, world: World):
        world.member(start=date(2024, 6, 1), end=date(2025, 3, 31))  # left the day before
        world.member(start=date(2024, 6, 1), end=date(2025, 4, 1))  # left on the first day
        world.member(start=date(2026, 3, 31))  # joined on the last day
        world.member(start=date(2026, 4, 1))  # joined the day after

        # Left on 1 April 2025 + joined on 31 March 2026: 1 + 1 = 2.
        assert cohort.cohort_size(world.scope()) == Count(2)

    def test_a_person_merged_into_another_record_does_not_count(self, world: World):
        kept = world.member()
        world.member(merged_into=kept)

        # The merged-away record's membership is not the kept person's: 1.
        assert cohort.cohort_size(world.scope()) == Count(1)

    def test_only_the_chosen_panels_count(self, world: World):
        world.member()
        world.member(panel=world.other_panel)

        # Scope of the first panel alone: 1.
        assert cohort.cohort_size(world.scope(panels=[world.panel])) == Count(1)


class TestCohortAtEnd:
    def test_counts_the_people_still_on_the_cohort_on_the_last_day(self, world: World):
        world.member()  # still on
        world.member(end=date(2026, 3, 31))  # left on the last day: still on that day
        world.member(end=date(2026, 3, 30))  # left the day before
        both = world.member(start=date(2025, 10, 1))
        world.join(both, panel=world.other_panel, start=date(2025, 11, 1))

        # Still on + left on the last day + on both panels once: 1 + 1 + 1 = 3.
        assert cohort.cohort_at_end(world.scope()) == Count(3)

    def test_the_target_beside_it_is_the_latest_row_summed_over_the_panels(self, world: World):
        world.member()
        TargetFactory(panel=world.panel, value=30, set_by=world.staff, set_at=at(2025, 3, 1))
        TargetFactory(panel=world.panel, value=35, set_by=world.staff, set_at=at(2025, 9, 1))
        TargetFactory(panel=world.other_panel, value=10, set_by=world.staff, set_at=at(2025, 3, 1))
        # Another year's target plays no part.
        TargetFactory(panel=world.panel, year=2024, value=99, set_by=world.staff)

        figures = compute_figures(world.scope())

        at_end = next(h for h in figures.headline if h.definition.key == "cohort_at_end")
        # The panel's latest 35 (not its earlier 30) + the other panel's 10 = 45.
        assert at_end.target == 45
        assert at_end.value == Count(1)
        # The replaced value is kept as history, not overwritten.
        assert sorted(Target.objects.filter(year=2025).values_list("value", flat=True)) == [
            10,
            30,
            35,
        ]

    def test_a_target_set_at_the_same_moment_is_decided_by_the_later_row(self, world: World):
        TargetFactory(panel=world.panel, value=20, set_by=world.staff, set_at=at(2025, 3, 1))
        TargetFactory(panel=world.panel, value=25, set_by=world.staff, set_at=at(2025, 3, 1))

        # Same moment: the row entered second wins, 25.
        assert targets_for((world.panel.pk,), [2025]) == {("cohort_size", 2025): 25}


class TestCohortByMonth:
    def test_counts_each_person_once_in_every_month_they_were_on(self, world: World):
        world.member()  # April, May, June
        world.member(start=date(2025, 4, 10), end=date(2025, 5, 15))  # April, May
        world.member(start=date(2025, 6, 30))  # June, on its last day
        both = world.member(start=date(2025, 5, 1))  # May, June
        world.join(both, panel=world.other_panel, start=date(2025, 5, 1))

        table = cohort.cohort_by_month(world.scope(Q1), {2025: 40})

        assert rows(table) == [
            ("Apr 2025", [2, 40]),  # first + second
            ("May 2025", [3, 40]),  # first + second + the one on both panels, once
            ("Jun 2025", [3, 40]),  # first + the one joining on 30 June + both panels
        ]

    def test_each_month_takes_its_own_financial_year_target(self, world: World):
        world.member(start=date(2025, 2, 1))
        TargetFactory(panel=world.panel, year=2025, value=40, set_by=world.staff)
        TargetFactory(panel=world.panel, year=2026, value=50, set_by=world.staff)

        figures = compute_figures(world.scope(Period(date(2026, 2, 1), date(2026, 5, 31))))

        by_month = next(t for t in figures.tables if t.definition.key == "cohort_by_month")
        # February and March 2026 fall in 2025-26 (target 40), April and May in 2026-27 (50).
        assert rows(by_month) == [
            ("Feb 2026", [1, 40]),
            ("Mar 2026", [1, 40]),
            ("Apr 2026", [1, 50]),
            ("May 2026", [1, 50]),
        ]

    def test_a_month_with_no_target_shows_none(self, world: World):
        world.member()

        table = cohort.cohort_by_month(world.scope(Q1), {})

        assert [cells for _, cells in rows(table)] == [[1, None], [1, None], [1, None]]


# --- Custody and enforcement -----------------------------------------------------------------


class TestNotEnteringCustody:
    def test_only_entries_while_on_the_cohort_count(self, world: World):
        before_joining = world.member(start=date(2025, 6, 1))
        CustodyEpisodeFactory(nominal=before_joining, entered_on=date(2025, 5, 20))
        after_leaving = world.member(end=date(2025, 9, 30))
        CustodyEpisodeFactory(nominal=after_leaving, entered_on=date(2025, 10, 5))
        on_joining_day = world.member(start=date(2025, 7, 1))
        CustodyEpisodeFactory(nominal=on_joining_day, entered_on=date(2025, 7, 1))
        remanded = world.member()
        CustodyEpisodeFactory(nominal=remanded, entered_on=date(2025, 8, 1), reason="remand")
        world.member()  # never in custody

        # Five people; the one entering on the joining day and the one remanded went in:
        # 5 - 2 = 3 stayed out, 3 of 5.
        assert custody.not_entering_custody(world.scope()) == Share(3, 5)


class TestArrests:
    def test_arrests_and_people_arrested_count_only_while_on_the_cohort(self, world: World):
        twice = world.member()
        CaseEventFactory(nominal=twice, occurred_on=date(2025, 5, 1))
        CaseEventFactory(nominal=twice, occurred_on=date(2025, 6, 1))
        late_joiner = world.member(start=date(2025, 10, 1))
        CaseEventFactory(nominal=late_joiner, occurred_on=date(2025, 9, 1))  # before joining
        CaseEventFactory(nominal=late_joiner, occurred_on=date(2025, 11, 1))
        visited = world.member()
        CaseEventFactory(nominal=visited, kind="visit", occurred_on=date(2025, 7, 1))
        on_both = world.member()
        world.join(on_both, panel=world.other_panel)
        CaseEventFactory(nominal=on_both, occurred_on=date(2025, 7, 1))

        arrests, people = custody.arrests(world.scope())

        # 2 + 1 (the one before joining left out) + 0 (a visit) + 1 (once, not per panel) = 4.
        assert arrests == Count(4)
        # twice, the late joiner and the one on both panels = 3.
        assert people == Count(3)


class TestCustody:
    def test_custodial_outcomes_by_offence(self, world: World):
        burgled = world.member()
        burglary = OffenceFactory(nominal=burgled, offence_type="burglary")
        CustodyEpisodeFactory(nominal=burgled, entered_on=date(2025, 5, 1), offence=burglary)
        CustodyEpisodeFactory(nominal=burgled, entered_on=date(2025, 8, 1), offence=burglary)
        recalled = world.member()
        robbery = OffenceFactory(nominal=recalled, offence_type="robbery")
        CustodyEpisodeFactory(
            nominal=recalled, entered_on=date(2025, 6, 1), reason="recall", offence=robbery
        )
        remanded = world.member()
        CustodyEpisodeFactory(nominal=remanded, entered_on=date(2025, 7, 1), reason="remand")
        unrecorded = world.member()
        CustodyEpisodeFactory(nominal=unrecorded, entered_on=date(2025, 7, 1), offence=None)
        violent = world.member(start=date(2025, 9, 1))
        assault = OffenceFactory(nominal=violent, offence_type="violence")
        CustodyEpisodeFactory(nominal=violent, entered_on=date(2025, 8, 1), offence=assault)
        CustodyEpisodeFactory(nominal=violent, entered_on=date(2025, 9, 1), offence=assault)

        table = custody.custodial_outcomes(world.scope())

        # Largest first, then by name; the remand and the entry before joining left out.
        assert rows(table) == [
            ("Burglary", [2]),
            ("Offence not recorded", [1]),
            ("Recall on licence or order", [1]),  # a recall, whatever the offence
            ("Violence against the person", [1]),
            ("Total", [5]),  # 2 + 1 + 1 + 1
        ]
        assert table.total_row

    def test_entries_to_custody_by_month(self, world: World):
        first = world.member()
        CustodyEpisodeFactory(nominal=first, entered_on=date(2025, 5, 3), reason="remand")
        CustodyEpisodeFactory(nominal=first, entered_on=date(2025, 5, 20))
        second = world.member()
        world.join(second, panel=world.other_panel)
        CustodyEpisodeFactory(nominal=second, entered_on=date(2025, 6, 1), reason="recall")
        CustodyEpisodeFactory(nominal=second, entered_on=date(2025, 7, 1))  # after the quarter

        table = custody.custody_by_month(world.scope(Q1))

        assert rows(table) == [
            ("Apr 2025", [0]),
            ("May 2025", [2]),  # a remand and a sentence
            ("Jun 2025", [1]),  # a recall, counted once though on two panels
            ("Total", [3]),  # 0 + 2 + 1
        ]


# --- RAG reviews -----------------------------------------------------------------------------


class TestRagReviews:
    def test_reviews_held_and_green_on_the_chosen_panels_in_the_period(self, world: World):
        first = world.member()
        RagReviewFactory(nominal=first, panel=world.panel, rag="red", reviewed_on=date(2025, 5, 1))
        RagReviewFactory(
            nominal=first, panel=world.panel, rag="green", reviewed_on=date(2025, 6, 1)
        )
        second = world.member()
        RagReviewFactory(
            nominal=second, panel=world.panel, rag="green", reviewed_on=date(2025, 7, 1)
        )
        RagReviewFactory(
            nominal=second, panel=world.panel, rag="blue", reviewed_on=date(2025, 8, 1)
        )
        RagReviewFactory(
            nominal=second, panel=world.other_panel, rag="green", reviewed_on=date(2025, 9, 1)
        )
        # Before the period, and for a merged-away record: neither counts.
        RagReviewFactory(
            nominal=first, panel=world.panel, rag="green", reviewed_on=date(2025, 3, 31)
        )
        merged = world.member(merged_into=first)
        RagReviewFactory(nominal=merged, panel=world.panel, rag="green")

        held, green = rag.rag_reviews(world.scope())

        assert held == Count(5)  # 2 for the first + 3 for the second
        assert green == Count(3)  # 1 + 2

        # The first panel alone: its 4 reviews, 2 of them Green.
        assert rag.rag_reviews(world.scope(panels=[world.panel])) == (Count(4), Count(2))

    def test_reviews_by_month_with_totals(self, world: World):
        person = world.member()
        other = world.member()
        for who, rag_given, day in [
            (person, "red", date(2025, 4, 2)),
            (other, "amber", date(2025, 4, 30)),
            (person, "green", date(2025, 5, 1)),
            (other, "green", date(2025, 5, 15)),
            (other, "blue", date(2025, 5, 31)),
            (other, "red", date(2025, 7, 1)),  # after the quarter
        ]:
            RagReviewFactory(nominal=who, panel=world.panel, rag=rag_given, reviewed_on=day)

        table = rag.rag_by_month(world.scope(Q1))

        assert [column.label for column in table.columns] == [
            "Red",
            "Amber",
            "Green",
            "Blue",
            "All reviews",
        ]
        assert rows(table) == [
            ("Apr 2025", [1, 1, 0, 0, 2]),
            ("May 2025", [0, 0, 2, 1, 3]),
            ("Jun 2025", [0, 0, 0, 0, 0]),
            ("Total", [1, 1, 2, 1, 5]),  # down each column; 2 + 3 + 0 = 5
        ]
        assert table.total_row and table.total_column


class TestRagTrends:
    @pytest.mark.parametrize(
        ("sequence", "fell", "rose", "reviewed"),
        [
            pytest.param(["red"], 0, 0, 0, id="one review only: in neither, not counted"),
            pytest.param(["red", "red", "amber"], 1, 0, 1, id="red red amber fell"),
            pytest.param(["red", "amber", "red"], 0, 0, 1, id="red amber red neither"),
            pytest.param(["green", "green"], 0, 0, 1, id="green green neither"),
            pytest.param(["amber", "blue", "green"], 1, 0, 1, id="blue ignored: amber green fell"),
            pytest.param(["red", "blue"], 0, 0, 0, id="blue ignored: one review left"),
            pytest.param(["green", "amber", "amber"], 0, 1, 1, id="green amber amber rose"),
        ],
    )
    def test_one_persons_reviews(
        self, world: World, sequence: list[str], fell: int, rose: int, reviewed: int
    ):
        person = world.member()
        for month, rag_given in enumerate(sequence, start=5):
            RagReviewFactory(
                nominal=person, panel=world.panel, rag=rag_given, reviewed_on=date(2025, month, 1)
            )

        assert rag.rag_trends(world.scope()) == (Share(fell, reviewed), Share(rose, reviewed))

    def test_reviews_on_the_same_day_are_taken_in_the_order_they_were_entered(self, world: World):
        person = world.member()
        # Entered Red then Green on one day, the later date entered first.
        RagReviewFactory(
            nominal=person, panel=world.panel, rag="green", reviewed_on=date(2025, 9, 1)
        )
        RagReviewFactory(nominal=person, panel=world.panel, rag="red", reviewed_on=date(2025, 6, 1))
        RagReviewFactory(
            nominal=person, panel=world.panel, rag="green", reviewed_on=date(2025, 6, 1)
        )

        # Red, Green (same day, by entry), Green: never up, ended lower: fell, 1 of 1.
        assert rag.rag_trends(world.scope()) == (Share(1, 1), Share(0, 1))

    def test_reviews_from_both_panels_are_taken_together(self, world: World):
        person = world.member()
        world.join(person, panel=world.other_panel)
        RagReviewFactory(
            nominal=person, panel=world.panel, rag="green", reviewed_on=date(2025, 5, 1)
        )
        RagReviewFactory(
            nominal=person, panel=world.other_panel, rag="red", reviewed_on=date(2025, 6, 1)
        )

        # Green on one panel, then Red on the other: rose, 1 of 1.
        assert rag.rag_trends(world.scope()) == (Share(0, 1), Share(1, 1))

    def test_shares_over_several_people(self, world: World):
        sequences = [
            ["red"],  # one review: left out
            ["red", "red", "amber"],  # fell
            ["red", "amber", "red"],  # neither
            ["green", "green"],  # neither
            ["amber", "blue", "green"],  # fell
            ["green", "amber", "amber"],  # rose
            ["amber", "green"],  # fell
        ]
        for sequence in sequences:
            person = world.member()
            for month, rag_given in enumerate(sequence, start=5):
                RagReviewFactory(
                    nominal=person,
                    panel=world.panel,
                    rag=rag_given,
                    reviewed_on=date(2025, month, 1),
                )

        fell, rose = rag.rag_trends(world.scope())

        # Reviewed at least twice: 7 - 1 = 6. Fell: 3 of 6 (50%). Rose: 1 of 6.
        assert fell == Share(3, 6)
        assert fell.percent == 50
        assert rose == Share(1, 6)


# --- Cases discussed -------------------------------------------------------------------------


class TestDiscussion:
    def test_cases_people_monthly_average_and_escalations(self, world: World):
        a, b, c, d, e, f = (world.member() for _ in range(6))
        main = MeetingFactory(panel=world.panel, date=date(2025, 5, 7))
        AgendaItemFactory(meeting=main, nominal=a)
        AgendaItemFactory(meeting=main, nominal=b)
        AgendaItemFactory(meeting=main, nominal=c, discussed=False)  # on the agenda, not reached
        mid = MeetingFactory(panel=world.panel, date=date(2025, 5, 21), kind="mid_month")
        AgendaItemFactory(meeting=mid, nominal=a, escalate=True)
        AgendaItemFactory(meeting=mid, nominal=b)
        AgendaItemFactory(meeting=mid, nominal=d, escalate=True)
        AgendaItemFactory(meeting=mid, nominal=f, escalate=True, discussed=False)
        next_main = MeetingFactory(panel=world.panel, date=date(2025, 6, 4))
        AgendaItemFactory(meeting=next_main, nominal=a, escalate=True)  # not a mid-month meeting
        cancelled = MeetingFactory(panel=world.panel, date=date(2025, 7, 2), status="cancelled")
        AgendaItemFactory(meeting=cancelled, nominal=e)
        other = MeetingFactory(panel=world.other_panel, date=date(2025, 8, 6))
        AgendaItemFactory(meeting=other, nominal=e)
        before = MeetingFactory(panel=world.panel, date=date(2025, 3, 26))
        AgendaItemFactory(meeting=before, nominal=f)

        cases, people, per_month, escalations = discussion.discussion(world.scope())

        # 2 (main) + 3 (mid-month) + 1 (next main) + 1 (other panel) = 7; the item not
        # discussed, the cancelled meeting and the meeting before the period left out.
        assert cases == Count(7)
        assert people == Count(4)  # a, b, d, e
        # 7 cases over the 12 months of the year: 7 / 12 = 0.583..., shown to one place.
        assert per_month == Average(0.6, 7)
        # Only the mid-month meeting's escalations that were discussed: a and d = 2.
        assert escalations == Count(2)

    def test_the_monthly_average_of_a_quarter_is_over_three_months(self, world: World):
        person = world.member()
        for day in (date(2025, 4, 2), date(2025, 5, 7), date(2025, 6, 4), date(2025, 6, 18)):
            meeting = MeetingFactory(panel=world.panel, date=day)
            AgendaItemFactory(meeting=meeting, nominal=person)

        _, people, per_month, _ = discussion.discussion(world.scope(Q1))

        # 4 cases / 3 months = 1.333... -> 1.3; one person discussed four times.
        assert per_month == Average(1.3, 4)
        assert people == Count(1)


# --- Treatment requirements ------------------------------------------------------------------


class TestTreatmentMark:
    @pytest.mark.parametrize(
        ("result", "target", "previous", "whole_year", "expected"),
        [
            pytest.param(12, 10, None, True, "met", id="over target"),
            pytest.param(10, 10, None, True, "met", id="exactly on target"),
            pytest.param(8, 10, 20, True, "not met", id="whole year below target"),
            pytest.param(8, 10, None, True, "not met", id="whole year below, no comparison"),
            pytest.param(12, 10, 20, False, "met", id="part year over target"),
            pytest.param(8, 10, 5, False, "up", id="part year below target, up"),
            pytest.param(3, 10, 5, False, "down", id="part year below target, down"),
            pytest.param(5, 10, 5, False, "same", id="part year below target, same"),
            pytest.param(5, None, 4, True, "up", id="whole year with no target compares"),
            pytest.param(5, None, None, True, "", id="no target, nothing to compare"),
            pytest.param(5, 10, None, False, "", id="part year, nothing to compare"),
        ],
    )
    def test_mark(
        self, result: int, target: int | None, previous: int | None, whole_year: bool, expected
    ):
        assert treatment.mark(result, target, previous, whole_year=whole_year) == expected


def drr(
    world: World, *, start: date | None, completed: date | None = None, requirement: str = "drr"
):
    """A person on the first panel with a treatment requirement started and completed."""
    person = world.person()
    world.join(
        person,
        treatment_requirement=requirement,
        treatment_start=start,
        treatment_completed=completed,
    )
    return person


class TestTreatmentResults:
    AS_AT = date(2026, 6, 30)

    def test_starts_completions_and_share_not_reoffending(self, world: World):
        reoffended = drr(world, start=date(2025, 5, 1), completed=date(2025, 9, 30))
        OffenceFactory(nominal=reoffended, committed_on=date(2026, 2, 28))  # 5 months after
        clean_later = drr(world, start=date(2024, 12, 1), completed=date(2025, 6, 15))
        OffenceFactory(nominal=clean_later, committed_on=date(2026, 1, 15))  # 7 months after
        drr(world, start=date(2025, 11, 1), completed=date(2026, 2, 1))  # 6 months on: 1 Aug
        drr(world, start=date(2025, 4, 20), completed=date(2025, 8, 10))  # no offence
        drr(world, start=date(2025, 10, 1))  # not completed yet
        drr(world, start=date(2025, 7, 1), completed=date(2025, 7, 1), requirement="atr")

        scope = world.scope(as_at=self.AS_AT)
        result = treatment.treatment_results(scope, "drr")

        # Started 1 May, 1 Nov, 20 Apr and 1 Oct 2025; the one from December 2024 did not
        # start in the period: 4.
        assert result.starts == Count(4)
        # Completed 30 Sep, 15 Jun, 1 Feb and 10 Aug: 4.
        assert result.completions == Count(4)
        # Checked: completed by 30 December 2025 (six months before 30 June 2026), so not
        # the one completing 1 February 2026: 3. Of these the one offending five months on
        # reoffended; seven months on is outside the six: 3 - 1 = 2 of 3.
        assert result.not_reoffending == Share(2, 3)

        atr = treatment.treatment_results(scope, "atr")
        # The ATR started and finished on 1 July 2025, checked from 1 January 2026: 1 of 1.
        assert (atr.starts, atr.completions, atr.not_reoffending) == (
            Count(1),
            Count(1),
            Share(1, 1),
        )

    def test_a_completion_exactly_six_months_before_the_figures_is_checked(self, world: World):
        drr(world, start=date(2025, 4, 1), completed=date(2025, 12, 30))
        drr(world, start=date(2025, 4, 1), completed=date(2025, 12, 31))
        drr(world, start=date(2025, 4, 1), completed=date(2026, 1, 1))

        result = treatment.treatment_results(world.scope(as_at=self.AS_AT), "drr")

        # 30 December + 6 months = 30 June 2026, the day the figures are taken: checked.
        # 31 December + 6 months = 30 June too (June has no 31st): checked.
        # 1 January + 6 months = 1 July 2026: not yet. 2 checked, 2 clean.
        assert result.not_reoffending == Share(2, 2)


class TestTreatmentTable:
    def make_requirements(self, world: World) -> None:
        drr(world, start=date(2025, 5, 1), completed=date(2025, 9, 30))  # Q1 start, Q2 end
        drr(world, start=date(2025, 4, 20), completed=date(2025, 8, 10))  # Q1 start, Q2 end
        drr(world, start=date(2025, 10, 1))  # Q3 start
        drr(world, start=date(2025, 11, 1), completed=date(2026, 2, 1))  # Q3 start, Q4 end
        drr(world, start=date(2025, 12, 1))  # Q3 start
        drr(world, start=date(2025, 7, 1), completed=date(2025, 7, 1), requirement="atr")

    def test_a_whole_year_is_marked_met_or_not_met(self, world: World):
        self.make_requirements(world)
        targets = {("drr_starts", 2025): 5, ("drr_completions", 2025): 4, ("atr_starts", 2025): 2}

        table = treatment_table(world.scope(), None, targets)

        assert rows(table) == [
            # Targets 5 and 4; 5 DRR starts, 3 completions (10 Aug, 30 Sep, 1 Feb), all
            # three six months on by 30 September 2026 and none reoffending: 3 of 3.
            ("DRR (2025-26)", [5, 4, 5, 3, (3, 3)]),
            # No completion target; 1 start, 1 completion, 1 of 1 clean.
            ("ATR (2025-26)", [2, None, 1, 1, (1, 1)]),
        ]
        assert table.marks == {
            (0, 2): "met",  # 5 starts >= 5
            (0, 3): "not met",  # 3 completions < 4
            (1, 2): "not met",  # 1 start < 2
            (1, 3): "",  # no target and no comparison
        }

    def test_a_quarter_is_marked_up_down_or_same_against_the_one_before(self, world: World):
        self.make_requirements(world)
        targets = {("drr_starts", 2025): 10}

        table = treatment_table(world.scope(Q3), world.scope(Q2), targets)

        assert [label for label, _ in rows(table)] == [
            "DRR (Q3 2025-26)",
            "ATR (Q3 2025-26)",
            "DRR (Q2 2025-26)",
            "ATR (Q2 2025-26)",
        ]
        assert [cells[2:4] for _, cells in rows(table)] == [
            [3, 0],  # Q3: starts 1 Oct, 1 Nov, 1 Dec; no completions
            [0, 0],
            [0, 2],  # Q2: completions 10 Aug and 30 Sep
            [1, 1],  # the ATR of 1 July
        ]
        assert table.marks == {
            (0, 2): "up",  # 3 starts, below the 10 target, up on Q2's 0
            (0, 3): "down",  # 0 completions, down on Q2's 2
            (1, 2): "down",  # ATR 0 starts, down on 1
            (1, 3): "down",  # 0 completions, down on 1
            (2, 2): "",  # Q2 is compared with nothing
            (2, 3): "",
            (3, 2): "",
            (3, 3): "",
        }


# --- The cohort's profile --------------------------------------------------------------------


class TestProfile:
    def test_female_share(self, world: World):
        for _ in range(3):
            world.member(gender="female")
        for gender in ("male", "male", "male", "other", "unknown"):
            world.member(gender=gender)
        world.person(gender="female")  # not on a cohort
        kept = world.member(gender="male")
        world.member(gender="female", merged_into=kept)

        # 3 women of 3 + 5 + 1 = 9 people.
        assert cohort.female_share(world.scope()) == Share(3, 9)

    def test_age_bands_use_the_age_on_the_periods_last_day(self, world: World):
        for born in [
            date(2008, 4, 1),  # 17 on 31 March 2026, 18 the next day: under 18
            date(2008, 3, 31),  # 18 on the day: 18 to 24
            date(2001, 4, 1),  # 24, 25 the next day: 18 to 24
            date(2001, 3, 31),  # 25 on the day: 25 to 34
            date(1971, 4, 1),  # 54: 45 to 54
            date(1971, 3, 31),  # 55 on the day: 55 and over
            None,  # not known
        ]:
            world.member(date_of_birth=born)

        table = cohort.age_profile(world.scope())

        assert rows(table) == [
            ("Under 18", [1]),
            ("18 to 24", [2]),
            ("25 to 34", [1]),
            ("35 to 44", [0]),
            ("45 to 54", [1]),
            ("55 and over", [1]),
            ("Not known", [1]),
            ("Total", [7]),  # 1 + 2 + 1 + 0 + 1 + 1 + 1
        ]

    def test_a_person_on_two_panels_is_one_person_in_the_profile(self, world: World):
        person = world.member(date_of_birth=date(1990, 1, 1))
        world.join(person, panel=world.other_panel)

        # 36 on 31 March 2026, counted once.
        assert rows(cohort.age_profile(world.scope()))[3] == ("35 to 44", [1])

    def test_ethnicity_with_blank_as_not_recorded(self, world: World):
        for ethnicity in ["White British"] * 3 + ["Black Caribbean"] * 2 + ["", "   "]:
            world.member(ethnicity=ethnicity)

        table = cohort.ethnicity_profile(world.scope())

        # Largest first; the tie of 2 in alphabetical order.
        assert rows(table) == [
            ("White British", [3]),
            ("Black Caribbean", [2]),
            ("Not recorded", [2]),  # a blank and a space
            ("Total", [7]),
        ]

    def test_needs_by_pathway_leave_out_no_need(self, world: World):
        first, second, third, _fourth = (world.member() for _ in range(4))
        NeedFactory(nominal=first, pathway="accommodation", level="high")
        NeedFactory(nominal=first, pathway="drugs", level="medium")
        NeedFactory(nominal=second, pathway="accommodation", level="low")
        NeedFactory(nominal=second, pathway="alcohol", level="none")
        NeedFactory(nominal=third, pathway="ete", level="none")
        NeedFactory(nominal=world.person(), pathway="accommodation", level="high")  # not on

        table = cohort.need_profile(world.scope())

        assert rows(table) == [
            ("Accommodation", [2, (2, 4)]),  # first and second, of 4 on the cohort
            ("Education, training and employment", [0, (0, 4)]),  # "none" is not a need
            ("Health and mental health", [0, (0, 4)]),
            ("Drugs", [1, (1, 4)]),
            ("Alcohol", [0, (0, 4)]),  # "none" again
            ("Finance, benefit and debt", [0, (0, 4)]),
            ("Children and families", [0, (0, 4)]),
            ("Attitudes, thinking and behaviour", [0, (0, 4)]),
            ("Women affected by domestic violence", [0, (0, 4)]),
            ("Women involved in prostitution", [0, (0, 4)]),
        ]


# --- Cost of crime ---------------------------------------------------------------------------


@pytest.fixture
def costs(world: World) -> None:
    """Burglary £2,000 (replacing an earlier £1,000), theft £500, robbery not costed."""
    UnitCostFactory(
        offence_type="burglary", cost=Decimal(1000), set_by=world.staff, set_at=at(2024, 4, 1)
    )
    UnitCostFactory(
        offence_type="burglary", cost=Decimal(2000), set_by=world.staff, set_at=at(2025, 4, 1)
    )
    UnitCostFactory(offence_type="theft", cost=Decimal(500), set_by=world.staff)


class TestCostOfCrime:
    def test_the_latest_unit_cost_for_each_type_is_used(self, world: World, costs: None):
        # Burglary's later £2,000, not its first £1,000; robbery has none.
        assert unit_costs() == {"burglary": Decimal("2000.00"), "theft": Decimal("500.00")}

    def test_before_during_after_and_estimated_saving(self, world: World, costs: None):
        stayed = world.member(start=date(2025, 4, 1))
        OffenceFactory(nominal=stayed, offence_type="burglary", committed_on=date(2024, 6, 1))
        OffenceFactory(nominal=stayed, offence_type="theft", committed_on=date(2024, 3, 31))
        OffenceFactory(nominal=stayed, offence_type="theft", committed_on=date(2025, 6, 1))
        OffenceFactory(nominal=stayed, offence_type="robbery", committed_on=date(2025, 7, 1))

        left = world.member(start=date(2025, 10, 1), end=date(2026, 1, 31))
        OffenceFactory(nominal=left, offence_type="burglary", committed_on=date(2025, 1, 15))
        OffenceFactory(nominal=left, offence_type="theft", committed_on=date(2024, 12, 1))
        OffenceFactory(nominal=left, offence_type="burglary", committed_on=date(2025, 12, 1))
        OffenceFactory(nominal=left, offence_type="theft", committed_on=date(2026, 3, 1))
        OffenceFactory(nominal=left, offence_type="burglary", committed_on=date(2026, 8, 1))
        OffenceFactory(nominal=left, offence_type="theft", committed_on=date(2026, 10, 15))

        before, during, after, saving = cost.cost_of_crime(world.scope())

        # Year before joining: the first's burglary of June 2024 (£2,000; the theft of
        # 31 March 2024 is more than a year before 1 April 2025) + the second's burglary
        # and theft (£2,000 + £500) = £4,500.
        assert before == Money(Decimal(4500), 2)
        # While on: the first's theft (£500) and robbery (no cost, £0) + the second's
        # burglary of December 2025 (£2,000) = £2,500.
        assert during == Money(Decimal(2500), 2)
        # The year after leaving on 31 January 2026, up to 30 September 2026: theft (£500)
        # + burglary (£2,000); the theft of 15 October 2026 is after the figures = £2,500.
        # Only the second left, so it is made from 1 person.
        assert after == Money(Decimal(2500), 1)
        # First: £2,000 x 365/365 - £500 = £1,500.
        # Second: on 1 October 2025 to 31 January 2026 = 31 + 30 + 31 + 31 = 123 days;
        # £2,500 x 123/365 - £2,000 = £842.47 - £2,000 = -£1,157.53.
        # £1,500 - £1,157.53 = £342.47, to the pound £342.
        assert saving == Money(Decimal(342), 2)

    def test_a_person_on_two_panels_at_once_is_on_the_cohort_once(self, world: World, costs: None):
        person = world.member(start=date(2025, 10, 1))
        world.join(person, panel=world.other_panel, start=date(2025, 10, 1))
        OffenceFactory(nominal=person, offence_type="burglary", committed_on=date(2025, 3, 1))

        _, _, _, saving = cost.cost_of_crime(world.scope())

        # On from 1 October 2025 to 31 March 2026 = 31+30+31+31+28+31 = 182 days, on two
        # panels but one person's time: £2,000 x 182/365 - £0 = £997.26, to the pound £997.
        assert saving == Money(Decimal(997), 1)

    def test_offending_between_two_spells_on_the_cohort_is_not_while_on_it(
        self, world: World, costs: None
    ):
        person = world.member(start=date(2025, 4, 1), end=date(2025, 6, 30))
        world.join(person, start=date(2026, 1, 1))
        OffenceFactory(nominal=person, offence_type="burglary", committed_on=date(2025, 3, 1))
        OffenceFactory(nominal=person, offence_type="burglary", committed_on=date(2025, 9, 1))
        OffenceFactory(nominal=person, offence_type="theft", committed_on=date(2026, 2, 1))

        before, during, _, saving = cost.cost_of_crime(world.scope())

        # Year before first joining: the burglary of March 2025, £2,000.
        assert before == Money(Decimal(2000), 1)
        # On 1 April to 30 June 2025 and from 1 January 2026; the burglary of September
        # 2025 fell between the two spells. While on: the theft, £500.
        assert during == Money(Decimal(500), 1)
        # 91 + 90 = 181 days on: £2,000 x 181/365 - £500 = £991.78 - £500 = £491.78 -> £492.
        assert saving == Money(Decimal(492), 1)

    def test_with_no_unit_costs_everything_costs_nothing(self, world: World):
        person = world.member()
        OffenceFactory(nominal=person, committed_on=date(2024, 6, 1))
        OffenceFactory(nominal=person, committed_on=date(2025, 6, 1))

        # No costs recorded: £0 before, during and after, and a £0 saving.
        assert cost.cost_of_crime(world.scope()) == (
            Money(Decimal(0), 1),
            Money(Decimal(0), 1),
            Money(Decimal(0), 0),
            Money(Decimal(0), 1),
        )


# --- The partnership's own work --------------------------------------------------------------


class TestPartnership:
    def test_action_plan_actions_by_rag(self, world: World):
        plan = make_plan(
            world.staff,
            [],
            title="Reducing reoffending action plan",
            starts_on=date(2024, 4, 1),
            ends_on=date(2027, 3, 31),
            objectives=[
                (
                    "Information sharing",
                    [
                        ("Agree the ISA", [("Draft it", None), ("Sign it", None)]),
                        ("Train staff", [("Book training", None)]),
                        ("Review the ISA", [("Set a date", None)]),
                        ("Audit access", []),
                    ],
                )
            ],
        )
        steps = ActionStep.objects.filter(action__objective__plan=plan)
        steps.filter(text="Draft it").update(current_rag=Rag.GREEN)
        steps.filter(text="Sign it").update(current_rag=Rag.RED)
        steps.filter(text="Book training").update(current_rag=Rag.COMPLETE)
        make_plan(world.staff, [], title="Ended plan", starts_on=None, ends_on=date(2025, 3, 31))
        make_plan(world.staff, [], title="Future plan", starts_on=date(2026, 4, 1))

        table = partnership.action_plan_progress(world.scope())

        assert [column.label for column in table.columns] == [
            "Red",
            "Amber-Red",
            "Amber-Green",
            "Green",
            "Complete",
            "Not started",
            "All actions",
        ]
        # Agree the ISA takes its worst step, Red; Train staff is Complete; Review the ISA
        # (its step not started) and Audit access (no steps) are Not started: 1+1+2 = 4.
        # The plan that ended before the period and the one starting after are left out.
        assert rows(table) == [("Reducing reoffending action plan", [1, 0, 0, 0, 1, 2, 4])]
        assert table.total_column

    def test_isa_register_lists_the_panels_and_partnership_wide_agreements(self, world: World):
        covering = InformationSharingAgreement.objects.create(
            title="IOM information sharing",
            reference="ISA-2",
            status="signed",
            version=3,
            signed_off_on=date(2025, 5, 1),
            next_review_due=date(2026, 5, 1),
        )
        covering.panels.set([world.panel, world.other_panel])
        wide = InformationSharingAgreement.objects.create(
            title="Partnership-wide agreement", reference="ISA-1", status="draft"
        )
        wide.parties.set([world.staff.agency])
        # Another borough's partnership-wide agreement is none of this report's business.
        elsewhere = InformationSharingAgreement.objects.create(
            title="Another borough's agreement", reference="ISA-9", status="signed"
        )
        elsewhere.parties.set([make_agency("elsewhere", name="Elsewhere Council")])
        other = InformationSharingAgreement.objects.create(
            title="Another panel's agreement", reference="ISA-3", status="signed"
        )
        other.panels.set([world.other_panel])

        table = partnership.isa_register(world.scope(panels=[world.panel]))

        assert [(row.label, list(row.cells)) for row in table.rows] == [
            (
                "Partnership-wide agreement",
                [
                    Text("ISA-1"),
                    Text("Draft"),
                    Count(1),
                    Day(""),
                    Day(""),
                ],
            ),
            (
                "IOM information sharing",
                [
                    Text("ISA-2"),
                    Text("Signed"),
                    Count(3),
                    Day("2025-05-01"),
                    Day("2026-05-01"),
                ],
            ),
        ]
        assert not table.definition.about_people

        # Both panels: the agreement covering both is listed once, 3 agreements in all.
        both = partnership.isa_register(world.scope())
        assert [row.cells[0] for row in both.rows] == [Text("ISA-1"), Text("ISA-2"), Text("ISA-3")]


# --- The whole set ---------------------------------------------------------------------------


def build_a_year(world: World) -> None:
    """A little of everything, for the tests of the whole set."""
    UnitCostFactory(offence_type="burglary", cost=Decimal(2000), set_by=world.staff)
    TargetFactory(panel=world.panel, value=12, set_by=world.staff)
    for n in range(7):
        person = world.member(
            start=date(2025, 4 + n, 1),
            gender="female" if n % 3 == 0 else "male",
            date_of_birth=date(1980 + n, 6, 1),
        )
        OffenceFactory(nominal=person, committed_on=date(2025, 1 + n, 10))
        RagReviewFactory(
            nominal=person, panel=world.panel, rag="red", reviewed_on=date(2025, 11, 1)
        )
        RagReviewFactory(
            nominal=person, panel=world.panel, rag="amber", reviewed_on=date(2025, 12, 1)
        )
        CaseEventFactory(nominal=person, occurred_on=date(2026, 1, 1 + n))
        NeedFactory(nominal=person, pathway="drugs")
    meeting = MeetingFactory(panel=world.panel, date=date(2026, 1, 7))
    for membership in world.panel.memberships.all():
        AgendaItemFactory(meeting=meeting, nominal=membership.nominal)


class TestTheWholeSet:
    def test_the_same_data_and_scope_give_the_same_figures_twice(self, world: World):
        build_a_year(world)
        scope = world.scope()
        compare = world.scope(Period(date(2024, 4, 1), date(2025, 3, 31)))

        first = present(compute_figures(scope, compare), 5)
        second = present(compute_figures(scope, compare), 5)

        assert first == second
        assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
        assert present(compute_figures(scope), None) == present(compute_figures(scope), None)

    def test_the_headline_figures_of_a_year(self, world: World):
        build_a_year(world)

        figures = compute_figures(world.scope())

        values = {item.definition.key: item.value for item in figures.headline}
        assert values["cohort_size"] == Count(7)  # joined April to October 2025
        assert values["cohort_at_end"] == Count(7)
        assert values["female_share"] == Share(3, 7)  # the 1st, 4th and 7th
        assert values["rag_reviews"] == Count(14)  # 2 each: 7 x 2
        assert values["rag_fell"] == Share(7, 7)  # Red then Amber for all 7
        assert values["arrests"] == Count(7)
        assert values["cases_discussed"] == Count(7)
        # Burglaries on 10 January to 10 July 2025, each within the year before the person
        # joined on the 1st of April to October 2025: 7 x £2,000 = £14,000.
        assert values["cost_before"] == Money(Decimal(14000), 7)
        target = next(h.target for h in figures.headline if h.definition.key == "cohort_at_end")
        assert target == 12
