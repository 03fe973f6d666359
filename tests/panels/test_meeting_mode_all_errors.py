"""Meeting mode names every problem in one answer: a coordinator who leaves out whether the
person was discussed, picks a rating the panel does not use, names someone of the wrong
agency and mistypes the due date hears about all four at once, in the error summary and
beside each field, and finds everything they typed still there. Nothing is saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import AgendaItem, Attendance, CaseAction, MeetingStatus
from panels.models import RagReview
from tests.form_errors import assert_shown_everywhere, errors_shown
from tests.panels.meeting_mode_helpers import add_items, date_fields, make_meeting, make_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(partnership):
    return make_meeting(partnership.panel)


@pytest.fixture
def item(partnership, meeting) -> AgendaItem:
    return add_items(meeting, make_people(partnership.coordinator, partnership.panel, 1))[0]


def item_url(item) -> str:
    return reverse("meetings:meeting-mode-item", args=[item.pk])


def test_every_problem_with_an_item_is_named_at_once_and_nothing_typed_is_lost(
    partnership, client_for, meeting, item
):
    # A named person of the council for an action the probation service owns, a due
    # date that does not exist, a rating the panel does not use, and "discussed" left out.
    posted = {
        "notes": "Missed two appointments; housing offer made",
        "rag": "purple",
        "action_description": "Arrange a joint home visit",
        "action_agency": str(partnership.probation.pk),
        "action_owner": str(partnership.partner.pk),
        "action_due-day": "31",
        "action_due-month": "2",
        "action_due-year": "2031",
    }
    response = client_for(partnership.coordinator).post(item_url(item), posted)

    assert response.status_code == 200
    shown = errors_shown(response.content)
    assert_shown_everywhere(
        shown,
        {
            "id_discussed": "Select whether the panel has discussed this person",
            "id_rag": "Select one of the panel's RAG ratings",
            "id_action_owner": "Select a member of staff of Probation, or no named person",
            "id_action_due": "Due date must be a real date",
        },
    )
    assert len(shown.summary) == 4
    body = response.content.decode()
    assert "Missed two appointments; housing offer made" in body
    assert "Arrange a joint home visit" in body
    assert f'<option value="{partnership.probation.pk}" selected>' in body
    assert f'<option value="{partnership.partner.pk}" selected>' in body
    for box, typed in (("day", "31"), ("month", "2"), ("year", "2031")):
        assert f'name="action_due-{box}" type="text" inputmode="numeric" value="{typed}"' in body
    assert not CaseAction.objects.exists()
    assert not RagReview.objects.exists()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_a_past_due_date_is_named_beside_a_missing_agency_and_discussed_left_out(
    partnership, client_for, item
):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client_for(partnership.coordinator).post(
        item_url(item),
        {"action_description": "Refer to the housing options team"}
        | date_fields("action_due", yesterday),
    )

    assert_shown_everywhere(
        errors_shown(response.content),
        {
            "id_discussed": "Select whether the panel has discussed this person",
            "id_action_agency": "Select the agency that owns the action",
            "id_action_due": "The due date must be today or in the future",
        },
    )
    assert not CaseAction.objects.exists()


def test_an_action_with_no_owner_and_no_due_date_asks_for_both_beside_the_rating(
    partnership, client_for, item
):
    response = client_for(partnership.coordinator).post(
        item_url(item),
        {"discussed": "yes", "rag": "purple", "action_description": "Book a three-way meeting"},
    )

    shown = errors_shown(response.content)
    assert_shown_everywhere(
        shown,
        {
            "id_rag": "Select one of the panel's RAG ratings",
            "id_action_agency": "Select the agency that owns the action",
            "id_action_due": "Enter the date the action is due",
        },
    )
    assert "Book a three-way meeting" in response.content.decode()


def test_attendance_names_every_agency_left_unanswered_and_every_one_missing_names(
    partnership, client_for, meeting
):
    posted = {
        # Police came but nobody is named; probation is not answered at all.
        "police-status": "present",
        "police-attendees": "",
        "council-status": "present",
        "council-attendees": "Dana Reid, community safety officer",
        "housing-status": "apologies",
    }
    response = client_for(partnership.coordinator).post(
        reverse("meetings:meeting-mode-attendance", args=[meeting.pk]), posted
    )

    assert response.status_code == 200
    assert_shown_everywhere(
        errors_shown(response.content),
        {
            "id_probation-status": "Select whether Probation attended",
            "id_police-attendees": "Enter who attended from Borough Police, with their roles",
        },
    )
    assert "Dana Reid, community safety officer" in response.content.decode()
    assert not Attendance.objects.exists()


def test_changing_an_action_names_a_blank_description_a_past_date_and_the_wrong_person(
    partnership, client_for, item
):
    action = CaseAction.objects.create(
        panel=partnership.panel,
        nominal=item.nominal,
        agenda_item=item,
        description="Arrange a joint home visit",
        owner_agency=partnership.probation,
        due=timezone.localdate() + timedelta(days=7),
        created_by=partnership.coordinator,
    )
    response = client_for(partnership.coordinator).post(
        reverse("meetings:case-action-change", args=[action.pk]),
        {
            "description": "",
            "owner_agency": str(partnership.probation.pk),
            "owner": str(partnership.partner.pk),
        }
        | date_fields("due", timezone.localdate() - timedelta(days=3)),
    )

    assert response.status_code == 200
    assert_shown_everywhere(
        errors_shown(response.content),
        {
            "id_description": "Enter what needs to be done",
            "id_owner": "Select a member of staff of Probation, or no named person",
            "id_due": "The due date must be today or in the future",
        },
    )
    action.refresh_from_db()
    assert action.description == "Arrange a joint home visit"


def test_moving_a_meeting_names_a_past_date_and_a_missing_reason_at_once(partnership, client_for):
    upcoming = make_meeting(partnership.panel, on=timezone.localdate() + timedelta(days=7))
    response = client_for(partnership.coordinator).post(
        reverse("meetings:meeting-move", args=[upcoming.pk]),
        {"starts_at": "10:00", "reason": ""}
        | date_fields("date", timezone.localdate() - timedelta(days=2)),
    )

    assert response.status_code == 200
    assert_shown_everywhere(
        errors_shown(response.content),
        {
            "id_date": "The new date must be today or in the future",
            "id_reason": "Enter why the meeting is moving",
        },
    )
    upcoming.refresh_from_db()
    assert upcoming.date == timezone.localdate() + timedelta(days=7)
