"""The plan's reads: an action's RAG from its steps, the overdue and needs-update flags,
the table's filters, the summary by RAG and the steps an agency must attend to."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from actions.models import ActionStep, Rag
from actions.selectors.plans import (
    PlanFilter,
    action_rag,
    attention_by_plan,
    plan_rag_summary,
    plan_table,
    plans_for,
    steps_needing_attention,
    with_flags,
)
from tests.actions.factories import add_update, make_plan, steps_of

TODAY = date(2026, 9, 7)


@pytest.mark.parametrize(
    ("rags", "expected"),
    [
        ([], Rag.NOT_STARTED),
        ([Rag.NOT_STARTED, Rag.NOT_STARTED], Rag.NOT_STARTED),
        ([Rag.COMPLETE, Rag.NOT_STARTED], Rag.NOT_STARTED),
        ([Rag.COMPLETE, Rag.COMPLETE], Rag.COMPLETE),
        ([Rag.GREEN, Rag.NOT_STARTED], Rag.GREEN),
        ([Rag.GREEN, Rag.AMBER_GREEN, Rag.COMPLETE], Rag.AMBER_GREEN),
        ([Rag.AMBER_GREEN, Rag.AMBER_RED], Rag.AMBER_RED),
        ([Rag.GREEN, Rag.RED, Rag.AMBER_RED], Rag.RED),
    ],
)
def test_an_actions_rag_is_the_worst_of_its_unfinished_steps(rags, expected):
    assert action_rag(rags) == expected


@pytest.fixture
def plan(partnership):
    """Four steps under one action, led by probation, the council, housing and police;
    the plan started 300 days ago and flags steps after 60 days without an update."""
    p = partnership
    return make_plan(
        p.coordinator,
        [p.police, p.probation, p.housing],
        starts_on=TODAY - timedelta(days=300),
        objectives=[
            (
                "Information sharing",
                [
                    (
                        "Clear agreement",
                        [
                            ("Review", p.probation),
                            ("Add members", p.council),
                            ("Renew", p.housing),
                            ("Monitor", p.police),
                        ],
                    )
                ],
            ),
            ("Supporting offenders", [("Accommodation", [("Rent deposits", p.probation)])]),
        ],
    )


def _flags(step: ActionStep) -> tuple[bool, bool]:
    flagged = with_flags(ActionStep.objects.filter(pk=step.pk), TODAY).get()
    return flagged.overdue, flagged.needs_update


def test_a_step_past_its_due_date_and_not_complete_is_overdue(plan):
    step = steps_of(plan)[0]
    add_update(step, rag=Rag.GREEN, written_on=TODAY)
    ActionStep.objects.filter(pk=step.pk).update(due=TODAY - timedelta(days=1))
    assert _flags(step) == (True, False)
    ActionStep.objects.filter(pk=step.pk).update(due=TODAY)
    assert _flags(step) == (False, False)


def test_a_step_without_a_date_is_due_by_its_actions_timescale(plan):
    step = steps_of(plan)[0]
    add_update(step, rag=Rag.GREEN, written_on=TODAY)
    step.action.due = TODAY - timedelta(days=1)
    step.action.save()
    assert _flags(step) == (True, False)


def test_a_complete_step_is_never_flagged(plan):
    step = steps_of(plan)[0]
    add_update(step, rag=Rag.COMPLETE, written_on=TODAY - timedelta(days=400))
    ActionStep.objects.filter(pk=step.pk).update(due=TODAY - timedelta(days=100))
    assert _flags(step) == (False, False)


def test_a_step_needs_an_update_after_the_plans_interval(plan):
    step = steps_of(plan)[0]
    add_update(step, rag=Rag.GREEN, written_on=TODAY - timedelta(days=59))
    assert _flags(step) == (False, False)
    add_update(step, rag=Rag.GREEN, written_on=TODAY - timedelta(days=60))
    # The later update still counts: 59 days ago.
    assert _flags(step) == (False, False)
    plan.needs_update_days = 30
    plan.save()
    assert _flags(step) == (False, True)


def test_a_step_never_updated_counts_from_the_plans_start(plan):
    step = steps_of(plan)[0]
    assert _flags(step) == (False, True)
    plan.starts_on = TODAY - timedelta(days=10)
    plan.save()
    assert _flags(step) == (False, False)


def test_filters_keep_actions_with_a_matching_step_and_show_those_steps(partnership, plan):
    p = partnership
    review, members, renew, monitor = steps_of(plan)[:4]
    add_update(review, rag=Rag.RED, written_on=TODAY)
    add_update(members, rag=Rag.RED, written_on=TODAY)
    add_update(renew, rag=Rag.GREEN, written_on=TODAY)
    add_update(monitor, rag=Rag.AMBER_RED, written_on=TODAY)

    table = plan_table(plan, viewer=p.coordinator, today=TODAY, filters=PlanFilter(rag=("red",)))

    assert len(table) == 1
    (row,) = table[0].actions
    assert [s.step.text for s in row.steps] == ["Review", "Add members"]
    assert row.rag == Rag.RED
    assert row.step_count == 4

    table = plan_table(
        plan,
        viewer=p.coordinator,
        today=TODAY,
        filters=PlanFilter(lead_agency=p.probation.pk, rag=("red",)),
    )
    assert [s.step.text for s in table[0].actions[0].steps] == ["Review"]


def test_needs_update_filter_finds_steps_never_updated(partnership, plan):
    review, members, renew, monitor, deposits = steps_of(plan)
    for step in (review, members, renew, monitor):
        add_update(step, rag=Rag.GREEN, written_on=TODAY)
    table = plan_table(
        plan, viewer=partnership.coordinator, today=TODAY, filters=PlanFilter(needs_update=True)
    )
    assert [
        (g.objective.title, [s.step.text for a in g.actions for s in a.steps]) for g in table
    ] == [("Supporting offenders", ["Rent deposits"])]


def test_the_objective_filter_keeps_one_objective_with_all_its_actions(partnership, plan):
    second = plan.objectives.get(number=2)
    table = plan_table(
        plan,
        viewer=partnership.coordinator,
        today=TODAY,
        filters=PlanFilter(objective=second.pk),
    )
    assert [g.objective.title for g in table] == ["Supporting offenders"]


def test_a_named_lead_is_shown_by_name_only_to_their_own_agency(partnership, plan):
    p = partnership
    step = steps_of(plan)[0]
    step.lead_person = p.member_partner
    step.save()
    bob = p.member_partner.get_full_name()
    probation_view = plan_table(plan, viewer=p.member_partner, today=TODAY)
    council_view = plan_table(plan, viewer=p.coordinator, today=TODAY)
    assert probation_view[0].actions[0].steps[0].lead == f"Probation ({bob})"
    assert council_view[0].actions[0].steps[0].lead == "Probation"


def test_summary_counts_actions_by_derived_rag_and_steps_by_current_rag(plan):
    review, members, renew, monitor, deposits = steps_of(plan)
    add_update(review, rag=Rag.RED, written_on=TODAY)
    add_update(members, rag=Rag.GREEN, written_on=TODAY)
    add_update(deposits, rag=Rag.COMPLETE, written_on=TODAY)

    summary = plan_rag_summary(plan)

    assert (summary.actions, summary.steps) == (2, 5)
    assert summary.actions_at(Rag.RED) == 1
    assert summary.actions_at(Rag.COMPLETE) == 1
    assert summary.steps_at(Rag.NOT_STARTED) == 2
    assert summary.steps_at(Rag.GREEN) == 1
    assert [row.rag for row in summary.rows] == [
        Rag.RED,
        Rag.AMBER_RED,
        Rag.AMBER_GREEN,
        Rag.GREEN,
        Rag.COMPLETE,
        Rag.NOT_STARTED,
    ]


def test_summary_counts_an_action_without_steps_as_not_started(partnership):
    plan = make_plan(partnership.coordinator, [], objectives=[("Objective", [("Empty", [])])])
    summary = plan_rag_summary(plan)
    assert (summary.actions, summary.steps, summary.actions_at(Rag.NOT_STARTED)) == (1, 0, 1)


def test_steps_needing_attention_are_the_agencys_own_in_plans_it_is_part_of(partnership, plan):
    p = partnership
    review, members, renew, monitor, deposits = steps_of(plan)
    add_update(review, rag=Rag.GREEN, written_on=TODAY)
    ActionStep.objects.filter(pk=review.pk).update(due=TODAY - timedelta(days=3))
    add_update(deposits, rag=Rag.AMBER_RED, written_on=TODAY - timedelta(days=90))

    flagged = list(steps_needing_attention(p.probation, TODAY))

    assert [(s.text, s.overdue, s.needs_update) for s in flagged] == [
        ("Review", True, False),
        ("Rent deposits", False, True),
    ]
    (counts,) = attention_by_plan(p.probation, TODAY)
    assert (counts.plan_id, counts.steps, counts.overdue, counts.needs_update) == (
        plan.pk,
        2,
        1,
        1,
    )
    # An agency that has left the plan is not reminded of it.
    plan.agencies.remove(p.probation)
    assert list(steps_needing_attention(p.probation, TODAY)) == []


def test_plans_list_only_the_users_partnerships(partnership, plan):
    p = partnership
    elsewhere = make_plan(p.outsider_coordinator, [], title="Elsewhere plan")
    assert list(plans_for(p.member_partner)) == [plan]
    assert list(plans_for(p.outsider_partner)) == [elsewhere]
    assert plans_for(p.member_partner)[0].step_count == 5
