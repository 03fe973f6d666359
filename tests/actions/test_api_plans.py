"""Plans and their actions over the API: read by the staff of the plan's agencies,
committee officers included; another borough's plan (or a missing one) answers 404,
logged; the API never changes a plan or an action."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from accounts.models import AccessLog, AccessOutcome
from actions.models import ActionPlan
from tests.actions.api_helpers import OUTSIDERS, PARTNERSHIP_STAFF, build_plans, get, ids
from tests.actions.factories import make_large_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(partnership):
    return build_plans(partnership)


# --- Plans -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PARTNERSHIP_STAFF)
def test_partnership_staff_list_and_read_their_plan_only(persona, partnership, plans, client_for):
    client = client_for(getattr(partnership, persona))

    assert ids(get(client, reverse("plan-list"))) == [plans.plan.pk]
    assert get(client, reverse("plan-detail", args=[plans.plan.pk])).status_code == 200
    assert get(client, reverse("plan-detail", args=[plans.elsewhere.pk])).status_code == 404


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_another_borough_sees_only_its_own_plan(persona, partnership, plans, client_for):
    client = client_for(getattr(partnership, persona))

    assert ids(get(client, reverse("plan-list"))) == [plans.elsewhere.pk]
    response = get(client, reverse("plan-detail", args=[plans.plan.pk]))

    assert response.status_code == 404
    refused = AccessLog.objects.get(user=getattr(partnership, persona))
    assert (refused.outcome, refused.object_type, refused.object_id) == (
        AccessOutcome.DENIED,
        "actions.actionplan",
        str(plans.plan.pk),
    )


def test_a_missing_plan_answers_like_another_boroughs(partnership, plans, client_for):
    client = client_for(partnership.outsider_partner)
    foreign = get(client, reverse("plan-detail", args=[plans.plan.pk]))
    missing = get(client, reverse("plan-detail", args=[2_000_000_000]))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content


def test_the_plan_reads_like_the_committee_paper(partnership, plans, client_for):
    data = get(client_for(partnership.committee), reverse("plan-detail", args=[plans.plan.pk]))
    data = data.json()

    assert data["owner_agency"] == {"code": "council", "name": "Council CST"}
    assert [a["code"] for a in data["agencies"]] == ["police", "council", "housing", "probation"]
    assert (data["action_count"], data["step_count"]) == (3, 4)
    first, second = data["objectives"]
    assert [first["title"], second["title"]] == ["Information sharing", "Accommodation"]
    agreement, training = first["actions"]
    # The action's RAG is its worst unfinished step's; each step carries its current RAG.
    assert agreement["rag"] == "red" and training["rag"] == "not_started"
    assert second["actions"][0]["rag"] == "complete"
    review, renewal = agreement["steps"]
    assert review | {"id": 0} == {
        "id": 0,
        "number": 1,
        "text": "Review current agreement",
        "lead": "Probation",
        "lead_text": "Probation",
        "lead_agency": "probation",
        "due_on": plans.review.due.isoformat(),
        "current_rag": "red",
        "last_update_on": plans.review.last_update_on.isoformat(),
        "overdue": True,
        "needs_update": False,
        "latest_progress": "Stalled: waiting for legal",
    }
    assert renewal["current_rag"] == "green" and not renewal["overdue"]
    assert training["steps"][0]["needs_update"] is True


def test_the_owner_is_named_to_their_own_agency_only(partnership, plans, client_for):
    url = reverse("plan-detail", args=[plans.plan.pk])
    alice = partnership.coordinator
    to_council = get(client_for(partnership.partner), url).json()["owner"]
    to_probation = get(client_for(partnership.member_partner), url).json()["owner"]

    assert to_council == f"{alice.get_full_name()}, Council CST"
    assert to_probation == "Council CST"
    assert alice.last_name not in json.dumps(
        get(client_for(partnership.member_partner), url).json()
    )


def test_the_plans_list_asks_the_same_queries_for_one_plan_or_many(
    partnership, plans, client_for, django_assert_max_num_queries
):
    client = client_for(partnership.partner)
    get(client, reverse("plan-list"))
    with django_assert_max_num_queries(20) as few:
        get(client, reverse("plan-list"))
    for _ in range(5):
        make_large_plan(
            partnership.coordinator, [partnership.probation], objectives=2, actions=2, steps=2
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(ids(get(client, reverse("plan-list")))) == 6


def test_a_plan_is_read_in_the_same_queries_whatever_its_size(
    partnership, plans, client_for, django_assert_max_num_queries
):
    client = client_for(partnership.partner)
    get(client, reverse("plan-detail", args=[plans.plan.pk]))
    with django_assert_max_num_queries(20) as small:
        get(client, reverse("plan-detail", args=[plans.plan.pk]))
    large = make_large_plan(
        partnership.coordinator,
        [partnership.probation, partnership.police],
        objectives=3,
        actions=4,
        steps=5,
        updates_per_step=2,
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        data = get(client, reverse("plan-detail", args=[large.pk])).json()
    assert sum(len(a["steps"]) for o in data["objectives"] for a in o["actions"]) == 60


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_changes_no_plan(method, partnership, plans, client_for):
    client = client_for(partnership.coordinator)
    urls = [reverse("plan-list"), reverse("plan-detail", args=[plans.plan.pk])]
    for url in urls:
        response = getattr(client, method)(
            url, json.dumps({"title": "Renamed"}), content_type="application/json"
        )
        assert response.status_code in (403, 405)
    assert ActionPlan.objects.get(pk=plans.plan.pk).title == "Reducing reoffending action plan"


def test_anonymous_callers_are_refused(plans, client):
    assert client.get(reverse("plan-list")).status_code == 403
    assert client.get(reverse("plan-detail", args=[plans.plan.pk])).status_code == 403


# --- Actions -----------------------------------------------------------------------------------


def test_actions_list_shows_the_visible_plans_actions_in_order(partnership, plans, client_for):
    council = ids(get(client_for(partnership.unsigned_partner), reverse("plan-action-list")))
    elsewhere = ids(get(client_for(partnership.outsider_partner), reverse("plan-action-list")))

    assert len(council) == 3 and len(elsewhere) == 1
    assert not set(council) & set(elsewhere)
    assert council[0] == plans.review.action_id


def test_actions_list_narrows_to_one_plan(partnership, plans, client_for):
    make_large_plan(partnership.coordinator, [], objectives=1, actions=2, steps=1)
    client = client_for(partnership.partner)

    everything = get(client, reverse("plan-action-list"))
    one = get(client, reverse("plan-action-list"), plan=str(plans.plan.pk))
    foreign = get(client, reverse("plan-action-list"), plan=str(plans.elsewhere.pk))

    assert everything.json()["count"] == 5
    assert one.json()["count"] == 3
    assert {row["plan"] for row in one.json()["results"]} == {plans.plan.pk}
    assert foreign.json()["count"] == 0


def test_a_plan_filter_that_is_not_a_number_is_a_400(partnership, plans, client_for):
    response = get(client_for(partnership.partner), reverse("plan-action-list"), plan="one")
    assert response.status_code == 400
    assert response.json() == {"plan": ["Enter a whole number."]}


def test_an_action_is_read_with_its_steps(partnership, plans, client_for):
    url = reverse("plan-action-detail", args=[plans.review.action_id])

    data = get(client_for(partnership.committee), url).json()

    assert data["title"] == "Clear information sharing agreement"
    assert data["plan"] == plans.plan.pk
    assert data["objective"]["title"] == "Information sharing"
    assert data["rag"] == "red"
    assert [(s["number"], s["current_rag"], s["lead_agency"]) for s in data["steps"]] == [
        (1, "red", "probation"),
        (2, "green", "council"),
    ]


def test_another_boroughs_action_answers_404(partnership, plans, client_for):
    client = client_for(partnership.outsider_coordinator)
    url = reverse("plan-action-detail", args=[plans.review.action_id])

    assert get(client, url).status_code == 404
    refused = AccessLog.objects.get(user=partnership.outsider_coordinator)
    assert (refused.object_type, refused.object_id) == (
        "actions.action",
        str(plans.review.action_id),
    )
