"""Shaping the plan in pages: creating a plan, adding, rewording, reordering and removing
objectives, actions and steps, moving an action to another objective, and archiving.

Numbers are what the committee paper prints, so they must stay without gaps and follow
the order the owner chose; a change made on a page opened before someone else's change is
refused rather than applied to a list the owner has not seen."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Notification, Verb
from actions.models import Action, ActionPlan, ActionStep, Objective, ProgressUpdate, Rag
from actions.services.plans import version_of
from actions.services.reminders import plan_reminders_send
from actions.services.structure import order_of
from tests.actions.factories import add_update, make_plan, steps_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(partnership):
    """Two objectives; the first has two actions (two steps, then one), the second none."""
    p = partnership
    return make_plan(
        p.coordinator,
        [p.probation, p.housing],
        objectives=[
            (
                "Information sharing",
                [
                    ("Agreement", [("Review the agreement", p.probation), ("Add members", None)]),
                    ("Data analysis", [("Agree offences", p.housing)]),
                ],
            ),
            ("Housing pathways", []),
        ],
    )


def numbers(queryset) -> list[tuple[str, int]]:
    return [(str(item), item.number) for item in queryset.order_by("number")]


def titles(plan: ActionPlan) -> list[str]:
    return list(plan.objectives.order_by("number").values_list("title", flat=True))


# --- Creating a plan ------------------------------------------------------------------------


def test_a_coordinator_creates_a_plan_and_owns_it(partnership, client_for):
    p = partnership
    client = client_for(p.coordinator)
    assert b"Create a plan" in client.get(reverse("actions:index")).content
    response = client.post(
        reverse("actions:plan-new"),
        {
            "title": "Serious violence plan 2027",
            "strategy": "Serious Violence Duty strategy",
            "starts_on-day": "1",
            "starts_on-month": "4",
            "starts_on-year": "2027",
            "needs_update_days": "30",
            "agencies": [str(p.police.pk)],
        },
    )
    plan = ActionPlan.objects.get(title="Serious violence plan 2027")
    assert response["Location"] == reverse("actions:plan-outline", args=[plan.pk])
    assert plan.owner == p.coordinator and plan.owner_agency == p.council
    assert set(plan.agencies.all()) == {p.council, p.police}
    assert plan.starts_on == date(2027, 4, 1)
    assert AuditEvent.objects.filter(verb=Verb.PLAN_CREATED, object_id=str(plan.pk)).exists()


def test_a_new_plan_with_mistakes_shows_every_error_at_once(partnership, client_for):
    response = client_for(partnership.coordinator).post(
        reverse("actions:plan-new"),
        {"title": "", "needs_update_days": "3", "starts_on-day": "31", "starts_on-month": "2"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Enter the plan&#x27;s title" in text
    assert "The number of days must be 7 or more" in text
    assert "Select the agencies in the partnership" in text
    assert text.count('class="govuk-error-message"') >= 3
    assert not ActionPlan.objects.exists()


def test_only_coordinators_create_plans(partnership, client_for):
    for user in (partnership.partner, partnership.committee, partnership.agency_admin):
        assert client_for(user).get(reverse("actions:plan-new")).status_code == 403


# --- Adding ---------------------------------------------------------------------------------


def test_objectives_actions_and_steps_are_added_at_the_end(plan, partnership, client_for):
    p = partnership
    client = client_for(p.coordinator)
    client.post(reverse("actions:plan-outline", args=[plan.pk]), {"title": "Young adults"})
    assert titles(plan) == ["Information sharing", "Housing pathways", "Young adults"]

    housing = plan.objectives.get(number=2)
    client.post(
        reverse("actions:action-new", args=[housing.pk]),
        {"title": "Move-on accommodation", "timescale": "March 2028"},
    )
    action = housing.actions.get()
    assert (action.number, action.timescale) == (1, "March 2028")

    client.post(
        reverse("actions:step-new", args=[action.pk]),
        {"text": "Map the bed spaces", "lead_agency": str(p.housing.pk)},
    )
    step = action.steps.get()
    assert (step.number, step.lead_agency, step.current_rag) == (1, p.housing, Rag.NOT_STARTED)
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {Verb.OBJECTIVE_ADDED, Verb.ACTION_ADDED, Verb.STEP_ADDED} <= verbs


def test_a_step_lead_must_be_an_agency_of_the_plan(plan, partnership, client_for):
    action = Action.objects.get(title="Data analysis")
    response = client_for(partnership.coordinator).post(
        reverse("actions:step-new", args=[action.pk]),
        {"text": "Ask another borough", "lead_agency": str(partnership.outsider.pk)},
    )
    assert response.status_code == 200
    assert "Select one of the plan" in response.content.decode()
    assert action.steps.count() == 1


def test_an_empty_new_step_says_what_to_enter(plan, partnership, client_for):
    action = Action.objects.get(title="Data analysis")
    response = client_for(partnership.coordinator).post(
        reverse("actions:step-new", args=[action.pk]), {"text": "  "}
    )
    assert "Enter the step" in response.content.decode()


# --- Rewording ------------------------------------------------------------------------------


def test_an_objective_is_reworded_and_a_stale_page_is_refused(plan, partnership, client_for):
    objective = plan.objectives.get(number=1)
    url = reverse("actions:objective-edit", args=[objective.pk])
    seen = version_of(objective)
    client = client_for(partnership.coordinator)
    client.post(url, {"title": "Information sharing and analysis", "version": seen})
    objective.refresh_from_db()
    assert objective.title == "Information sharing and analysis"

    # A second editor's page, opened before that change, is refused and changes nothing.
    response = client.post(url, {"title": "Something else", "version": seen}, follow=True)
    objective.refresh_from_db()
    assert objective.title == "Information sharing and analysis"
    assert "Someone else changed these details" in response.content.decode()


# --- Reordering -----------------------------------------------------------------------------


def test_moving_swaps_neighbours_and_keeps_numbers_without_gaps(plan, partnership, client_for):
    client = client_for(partnership.coordinator)
    second = plan.objectives.get(number=2)
    client.post(
        reverse("actions:objective-move", args=[second.pk]),
        {"direction": "up", "order": order_of(second)},
    )
    assert titles(plan) == ["Housing pathways", "Information sharing"]

    review, members, _ = steps_of(plan)
    client.post(
        reverse("actions:step-move", args=[review.pk]),
        {"direction": "down", "order": order_of(review)},
    )
    in_order = ActionStep.objects.filter(action=review.action).order_by("number")
    assert [(step.text, step.number) for step in in_order] == [
        ("Add members", 1),
        ("Review the agreement", 2),
    ]
    assert AuditEvent.objects.filter(verb=Verb.PLAN_REORDERED).count() == 2


def test_moving_the_first_up_changes_nothing(plan, partnership, client_for):
    first = plan.objectives.get(number=1)
    client_for(partnership.coordinator).post(
        reverse("actions:objective-move", args=[first.pk]),
        {"direction": "up", "order": order_of(first)},
    )
    assert titles(plan) == ["Information sharing", "Housing pathways"]


def test_a_move_on_a_page_opened_before_another_change_is_refused(plan, partnership, client_for):
    second = plan.objectives.get(number=2)
    seen = order_of(second)
    client = client_for(partnership.coordinator)
    client.post(reverse("actions:plan-outline", args=[plan.pk]), {"title": "Young adults"})
    response = client.post(
        reverse("actions:objective-move", args=[second.pk]),
        {"direction": "up", "order": seen},
        follow=True,
    )
    assert titles(plan) == ["Information sharing", "Housing pathways", "Young adults"]
    assert "Someone else added, moved or removed part of the plan" in response.content.decode()


def test_an_action_moves_to_another_objective_and_both_renumber(plan, partnership, client_for):
    agreement = Action.objects.get(title="Agreement")
    housing = plan.objectives.get(number=2)
    client_for(partnership.coordinator).post(
        reverse("actions:action-objective", args=[agreement.pk]),
        {"objective": str(housing.pk), "order": order_of(agreement)},
    )
    assert numbers(Action.objects.filter(objective__number=1, objective__plan=plan)) == [
        ("Data analysis", 1)
    ]
    assert numbers(housing.actions.all()) == [("Agreement", 1)]
    # Its steps and their lead go with it.
    assert Action.objects.get(pk=agreement.pk).steps.count() == 2


# --- Removing -------------------------------------------------------------------------------


def test_removing_an_action_says_what_goes_then_takes_its_steps_and_updates(
    plan, partnership, client_for
):
    review, members, offences = steps_of(plan)
    add_update(review, rag=Rag.GREEN, written_on=date(2026, 5, 1), text="Done")
    agreement = review.action
    url = reverse("actions:action-remove", args=[agreement.pk])
    client = client_for(partnership.coordinator)

    page = client.get(url).content.decode()
    assert "2 steps" in page and "1 progress update" in page

    client.post(url, {"order": order_of(agreement)})
    assert not ActionStep.objects.filter(pk__in=[review.pk, members.pk]).exists()
    assert not ProgressUpdate.objects.filter(step_id=review.pk).exists()
    # The action after it is now action 1.1.
    assert numbers(Action.objects.filter(objective=agreement.objective)) == [("Data analysis", 1)]
    removed = AuditEvent.objects.get(verb=Verb.PLAN_PART_REMOVED)
    assert removed.detail["steps"] == 2 and removed.detail["updates"] == 1


def test_an_objective_with_actions_is_not_removed(plan, partnership, client_for):
    first = plan.objectives.get(number=1)
    url = reverse("actions:objective-remove", args=[first.pk])
    client = client_for(partnership.coordinator)
    assert "has 2 actions" in client.get(url).content.decode()
    response = client.post(url, {"order": order_of(first)})
    assert response.status_code == 200
    assert "still has actions" in response.content.decode()
    assert Objective.objects.filter(pk=first.pk).exists()


def test_an_empty_objective_is_removed_and_the_numbers_close_up(plan, partnership, client_for):
    client = client_for(partnership.coordinator)
    client.post(reverse("actions:plan-outline", args=[plan.pk]), {"title": "Young adults"})
    empty = plan.objectives.get(number=2)
    client.post(reverse("actions:objective-remove", args=[empty.pk]), {"order": order_of(empty)})
    assert numbers(plan.objectives.all()) == [("Information sharing", 1), ("Young adults", 2)]


# --- Who may ----------------------------------------------------------------------------------


def test_partners_and_other_agencies_cannot_shape_the_plan(plan, partnership, client_for):
    p = partnership
    objective = plan.objectives.get(number=1)
    action = objective.actions.get(number=1)
    step = action.steps.get(number=1)
    pages = [
        reverse("actions:plan-outline", args=[plan.pk]),
        reverse("actions:objective-edit", args=[objective.pk]),
        reverse("actions:action-new", args=[objective.pk]),
        reverse("actions:step-new", args=[action.pk]),
        reverse("actions:action-objective", args=[action.pk]),
        reverse("actions:step-remove", args=[step.pk]),
        reverse("actions:plan-archive", args=[plan.pk]),
    ]
    for url in pages:
        # A partnership agency's partner sees the plan but may not change it: 403.
        assert client_for(p.member_partner).get(url).status_code == 403, url
        # An agency outside the partnership does not see the plan at all: 404.
        assert client_for(p.outsider_coordinator).get(url).status_code == 404, url
    moved = client_for(p.member_partner).post(
        reverse("actions:step-move", args=[step.pk]),
        {"direction": "down", "order": order_of(step)},
    )
    assert moved.status_code == 403
    assert ActionStep.objects.get(pk=step.pk).number == 1


# --- Archiving ------------------------------------------------------------------------------


def test_an_archived_plan_is_read_only_and_reminds_nobody(plan, partnership, client_for):
    p = partnership
    review, *_ = steps_of(plan)
    ActionStep.objects.filter(pk=review.pk).update(due=date(2020, 1, 1))
    client = client_for(p.coordinator)
    client.post(reverse("actions:plan-archive", args=[plan.pk]), {"archive": "yes"})
    plan.refresh_from_db()
    assert plan.archived

    page = client.get(reverse("actions:plan", args=[plan.pk])).content.decode()
    assert "This plan was archived on" in page
    assert "Change objectives, actions and steps" not in page
    assert client.get(reverse("actions:plan-outline", args=[plan.pk])).status_code == 403
    # The step's lead may no longer add updates to it.
    progress = client_for(p.member_partner).get(reverse("actions:progress-add", args=[review.pk]))
    assert progress.status_code == 403
    plan_reminders_send(today=date(2026, 6, 1))
    assert not Notification.objects.exists()

    # Brought back, it is the owner's to change again.
    client.post(reverse("actions:plan-archive", args=[plan.pk]), {"archive": "no"})
    assert client.get(reverse("actions:plan-outline", args=[plan.pk])).status_code == 200
    verbs = list(AuditEvent.objects.values_list("verb", flat=True))
    assert Verb.PLAN_ARCHIVED in verbs and Verb.PLAN_RESTORED in verbs


def test_the_outline_draws_in_a_fixed_number_of_queries(plan, partnership, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(partnership.coordinator)
    url = reverse("actions:plan-outline", args=[plan.pk])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for objective in plan.objectives.all():
        for n in range(3):
            action = Action.objects.create(objective=objective, number=10 + n, title=f"A{n}")
            ActionStep.objects.create(action=action, number=1, text="S")
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


def test_a_post_without_the_page_s_own_fields_changes_nothing(plan, partnership, client_for):
    """A move, removal or archive sent from anywhere but the page itself does nothing."""
    client = client_for(partnership.coordinator)
    step = ActionStep.objects.get(text="Review the agreement")
    client.post(reverse("actions:step-move", args=[step.pk]), {"direction": "down"})
    removal = client.post(reverse("actions:step-remove", args=[step.pk]))
    archive = client.post(reverse("actions:plan-archive", args=[plan.pk]))
    assert ActionStep.objects.get(pk=step.pk).number == 1
    assert "not sent in full" in removal.content.decode()
    assert archive.status_code == 200
    plan.refresh_from_db()
    assert not plan.archived
