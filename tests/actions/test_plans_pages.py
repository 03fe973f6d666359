"""The plan's pages for each persona: the index, the plan's table and its filter, an
action with its update histories, adding an update, the owner's edit pages and the
dashboard's flags."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, AccessOutcome
from actions.models import ActionStep, ProgressUpdate, Rag
from actions.services.plans import version_of
from tests.actions.factories import add_update, make_large_plan, make_plan, steps_of
from tests.form_errors import assert_shown_everywhere, errors_shown

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(partnership):
    """The council's plan. Step 1 (probation) is Red and overdue; step 2 (council) Green;
    the second action's step (housing) has never been updated."""
    p = partnership
    today = timezone.localdate()
    plan = make_plan(
        p.coordinator,
        [p.police, p.probation, p.housing],
        starts_on=today - timedelta(days=300),
        objectives=[
            (
                "Information and intelligence development",
                [
                    (
                        "Clear information sharing agreement",
                        [("Review current agreement", p.probation), ("Add members", p.council)],
                    ),
                    ("Agreed data analysis", [("Agree offences to monitor", p.housing)]),
                ],
            )
        ],
    )
    review, members, offences = steps_of(plan)
    ActionStep.objects.filter(pk=review.pk).update(due=today - timedelta(days=2))
    add_update(review, rag=Rag.AMBER_GREEN, written_on=today - timedelta(days=20), text="Draft")
    add_update(review, rag=Rag.RED, written_on=today - timedelta(days=5), text="Awaiting sign-off")
    add_update(members, rag=Rag.GREEN, written_on=today - timedelta(days=3), text="Members added")
    return plan


def _get(client_for, user, url, **params):
    return client_for(user).get(url, params)


# --- Index ----------------------------------------------------------------------------------


def test_index_lists_the_plans_of_the_users_partnerships(partnership, plan, client_for):
    p = partnership
    make_plan(p.outsider_coordinator, [], title="Elsewhere plan")
    body = _get(client_for, p.member_partner, reverse("actions:index")).content.decode()
    assert plan.title in body and "Elsewhere plan" not in body
    assert reverse("actions:plan", args=[plan.pk]) in body
    outsider = _get(client_for, p.outsider_partner, reverse("actions:index")).content.decode()
    assert "Elsewhere plan" in outsider and plan.title not in outsider


def test_index_says_when_the_agency_is_in_no_plan(partnership, client_for):
    body = _get(client_for, partnership.partner, reverse("actions:index")).content.decode()
    assert "Your agency is not part of any action plan yet" in body


# --- The plan's table -----------------------------------------------------------------------


def test_plan_reads_like_the_committee_paper(partnership, plan, client_for):
    response = _get(client_for, partnership.member_partner, reverse("actions:plan", args=[plan.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    for heading in ("Project / action", "Outcomes", "Timescale", "Responsible service / lead"):
        assert heading in body
    assert "Strategy objective 1: Information and intelligence development" in body
    assert "1. Review current agreement" in body and "2. Add members" in body
    assert "1. Probation" in body and "2. Council CST" in body
    review, members, _ = steps_of(plan)
    latest = body[body.index(f'id="step-{review.pk}-latest"') :]
    latest = latest[: latest.index("</li>")]
    assert "govuk-tag--red" in latest and "Awaiting sign-off" in latest and "Draft" not in latest
    assert "Overdue" in latest
    assert "Needs update" in body  # the housing step, never updated in 300 days
    assert "An action&#x27;s RAG is the worst RAG of its unfinished steps" in body


def test_filter_to_red_works_without_javascript(partnership, plan, client_for):
    url = reverse("actions:plan", args=[plan.pk])
    body = _get(client_for, partnership.member_partner, url, rag="red").content.decode()
    assert "Review current agreement" in body
    assert "Add members" not in body
    assert "Agreed data analysis" not in body
    assert 'value="red" checked' in body
    assert "Remove this filter</span> Red" in body


def test_filters_by_lead_agency_overdue_needs_update_and_objective(partnership, plan, client_for):
    p = partnership
    url = reverse("actions:plan", args=[plan.pk])
    council = _get(client_for, p.partner, url, lead=p.council.pk).content.decode()
    assert "Add members" in council and "Review current agreement" not in council
    overdue = _get(client_for, p.partner, url, overdue="on").content.decode()
    assert "Review current agreement" in overdue and "Add members" not in overdue
    stale = _get(client_for, p.partner, url, needs_update="on").content.decode()
    assert "Agree offences to monitor" in stale and "Review current agreement" not in stale
    objective = plan.objectives.get()
    one = _get(client_for, p.partner, url, objective=objective.pk).content.decode()
    assert "Agreed data analysis" in one


def test_a_filter_that_matches_nothing_says_so_and_bad_values_are_ignored(
    partnership, plan, client_for
):
    url = reverse("actions:plan", args=[plan.pk])
    body = _get(client_for, partnership.partner, url, rag="complete").content.decode()
    assert "No steps match these filters" in body
    odd = _get(client_for, partnership.partner, url, rag="purple", lead="x", objective="999")
    assert odd.status_code == 200
    assert "Agreed data analysis" in odd.content.decode()


def test_plan_page_shows_the_owners_name_only_to_the_owning_agency(partnership, plan, client_for):
    p = partnership
    url = reverse("actions:plan", args=[plan.pk])
    alice = p.coordinator.get_full_name()
    assert alice in _get(client_for, p.partner, url).content.decode()
    assert alice not in _get(client_for, p.member_partner, url).content.decode()


def test_only_editors_are_offered_the_settings(partnership, plan, client_for):
    url = reverse("actions:plan", args=[plan.pk])
    settings = reverse("actions:plan-settings", args=[plan.pk])
    assert settings in _get(client_for, partnership.coordinator, url).content.decode()
    assert settings not in _get(client_for, partnership.member_partner, url).content.decode()


def test_plan_page_makes_the_same_queries_whatever_the_plans_size(partnership, client_for):
    p = partnership
    small = make_large_plan(p.coordinator, [p.probation], objectives=1, actions=1, steps=1)
    large = make_large_plan(
        p.coordinator, [p.probation, p.police], objectives=4, actions=5, steps=4, updates_per_step=2
    )
    client = client_for(p.member_partner)
    counts = []
    for plan in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("actions:plan", args=[plan.pk]), {"rag": "red"})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12, counts


def test_action_page_makes_the_same_queries_whatever_the_number_of_updates(partnership, client_for):
    p = partnership
    small = make_large_plan(p.coordinator, [p.probation], objectives=1, actions=1, steps=1)
    large = make_large_plan(
        p.coordinator, [p.probation], objectives=1, actions=1, steps=6, updates_per_step=4
    )
    client = client_for(p.member_partner)
    counts = []
    for plan in (small, large):
        action = steps_of(plan)[0].action
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("actions:action", args=[action.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 10, counts


def test_outsiders_get_404_and_the_refusal_is_logged(partnership, plan, client_for):
    url = reverse("actions:plan", args=[plan.pk])
    assert _get(client_for, partnership.outsider_partner, url).status_code == 404
    denied = AccessLog.objects.get(outcome=AccessOutcome.DENIED)
    assert (denied.object_type, denied.object_id) == ("actions.actionplan", str(plan.pk))


# --- An action ------------------------------------------------------------------------------


def test_action_page_shows_every_steps_full_history_with_authors(partnership, plan, client_for):
    p = partnership
    review = steps_of(plan)[0]
    add_update(
        review,
        rag=Rag.AMBER_RED,
        written_on=timezone.localdate() - timedelta(days=40),
        text="First look",
        author=p.member_partner,
    )
    url = reverse("actions:action", args=[review.action_id])
    body = _get(client_for, p.member_partner, url).content.decode()
    history = body[body.index(f'id="step-{review.pk}-history"') :]
    history = history[: history.index("</table>")]
    assert [m for m in re.findall(r"Awaiting sign-off|Draft|First look", history)] == [
        "Awaiting sign-off",
        "Draft",
        "First look",
    ]
    assert f"{p.member_partner.get_full_name()}, Probation" in history
    council_view = _get(client_for, p.partner, url).content.decode()
    assert p.member_partner.get_full_name() not in council_view
    assert reverse("actions:progress-add", args=[review.pk]) in body


def test_action_page_offers_an_update_only_on_steps_the_user_may_update(
    partnership, plan, client_for
):
    review, members, _ = steps_of(plan)
    url = reverse("actions:action", args=[review.action_id])
    body = _get(client_for, partnership.partner, url).content.decode()
    assert reverse("actions:progress-add", args=[members.pk]) in body
    assert reverse("actions:progress-add", args=[review.pk]) not in body
    assert reverse("actions:step-edit", args=[review.pk]) not in body


# --- Adding an update -----------------------------------------------------------------------


def _update_form(day, rag="amber_red", text="Sign-off booked for the next group"):
    return {
        "written_on-day": str(day.day),
        "written_on-month": str(day.month),
        "written_on-year": str(day.year),
        "rag": rag,
        "text": text,
    }


def test_lead_agency_partner_adds_an_update_that_becomes_the_latest(partnership, plan, client_for):
    review = steps_of(plan)[0]
    today = timezone.localdate()
    client = client_for(partnership.member_partner)
    url = reverse("actions:progress-add", args=[review.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, _update_form(today))

    assert response.status_code == 302
    assert (
        response["Location"]
        == f"{reverse('actions:action', args=[review.action_id])}#step-{review.pk}"
    )
    review.refresh_from_db()
    assert (review.current_rag, review.last_update_on) == (Rag.AMBER_RED, today)
    body = client.get(reverse("actions:plan", args=[plan.pk])).content.decode()
    latest = body[body.index(f'id="step-{review.pk}-latest"') :]
    assert "Sign-off booked" in latest[: latest.index("</li>")]


def test_council_partner_may_not_update_probations_step(partnership, plan, client_for):
    review = steps_of(plan)[0]
    url = reverse("actions:progress-add", args=[review.pk])
    client = client_for(partnership.partner)
    assert client.get(url).status_code == 403
    assert client.post(url, _update_form(timezone.localdate())).status_code == 403
    assert ProgressUpdate.objects.filter(step=review).count() == 2


def test_bad_update_re_shows_the_form_with_errors(partnership, plan, client_for):
    review = steps_of(plan)[0]
    url = reverse("actions:progress-add", args=[review.pk])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client_for(partnership.member_partner).post(
        url, _update_form(tomorrow, rag="", text="")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    for message in (
        "Date of the update must be today or in the past",
        "Select the RAG",
        "Enter the progress to date",
    ):
        assert message in body
    assert ProgressUpdate.objects.filter(step=review).count() == 2


# --- The owner's pages ----------------------------------------------------------------------


def test_owner_changes_the_plan_settings(partnership, plan, client_for):
    p = partnership
    url = reverse("actions:plan-settings", args=[plan.pk])
    client = client_for(p.coordinator)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "version": version_of(plan),
            "title": "Reducing reoffending 2026 to 2030",
            "strategy": "Reducing Reoffending Strategy",
            "starts_on-day": "1",
            "starts_on-month": "4",
            "starts_on-year": "2026",
            "needs_update_days": "30",
            "agencies": [p.council.pk, p.police.pk, p.probation.pk, p.housing.pk],
            "owner": p.coordinator.pk,
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.needs_update_days) == ("Reducing reoffending 2026 to 2030", 30)


def test_settings_tell_the_owner_why_an_agency_cannot_leave(partnership, plan, client_for):
    p = partnership
    response = client_for(p.coordinator).post(
        reverse("actions:plan-settings", args=[plan.pk]),
        {
            "version": version_of(plan),
            "title": plan.title,
            "needs_update_days": "60",
            "agencies": [p.council.pk, p.police.pk],
            "owner": p.coordinator.pk,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Housing, Probation lead steps of the plan" in body


def test_a_stale_settings_form_saves_nothing_and_says_why(partnership, plan, client_for):
    response = client_for(partnership.coordinator).post(
        reverse("actions:plan-settings", args=[plan.pk]),
        {
            "version": "0000000000000000",
            "title": "Overwritten",
            "needs_update_days": "60",
            "agencies": [a.pk for a in plan.agencies.all()],
        },
    )
    assert "Someone else changed these details" in response.content.decode()
    plan.refresh_from_db()
    assert plan.title != "Overwritten"


def test_owner_changes_an_action_and_a_step(partnership, plan, client_for):
    p = partnership
    review = steps_of(plan)[0]
    client = client_for(p.coordinator)
    action = review.action
    response = client.post(
        reverse("actions:action-edit", args=[action.pk]),
        {
            "version": version_of(action),
            "title": action.title,
            "outcomes": "Free flowing information exchange",
            "timescale": "March 2027",
            "due-day": "31",
            "due-month": "3",
            "due-year": "2027",
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.timescale == "March 2027"

    response = client.post(
        reverse("actions:step-edit", args=[review.pk]),
        {
            "version": version_of(review),
            "text": "Review the current agreement",
            "lead_agency": p.probation.pk,
            "lead_person": p.member_partner.pk,
            "lead_text": "",
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.text, review.lead_person) == ("Review the current agreement", p.member_partner)


def test_edit_pages_answer_403_to_others_who_see_the_plan(partnership, plan, client_for):
    review = steps_of(plan)[0]
    urls = [
        reverse("actions:plan-settings", args=[plan.pk]),
        reverse("actions:action-edit", args=[review.action_id]),
        reverse("actions:step-edit", args=[review.pk]),
    ]
    for user in (partnership.partner, partnership.member_partner, partnership.committee):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)


# --- The dashboard --------------------------------------------------------------------------


def test_dashboard_counts_the_agencys_flagged_steps_and_links_to_them(
    partnership, plan, client_for
):
    p = partnership
    body = _get(client_for, p.member_partner, reverse("dashboard")).content.decode()
    assert "Action plan steps your agency leads that need an update or are overdue" in body
    section = body[body.index('id="dashboard-plan-steps"') :]
    section = section[: section.index("</ul>")]
    plan_url = reverse("actions:plan", args=[plan.pk])
    assert f"{plan_url}?lead={p.probation.pk}&amp;overdue=on" in section
    assert "1 overdue" in section
    housing = _get(client_for, p.unsigned_partner, reverse("dashboard")).content.decode()
    assert "1 step needs an update" in housing
    council = _get(client_for, p.partner, reverse("dashboard")).content.decode()
    assert "Action plan steps your agency leads" not in council


def test_dashboard_plan_flags_take_one_query_whatever_the_number_of_plans(partnership, client_for):
    p = partnership
    client = client_for(p.member_partner)
    counts = []
    for _ in range(2):
        make_large_plan(
            p.coordinator, [p.probation], objectives=2, actions=2, steps=2, updates_per_step=0
        )
        with CaptureQueriesContext(connection) as queries:
            body = client.get(reverse("dashboard")).content.decode()
        counts.append(len(queries))
    assert body.count('href="/action-plan/') >= 2
    assert counts[0] == counts[1], counts


def test_settings_name_a_missing_title_an_end_before_the_start_and_an_agency_that_must_stay(
    partnership, plan, client_for
):
    p = partnership
    response = client_for(p.coordinator).post(
        reverse("actions:plan-settings", args=[plan.pk]),
        {
            "version": version_of(plan),
            "title": "",
            "strategy": "Reducing Reoffending Strategy 2026",
            "starts_on-day": "1",
            "starts_on-month": "4",
            "starts_on-year": "2026",
            "ends_on-day": "31",
            "ends_on-month": "3",
            "ends_on-year": "2026",
            "needs_update_days": "60",
            "agencies": [p.council.pk, p.police.pk],
            "owner": p.coordinator.pk,
        },
    )

    assert response.status_code == 200
    shown = errors_shown(response.content)
    assert_shown_everywhere(
        shown,
        {
            "id_title": "Enter the plan's title",
            "id_ends_on": "The plan must end on or after the day it starts",
        },
    )
    assert any("lead steps of the plan" in line for line in shown.summary_messages())
    assert "Reducing Reoffending Strategy 2026" in response.content.decode()
    plan.refresh_from_db()
    assert plan.strategy != "Reducing Reoffending Strategy 2026"


def test_a_step_names_a_missing_wording_and_a_lead_of_another_agency_at_once(
    partnership, plan, client_for
):
    p = partnership
    review = steps_of(plan)[0]
    response = client_for(p.coordinator).post(
        reverse("actions:step-edit", args=[review.pk]),
        {
            "version": version_of(review),
            "text": "",
            "lead_agency": p.probation.pk,
            "lead_person": p.partner.pk,
            "lead_text": "Probation and the council",
            "due-day": "31",
            "due-month": "3",
        },
    )

    assert response.status_code == 200
    assert_shown_everywhere(
        errors_shown(response.content),
        {
            "id_text": "Enter the step",
            "id_lead_person": "Select a member of staff of Probation, or nobody",
            "id_due": "Due date must include a year",
        },
    )
    assert "Probation and the council" in response.content.decode()
    review.refresh_from_db()
    assert review.lead_person != p.partner
