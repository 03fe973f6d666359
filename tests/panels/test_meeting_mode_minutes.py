"""Minutes: produced from the meeting as recorded, published when the coordinator closes the
meeting, read by the agencies that see the panel, naming only people the reader may see."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, AuditEvent, Verb
from meetings.models import Meeting, MeetingKind, MeetingStatus
from meetings.services.case_actions import ActionInput
from meetings.services.meeting_mode import (
    AttendanceEntry,
    ItemOutcome,
    agenda_item_record,
    attendance_record,
    minutes_publish,
)
from panels.models import CohortMembership
from tests.factories import make_nominal
from tests.panels.meeting_mode_helpers import add_items, make_meeting, make_people

pytestmark = pytest.mark.django_db


def minutes_url(meeting: Meeting) -> str:
    return reverse("meetings:meeting-minutes", args=[meeting.pk])


def publish_url(meeting: Meeting) -> str:
    return reverse("meetings:meeting-minutes-publish", args=[meeting.pk])


def take_register(p, meeting: Meeting) -> None:
    attendance_record(
        actor=p.coordinator,
        meeting=meeting,
        entries=[
            AttendanceEntry(p.council, "present", "Alice Ward, IOM coordinator"),
            AttendanceEntry(p.police, "present", "DS Kerr, IOM police lead"),
            AttendanceEntry(p.probation, "present", "Sam Patel, offender manager"),
            AttendanceEntry(p.housing, "apologies", ""),
        ],
    )


@pytest.fixture
def held(partnership):
    """A meeting with its register taken, one decision and one action on its first item."""
    p = partnership
    meeting = make_meeting(p.panel)
    items = add_items(meeting, make_people(p.coordinator, p.panel, 2))
    take_register(p, meeting)
    agenda_item_record(
        actor=p.coordinator,
        item=items[0],
        outcome=ItemOutcome(
            notes="Missed two appointments; housing offer pending.",
            rag="red",
            escalate=False,
            discussed=True,
        ),
        action=ActionInput(
            description="Arrange a joint home visit",
            owner_agency=p.probation,
            owner=p.member_partner,
            due=timezone.localdate() + timedelta(days=10),
        ),
    )
    return meeting, items


def test_the_coordinator_reads_draft_minutes_built_from_the_meeting(partnership, client_for, held):
    meeting, items = held
    response = client_for(partnership.coordinator).get(minutes_url(meeting))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Draft minutes" in body
    assert "Sam Patel, offender manager" in body
    assert "Sent apologies" in body
    assert items[0].nominal.full_name in body
    assert "Missed two appointments; housing offer pending." in body
    assert "Arrange a joint home visit" in body
    assert "Close the meeting and publish the minutes" in body
    meeting.refresh_from_db()
    assert meeting.minutes == "" and meeting.minutes_published_on is None


def test_partners_read_nothing_until_the_minutes_are_published(partnership, client_for, held):
    meeting, items = held
    response = client_for(partnership.member_partner).get(minutes_url(meeting))

    assert response.status_code == 200
    body = response.content.decode()
    assert "have not been published yet" in body
    assert items[0].nominal.full_name not in body
    assert "Missed two appointments" not in body


def test_closing_the_meeting_publishes_the_minutes_and_stores_them(partnership, client_for, held):
    meeting, items = held
    response = client_for(partnership.coordinator).post(publish_url(meeting), {"confirm": "on"})

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert meeting.minutes_published_on is not None
    document = json.loads(meeting.minutes)
    first = document["items"][0]
    assert (first["name"], first["rag"], first["discussed"]) == (
        items[0].nominal.full_name,
        "red",
        True,
    )
    assert first["actions"][0]["owner_agency"] == "Probation"
    assert [line["status"] for line in document["attendance"]] == [
        "present",
        "present",
        "apologies",
        "present",
    ]
    event = AuditEvent.objects.get(verb=Verb.MINUTES_PUBLISHED)
    assert event.detail == {"status": "held", "items": 2, "discussed": 1, "actions": 1}


def test_a_closed_meeting_cannot_change(partnership, held):
    meeting, items = held
    minutes_publish(actor=partnership.coordinator, meeting=meeting)
    meeting.refresh_from_db()
    item = items[1]
    item.refresh_from_db()
    with pytest.raises(ValidationError):
        agenda_item_record(
            actor=partnership.coordinator,
            item=item,
            outcome=ItemOutcome(notes="Late", rag="green", escalate=False, discussed=True),
        )
    with pytest.raises(ValidationError):
        minutes_publish(actor=partnership.coordinator, meeting=meeting)
    assert AuditEvent.objects.filter(verb=Verb.MINUTES_PUBLISHED).count() == 1


def test_a_member_partner_reads_the_published_minutes(partnership, client_for, held):
    meeting, items = held
    minutes_publish(actor=partnership.coordinator, meeting=meeting)
    response = client_for(partnership.member_partner).get(minutes_url(meeting))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Published on" in body
    assert items[0].nominal.full_name in body
    assert "Arrange a joint home visit" in body
    # Probation's own officer, named to probation.
    assert partnership.member_partner.get_full_name() in body
    logged = AccessLog.objects.filter(
        user=partnership.member_partner, object_type="offenders.nominal"
    )
    assert {row.object_id for row in logged} == {str(items[0].nominal_id), str(items[1].nominal_id)}


def test_staff_named_on_another_agencys_action_are_shown_by_agency_only(
    partnership, client_for, held
):
    meeting, items = held
    agenda_item_record(
        actor=partnership.coordinator,
        item=items[1],
        outcome=ItemOutcome(notes="", rag="", escalate=False, discussed=True),
        action=ActionInput(
            description="Refer to the council's tenancy team",
            owner_agency=partnership.council,
            owner=partnership.partner,
            due=timezone.localdate() + timedelta(days=3),
        ),
    )
    minutes_publish(actor=partnership.coordinator, meeting=meeting)

    body = client_for(partnership.member_partner).get(minutes_url(meeting)).content.decode()
    assert "Refer to the council&#x27;s tenancy team" in body
    assert partnership.partner.get_full_name() not in body
    council = client_for(partnership.partner).get(minutes_url(meeting)).content.decode()
    assert partnership.partner.get_full_name() in council


def test_a_person_the_reader_may_not_see_is_not_named_in_the_minutes(partnership, client_for):
    p = partnership
    meeting = make_meeting(p.panel)
    seen = make_people(p.coordinator, p.panel, 1)[0]
    # The council's own referral, declined at the meeting: the council still sees its own
    # record, probation never saw it.
    declined = make_nominal(
        p.coordinator, given_names="Declan", family_name="Quarry", on_panel=p.panel
    )
    CohortMembership.objects.filter(nominal=declined).update(status="declined", start=None)
    add_items(meeting, [seen, declined])
    take_register(p, meeting)
    minutes_publish(actor=p.coordinator, meeting=meeting)

    member = client_for(p.member_partner).get(minutes_url(meeting)).content.decode()
    assert seen.full_name in member
    assert "QUARRY" not in member
    assert "2. A person whose record you cannot see" in member
    coordinator = client_for(p.coordinator).get(minutes_url(meeting)).content.decode()
    assert "Declan QUARRY" in coordinator


@pytest.mark.parametrize("persona", ["unsigned_partner", "outsider_partner", "committee"])
def test_those_who_do_not_see_the_panel_get_404_for_the_minutes(
    persona, partnership, client_for, held
):
    meeting, _ = held
    minutes_publish(actor=partnership.coordinator, meeting=meeting)
    assert client_for(getattr(partnership, persona)).get(minutes_url(meeting)).status_code == 404


def test_only_the_coordinator_closes_the_meeting(partnership, client_for, held):
    meeting, _ = held
    response = client_for(partnership.member_partner).post(publish_url(meeting), {"confirm": "on"})
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.IN_PROGRESS


def test_closing_needs_the_coordinator_to_confirm(partnership, client_for, held):
    meeting, _ = held
    response = client_for(partnership.coordinator).post(publish_url(meeting), {})

    assert response.status_code == 200
    assert "Confirm that the minutes are ready to share" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.IN_PROGRESS and not meeting.minutes


def test_a_meeting_without_a_register_is_not_closed(partnership, client_for):
    meeting = make_meeting(partnership.panel)
    response = client_for(partnership.coordinator).post(publish_url(meeting), {"confirm": "on"})

    assert "Record who attended before closing the meeting" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def _queries(client, meetings: list[Meeting]) -> list[int]:
    client.get(minutes_url(meetings[0]))  # the session is warm for both
    counts = []
    for meeting in meetings:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(minutes_url(meeting)).status_code == 200
        counts.append(len(queries))
    return counts


def test_minutes_ask_the_same_number_of_queries_for_3_or_30_items(partnership, client_for):
    p = partnership
    meetings = []
    for count, kind in ((3, MeetingKind.MAIN), (30, MeetingKind.MID_MONTH)):
        meeting = make_meeting(p.panel, on=timezone.localdate() - timedelta(days=count), kind=kind)
        items = add_items(meeting, make_people(p.coordinator, p.panel, count, prefix=f"N{count}"))
        take_register(p, meeting)
        for item in items:
            agenda_item_record(
                actor=p.coordinator,
                item=item,
                outcome=ItemOutcome(notes="Seen", rag="amber", escalate=False, discussed=True),
                action=ActionInput(
                    description="Visit",
                    owner_agency=p.probation,
                    owner=None,
                    due=timezone.localdate(),
                ),
            )
        meetings.append(meeting)

    draft = _queries(client_for(p.coordinator), meetings)
    assert draft[0] == draft[1]
    for meeting in meetings:
        minutes_publish(actor=p.coordinator, meeting=meeting)
    published = _queries(client_for(p.member_partner), meetings)
    assert published[0] == published[1]
