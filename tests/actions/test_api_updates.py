"""Progress updates over the API: listed (newest first, `?step=` for one step's history)
among the plans the caller sees, and added (POST plan-updates/ naming the step) by the
step's lead agency's staff or whoever edits the plan, through `progress_add`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, AuditEvent, Verb
from actions.models import ProgressUpdate
from tests.actions.api_helpers import build_plans, get, ids, post
from tests.actions.factories import add_update

pytestmark = pytest.mark.django_db

LIST = "/api/v1/plan-updates/"


@pytest.fixture
def plans(partnership):
    plans = build_plans(partnership)
    add_update(
        plans.elsewhere_step,
        rag="green",
        written_on=timezone.localdate(),
        text="Elsewhere progress",
    )
    return plans


def test_the_route_is_where_the_router_puts_it():
    assert reverse("plan-update-list") == LIST


def test_updates_are_listed_newest_first_among_the_plans_the_caller_sees(
    partnership, plans, client_for
):
    response = get(client_for(partnership.unsigned_partner), LIST)

    rows = response.json()["results"]
    assert sorted(row["text"] for row in rows) == [
        "Draft circulated",
        "Progress made",
        "Progress made",
        "Stalled: waiting for legal",
    ]
    dates = [row["written_on"] for row in rows]
    assert dates == sorted(dates, reverse=True)


def test_another_borough_lists_only_its_own_updates(partnership, plans, client_for):
    response = get(client_for(partnership.outsider_partner), LIST)
    assert [row["text"] for row in response.json()["results"]] == ["Elsewhere progress"]


def test_one_steps_history(partnership, plans, client_for):
    client = client_for(partnership.committee)

    mine = get(client, LIST, step=str(plans.review.pk))
    foreign = get(client, LIST, step=str(plans.elsewhere_step.pk))
    bad = get(client, LIST, step="review")

    assert [row["text"] for row in mine.json()["results"]] == [
        "Stalled: waiting for legal",
        "Draft circulated",
    ]
    assert ids(foreign) == []
    assert bad.status_code == 400 and bad.json() == {"step": ["Enter a whole number."]}


# --- Adding progress ---------------------------------------------------------------------------


def test_the_lead_agencys_partner_adds_progress(partnership, plans, client_for):
    bob = partnership.member_partner
    yesterday = timezone.localdate() - timedelta(days=1)

    response = post(
        client_for(bob),
        LIST,
        {
            "step": plans.review.pk,
            "written_on": yesterday.isoformat(),
            "rag": "amber_red",
            "text": "Legal advice received",
        },
    )

    assert response.status_code == 201, response.content
    update = ProgressUpdate.objects.get(pk=response.json()["id"])
    assert (update.step, update.author, update.author_agency, update.written_on) == (
        plans.review,
        bob,
        partnership.probation,
        yesterday,
    )
    plans.review.refresh_from_db()
    assert (plans.review.current_rag, plans.review.last_update_on) == ("amber_red", yesterday)
    assert AuditEvent.objects.filter(verb=Verb.PROGRESS_RECORDED, actor=bob).count() == 1


def test_an_update_dated_before_the_latest_joins_the_history_only(partnership, plans, client_for):
    response = post(
        client_for(partnership.coordinator),
        LIST,
        {"step": plans.review.pk, "written_on": "2026-02-01", "rag": "green", "text": "Late entry"},
    )

    assert response.status_code == 201
    plans.review.refresh_from_db()
    assert plans.review.current_rag == "red"


def test_a_partner_who_does_not_lead_the_step_gets_403(partnership, plans, client_for):
    response = post(
        client_for(partnership.partner),
        LIST,
        {"step": plans.review.pk, "rag": "green", "text": "Not mine"},
    )

    assert response.status_code == 403
    refused = AccessLog.objects.get(user=partnership.partner)
    assert (refused.object_type, refused.object_id) == ("actions.actionstep", str(plans.review.pk))
    assert not ProgressUpdate.objects.filter(text="Not mine").exists()


def test_the_answer_does_not_depend_on_the_rest_of_the_body_once_refused(
    partnership, plans, client_for
):
    response = post(client_for(partnership.unsigned_partner), LIST, {"step": plans.review.pk})
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["committee", "system_admin"])
def test_roles_that_never_write_are_refused_before_anything_is_read(
    persona, partnership, plans, client_for
):
    response = post(
        client_for(getattr(partnership, persona)),
        LIST,
        {"step": plans.review.pk, "rag": "green", "text": "Committee view"},
    )
    assert response.status_code == 403
    assert not ProgressUpdate.objects.filter(text="Committee view").exists()


@pytest.mark.parametrize("step", ["elsewhere", "missing"])
def test_a_step_the_caller_cannot_see_is_refused_like_one_that_does_not_exist(
    step, partnership, plans, client_for
):
    pk = plans.elsewhere_step.pk if step == "elsewhere" else 2_000_000_000

    response = post(
        client_for(partnership.member_partner),
        LIST,
        {"step": pk, "rag": "green", "text": "Hello"},
    )

    assert response.status_code == 400
    assert response.json() == {"step": ["Select a step of a plan you can see."]}


STEP = object()  # stands for the probation-led step's id


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"step"}),
        ({"step": "one", "rag": "green", "text": "Done"}, {"step"}),
        ({"rag": "green", "text": "No step"}, {"step"}),
        ({"step": STEP, "rag": "purple", "text": "Done"}, {"rag"}),
        ({"step": STEP, "rag": "green"}, {"text"}),
        (
            {"step": STEP, "rag": "green", "text": "Done", "written_on": "2099-01-01"},
            {"written_on"},
        ),
    ],
)
def test_bad_input_is_a_400_with_field_errors(body, errors, partnership, plans, client_for):
    body = {key: plans.review.pk if value is STEP else value for key, value in body.items()}

    response = post(client_for(partnership.member_partner), LIST, body)

    assert response.status_code == 400
    assert set(response.json()) == errors
    assert ProgressUpdate.objects.count() == 5
