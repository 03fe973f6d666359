"""Plan steps over the API: listed and filtered (plan, lead agency, RAG, overdue, needs an
update) among the plans the caller sees, read with their update history, and updated
(POST plan-steps/<id>/updates/) by their lead agency's staff or whoever edits the plan."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, AccessOutcome, AuditEvent, Verb
from actions.models import ProgressUpdate
from tests.actions.api_helpers import PARTNERSHIP_STAFF, build_plans, get, ids, post
from tests.actions.factories import make_large_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(partnership):
    return build_plans(partnership)


# --- Lists -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PARTNERSHIP_STAFF)
def test_partnership_staff_list_the_plans_steps_in_the_plans_order(
    persona, partnership, plans, client_for
):
    response = get(client_for(getattr(partnership, persona)), reverse("plan-step-list"))

    assert ids(response) == [
        s.pk for s in (plans.review, plans.renewal, plans.training, plans.routes)
    ]


def test_another_borough_lists_only_its_own_steps(partnership, plans, client_for):
    response = get(client_for(partnership.outsider_partner), reverse("plan-step-list"))
    assert ids(response) == [plans.elsewhere_step.pk]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"lead_agency": "probation"}, ["review"]),
        ({"lead_agency": "council"}, ["renewal"]),
        ({"lead_agency": "nobody"}, []),
        ({"rag": "complete"}, ["routes"]),
        ({"rag": "not_started"}, ["training"]),
        ({"overdue": "1"}, ["review"]),
        ({"overdue": "0"}, ["review", "renewal", "training", "routes"]),
        ({"needs_update": "1"}, ["training"]),
        ({"rag": "red", "overdue": "1", "lead_agency": "probation"}, ["review"]),
        ({"rag": "green", "overdue": "1"}, []),
    ],
)
def test_steps_are_filtered(params, expected, partnership, plans, client_for):
    response = get(client_for(partnership.partner), reverse("plan-step-list"), **params)

    assert response.status_code == 200
    assert ids(response) == [getattr(plans, name).pk for name in expected]


def test_steps_are_filtered_by_plan(partnership, plans, client_for):
    other = make_large_plan(partnership.coordinator, [], objectives=1, actions=1, steps=3)
    client = client_for(partnership.partner)

    assert len(ids(get(client, reverse("plan-step-list"), plan=str(other.pk)))) == 3
    assert len(ids(get(client, reverse("plan-step-list"), plan=str(plans.plan.pk)))) == 4
    assert ids(get(client, reverse("plan-step-list"), plan=str(plans.elsewhere.pk))) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"rag": "amber"}, "rag"),
        ({"overdue": "yes"}, "overdue"),
        ({"needs_update": "2"}, "needs_update"),
        ({"plan": "first"}, "plan"),
    ],
)
def test_bad_filters_are_a_400_naming_the_filter(params, field, partnership, plans, client_for):
    response = get(client_for(partnership.partner), reverse("plan-step-list"), **params)

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_the_steps_list_asks_the_same_queries_for_few_steps_or_many(
    partnership, plans, client_for, django_assert_max_num_queries
):
    client = client_for(partnership.partner)
    get(client, reverse("plan-step-list"))
    with django_assert_max_num_queries(20) as few:
        get(client, reverse("plan-step-list"))
    make_large_plan(
        partnership.coordinator,
        [partnership.probation],
        objectives=2,
        actions=3,
        steps=4,
        updates_per_step=2,
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(ids(get(client, reverse("plan-step-list")))) == 28


# --- One step ----------------------------------------------------------------------------------


def test_a_step_is_read_with_its_whole_history_newest_first(partnership, plans, client_for):
    url = reverse("plan-step-detail", args=[plans.review.pk])

    data = get(client_for(partnership.committee), url).json()

    assert data["action"] == {
        "id": plans.review.action_id,
        "number": 1,
        "title": "Clear information sharing agreement",
    }
    assert data["plan"] == plans.plan.pk
    assert data["current_rag"] == "red" and data["overdue"] is True
    assert [(u["rag"], u["text"]) for u in data["history"]] == [
        ("red", "Stalled: waiting for legal"),
        ("amber_green", "Draft circulated"),
    ]


def test_authors_are_named_to_their_own_agency_only(partnership, plans, client_for):
    url = reverse("plan-step-detail", args=[plans.review.pk])
    bob = partnership.member_partner

    to_probation = get(client_for(bob), url).json()["history"][0]
    to_council = get(client_for(partnership.partner), url).json()["history"][0]

    assert to_probation["author"] == f"{bob.get_full_name()}, Probation"
    assert to_council["author"] == "Probation"
    assert to_council["author_agency"] == "probation"


def test_another_boroughs_step_answers_404_like_a_missing_one(partnership, plans, client_for):
    client = client_for(partnership.outsider_admin)

    foreign = get(client, reverse("plan-step-detail", args=[plans.review.pk]))
    missing = get(client, reverse("plan-step-detail", args=[2_000_000_000]))

    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    refused = AccessLog.objects.filter(user=partnership.outsider_admin).order_by("at")
    assert [(r.outcome, r.object_type, r.object_id) for r in refused] == [
        (AccessOutcome.DENIED, "actions.actionstep", str(plans.review.pk)),
        (AccessOutcome.DENIED, "actions.actionstep", "2000000000"),
    ]


# --- Progress on a step ------------------------------------------------------------------------


def updates_url(step) -> str:
    return reverse("plan-step-updates", args=[step.pk])


def test_the_lead_agencys_partner_adds_progress_to_their_step(partnership, plans, client_for):
    bob = partnership.member_partner

    response = post(
        client_for(bob),
        updates_url(plans.review),
        {
            "rag": "amber_red",
            "text": "Legal advice received",
            "written_on": str(timezone.localdate()),
        },
    )

    assert response.status_code == 201, response.content
    assert response.json() | {"id": 0} == {
        "id": 0,
        "step": plans.review.pk,
        "written_on": str(timezone.localdate()),
        "text": "Legal advice received",
        "rag": "amber_red",
        "author": f"{bob.get_full_name()}, Probation",
        "author_agency": "probation",
    }
    plans.review.refresh_from_db()
    assert plans.review.current_rag == "amber_red"
    event = AuditEvent.objects.get(verb=Verb.PROGRESS_RECORDED)
    assert event.actor == bob


def test_the_plan_owner_adds_progress_to_any_step_dated_today_by_default(
    partnership, plans, client_for
):
    response = post(
        client_for(partnership.coordinator),
        updates_url(plans.training),
        {"rag": "green", "text": "Sessions booked"},
    )

    assert response.status_code == 201, response.content
    assert response.json()["written_on"] == str(timezone.localdate())


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("partner", 403),  # the council's partner: sees the plan, leads other steps
        ("unsigned_partner", 403),  # housing: leads another step
        ("agency_admin", 403),  # staff accounts only: refused before the step is found
        ("governance_lead", 403),
        ("committee", 403),  # reads the plan, never writes
        ("system_admin", 403),
        ("outsider_partner", 404),
        ("outsider_coordinator", 404),
        ("outsider_admin", 403),
    ],
)
def test_others_may_not_add_progress_to_probations_step(
    persona, expected, partnership, plans, client_for
):
    response = post(
        client_for(getattr(partnership, persona)),
        updates_url(plans.review),
        {"rag": "green", "text": "Not mine to say"},
    )

    assert response.status_code == expected
    assert not ProgressUpdate.objects.filter(text="Not mine to say").exists()
    denied = AccessLog.objects.filter(user=getattr(partnership, persona), outcome="denied")
    assert denied.count() == 1


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"rag", "text"}),
        ({"rag": "amber", "text": "Done"}, {"rag"}),
        ({"rag": "green", "text": "   "}, {"text"}),
        ({"rag": "green", "text": "x" * 5001}, {"text"}),
        ({"rag": "green", "text": "Done", "written_on": "2099-01-01"}, {"written_on"}),
        ({"rag": "green", "text": "Done", "written_on": "1999-12-31"}, {"written_on"}),
        ({"rag": "green", "text": "Done", "written_on": "31/12/2026"}, {"written_on"}),
    ],
)
def test_bad_progress_is_a_400_with_field_errors_and_saves_nothing(
    body, errors, partnership, plans, client_for
):
    response = post(client_for(partnership.member_partner), updates_url(plans.review), body)

    assert response.status_code == 400
    assert set(response.json()) == errors
    assert ProgressUpdate.objects.filter(step=plans.review).count() == 2
