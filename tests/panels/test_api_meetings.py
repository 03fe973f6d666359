"""Meetings over the API: the panel's coordinator moves, cancels, shares the agenda, takes
the register and publishes the minutes; partners of the panel get 403, other boroughs 404;
readers see the agenda once shared and the minutes as the minutes page shows them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, AccessOutcome, AuditEvent, Verb
from meetings.models import Attendance, Meeting, MeetingStatus
from tests.factories import make_nominal
from tests.panels.meeting_mode_helpers import add_items, make_action, make_meeting, make_people

pytestmark = pytest.mark.django_db

PRESENT = {"status": "present", "attendees": "Sam Patel, offender manager"}


def post(client, url: str, data: dict | None = None):
    return client.post(url, data or {}, content_type="application/json")


def action_url(meeting: Meeting, name: str) -> str:
    return reverse(f"meeting-{name}", args=[meeting.pk])


def detail(client, meeting: Meeting) -> dict:
    response = client.get(reverse("meeting-detail", args=[meeting.pk]))
    assert response.status_code == 200
    return response.json()


def audited(verb: Verb, meeting: Meeting) -> bool:
    return AuditEvent.objects.filter(
        verb=verb, object_type="meetings.meeting", object_id=str(meeting.pk)
    ).exists()


def register(*codes: str) -> dict:
    return {"attendance": [{"agency": code, **PRESENT} for code in codes]}


EVERY_AGENCY = ("council", "police", "probation", "housing")


@pytest.fixture
def upcoming(partnership):
    return make_meeting(partnership.panel, on=timezone.localdate() + timedelta(days=10))


@pytest.fixture
def today(partnership):
    """Today's meeting, with two people on its agenda."""
    meeting = make_meeting(partnership.panel)
    add_items(meeting, make_people(partnership.coordinator, partnership.panel, 2))
    return meeting


# --- Moving and cancelling --------------------------------------------------------------------


def test_coordinator_moves_a_meeting_and_the_move_is_audited(partnership, client_for, upcoming):
    new_day = upcoming.date + timedelta(days=7)

    response = post(
        client_for(partnership.coordinator),
        action_url(upcoming, "move"),
        {"date": new_day.isoformat(), "starts_at": "14:00", "reason": "Room unavailable"},
    )

    assert response.status_code == 200, response.content
    assert (response.json()["date"], response.json()["starts_at"]) == (
        new_day.isoformat(),
        "14:00:00",
    )
    upcoming.refresh_from_db()
    assert (upcoming.date, upcoming.status_reason) == (new_day, "Room unavailable")
    assert audited(Verb.MEETING_MOVED, upcoming)


def test_moving_to_a_past_date_is_refused_with_the_field(partnership, client_for, upcoming):
    yesterday = timezone.localdate() - timedelta(days=1)

    response = post(
        client_for(partnership.coordinator),
        action_url(upcoming, "move"),
        {"date": yesterday.isoformat(), "starts_at": "10:00", "reason": "Clash"},
    )

    assert response.status_code == 400
    assert response.json() == {"date": ["The new date must be today or in the future"]}


def test_partner_gets_403_and_another_borough_404_for_moving(partnership, client_for, upcoming):
    p = partnership
    body = {"date": upcoming.date.isoformat(), "starts_at": "15:00", "reason": "Clash"}

    assert post(client_for(p.partner), action_url(upcoming, "move"), body).status_code == 403
    assert post(client_for(p.member_partner), action_url(upcoming, "move"), body).status_code == 403
    response = post(client_for(p.outsider_coordinator), action_url(upcoming, "move"), body)
    assert response.status_code == 404

    upcoming.refresh_from_db()
    assert str(upcoming.starts_at)[:5] == "10:00"
    for user in (p.partner, p.member_partner, p.outsider_coordinator):
        assert AccessLog.objects.filter(user=user, outcome=AccessOutcome.DENIED).count() == 1


def test_coordinator_cancels_a_meeting_with_the_reason(partnership, client_for, upcoming):
    client = client_for(partnership.coordinator)

    assert post(client, action_url(upcoming, "cancel"), {}).status_code == 400
    response = post(client, action_url(upcoming, "cancel"), {"reason": "Bank holiday"})

    assert response.status_code == 200
    upcoming.refresh_from_db()
    assert (upcoming.status, upcoming.status_reason) == (MeetingStatus.CANCELLED, "Bank holiday")
    assert audited(Verb.MEETING_CANCELLED, upcoming)


# --- Sharing the agenda ------------------------------------------------------------------------


def test_the_agenda_is_shared_only_when_confirmed(partnership, client_for, today):
    response = post(client_for(partnership.coordinator), action_url(today, "share"))

    assert response.status_code == 400
    assert set(response.json()) == {"confirm"}
    today.refresh_from_db()
    assert today.agenda_shared_on is None


def test_member_agencies_see_the_agenda_once_it_is_shared(partnership, client_for, today):
    p = partnership
    member = client_for(p.member_partner)
    assert detail(member, today)["items"] == []
    assert member.get(reverse("agenda-item-list"), {"meeting": today.pk}).json()["results"] == []

    response = post(client_for(p.coordinator), action_url(today, "share"), {"confirm": True})

    assert response.status_code == 200, response.content
    assert response.json()["agenda_shared_on"]
    assert audited(Verb.AGENDA_SHARED, today)
    items = detail(member, today)["items"]
    assert [item["position"] for item in items] == [1, 2]
    assert all(item["person_visible"] and item["nominal"] for item in items)
    listed = member.get(reverse("agenda-item-list"), {"meeting": today.pk}).json()["results"]
    assert len(listed) == 2


def test_sharing_twice_says_it_was_already_shared(partnership, client_for, today):
    client = client_for(partnership.coordinator)
    post(client, action_url(today, "share"), {"confirm": True})

    response = post(client, action_url(today, "share"), {"confirm": True})

    assert response.status_code == 400
    assert "already shared" in response.json()["non_field_errors"][0]


# --- The register ------------------------------------------------------------------------------


def test_coordinator_takes_the_register_for_every_agency(partnership, client_for, today):
    response = post(
        client_for(partnership.coordinator),
        action_url(today, "attendance"),
        register(*EVERY_AGENCY),
    )

    assert response.status_code == 200, response.content
    assert {row["agency"] for row in response.json()["attendance"]} == set(EVERY_AGENCY)
    assert Attendance.objects.filter(meeting=today, present=True).count() == 4
    today.refresh_from_db()
    assert today.status == MeetingStatus.IN_PROGRESS
    assert audited(Verb.ATTENDANCE_RECORDED, today)


def test_a_register_missing_an_agency_is_refused_with_that_agencys_field(
    partnership, client_for, today
):
    response = post(
        client_for(partnership.coordinator),
        action_url(today, "attendance"),
        register("council", "police", "probation"),
    )

    assert response.status_code == 400
    assert response.json() == {"housing-status": ["Select whether Housing attended"]}
    assert not Attendance.objects.filter(meeting=today).exists()


def test_a_register_naming_an_unknown_agency_is_refused(partnership, client_for, today):
    response = post(
        client_for(partnership.coordinator),
        action_url(today, "attendance"),
        register(*EVERY_AGENCY, "nowhere"),
    )

    assert response.status_code == 400
    assert list(response.json()) == ["attendance"]


def test_the_register_of_a_future_meeting_waits_for_its_day(partnership, client_for, upcoming):
    response = post(
        client_for(partnership.coordinator),
        action_url(upcoming, "attendance"),
        register(*EVERY_AGENCY),
    )

    assert response.status_code == 400
    assert "recorded from that day" in response.json()["non_field_errors"][0]


def test_partner_gets_403_for_the_register(partnership, client_for, today):
    response = post(
        client_for(partnership.partner), action_url(today, "attendance"), register(*EVERY_AGENCY)
    )

    assert response.status_code == 403
    assert not Attendance.objects.filter(meeting=today).exists()


def test_the_register_is_read_by_partners_only_once_the_minutes_are_published(
    partnership, client_for, today
):
    p = partnership
    post(client_for(p.coordinator), action_url(today, "attendance"), register(*EVERY_AGENCY))

    assert len(detail(client_for(p.coordinator), today)["attendance"]) == 4
    assert detail(client_for(p.partner), today)["attendance"] == []


# --- Minutes -----------------------------------------------------------------------------------


def test_coordinator_publishes_the_minutes_and_readers_see_them_as_the_page_does(
    partnership, client_for, today
):
    p = partnership
    coordinator = client_for(p.coordinator)
    item = today.items.order_by("position").first()
    make_action(
        item,
        p.council,
        due=timezone.localdate() + timedelta(days=14),
        created_by=p.coordinator,
        owner=p.partner,
    )
    post(coordinator, action_url(today, "attendance"), register(*EVERY_AGENCY))

    assert post(coordinator, action_url(today, "minutes")).status_code == 400
    response = post(coordinator, action_url(today, "minutes"), {"confirm": True})

    assert response.status_code == 200, response.content
    today.refresh_from_db()
    assert today.status == MeetingStatus.HELD
    assert audited(Verb.MINUTES_PUBLISHED, today)
    partner_name = p.partner.get_full_name()
    mine = detail(client_for(p.partner), today)["minutes"]
    theirs = detail(client_for(p.member_partner), today)["minutes"]
    assert mine["items"][0]["actions"][0]["owner"] == partner_name
    # Probation reads the minutes, but not the name of the council's member of staff.
    assert theirs["items"][0]["actions"][0]["owner"] == ""
    assert theirs["items"][0]["actions"][0]["owner_agency"] == "Council CST"


def test_the_minutes_are_not_published_before_the_register_is_taken(partnership, client_for, today):
    response = post(
        client_for(partnership.coordinator), action_url(today, "minutes"), {"confirm": True}
    )

    assert response.status_code == 400
    assert "Record who attended" in response.json()["non_field_errors"][0]
    today.refresh_from_db()
    assert today.minutes_published_on is None


def test_minutes_name_only_the_people_the_reader_sees(partnership, client_for, today):
    """Someone whose referral was declined after the meeting is no longer shared with the
    panel's partners: the minutes keep their item, without them."""
    p = partnership
    probations = make_nominal(p.member_partner, family_name="Irving", on_panel=p.panel)
    add_items(today, [probations])
    today.items.filter(nominal=probations).update(position=3)
    post(client_for(p.coordinator), action_url(today, "attendance"), register(*EVERY_AGENCY))
    post(client_for(p.coordinator), action_url(today, "minutes"), {"confirm": True})
    probations.memberships.update(status="declined")

    items = detail(client_for(p.partner), today)["minutes"]["items"]

    assert [item["visible"] for item in items] == [True, True, False]
    assert items[2]["name"] == "" and items[2]["notes"] == ""


# --- Lists -------------------------------------------------------------------------------------


def test_meetings_of_panels_the_user_does_not_see_are_not_listed(
    partnership, client_for, upcoming, django_assert_max_num_queries
):
    for days in range(20, 25):
        make_meeting(partnership.panel, on=timezone.localdate() + timedelta(days=days))
    client = client_for(partnership.member_partner)

    with django_assert_max_num_queries(8):
        page = client.get(reverse("meeting-list"), {"upcoming": "1"}).json()

    assert page["count"] == 6
    outsider = client_for(partnership.outsider_partner).get(reverse("meeting-list")).json()
    assert outsider["results"] == []
    unsigned = client_for(partnership.unsigned_partner).get(reverse("meeting-list")).json()
    assert unsigned["results"] == []
