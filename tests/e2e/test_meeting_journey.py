"""Journey 4: in the meeting, the coordinator records attendance, a RAG decision per case
and an action owned by probation with a due date, then closes the meeting and publishes
the minutes; the probation partner finds the action on their dashboard."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings.models import CaseAction, Meeting, MeetingStatus
from panels.models import RagReview
from tests.e2e.browser import sign_in
from tests.panels.meeting_mode_helpers import add_items, make_meeting, make_people

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ATTENDED = {
    "Borough Police": ("Present", "DS Kerr, IOM police lead"),
    "Council CST": ("Present", "Alice Ward, IOM coordinator"),
    "Housing": ("Sent apologies", ""),
    "Probation": ("Present", "Sam Patel, offender manager"),
}


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def fill_date(page: Page, group: str, when) -> None:
    boxes = page.get_by_role("group", name=group)
    for part, value in (("Day", when.day), ("Month", when.month), ("Year", when.year)):
        boxes.get_by_label(part).fill(str(value))


def test_coordinator_runs_the_meeting_and_probation_sees_its_action(
    page: Page, check_page, another_browser, partnership
):
    p = partnership
    today = timezone.localdate()
    meeting = make_meeting(p.panel, agenda_shared_on=timezone.now())
    first, second = add_items(meeting, make_people(p.coordinator, p.panel, 2))
    due = today + timedelta(days=14)

    # The coordinator starts from the dashboard's next meetings, through the meeting's page.
    sign_in(page, check_page, p.coordinator)
    meetings = page.get_by_role("table", name="Next meetings of the panels you can see")
    expect(meetings).to_contain_text("Main panel")
    meetings.get_by_role("link", name=re.compile(f"{today:%-d %b %Y}")).click()
    expect(heading(page)).to_contain_text(f"Main panel, {today:%A %-d %B %Y}")
    check_page()
    page.get_by_role("link", name="Run the meeting").click()

    expect(heading(page)).to_have_text(f"Run the main panel, {today:%-d %B %Y}")
    expect(page.locator("#meeting-status")).to_contain_text("Scheduled")
    check_page()

    # The register: every agency answered; one forgotten first, and the page says so.
    for agency, (answer, who) in ATTENDED.items():
        if agency == "Housing":
            continue
        page.get_by_role("group", name=f"Did {agency} attend?").get_by_label(answer).check()
        page.get_by_label(f"Who attended from {agency}").fill(who)
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_role("alert")).to_contain_text("Select whether Housing attended")
    check_page()
    page.get_by_role("group", name="Did Housing attend?").get_by_label("Sent apologies").check()
    page.get_by_role("button", name="Save attendance").click()

    expect(page.get_by_text("Attendance recorded")).to_be_visible()
    expect(page.locator("#meeting-status")).to_contain_text("In progress")
    check_page()

    # The first case: notes, a Red decision and an action for probation.
    page.get_by_role("link", name=first.nominal.full_name).click()
    expect(heading(page)).to_have_text(first.nominal.full_name)
    check_page()
    page.get_by_label("Discussion notes").fill("Two missed appointments; arrested last week.")
    page.get_by_role("group", name="RAG decision").get_by_label("Red").check()
    page.get_by_label("What needs to be done (optional)").fill("Arrange a joint home visit")
    page.get_by_label("Agency that owns the action").select_option(label="Probation")
    # First sent with three problems: someone of the council named for probation's action,
    # a due date that does not exist, and "discussed" left unanswered. All three come back
    # at once, and nothing typed is lost.
    page.get_by_label("Named person (optional)").select_option(str(p.partner.pk))
    boxes = page.get_by_role("group", name="Due date")
    for part, value in (("Day", "31"), ("Month", "2"), ("Year", str(due.year + 1))):
        boxes.get_by_label(part).fill(value)
    page.get_by_role("button", name="Save and go to the next item").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select whether the panel has discussed this person")
    expect(summary).to_contain_text("Select a member of staff of Probation, or no named person")
    expect(summary).to_contain_text("Due date must be a real date")
    expect(summary.get_by_role("listitem")).to_have_count(3)
    expect(page.get_by_label("Discussion notes")).to_have_value(
        "Two missed appointments; arrested last week."
    )
    expect(page.get_by_role("group", name="RAG decision").get_by_label("Red")).to_be_checked()
    expect(page.get_by_label("What needs to be done (optional)")).to_have_value(
        "Arrange a joint home visit"
    )
    check_page()
    assert not CaseAction.objects.exists()

    page.get_by_label("Named person (optional)").select_option(
        label=f"{p.member_partner.get_full_name()}, Probation"
    )
    fill_date(page, "Due date", due)
    page.get_by_role("group", name="Has the panel discussed this person?").get_by_label(
        "Yes, discussed"
    ).check()
    page.get_by_role("button", name="Save and go to the next item").click()

    # On to the second case, which the panel rates Green.
    expect(heading(page)).to_have_text(second.nominal.full_name)
    expect(
        page.get_by_text(f"{first.nominal.full_name}: outcome saved and action set")
    ).to_be_visible()
    check_page()
    page.get_by_role("group", name="RAG decision").get_by_label("Green").check()
    page.get_by_role("group", name="Has the panel discussed this person?").get_by_label(
        "Yes, discussed"
    ).check()
    page.get_by_role("button", name="Save and return to the meeting").click()

    expect(heading(page)).to_have_text(f"Run the main panel, {today:%-d %B %Y}")
    expect(page.locator("#discussed-count")).to_have_text("2 of 2")
    agenda = page.get_by_role("table", name=re.compile("2 items"))
    expect(agenda).to_contain_text("Red")
    expect(agenda).to_contain_text("Green")
    check_page()

    # The minutes, checked, then published as the meeting closes.
    page.get_by_role("link", name="Check the minutes and close the meeting").click()
    expect(heading(page)).to_have_text(f"Draft minutes: main panel, {today:%-d %B %Y}")
    expect(page.locator("#minutes-attendance")).to_contain_text("Sam Patel, offender manager")
    check_page()
    page.get_by_label("These minutes are ready to share with the member agencies").check()
    page.get_by_role("button", name="Close the meeting and publish the minutes").click()

    expect(heading(page)).to_have_text(f"Minutes: main panel, {today:%-d %B %Y}")
    expect(page.get_by_text("The meeting is closed and its minutes are published")).to_be_visible()
    expect(
        page.get_by_role("table", name=f"Actions for {first.nominal.full_name}")
    ).to_contain_text("Arrange a joint home visit")
    check_page()

    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.status == MeetingStatus.HELD and meeting.minutes_published_on
    assert sorted(RagReview.objects.filter(meeting=meeting).values_list("rag", flat=True)) == [
        "green",
        "red",
    ]
    action = CaseAction.objects.get()
    assert (action.owner_agency, action.owner, action.due) == (
        p.probation,
        p.member_partner,
        due,
    )

    # Probation's partner signs in and finds the action on the dashboard.
    bob, check_bob = another_browser()
    sign_in(bob, check_bob, p.member_partner)
    actions = bob.get_by_role("table", name="Open actions owned by Probation")
    expect(actions).to_contain_text("Arrange a joint home visit")
    expect(actions).to_contain_text(first.nominal.full_name)
    expect(actions).to_contain_text(f"{due:%-d %b %Y}")
    check_bob()
    actions.get_by_role("link", name="Arrange a joint home visit").click()

    expect(heading(bob)).to_have_text(f"Case action for {first.nominal.full_name}")
    expect(bob.locator("#action-status")).to_contain_text("Open")
    check_bob()
    bob.get_by_role(
        "link", name=re.compile(f"Test IOM panel main panel, {today:%-d %B %Y}")
    ).click()

    expect(heading(bob)).to_have_text(f"Minutes: main panel, {today:%-d %B %Y}")
    expect(bob.get_by_text("Two missed appointments; arrested last week.")).to_be_visible()
    check_bob()

    # Bob's notifications: the action set for him, and the minutes published.
    bob.goto("/sharing/notifications/")
    check_bob()
    notes = bob.get_by_role("table", name=re.compile("notification"))
    expect(notes).to_contain_text(
        f"A case action was set for you at Test IOM panel, due {due:%-d %B %Y}"
    )
    expect(notes).to_contain_text(f"Minutes of Test IOM panel, {today:%-d %B %Y}, are published")
    # Neither names the person.
    expect(notes).not_to_contain_text(first.nominal.family_name.upper())
    notes.get_by_role("link", name=re.compile("A case action was set for you")).click()
    expect(heading(bob)).to_have_text(f"Case action for {first.nominal.full_name}")
    check_bob()
