"""Meeting mode: the coordinator records attendance and each agenda item's outcome (notes,
RAG decision, escalation, case actions); partners of the panel may not; agencies that do
not see the panel get 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, AccessOutcome, AuditEvent, Role, Verb
from meetings.models import AgendaItem, Attendance, CaseAction, MeetingKind, MeetingStatus
from meetings.services.case_actions import ActionInput
from meetings.services.meeting_mode import (
    AttendanceEntry,
    ItemOutcome,
    agenda_item_record,
    attendance_record,
)
from panels.models import Panel, RagReview, RagScheme
from tests.factories import make_user
from tests.panels.meeting_mode_helpers import (
    add_items,
    date_fields,
    item_post,
    make_meeting,
    make_people,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(partnership):
    return make_meeting(partnership.panel)


@pytest.fixture
def items(partnership, meeting):
    return add_items(meeting, make_people(partnership.coordinator, partnership.panel, 3))


def mode_url(meeting) -> str:
    return reverse("meetings:meeting-mode", args=[meeting.pk])


def item_url(item) -> str:
    return reverse("meetings:meeting-mode-item", args=[item.pk])


def attendance_url(meeting) -> str:
    return reverse("meetings:meeting-mode-attendance", args=[meeting.pk])


def everyone_attended(partnership) -> dict[str, str]:
    data = {}
    for code in ("council", "housing", "police", "probation"):
        data[f"{code}-status"] = "present"
        data[f"{code}-attendees"] = f"Someone from {code}, officer"
    data["housing-status"] = "apologies"
    data["housing-attendees"] = ""
    return data


def outcome(**fields) -> ItemOutcome:
    return ItemOutcome(**{"notes": "", "rag": "", "escalate": False, "discussed": True, **fields})


# --- Who may run the meeting ---------------------------------------------------------------


def test_coordinator_sees_attendance_by_agency_and_the_agenda_in_order(
    partnership, client_for, meeting, items
):
    AgendaItem.objects.filter(pk=items[0].pk).update(position=9)  # moved to the end
    response = client_for(partnership.coordinator).get(mode_url(meeting))

    assert response.status_code == 200
    body = response.content.decode()
    for agency in ("Council CST", "Borough Police", "Probation", "Housing"):
        assert f"Did {agency} attend?" in body
    assert "Elsewhere Police" not in body
    order = [body.index(item.nominal.full_name) for item in (items[1], items[2], items[0])]
    assert order == sorted(order)
    assert AccessLog.objects.filter(
        user=partnership.coordinator, object_type="meetings.meeting", object_id=str(meeting.pk)
    ).exists()


@pytest.mark.parametrize("persona", ["partner", "member_partner"])
def test_partners_who_see_the_panel_may_not_run_its_meeting(
    persona, partnership, client_for, meeting, items
):
    user = getattr(partnership, persona)
    client = client_for(user)
    assert client.get(mode_url(meeting)).status_code == 403
    assert client.post(attendance_url(meeting), everyone_attended(partnership)).status_code == 403
    assert not Attendance.objects.exists()
    assert AccessLog.objects.filter(user=user, outcome=AccessOutcome.DENIED).count() == 2


@pytest.mark.parametrize(
    "persona", ["unsigned_partner", "outsider_partner", "outsider_coordinator", "committee"]
)
def test_those_who_do_not_see_the_panel_get_404(persona, partnership, client_for, meeting, items):
    client = client_for(getattr(partnership, persona))
    assert client.get(mode_url(meeting)).status_code == 404
    assert client.get(item_url(items[0])).status_code == 404
    assert client.post(item_url(items[0]), item_post()).status_code == 404
    assert not AuditEvent.objects.filter(verb=Verb.ITEM_DISCUSSED).exists()


def test_a_coordinator_of_another_agency_may_not_run_the_meeting(partnership, meeting):
    police_coordinator = make_user(partnership.police, Role.COORDINATOR, Role.PARTNER)
    with pytest.raises(PermissionDenied):
        attendance_record(
            actor=police_coordinator,
            meeting=meeting,
            entries=[AttendanceEntry(partnership.police, "present", "PC Jones")],
        )


# --- Attendance ------------------------------------------------------------------------------


def test_attendance_is_recorded_for_every_agency_and_starts_the_meeting(
    partnership, client_for, meeting
):
    response = client_for(partnership.coordinator).post(
        attendance_url(meeting), everyone_attended(partnership)
    )

    assert response.status_code == 302
    rows = {row.agency.code: row for row in Attendance.objects.filter(meeting=meeting)}
    assert set(rows) == {"council", "housing", "police", "probation"}
    assert rows["probation"].present and rows["probation"].attendees == (
        "Someone from probation, officer"
    )
    assert rows["housing"].apologies and not rows["housing"].present
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.IN_PROGRESS
    event = AuditEvent.objects.get(verb=Verb.ATTENDANCE_RECORDED)
    assert event.detail["apologies"] == ["housing"]
    assert event.detail["meeting_started"] is True


def test_an_agency_marked_present_needs_the_names_of_who_came(partnership, client_for, meeting):
    data = everyone_attended(partnership) | {"police-attendees": ""}
    response = client_for(partnership.coordinator).post(attendance_url(meeting), data)

    assert response.status_code == 200
    assert "Enter who attended from Borough Police, with their roles" in response.content.decode()
    assert not Attendance.objects.exists()


def test_an_empty_attendance_form_changes_nothing(partnership, client_for, meeting):
    response = client_for(partnership.coordinator).post(attendance_url(meeting), {})

    assert response.status_code == 200
    assert "Select whether Probation attended" in response.content.decode()
    assert not Attendance.objects.exists()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_attendance_changed_later_updates_the_same_rows(partnership, client_for, meeting):
    client = client_for(partnership.coordinator)
    client.post(attendance_url(meeting), everyone_attended(partnership))
    client.post(
        attendance_url(meeting),
        everyone_attended(partnership) | {"police-status": "absent", "police-attendees": ""},
    )
    assert Attendance.objects.filter(meeting=meeting).count() == 4
    police = Attendance.objects.get(meeting=meeting, agency=partnership.police)
    assert not police.present and not police.apologies


# --- Each item's outcome -----------------------------------------------------------------------


def test_a_rag_decision_is_stored_as_the_persons_review_at_this_meeting(
    partnership, client_for, meeting, items
):
    item = items[0]
    response = client_for(partnership.coordinator).post(
        item_url(item), item_post(rag="amber", notes="Engaging with housing; one missed visit.")
    )

    assert response.status_code == 302
    item.refresh_from_db()
    review = item.rag_review
    assert (review.rag, review.meeting, review.panel, review.nominal) == (
        "amber",
        meeting,
        partnership.panel,
        item.nominal,
    )
    assert review.author == partnership.coordinator
    assert review.reviewed_on == meeting.date
    assert item.rag_decided == "amber"
    assert item.discussed
    assert item.notes == "Engaging with housing; one missed visit."
    assert AuditEvent.objects.filter(verb=Verb.RAG_RECORDED, object_id=str(review.pk)).count() == 1
    assert AuditEvent.objects.filter(verb=Verb.ITEM_DISCUSSED, object_id=str(item.pk)).exists()


def test_changing_the_decision_updates_the_one_review_rather_than_adding_another(
    partnership, client_for, meeting, items
):
    client = client_for(partnership.coordinator)
    item = items[0]
    client.post(item_url(item), item_post(rag="amber"))
    client.post(item_url(item), item_post(rag="red"))
    client.post(item_url(item), item_post())  # no decision given: the recorded one stays

    reviews = RagReview.objects.filter(nominal=item.nominal, meeting=meeting)
    assert [review.rag for review in reviews] == ["red"]
    item.refresh_from_db()
    assert item.rag_decided == "red"
    changes = AuditEvent.objects.filter(verb=Verb.RAG_RECORDED).order_by("at")
    assert [(e.detail["from"], e.detail["to"]) for e in changes] == [
        (None, "amber"),
        ("amber", "red"),
    ]


def test_blue_is_refused_on_a_panel_whose_scheme_has_no_blue(
    partnership, client_for, meeting, items
):
    response = client_for(partnership.coordinator).post(item_url(items[0]), item_post(rag="blue"))

    assert response.status_code == 200
    assert "Select one of the panel&#x27;s RAG ratings" in response.content.decode()
    assert not RagReview.objects.exists()
    with pytest.raises(ValidationError) as refused:
        agenda_item_record(
            actor=partnership.coordinator, item=items[0], outcome=outcome(rag="blue")
        )
    assert refused.value.message_dict["rag"] == ["Select Red, Amber or Green"]


def test_blue_is_recorded_on_a_panel_that_rates_custody_blue(
    partnership, client_for, meeting, items
):
    Panel.objects.filter(pk=partnership.panel.pk).update(rag_scheme=RagScheme.RAG_CUSTODY)
    response = client_for(partnership.coordinator).post(item_url(items[0]), item_post(rag="blue"))

    assert response.status_code == 302
    assert RagReview.objects.get().rag == "blue"


def test_only_a_mid_month_meeting_escalates_to_the_main_panel(partnership, client_for, items):
    main_item = items[0]
    page = client_for(partnership.coordinator).get(item_url(main_item)).content.decode()
    assert "Escalate to the main panel" not in page
    with pytest.raises(ValidationError) as refused:
        agenda_item_record(
            actor=partnership.coordinator, item=main_item, outcome=outcome(escalate=True)
        )
    assert "escalate" in refused.value.message_dict

    mid_month = make_meeting(partnership.panel, kind=MeetingKind.MID_MONTH)
    (mid_item,) = add_items(mid_month, [main_item.nominal])
    client = client_for(partnership.coordinator)
    page = client.get(item_url(mid_item)).content.decode()
    assert "Escalate to the main panel" in page
    assert "takes a case to the next main panel" in page
    assert client.post(item_url(mid_item), item_post(escalate="on")).status_code == 302
    mid_item.refresh_from_db()
    assert mid_item.escalate


def test_an_item_with_nothing_chosen_changes_nothing(partnership, client_for, meeting, items):
    item = items[0]
    response = client_for(partnership.coordinator).post(item_url(item), {})

    assert response.status_code == 200
    assert "Select whether the panel has discussed this person" in response.content.decode()
    item.refresh_from_db()
    assert not item.discussed
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED
    assert not AuditEvent.objects.filter(verb=Verb.ITEM_DISCUSSED).exists()


def test_save_and_go_to_the_next_item_follows_the_agenda(partnership, client_for, meeting, items):
    client = client_for(partnership.coordinator)
    response = client.post(item_url(items[0]), item_post(then="next"))
    assert response["Location"] == item_url(items[1])
    response = client.post(item_url(items[2]), item_post(then="next"))
    assert response["Location"] == mode_url(meeting)


# --- Case actions set at the meeting -------------------------------------------------------------


def action_fields(partnership, *, agency=None, owner=None, due=None, description="Joint visit"):
    due = due or timezone.localdate() + timedelta(days=14)
    data = {
        "action_description": description,
        "action_agency": str((agency or partnership.probation).pk),
        **date_fields("action_due", due),
    }
    if owner is not None:
        data["action_owner"] = str(owner.pk)
    return data


def test_an_action_is_set_with_owning_agency_named_person_and_due_date(
    partnership, client_for, meeting, items
):
    due = timezone.localdate() + timedelta(days=14)
    response = client_for(partnership.coordinator).post(
        item_url(items[0]),
        item_post(**action_fields(partnership, owner=partnership.member_partner, due=due)),
    )

    assert response.status_code == 302
    action = CaseAction.objects.get()
    assert (action.owner_agency, action.owner, action.due) == (
        partnership.probation,
        partnership.member_partner,
        due,
    )
    assert (action.panel, action.nominal, action.agenda_item) == (
        partnership.panel,
        items[0].nominal,
        items[0],
    )
    assert action.created_by == partnership.coordinator
    assert AuditEvent.objects.filter(
        verb=Verb.CASE_ACTION_CREATED, object_id=str(action.pk)
    ).exists()


def test_the_named_person_must_work_for_the_owning_agency(partnership, client_for, meeting, items):
    response = client_for(partnership.coordinator).post(
        item_url(items[0]),
        item_post(rag="green", **action_fields(partnership, owner=partnership.partner)),
    )

    assert response.status_code == 200
    assert "Select a member of staff of Probation, or no named person" in response.content.decode()
    # The whole item is refused: nothing of it is half-saved.
    assert not CaseAction.objects.exists()
    assert not RagReview.objects.exists()


def test_the_due_date_may_not_be_in_the_past(partnership, client_for, meeting, items):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client_for(partnership.coordinator).post(
        item_url(items[0]), item_post(**action_fields(partnership, due=yesterday))
    )

    assert response.status_code == 200
    assert "The due date must be today or in the future" in response.content.decode()
    assert not CaseAction.objects.exists()


def test_an_agency_that_cannot_see_the_panel_is_not_given_an_action(partnership, meeting, items):
    with pytest.raises(ValidationError) as refused:
        agenda_item_record(
            actor=partnership.coordinator,
            item=items[0],
            outcome=outcome(),
            action=ActionInput(
                description="Find a hostel place",
                owner_agency=partnership.housing,
                owner=None,
                due=timezone.localdate(),
            ),
        )
    assert "owner_agency" in refused.value.message_dict
    assert not CaseAction.objects.exists()


def test_a_half_filled_action_asks_for_the_rest(partnership, client_for, meeting, items):
    response = client_for(partnership.coordinator).post(
        item_url(items[0]), item_post(action_description="Arrange a joint visit")
    )
    body = response.content.decode()
    assert "Select the agency that owns the action" in body
    assert "Enter the date the action is due" in body


# --- When a meeting may be recorded ---------------------------------------------------------------


def test_a_future_meeting_is_not_recorded_before_its_day(partnership, client_for):
    future = make_meeting(partnership.panel, on=timezone.localdate() + timedelta(days=7))
    (item,) = add_items(future, make_people(partnership.coordinator, partnership.panel, 1))
    client = client_for(partnership.coordinator)

    page = client.get(mode_url(future)).content.decode()
    assert "Attendance and decisions are recorded from that day" in page
    assert 'action="' + attendance_url(future) not in page
    response = client.post(item_url(item), item_post(rag="red"))
    assert response.status_code == 200
    assert not RagReview.objects.exists()
    future.refresh_from_db()
    assert future.status == MeetingStatus.SCHEDULED


def test_a_cancelled_meeting_is_never_run(partnership, meeting, items):
    meeting.status = MeetingStatus.CANCELLED
    meeting.save()
    with pytest.raises(ValidationError):
        agenda_item_record(actor=partnership.coordinator, item=items[0], outcome=outcome())


# --- Queries ------------------------------------------------------------------------------


def test_meeting_mode_asks_the_same_number_of_queries_for_3_or_30_items(
    partnership, client_for, django_assert_max_num_queries
):
    client = client_for(partnership.coordinator)
    small = make_meeting(partnership.panel)
    add_items(small, make_people(partnership.coordinator, partnership.panel, 3, prefix="S"))
    large = make_meeting(partnership.panel, kind=MeetingKind.MID_MONTH)
    add_items(large, make_people(partnership.coordinator, partnership.panel, 30, prefix="L"))
    client.get(mode_url(small))  # the session and user are cached after the first request

    with CaptureQueriesContext(connection) as few:
        assert client.get(mode_url(small)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(mode_url(large)).status_code == 200
    assert len(many) == len(few)
    # 10 for the page, and 1 for the header's count of unread notifications.
    with django_assert_max_num_queries(11):
        client.get(mode_url(large))
