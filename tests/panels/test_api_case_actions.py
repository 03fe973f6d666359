"""Case actions over the API: the panel's coordinator sets an action on an agenda item,
changes or cancels it; the owning agency (or the coordinator) reports progress and marks
it done; others who see the panel get 403, other boroughs 404, bad input 400."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, AccessOutcome, AuditEvent, Verb
from meetings.models import CaseAction, CaseActionStatus, CaseActionUpdate
from tests.factories import make_nominal, make_panel, make_signed_agreement
from tests.panels.meeting_mode_helpers import add_items, make_action, make_meeting, make_people

pytestmark = pytest.mark.django_db


def post(client, url: str, data: dict | None = None):
    return client.post(url, data or {}, content_type="application/json")


def patch(client, url: str, data: dict):
    return client.patch(url, data, content_type="application/json")


def action_url(case_action: CaseAction, name: str = "detail") -> str:
    return reverse(f"case-action-{name}", args=[case_action.pk])


def history(case_action: CaseAction) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="meetings.caseaction", object_id=str(case_action.pk))
    )


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.fixture
def items(partnership):
    meeting = make_meeting(partnership.panel)
    return add_items(meeting, make_people(partnership.coordinator, partnership.panel, 2))


@pytest.fixture
def probations(partnership, items):
    """An action the panel gave probation, due in a week."""
    return make_action(
        items[0],
        partnership.probation,
        due=timezone.localdate() + timedelta(days=7),
        created_by=partnership.coordinator,
    )


# --- Setting an action -------------------------------------------------------------------------


def test_coordinator_sets_an_action_on_an_agenda_item(partnership, client_for, items):
    p = partnership

    response = post(
        client_for(p.coordinator),
        reverse("case-action-list"),
        {
            "agenda_item": items[1].pk,
            "description": "Arrange a joint home visit",
            "owner_agency": "probation",
            "owner": p.member_partner.pk,
            "due": in_days(14),
        },
    )

    assert response.status_code == 201, response.content
    case_action = CaseAction.objects.get(pk=response.json()["id"])
    assert (case_action.owner_agency, case_action.owner, case_action.nominal_id) == (
        p.probation,
        p.member_partner,
        items[1].nominal_id,
    )
    assert [event.verb for event in history(case_action)] == [Verb.CASE_ACTION_CREATED]
    # Staff names stay within their agency: the council reads "probation", not the person.
    assert response.json()["owner"] == ""
    read = client_for(p.member_partner).get(action_url(case_action)).json()
    assert read["owner"] == p.member_partner.get_full_name()


def test_no_action_is_set_on_an_item_of_a_closed_meeting(partnership, client_for, items):
    p = partnership
    meeting = items[0].meeting
    meeting.status = "held"
    meeting.save(update_fields=["status"])

    response = post(
        client_for(p.coordinator),
        reverse("case-action-list"),
        {
            "agenda_item": items[0].pk,
            "description": "Arrange a joint home visit",
            "owner_agency": "probation",
            "due": in_days(14),
        },
    )

    assert response.status_code == 400
    assert "closed" in response.content.decode()
    assert not CaseAction.objects.exists()


def test_an_action_with_bad_input_is_refused_with_the_fields(partnership, client_for, items):
    p = partnership
    body = {"agenda_item": items[0].pk, "description": "Visit", "due": in_days(3)}
    client = client_for(p.coordinator)

    housing = post(client, reverse("case-action-list"), body | {"owner_agency": "housing"})
    past = post(
        client, reverse("case-action-list"), body | {"owner_agency": "police", "due": in_days(-1)}
    )
    wrong_person = post(
        client,
        reverse("case-action-list"),
        body | {"owner_agency": "police", "owner": p.member_partner.pk},
    )
    empty = post(client, reverse("case-action-list"), {})

    # Housing has not signed the agreement, so it could not open the action it was given.
    assert housing.json() == {"owner_agency": ["Select one of the agencies that see this panel"]}
    assert past.json() == {"due": ["The due date must be today or in the future"]}
    assert list(wrong_person.json()) == ["owner"]
    assert set(empty.json()) == {"agenda_item", "description", "owner_agency", "due"}
    assert {r.status_code for r in (housing, past, wrong_person, empty)} == {400}
    assert not CaseAction.objects.exists()


def test_partners_may_not_set_actions(partnership, client_for, items):
    body = {
        "agenda_item": items[0].pk,
        "description": "Visit",
        "owner_agency": "council",
        "due": in_days(3),
    }

    response = post(client_for(partnership.partner), reverse("case-action-list"), body)

    assert response.status_code == 403
    assert not CaseAction.objects.exists()


# --- Reporting progress and marking done -------------------------------------------------------


def test_the_owning_agency_marks_its_action_done(partnership, client_for, probations):
    response = post(
        client_for(partnership.member_partner),
        action_url(probations, "complete"),
        {"completed_on": timezone.localdate().isoformat(), "note": "Visit made with police"},
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "done"
    probations.refresh_from_db()
    assert (probations.status, probations.completed_on) == (
        CaseActionStatus.DONE,
        timezone.localdate(),
    )
    [event] = history(probations)
    assert CaseActionUpdate.objects.get(pk=event.detail["update_id"]).text == (
        "Visit made with police"
    )


def test_another_agency_that_sees_the_panel_gets_403_for_marking_done(
    partnership, client_for, probations
):
    p = partnership
    body = {"completed_on": timezone.localdate().isoformat()}

    assert post(client_for(p.partner), action_url(probations, "complete"), body).status_code == 403
    denied = AccessLog.objects.get(user=p.partner, outcome=AccessOutcome.DENIED)
    assert (denied.object_type, denied.object_id) == ("meetings.caseaction", str(probations.pk))
    probations.refresh_from_db()
    assert probations.status == CaseActionStatus.OPEN


def test_another_borough_and_an_unsigned_member_get_404(partnership, client_for, probations):
    p = partnership
    body = {"completed_on": timezone.localdate().isoformat()}
    for user in (p.outsider_partner, p.outsider_coordinator, p.unsigned_partner):
        assert post(client_for(user), action_url(probations, "complete"), body).status_code == 404
        assert client_for(user).get(action_url(probations)).status_code == 404


def test_a_completion_date_in_the_future_is_refused(partnership, client_for, probations):
    response = post(
        client_for(partnership.member_partner),
        action_url(probations, "complete"),
        {"completed_on": in_days(1)},
    )

    assert response.status_code == 400
    assert list(response.json()) == ["completed_on"]


def test_the_owning_agency_reports_progress_and_everyone_who_sees_the_panel_reads_it(
    partnership, client_for, probations
):
    p = partnership
    response = post(
        client_for(p.member_partner),
        action_url(probations, "updates"),
        {"text": "Appointment booked for Tuesday"},
    )

    assert response.status_code == 201, response.content
    assert response.json()["lines"] == ["Appointment booked for Tuesday"]
    own = client_for(p.member_partner).get(action_url(probations, "updates")).json()
    council = client_for(p.partner).get(action_url(probations, "updates")).json()
    assert own[0]["who"] == f"{p.member_partner.get_full_name()}, Probation"
    # Another agency's staff are shown by their agency only.
    assert council[0]["who"] == "Probation"
    assert council[0]["lines"] == ["Appointment booked for Tuesday"]


def test_an_empty_update_is_refused(partnership, client_for, probations):
    response = post(client_for(partnership.member_partner), action_url(probations, "updates"), {})

    assert response.status_code == 400
    assert history(probations) == []


# --- The coordinator's changes -----------------------------------------------------------------


def test_coordinator_moves_the_due_date_and_the_overdue_flag_lifts(
    partnership, client_for, probations
):
    CaseAction.objects.filter(pk=probations.pk).update(
        due=timezone.localdate() - timedelta(days=2), flagged_overdue_on=timezone.localdate()
    )

    response = patch(
        client_for(partnership.coordinator), action_url(probations), {"due": in_days(5)}
    )

    assert response.status_code == 200, response.content
    probations.refresh_from_db()
    assert probations.flagged_overdue_on is None
    assert probations.description == "Arrange a joint home visit"
    [event] = history(probations)
    assert list(event.detail["changes"]) == ["due"]


def test_a_new_owning_agency_drops_the_old_agencys_named_person(
    partnership, client_for, probations
):
    CaseAction.objects.filter(pk=probations.pk).update(owner=partnership.member_partner)

    response = patch(
        client_for(partnership.coordinator), action_url(probations), {"owner_agency": "police"}
    )

    assert response.status_code == 200, response.content
    probations.refresh_from_db()
    assert (probations.owner_agency, probations.owner) == (partnership.police, None)


def test_an_empty_change_is_refused_and_partners_get_403(partnership, client_for, probations):
    p = partnership
    assert patch(client_for(p.coordinator), action_url(probations), {}).status_code == 400
    body = {"description": "Something else"}
    assert patch(client_for(p.member_partner), action_url(probations), body).status_code == 403
    assert history(probations) == []


def test_coordinator_cancels_an_action_saying_why(partnership, client_for, probations):
    client = client_for(partnership.coordinator)

    assert post(client, action_url(probations, "cancel"), {}).status_code == 400
    response = post(client, action_url(probations, "cancel"), {"reason": "Returned to custody"})

    assert response.status_code == 200
    probations.refresh_from_db()
    assert probations.status == CaseActionStatus.CANCELLED
    done = post(
        client_for(partnership.member_partner),
        action_url(probations, "complete"),
        {"completed_on": timezone.localdate().isoformat()},
    )
    assert done.status_code == 400
    assert "already cancelled" in done.json()["non_field_errors"][0]


# --- Lists -------------------------------------------------------------------------------------


def test_mine_lists_my_agencys_actions_and_other_boroughs_see_none(
    partnership, client_for, items, probations, django_assert_max_num_queries
):
    p = partnership
    for days in range(3, 8):
        make_action(
            items[1],
            p.police,
            due=timezone.localdate() + timedelta(days=days),
            created_by=p.coordinator,
        )
    elsewhere = make_panel(p.outsider, [], name="Elsewhere IOM")
    make_signed_agreement(
        panels=[elsewhere], parties=[p.outsider], signer=p.system_admin, reference="ISA-E"
    )
    [their_item] = add_items(
        make_meeting(elsewhere), [make_nominal(p.outsider_partner, on_panel=elsewhere)]
    )
    theirs = make_action(
        their_item, p.outsider, due=timezone.localdate(), created_by=p.outsider_coordinator
    )
    client = client_for(p.member_partner)

    with django_assert_max_num_queries(8):
        mine = client.get(reverse("case-action-list"), {"mine": "1"}).json()
    everything = client.get(reverse("case-action-list")).json()
    outsider = client_for(p.outsider_partner).get(reverse("case-action-list")).json()

    assert [row["id"] for row in mine["results"]] == [probations.pk]
    assert everything["count"] == 6
    assert theirs.pk not in {row["id"] for row in everything["results"]}
    assert [row["id"] for row in outsider["results"]] == [theirs.pk]


def test_an_action_about_someone_the_reader_may_not_see_does_not_name_them(
    partnership, client_for, items
):
    p = partnership
    probations_person = make_nominal(p.member_partner, family_name="Irving", on_panel=p.panel)
    [item] = add_items(items[0].meeting, [probations_person])
    case_action = make_action(item, p.council, due=timezone.localdate(), created_by=p.coordinator)
    probations_person.memberships.update(status="declined")

    response = client_for(p.partner).get(action_url(case_action))

    assert response.status_code == 200
    assert (response.json()["person_visible"], response.json()["nominal"]) == (False, None)
    assert "Irving" not in response.content.decode()
