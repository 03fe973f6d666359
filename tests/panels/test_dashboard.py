"""The dashboard: partners see their agency's open actions (overdue first, flagged) and the
next meetings of the panels they see; coordinators also see referrals awaiting them;
committee officers and system administrators see no case data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetings.models import CaseActionStatus, MeetingKind, MeetingStatus
from meetings.services.case_actions import case_actions_flag_overdue
from panels.models import CohortMembership
from tests.factories import make_nominal, make_panel
from tests.panels.meeting_mode_helpers import add_items, make_action, make_meeting, make_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(partnership):
    p = partnership
    today = timezone.localdate()
    past = make_meeting(p.panel, on=today - timedelta(days=10))
    items = add_items(past, make_people(p.coordinator, p.panel, 3))
    overdue = make_action(
        items[0],
        p.probation,
        due=today - timedelta(days=1),
        created_by=p.coordinator,
        description="Book a three-way meeting",
    )
    soon = make_action(
        items[1],
        p.probation,
        due=today + timedelta(days=4),
        created_by=p.coordinator,
        description="Check licence conditions",
    )
    make_action(
        items[2],
        p.probation,
        due=today - timedelta(days=5),
        created_by=p.coordinator,
        description="Already done",
        status=CaseActionStatus.DONE,
    )
    police = make_action(
        items[2],
        p.police,
        due=today + timedelta(days=2),
        created_by=p.coordinator,
        description="Police action",
    )
    mid = make_meeting(
        p.panel,
        on=today + timedelta(days=3),
        kind=MeetingKind.MID_MONTH,
        agenda_shared_on=timezone.now(),
    )
    main = make_meeting(p.panel, on=today + timedelta(days=17))
    cancelled = make_meeting(p.panel, on=today + timedelta(days=5), status=MeetingStatus.CANCELLED)
    case_actions_flag_overdue(actor=None)
    return {
        "overdue": overdue,
        "soon": soon,
        "police": police,
        "mid": mid,
        "main": main,
        "cancelled": cancelled,
    }


def section(body: str, heading: str) -> str:
    start = body.index(heading)
    end = body.find("<h2", start + 1)
    return body[start : end if end != -1 else len(body)]


def test_a_member_partner_sees_their_agencys_open_actions_overdue_first(
    partnership, client_for, work
):
    body = client_for(partnership.member_partner).get("/").content.decode()
    actions = section(body, "Your agency's open actions")

    assert "2 open actions, <strong>1 overdue</strong>" in actions
    assert actions.index("Book a three-way meeting") < actions.index("Check licence conditions")
    overdue_row = actions[actions.index("Book a three-way meeting") :]
    assert "Overdue" in overdue_row[: overdue_row.index("</tr>")]
    assert "Already done" not in actions
    assert "Police action" not in actions
    assert work["overdue"].nominal.full_name in actions


def test_partners_see_the_next_meetings_and_whether_the_agenda_is_shared(
    partnership, client_for, work
):
    body = client_for(partnership.member_partner).get("/").content.decode()
    meetings = section(body, "Next meetings")

    assert meetings.index("Mid-month panel") < meetings.index("Main panel")
    mid_row = meetings[meetings.index("Mid-month panel") :]
    assert "Shared" in mid_row[: mid_row.index("</tr>")]
    assert "Not shared yet" in meetings
    assert work["cancelled"].date.strftime("%-d %b %Y") not in meetings
    assert "Run the meeting" not in meetings


def test_the_coordinator_may_run_the_next_meetings_and_sees_referrals_waiting(
    partnership, client_for, work
):
    p = partnership
    referred = make_nominal(p.member_partner, given_names="Rory", family_name="Tate")
    CohortMembership.objects.create(
        nominal=referred, panel=p.panel, status="referred", referred_on=timezone.localdate()
    )
    body = client_for(p.coordinator).get("/").content.decode()

    assert "Referrals awaiting your decision" in body
    assert "Test IOM panel</a>: 1 referral" in body
    assert "Run the meeting" in section(body, "Next meetings")
    # The council owns no action: the police's and probation's are theirs to see.
    assert "Your agency has no open actions from the panels." in body
    assert "Referrals awaiting" not in client_for(p.partner).get("/").content.decode()


@pytest.mark.parametrize("persona", ["committee", "system_admin"])
def test_committee_officers_and_system_admins_see_no_case_data(
    persona, partnership, client_for, work
):
    body = client_for(getattr(partnership, persona)).get("/").content.decode()
    assert "open actions" not in body
    assert "Next meetings" not in body
    assert "Book a three-way meeting" not in body
    assert work["overdue"].nominal.full_name not in body
    assert "no panel's cohort is shown to you" in body


def test_an_agency_without_a_signed_agreement_sees_no_actions_or_meetings(
    partnership, client_for, work
):
    body = client_for(partnership.unsigned_partner).get("/").content.decode()
    assert "Your agency has no open actions from the panels." in body
    assert "No meetings are coming up for the panels you can see." in body


def test_the_dashboard_asks_the_same_number_of_queries_however_much_work_there_is(
    partnership, client_for, work
):
    p = partnership
    client = client_for(p.coordinator)
    other = make_panel(p.council, [p.probation], name="DIP panel")
    meeting = make_meeting(other, on=timezone.localdate())
    people = make_people(p.coordinator, other, 12, prefix="D")
    counts = []
    for batch in (people[:1], people[1:]):
        for item in add_items(meeting, batch):
            make_action(item, p.council, due=timezone.localdate(), created_by=p.coordinator)
            make_meeting(other, on=timezone.localdate() + timedelta(days=item.position))
        client.get("/")
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/").content.decode()
        counts.append(len(queries))
    assert "12 open actions" in body
    # 11 for the panels' work, 1 for the action plan steps the agency leads, 1 for the
    # header's count of unread notifications, and 1 for the coordinator's reports.
    assert counts[0] == counts[1] <= 14
