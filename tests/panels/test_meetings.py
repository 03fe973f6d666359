"""Meeting rules, the meetings created ahead from them, and moving and cancelling one."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AccessLog, AuditEvent, Verb
from meetings.calendar import unusual_day
from meetings.models import AgendaItem, Meeting, MeetingKind, MeetingRule, MeetingStatus
from meetings.services.meetings import (
    meeting_cancel,
    meeting_move,
    meeting_rule_add,
    meeting_rule_stop,
    meetings_schedule,
)
from meetings.tasks import schedule_meetings
from panels.models import Panel
from tests.factories import make_nominal, make_panel

MON, TUE, WED, THU = 0, 1, 2, 3
JAN_15 = date(2026, 1, 15)


def add_rule(panel: Panel, *, kind=MeetingKind.MAIN, week=1, weekday=WED, actor=None, **kw):
    return meeting_rule_add(
        actor=actor,
        panel=panel,
        kind=kind,
        week=week,
        weekday=weekday,
        starts_at=time(10, 0),
        location=kw.pop("location", "Civic Centre, room 2"),
        today=kw.pop("today", JAN_15),
        **kw,
    )


def dates(panel: Panel, **filters) -> list[date]:
    return list(panel.meetings.filter(**filters).order_by("date").values_list("date", flat=True))


# --- Rules and the meetings they create at once ------------------------------------------


def test_adding_a_rule_creates_its_meetings_for_the_months_ahead(partnership):
    p = partnership
    rule, created = add_rule(p.panel, actor=p.coordinator)

    # From 15 January to the end of April: the first Wednesday of January has passed.
    assert created == 3
    assert dates(p.panel) == [date(2026, 2, 4), date(2026, 3, 4), date(2026, 4, 1)]
    meeting = p.panel.meetings.earliest("date")
    assert (meeting.rule, meeting.occurrence, meeting.kind) == (rule, date(2026, 2, 4), "main")
    assert (meeting.starts_at, meeting.location) == (time(10, 0), "Civic Centre, room 2")
    event = AuditEvent.objects.get(verb=Verb.MEETING_RULE_SET)
    assert event.actor == p.coordinator
    assert event.detail["action"] == "added"
    assert event.detail["meetings_created"] == 3


def test_iom_main_and_mid_month_rules_live_side_by_side(partnership):
    p = partnership
    add_rule(p.panel, kind=MeetingKind.MAIN, week=1)
    add_rule(p.panel, kind=MeetingKind.MID_MONTH, week=3)
    assert dates(p.panel, kind="mid_month") == [
        date(2026, 1, 21),
        date(2026, 2, 18),
        date(2026, 3, 18),
        date(2026, 4, 15),
    ]


def test_a_fifth_wednesday_rule_creates_meetings_only_in_months_with_one(partnership):
    add_rule(partnership.panel, kind=MeetingKind.EXTRA, week=5, months_ahead=11)
    assert dates(partnership.panel) == [
        date(2026, 4, 29),
        date(2026, 7, 29),
        date(2026, 9, 30),
        date(2026, 12, 30),
    ]


def test_the_same_rule_twice_is_refused_and_nothing_is_added(partnership):
    add_rule(partnership.panel)
    with pytest.raises(ValidationError, match="already has this rule"):
        add_rule(partnership.panel, location="Elsewhere")
    assert MeetingRule.objects.count() == 1
    assert partnership.panel.meetings.count() == 3


def test_only_the_panels_coordinators_add_rules(partnership):
    p = partnership
    for user in (p.partner, p.member_partner, p.outsider_coordinator, p.agency_admin):
        with pytest.raises(PermissionDenied):
            add_rule(p.panel, actor=user)
    assert not MeetingRule.objects.exists()


def test_stopping_a_rule_removes_its_untouched_future_meetings_and_keeps_worked_ones(
    partnership,
):
    p = partnership
    rule, _ = add_rule(p.panel)
    february, march, april = p.panel.meetings.order_by("date")
    person = make_nominal(p.coordinator, on_panel=p.panel)
    AgendaItem.objects.create(meeting=march, nominal=person, reason="red_rag", position=1)

    removed, kept = meeting_rule_stop(actor=p.coordinator, rule=rule, today=JAN_15)

    assert (removed, kept) == (2, 1)
    assert list(p.panel.meetings.all()) == [march]
    rule.refresh_from_db()
    assert not rule.active
    event = AuditEvent.objects.filter(verb=Verb.MEETING_RULE_SET).latest("pk")
    assert (event.detail["action"], event.detail["meetings_removed"]) == ("stopped", 2)
    assert event.detail["meetings_kept"] == 1
    # A stopped rule makes nothing more; added again, it fills the gaps it left.
    assert meetings_schedule(actor=None, today=JAN_15)["created"] == 0
    _, created = add_rule(p.panel, today=JAN_15)
    assert created == 2
    assert dates(p.panel) == [date(2026, 2, 4), date(2026, 3, 4), date(2026, 4, 1)]


# --- The job that creates meetings ahead ------------------------------------------------


def test_scheduling_creates_every_active_rules_meetings_and_a_second_run_creates_nothing(
    partnership,
):
    p = partnership
    dip = make_panel(p.council, [p.probation], name="DIP panel", kind="dip")
    MeetingRule.objects.create(panel=p.panel, kind="main", week=1, weekday=WED)
    MeetingRule.objects.create(panel=p.panel, kind="mid_month", week=3, weekday=WED)
    MeetingRule.objects.create(panel=dip, kind="main", week=-1, weekday=THU)

    first = meetings_schedule(actor=None, today=JAN_15)
    second = meetings_schedule(actor=None, today=JAN_15)

    assert first == {"rules": 3, "created": 3 + 4 + 4, "existing": 0}
    assert second == {"rules": 3, "created": 0, "existing": 11}
    assert dates(dip) == [
        date(2026, 1, 29),
        date(2026, 2, 26),
        date(2026, 3, 26),
        date(2026, 4, 30),
    ]
    runs = AuditEvent.objects.filter(verb=Verb.MEETINGS_SCHEDULED).order_by("pk")
    assert [run.detail["created"] for run in runs] == [11, 0]
    assert runs[0].detail["from"] == "2026-01-15"
    assert runs[0].detail["to"] == "2026-04-30"
    assert runs[0].actor is None


def test_a_moved_meeting_is_not_created_again_at_its_old_date(partnership):
    p = partnership
    add_rule(p.panel)
    february = p.panel.meetings.get(date=date(2026, 2, 4))
    meeting_move(
        actor=p.coordinator,
        meeting=february,
        new_date=date(2026, 2, 11),
        starts_at=time(14, 0),
        reason="Room unavailable",
        today=JAN_15,
    )

    assert meetings_schedule(actor=None, today=JAN_15)["created"] == 0
    assert dates(p.panel) == [date(2026, 2, 11), date(2026, 3, 4), date(2026, 4, 1)]
    february.refresh_from_db()
    assert february.occurrence == date(2026, 2, 4)


def test_a_cancelled_meeting_is_not_created_again(partnership):
    p = partnership
    add_rule(p.panel)
    march = p.panel.meetings.get(date=date(2026, 3, 4))
    meeting_cancel(actor=p.coordinator, meeting=march, reason="Bank holiday week")

    assert meetings_schedule(actor=None, today=JAN_15)["created"] == 0
    assert list(
        p.panel.meetings.filter(date=date(2026, 3, 4)).values_list("status", flat=True)
    ) == ["cancelled"]


def test_stopped_rules_and_closed_panels_get_no_meetings(partnership):
    p = partnership
    MeetingRule.objects.create(panel=p.panel, kind="main", week=1, weekday=WED, active=False)
    closed = make_panel(p.council, [], name="Closed panel")
    Panel.objects.filter(pk=closed.pk).update(active=False)
    MeetingRule.objects.create(panel=closed, kind="main", week=1, weekday=WED)

    assert meetings_schedule(actor=None, today=JAN_15) == {"rules": 0, "created": 0, "existing": 0}
    assert not Meeting.objects.exists()


def test_the_months_ahead_come_from_the_setting(partnership, settings):
    settings.MEETINGS_MONTHS_AHEAD = 1
    MeetingRule.objects.create(panel=partnership.panel, kind="main", week=1, weekday=WED)
    assert meetings_schedule(actor=None, today=JAN_15)["created"] == 1  # 4 February
    assert meetings_schedule(actor=None, today=JAN_15, months_ahead=2)["created"] == 1


def test_a_later_run_adds_the_next_month_and_leaves_the_past_alone(partnership):
    MeetingRule.objects.create(panel=partnership.panel, kind="main", week=1, weekday=WED)
    meetings_schedule(actor=None, today=JAN_15)
    assert meetings_schedule(actor=None, today=date(2026, 2, 10))["created"] == 1  # 6 May
    assert dates(partnership.panel)[-1] == date(2026, 5, 6)


def test_only_the_system_or_a_system_admin_runs_the_schedule(partnership):
    with pytest.raises(PermissionDenied):
        meetings_schedule(actor=partnership.coordinator)
    assert meetings_schedule(actor=partnership.system_admin)["rules"] == 0


def test_the_celery_task_schedules_meetings(partnership):
    MeetingRule.objects.create(panel=partnership.panel, kind="main", week=1, weekday=WED)
    first = schedule_meetings.delay().get()
    assert first["rules"] == 1
    assert first["created"] >= 3  # this month's if still ahead, and the next three
    assert schedule_meetings.delay().get()["created"] == 0
    assert AuditEvent.objects.filter(verb=Verb.MEETINGS_SCHEDULED).count() == 2


# --- Moving and cancelling ---------------------------------------------------------------


def test_moving_a_meeting_records_why_and_keeps_its_occurrence(partnership):
    p = partnership
    add_rule(p.panel)
    meeting = p.panel.meetings.get(date=date(2026, 2, 4))
    meeting_move(
        actor=p.coordinator,
        meeting=meeting,
        new_date=date(2026, 2, 5),
        starts_at=time(13, 30),
        reason="Clash with the MAPPA meeting",
        today=JAN_15,
    )
    meeting.refresh_from_db()
    assert (meeting.date, meeting.starts_at, meeting.status) == (
        date(2026, 2, 5),
        time(13, 30),
        MeetingStatus.SCHEDULED,
    )
    assert meeting.status_reason == "Clash with the MAPPA meeting"
    event = AuditEvent.objects.get(verb=Verb.MEETING_MOVED)
    assert event.detail["from"] == {"date": "2026-02-04", "starts_at": "10:00"}
    assert event.detail["to"] == {"date": "2026-02-05", "starts_at": "13:30"}


@pytest.mark.parametrize(
    ("new_date", "reason", "field"),
    [
        (date(2026, 1, 14), "Too late", "date"),  # before today
        (date(2026, 2, 4), "Same as before", "date"),  # nothing changes
        (date(2026, 2, 6), "   ", "reason"),
    ],
)
def test_a_move_needs_a_new_future_date_and_a_reason(partnership, new_date, reason, field):
    add_rule(partnership.panel)
    meeting = partnership.panel.meetings.get(date=date(2026, 2, 4))
    with pytest.raises(ValidationError) as error:
        meeting_move(
            actor=partnership.coordinator,
            meeting=meeting,
            new_date=new_date,
            starts_at=time(10, 0),
            reason=reason,
            today=JAN_15,
        )
    assert field in error.value.message_dict
    assert not AuditEvent.objects.filter(verb=Verb.MEETING_MOVED).exists()


def test_a_cancelled_meeting_can_be_neither_moved_nor_cancelled_again(partnership):
    add_rule(partnership.panel)
    meeting = partnership.panel.meetings.get(date=date(2026, 2, 4))
    meeting_cancel(actor=partnership.coordinator, meeting=meeting, reason="No quorum")
    with pytest.raises(ValidationError, match="cancelled"):
        meeting_cancel(actor=partnership.coordinator, meeting=meeting, reason="Again")
    with pytest.raises(ValidationError, match="cancelled"):
        meeting_move(
            actor=partnership.coordinator,
            meeting=meeting,
            new_date=date(2026, 2, 6),
            starts_at=time(10, 0),
            reason="Back on",
            today=JAN_15,
        )
    assert AuditEvent.objects.filter(verb=Verb.MEETING_CANCELLED).count() == 1


def test_partners_may_not_move_or_cancel(partnership):
    p = partnership
    add_rule(p.panel)
    meeting = p.panel.meetings.first()
    with pytest.raises(PermissionDenied):
        meeting_cancel(actor=p.partner, meeting=meeting, reason="Because")
    with pytest.raises(PermissionDenied):
        meeting_move(
            actor=p.member_partner,
            meeting=meeting,
            new_date=date(2026, 2, 6),
            starts_at=time(10, 0),
            reason="Because",
            today=JAN_15,
        )


# --- Pages -------------------------------------------------------------------------------


def upcoming(panel: Panel, *, days: int = 20, **fields) -> Meeting:
    day = timezone.localdate() + timedelta(days=days)
    return Meeting.objects.create(panel=panel, date=day, kind=fields.pop("kind", "main"), **fields)


def test_coordinator_adds_a_rule_on_the_rules_page_and_its_meetings_are_listed(
    partnership, client_for
):
    p = partnership
    client = client_for(p.coordinator)
    response = client.post(
        f"/panels/{p.panel.pk}/meeting-rules/",
        {"kind": "mid_month", "week": "3", "weekday": "2", "starts_at": "14:30", "location": ""},
    )
    assert response.status_code == 302
    rule = MeetingRule.objects.get()
    assert (rule.kind, rule.week, rule.weekday, rule.starts_at) == ("mid_month", 3, 2, time(14, 30))
    assert p.panel.meetings.count() >= 3

    page = client.get(response.url).content.decode()
    assert "Rule added: Mid-month panel: third Wednesday of each month" in page
    listing = client.get(f"/panels/{p.panel.pk}/meetings/").content.decode()
    assert "Mid-month panel: third Wednesday of each month at 14:30" in listing
    assert listing.count('<strong class="govuk-tag">Scheduled</strong>') == p.panel.meetings.count()


def test_a_rule_form_with_errors_says_what_to_fix_and_adds_nothing(partnership, client_for):
    response = client_for(partnership.coordinator).post(
        f"/panels/{partnership.panel.pk}/meeting-rules/",
        {"kind": "main", "week": "9", "weekday": "2", "starts_at": "quarter past"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter the start time like 10:00 or 14:30" in body
    assert "Select a valid choice" in body
    assert not MeetingRule.objects.exists()


def test_partners_read_the_rules_but_cannot_change_them(partnership, client_for):
    p = partnership
    MeetingRule.objects.create(panel=p.panel, kind="main", week=1, weekday=WED)
    url = f"/panels/{p.panel.pk}/meeting-rules/"
    page = client_for(p.member_partner).get(url)
    assert page.status_code == 200
    assert b"First Wednesday of each month" in page.content
    assert b"Add a rule" not in page.content
    assert client_for(p.partner).post(url, {"kind": "main"}).status_code == 403
    assert client_for(p.unsigned_partner).get(url).status_code == 404
    assert client_for(p.outsider_partner).get(url).status_code == 404


def test_coordinator_stops_a_rule_with_its_button(partnership, client_for):
    p = partnership
    rule, _ = add_rule(p.panel, today=timezone.localdate())
    client = client_for(p.coordinator)
    assert client.post(f"/panels/meeting-rules/{rule.pk}/stop/").status_code == 400
    response = client.post(f"/panels/meeting-rules/{rule.pk}/stop/", {"stop": "yes"}, follow=True)
    assert b"Rule stopped" in response.content
    rule.refresh_from_db()
    assert not rule.active
    assert (
        client_for(p.partner)
        .post(f"/panels/meeting-rules/{rule.pk}/stop/", {"stop": "yes"})
        .status_code
        == 403
    )


def test_meetings_list_shows_upcoming_and_past_with_their_status(partnership, client_for):
    p = partnership
    today = timezone.localdate()
    upcoming(p.panel, days=7, location="Town Hall")
    upcoming(p.panel, days=14, status="cancelled", status_reason="No quorum")
    upcoming(p.panel, days=21, status_reason="Room clash")  # moved
    Meeting.objects.create(panel=p.panel, date=today - timedelta(days=30), status="held")
    client = client_for(p.member_partner)

    page = client.get(f"/panels/{p.panel.pk}/meetings/").content.decode()
    assert page.count('<tr class="govuk-table__row">') == 1 + 3
    assert "Town Hall" in page
    assert ">Cancelled<" in page and ">Moved<" in page and ">Scheduled<" in page
    assert ">Held<" not in page

    past = client.get(f"/panels/{p.panel.pk}/meetings/past/").content.decode()
    assert ">Held<" in past
    assert "Town Hall" not in past


def test_meetings_list_is_paginated_with_flat_queries(
    partnership, client_for, django_assert_max_num_queries
):
    p = partnership
    client = client_for(p.coordinator)
    for days in range(1, 26):
        upcoming(p.panel, days=days)
    with django_assert_max_num_queries(14):
        first = client.get(f"/panels/{p.panel.pk}/meetings/")
    assert first.content.decode().count('<tr class="govuk-table__row">') == 1 + 20
    second = client.get(f"/panels/{p.panel.pk}/meetings/?page=2").content.decode()
    assert second.count('<tr class="govuk-table__row">') == 1 + 5


def test_coordinator_moves_a_meeting_on_its_page(partnership, client_for):
    p = partnership
    meeting = upcoming(p.panel, days=10)
    meeting.occurrence = original = meeting.date
    meeting.save()
    new = meeting.date + timedelta(days=1)
    while unusual_day(new):  # an ordinary working day: weekends and bank holidays ask first
        new += timedelta(days=1)
    response = client_for(p.coordinator).post(
        f"/panels/meetings/{meeting.pk}/move/",
        {
            "date-day": new.day,
            "date-month": new.month,
            "date-year": new.year,
            "starts_at": "14:00",
            "reason": "The room is needed for an inquest",
        },
        follow=True,
    )
    body = response.content.decode()
    assert f"Meeting moved to {new:%-d %B %Y} at 14:00" in body
    assert f"Moved from {meeting.date:%-d %B %Y}: The room is needed for an inquest" in body
    meeting.refresh_from_db()
    # The meeting keeps standing for its scheduled slot, whichever day it moved to.
    assert (meeting.date, meeting.occurrence) == (new, original)


def _next(day, weekday: int):
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


@pytest.mark.parametrize(
    "pick, words",
    [
        (lambda today: _next(today + timedelta(days=2), 6), "is a Sunday"),
        (lambda today: date(today.year + 1, 12, 25), "is a bank holiday (Christmas Day)"),
    ],
    ids=["sunday", "christmas"],
)
def test_moving_to_a_weekend_or_bank_holiday_asks_to_confirm(partnership, client_for, pick, words):
    p = partnership
    meeting = upcoming(p.panel, days=10)
    day = pick(timezone.localdate())
    fields = {
        "date-day": day.day,
        "date-month": day.month,
        "date-year": day.year,
        "starts_at": "10:00",
        "reason": "Only day the room is free",
    }
    url = f"/panels/meetings/{meeting.pk}/move/"
    client = client_for(p.coordinator)
    asked = client.post(url, fields)
    assert asked.status_code == 200
    body = asked.content.decode()
    assert words in body and "Yes, hold the meeting on that day" in body
    meeting.refresh_from_db()
    assert meeting.date != day

    client.post(url, {**fields, "hold_anyway": "on"})
    meeting.refresh_from_db()
    assert meeting.date == day


def test_moving_to_a_past_date_is_refused_with_the_reason(partnership, client_for):
    p = partnership
    meeting = upcoming(p.panel, days=10)
    past = timezone.localdate() - timedelta(days=2)
    response = client_for(p.coordinator).post(
        f"/panels/meetings/{meeting.pk}/move/",
        {
            "date-day": past.day,
            "date-month": past.month,
            "date-year": past.year,
            "starts_at": "10:00",
            "reason": "Oops",
        },
    )
    assert response.status_code == 200
    assert b"The new date must be today or in the future" in response.content
    old = meeting.date
    meeting.refresh_from_db()
    assert meeting.date == old


def test_coordinator_cancels_a_meeting_and_partners_see_it_cancelled(partnership, client_for):
    p = partnership
    meeting = upcoming(p.panel, days=10)
    url = f"/panels/meetings/{meeting.pk}/cancel/"
    assert client_for(p.coordinator).post(url, {"reason": ""}).status_code == 200
    assert client_for(p.partner).post(url, {"reason": "Not mine"}).status_code == 403
    response = client_for(p.coordinator).post(url, {"reason": "Chair unwell"})
    assert response.status_code == 302
    page = client_for(p.member_partner).get(f"/panels/meetings/{meeting.pk}/").content.decode()
    assert "This meeting is cancelled: Chair unwell" in page
    assert AuditEvent.objects.filter(verb=Verb.MEETING_CANCELLED).count() == 1


def test_meeting_page_for_each_persona(partnership, client_for):
    p = partnership
    meeting = upcoming(p.panel, days=10, location="Civic Centre")
    url = f"/panels/meetings/{meeting.pk}/"
    coordinator = client_for(p.coordinator).get(url).content.decode()
    assert "Build the agenda" in coordinator and "Move this meeting" in coordinator
    member = client_for(p.member_partner).get(url).content.decode()
    assert "Civic Centre" in member
    assert "The agenda has not been shared yet" in member
    assert "Build the agenda" not in member and "Move this meeting" not in member
    for user in (p.unsigned_partner, p.outsider_partner, p.committee, p.system_admin):
        assert client_for(user).get(url).status_code == 404
    assert AccessLog.objects.filter(
        user=p.outsider_partner, object_type="meetings.meeting", outcome="denied"
    ).exists()
