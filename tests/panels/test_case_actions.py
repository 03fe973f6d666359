"""Case actions: the owning agency's staff see their actions, report progress and mark them
done; the coordinator changes or cancels them; the nightly job flags overdue ones once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, AccessOutcome, AuditEvent, Verb
from meetings.models import CaseAction, CaseActionStatus, CaseActionUpdate
from meetings.services.case_actions import case_actions_flag_overdue
from meetings.tasks import flag_overdue_case_actions
from tests.factories import make_panel
from tests.panels.meeting_mode_helpers import (
    add_items,
    date_fields,
    make_action,
    make_meeting,
    make_people,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(partnership):
    meeting = make_meeting(partnership.panel, on=timezone.localdate() - timedelta(days=14))
    return add_items(meeting, make_people(partnership.coordinator, partnership.panel, 3))


@pytest.fixture
def actions(partnership, items):
    """Probation owns an overdue action and one due next week; the police own one."""
    today = timezone.localdate()
    p = partnership
    return {
        "overdue": make_action(
            items[0],
            p.probation,
            due=today - timedelta(days=2),
            created_by=p.coordinator,
            description="Book a three-way meeting",
        ),
        "soon": make_action(
            items[1],
            p.probation,
            due=today + timedelta(days=7),
            created_by=p.coordinator,
            description="Check licence conditions",
        ),
        "police": make_action(
            items[2], p.police, due=today + timedelta(days=3), created_by=p.coordinator
        ),
    }


def url(name: str, action: CaseAction | None = None) -> str:
    return reverse(f"meetings:{name}", args=[action.pk] if action else [])


# --- The list ---------------------------------------------------------------------------------


def test_the_list_shows_my_agencys_actions_overdue_first_and_flagged(
    partnership, client_for, actions
):
    done = make_action(
        actions["soon"].agenda_item,
        partnership.probation,
        due=timezone.localdate() - timedelta(days=30),
        created_by=partnership.coordinator,
        description="Old completed action",
        status=CaseActionStatus.DONE,
    )
    body = client_for(partnership.member_partner).get(url("case-actions")).content.decode()

    overdue, soon = body.index("Book a three-way meeting"), body.index("Check licence conditions")
    assert overdue < soon < body.index(done.description)  # open first, soonest due first
    assert "Arrange a joint home visit" not in body  # the police's action
    row = body[overdue : body.index("</tr>", overdue)]
    assert "Overdue" in row
    assert "3 actions" in body


def test_the_list_filters_by_status_panel_and_whose_actions(partnership, client_for, actions):
    client = client_for(partnership.member_partner)
    everyone = client.get(url("case-actions"), {"scope": "all"}).content.decode()
    assert "Arrange a joint home visit" in everyone

    actions["soon"].status = CaseActionStatus.DONE
    actions["soon"].save()
    open_only = client.get(url("case-actions"), {"status": "open"}).content.decode()
    assert "Book a three-way meeting" in open_only
    assert "Check licence conditions" not in open_only

    other = make_panel(partnership.council, [], name="DIP panel")
    coordinator = client_for(partnership.coordinator)
    iom = {"scope": "all", "panel": partnership.panel.pk}
    assert "3 actions" in coordinator.get(url("case-actions"), iom).content.decode()
    dip = {"scope": "all", "panel": other.pk}
    assert "No actions match." in coordinator.get(url("case-actions"), dip).content.decode()


def test_committee_officers_see_no_actions(partnership, client_for, actions):
    body = client_for(partnership.committee).get(url("case-actions")).content.decode()
    assert "no case actions are shown to you" in body
    assert "Book a three-way meeting" not in body


def test_the_list_logs_each_person_it_names(partnership, client_for, actions):
    client_for(partnership.member_partner).get(url("case-actions"))
    logged = AccessLog.objects.filter(
        user=partnership.member_partner, object_type="offenders.nominal"
    )
    assert {row.object_id for row in logged} == {
        str(actions["overdue"].nominal_id),
        str(actions["soon"].nominal_id),
    }


def test_the_list_asks_the_same_number_of_queries_for_3_or_30_actions(
    partnership, client_for, items
):
    client = client_for(partnership.member_partner)
    due = timezone.localdate() + timedelta(days=5)
    for item in items:
        make_action(item, partnership.probation, due=due, created_by=partnership.coordinator)
    client.get(url("case-actions"))
    with CaptureQueriesContext(connection) as few:
        client.get(url("case-actions"))
    for _ in range(9):
        for item in items:
            make_action(item, partnership.probation, due=due, created_by=partnership.coordinator)
    with CaptureQueriesContext(connection) as many:
        assert "30 actions" in client.get(url("case-actions")).content.decode()
    # 9 with the header's unread-notifications count.
    assert len(many) == len(few) <= 9


# --- One action --------------------------------------------------------------------------------


def test_the_owning_agency_marks_its_action_done(partnership, client_for, actions):
    action = actions["soon"]
    today = timezone.localdate()
    response = client_for(partnership.member_partner).post(
        url("case-action-done", action), {**date_fields("completed_on", today), "note": "Seen"}
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.completed_on) == (CaseActionStatus.DONE, today)
    event = AuditEvent.objects.get(verb=Verb.CASE_ACTION_UPDATED, object_id=str(action.pk))
    assert event.detail["status"] == "done"
    assert CaseActionUpdate.objects.get(pk=event.detail["update_id"]).text == "Seen"


def test_an_empty_done_form_changes_nothing(partnership, client_for, actions):
    action = actions["soon"]
    response = client_for(partnership.member_partner).post(url("case-action-done", action), {})

    assert response.status_code == 200
    assert "Enter the date the action was done" in response.content.decode()
    action.refresh_from_db()
    assert action.status == CaseActionStatus.OPEN


def test_the_owning_agency_adds_an_update_that_shows_in_the_history(
    partnership, client_for, actions
):
    action = actions["soon"]
    client = client_for(partnership.member_partner)
    response = client.post(
        url("case-action-update", action), {"text": "Left a message with his partner."}
    )
    assert response.status_code == 302

    page = client.get(url("case-action", action)).content.decode()
    assert "Left a message with his partner." in page
    assert "Probation" in page[page.index("History") :]


@pytest.mark.parametrize("persona", ["partner"])
def test_staff_of_another_agency_may_read_but_not_report_on_the_action(
    persona, partnership, client_for, actions
):
    user = getattr(partnership, persona)
    client = client_for(user)
    action = actions["soon"]
    assert client.get(url("case-action", action)).status_code == 200
    today = timezone.localdate()
    assert (
        client.post(url("case-action-done", action), date_fields("completed_on", today)).status_code
        == 403
    )
    assert client.post(url("case-action-update", action), {"text": "x"}).status_code == 403
    action.refresh_from_db()
    assert action.status == CaseActionStatus.OPEN
    assert AccessLog.objects.filter(user=user, outcome=AccessOutcome.DENIED).count() == 2


@pytest.mark.parametrize(
    "persona",
    ["unsigned_partner", "outsider_partner", "committee", "agency_admin", "governance_lead"],
)
def test_those_who_do_not_see_the_panel_get_404_for_its_actions(
    persona, partnership, client_for, actions
):
    client = client_for(getattr(partnership, persona))
    assert client.get(url("case-action", actions["soon"])).status_code == 404
    body = client.get(url("case-actions")).content.decode()
    assert "Check licence conditions" not in body


def test_the_coordinator_changes_the_due_date_which_lifts_the_overdue_flag(
    partnership, client_for, actions
):
    action = actions["overdue"]
    case_actions_flag_overdue(actor=None)
    later = timezone.localdate() + timedelta(days=7)
    response = client_for(partnership.coordinator).post(
        url("case-action-change", action),
        {
            "description": action.description,
            "owner_agency": str(partnership.probation.pk),
            **date_fields("due", later),
        },
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.due == later and action.flagged_overdue_on is None
    event = AuditEvent.objects.filter(verb=Verb.CASE_ACTION_UPDATED).get()
    assert list(event.detail["changes"]) == ["due"]


def test_the_coordinator_cancels_an_action_saying_why(partnership, client_for, actions):
    action = actions["soon"]
    client = client_for(partnership.coordinator)
    assert client.post(url("case-action-cancel", action), {}).status_code == 200
    action.refresh_from_db()
    assert action.status == CaseActionStatus.OPEN

    client.post(url("case-action-cancel", action), {"reason": "Recalled to prison"})
    action.refresh_from_db()
    assert action.status == CaseActionStatus.CANCELLED
    page = client_for(partnership.member_partner).get(url("case-action", action)).content.decode()
    assert "Cancelled by the coordinator" in page and "Recalled to prison" in page


def test_partners_may_not_change_or_cancel_an_action(partnership, client_for, actions):
    client = client_for(partnership.member_partner)
    action = actions["soon"]
    assert client.get(url("case-action-change", action)).status_code == 403
    assert client.post(url("case-action-cancel", action), {"reason": "No"}).status_code == 403
    action.refresh_from_db()
    assert action.status == CaseActionStatus.OPEN


def test_a_changed_owner_must_work_for_the_owning_agency(partnership, client_for, actions):
    action = actions["soon"]
    response = client_for(partnership.coordinator).post(
        url("case-action-change", action),
        {
            "description": action.description,
            "owner_agency": str(partnership.police.pk),
            "owner": str(partnership.member_partner.pk),
            **date_fields("due", action.due),
        },
    )
    assert "Select a member of staff of Borough Police" in response.content.decode()
    action.refresh_from_db()
    assert action.owner_agency == partnership.probation


# --- The nightly job -------------------------------------------------------------------------


def test_the_nightly_job_flags_overdue_actions_once(partnership, actions):
    first = flag_overdue_case_actions.delay().get()
    second = flag_overdue_case_actions.delay().get()

    assert first == {"flagged": 1, "overdue": 1}
    assert second == {"flagged": 0, "overdue": 1}
    actions["overdue"].refresh_from_db()
    assert actions["overdue"].flagged_overdue_on == timezone.localdate()
    assert CaseAction.objects.filter(flagged_overdue_on__isnull=False).count() == 1
    events = AuditEvent.objects.filter(verb=Verb.CASE_ACTIONS_FLAGGED)
    assert [event.detail["flagged"] for event in events] == [1]
    assert events[0].detail["actions"] == [actions["overdue"].pk]


def test_the_job_flags_an_action_the_night_it_becomes_overdue(partnership, actions):
    today = timezone.localdate()
    case_actions_flag_overdue(actor=None, today=today)
    week_later = today + timedelta(days=8)
    assert case_actions_flag_overdue(actor=None, today=week_later) == {
        "flagged": 2,
        "overdue": 3,
    }
    actions["overdue"].refresh_from_db()
    assert actions["overdue"].flagged_overdue_on == today  # flagged once, not moved


def test_done_and_cancelled_actions_are_never_flagged(partnership, actions):
    CaseAction.objects.filter(pk=actions["overdue"].pk).update(status=CaseActionStatus.DONE)
    assert case_actions_flag_overdue(actor=None) == {"flagged": 0, "overdue": 0}
    assert not AuditEvent.objects.filter(verb=Verb.CASE_ACTIONS_FLAGGED).exists()
