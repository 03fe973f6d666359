"""Journey 3: the coordinator builds the agenda for the next IOM main panel from its
suggestions (a new referral, a Red RAG, a review due: each group opened in place, or on its
own page, and added with one form), adds someone else found with the person picker,
reorders it, shares it with the member agencies and downloads the agenda pack; probation
then reads the shared agenda."""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.models import AccessLog, AuditEvent, Verb
from meetings.models import AgendaItem, Meeting
from meetings.services.meetings import meeting_rule_add
from tests.e2e.browser import sign_in
from tests.panels.agenda_helpers import member, pdf_text, review, today

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def agenda_names(page: Page) -> list[str]:
    table = page.get_by_role("table", name="People on the agenda, in order").locator("tbody")
    return [name.strip() for name in table.locator("tr td:nth-child(2) a").all_inner_texts()]


def test_coordinator_builds_shares_and_prints_the_next_main_panels_agenda(
    page: Page, check_page, another_browser, partnership
):
    p = partnership
    meeting_rule_add(
        actor=p.coordinator,
        panel=p.panel,
        kind="main",
        week=1,
        weekday=2,
        starts_at=time(10, 0),
        location="Civic Centre, committee room 2",
    )
    meeting = Meeting.objects.filter(panel=p.panel).order_by("date").first()
    member(
        p.coordinator,
        p.panel,
        "Referred",
        given_names="Nadia",
        status="referred",
        referring_agency=p.probation,
    )
    red = member(p.coordinator, p.panel, "Redley", given_names="Ryan")
    review(red, p.panel, "red", today() - timedelta(days=2), p.coordinator)
    due = member(p.coordinator, p.panel, "Dueby", given_names="Dev")
    review(due, p.panel, "green", today() - timedelta(days=60), p.coordinator)
    quiet = member(p.coordinator, p.panel, "Quietly", given_names="Olive")
    review(quiet, p.panel, "green", today() - timedelta(days=1), p.coordinator)

    # From the panel's page to its meetings, and the next one.
    sign_in(page, check_page, p.coordinator)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Panels").click()
    expect(heading(page)).to_have_text("Panels")
    check_page()
    page.get_by_role("link", name="Test IOM panel").click()
    expect(heading(page)).to_contain_text("Test IOM panel")
    check_page()
    page.get_by_role("link", name="Meetings", exact=True).click()
    expect(heading(page)).to_contain_text("Meetings")
    upcoming = page.get_by_role("table", name="Upcoming meetings, soonest first")
    expect(upcoming).to_contain_text("Main panel")
    check_page()
    upcoming.get_by_role("link").first.click()

    expect(heading(page)).to_contain_text(f"Main panel, {meeting.date:%A %-d %B %Y}")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Civic Centre, committee room 2")
    expect(page.get_by_text("Nobody is on the agenda yet.")).to_be_visible()
    check_page()
    page.get_by_role("link", name="Build the agenda").click()

    # Suggestions counted by reason; a group opens in place and is added with one form.
    expect(heading(page)).to_have_text(re.compile("Build the agenda"))
    # The meeting is more than the review interval after the last reviews: all three are due.
    for group in ("New referral (1)", "Red RAG (1)", "Review due (3)"):
        expect(page.locator("summary", has_text=group)).to_be_visible()
    expect(page.get_by_text("Nadia REFERRED")).to_have_count(0)  # named once opened
    check_page()
    for reason, label, name in (
        ("new_referral", "New referral", "Nadia REFERRED"),
        ("red_rag", "Red RAG", "Ryan REDLEY"),
    ):
        page.locator("summary", has_text=f"{label} (1)").click()
        group = page.locator(f"#group-{reason}")
        expect(group.get_by_role("table", name=f"Suggested: {label}")).to_contain_text(name)
        if reason == "new_referral":
            expect(group).to_contain_text(
                "Referred by Probation on 5 January 2026, awaiting a decision"
            )
        check_page()
        group.get_by_role("checkbox", name=f"Add {name}").check()
        group.get_by_role(
            "button", name=f"Add selected to the agenda with the reason {label}"
        ).click()
        expect(page.get_by_role("alert")).to_contain_text(f"1 person added to the agenda: {label}")
        check_page()
    assert agenda_names(page) == ["Nadia REFERRED", "Ryan REDLEY"]

    # Without JavaScript a group is a page of its own; nothing ticked is a problem to fix.
    page.goto(f"/panels/meetings/{meeting.pk}/agenda/suggested/review_due/")
    expect(heading(page)).to_have_text(re.compile("Suggested: Review due"))
    check_page()
    page.get_by_role("button", name="Add selected to the agenda with the reason Review due").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select at least one person to add to the agenda"
    )
    check_page()
    page.get_by_role("checkbox", name="Add Dev DUEBY").check()
    page.get_by_role("button", name="Add selected to the agenda with the reason Review due").click()
    expect(page.get_by_role("alert")).to_contain_text("1 person added to the agenda: Review due")
    assert agenda_names(page) == ["Nadia REFERRED", "Ryan REDLEY", "Dev DUEBY"]
    expect(page.locator("summary", has_text="Review due (1)")).to_be_visible()
    check_page()

    # Someone else on the cohort, found by the person picker as the name is typed.
    page.get_by_label("Name or identifier").press_sequentially("quie")
    expect(page.locator("#picker-status")).to_have_text("1 person matches “quie”.")
    check_page()
    page.get_by_role("radio", name=re.compile("^Olive QUIETLY")).check()
    page.get_by_label("Why are they on the agenda?").fill("Police intelligence this week")
    page.get_by_role("button", name="Add to the agenda").click()
    expect(page.get_by_role("alert")).to_contain_text("Olive QUIETLY added to the agenda")
    assert agenda_names(page) == ["Nadia REFERRED", "Ryan REDLEY", "Dev DUEBY", "Olive QUIETLY"]
    expect(page.get_by_text("Nothing to suggest")).to_be_visible()
    check_page()
    # Without JavaScript the search opens the picker's own page.
    page.goto(f"/panels/meetings/{meeting.pk}/agenda/people/?q=red")
    expect(heading(page)).to_have_text(re.compile("Add someone else from the cohort"))
    expect(page.locator("#picker-status")).to_contain_text("Nobody on the cohort")
    check_page()
    page.get_by_role("link", name="Back to the agenda").click()

    # The review due comes before the Red RAG: htmx swaps the builder in place, and focus
    # moves to the line that says what happened.
    page.evaluate("window.sameDocument = true")
    said = page.locator("#agenda-builder [role=status][data-agenda-status]")
    page.get_by_role("button", name="Move Dev DUEBY up").click()
    expect(said).to_contain_text("Dev DUEBY moved up")
    expect(said).to_be_focused()
    assert page.evaluate("window.sameDocument === true")
    assert agenda_names(page) == ["Nadia REFERRED", "Dev DUEBY", "Ryan REDLEY", "Olive QUIETLY"]
    check_page()

    # Shared with the member agencies: on the meeting's page, nothing e-mailed.
    page.get_by_role("button", name="Share the agenda with member agencies").click()
    expect(heading(page)).to_contain_text("Main panel")
    expect(page.get_by_role("alert")).to_contain_text("Agenda shared")
    agenda = page.get_by_role("table", name=re.compile("People on the agenda"))
    expect(agenda.locator("tbody tr")).to_have_count(4)
    expect(agenda.locator("tbody tr").nth(1)).to_contain_text("Dev DUEBY")
    check_page()
    assert AuditEvent.objects.filter(verb=Verb.AGENDA_SHARED).count() == 1

    # The agenda pack.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the agenda pack (PDF)").click()
    pack = download.value
    assert pack.suggested_filename == (
        f"agenda-pack-test-iom-panel-main-panel-{meeting.date:%Y-%m-%d}.pdf"
    )
    text = pdf_text(Path(pack.path()).read_bytes())
    assert "Main panel agenda pack" in text
    for name in ("1. Nadia REFERRED", "2. Dev DUEBY", "3. Ryan REDLEY", "4. Olive QUIETLY"):
        assert name in text
    assert (
        AccessLog.objects.filter(
            user=p.coordinator, object_type="offenders.nominal", endpoint__endswith="pack.pdf"
        ).count()
        == 4
    )
    assert list(
        AgendaItem.objects.filter(meeting=meeting)
        .order_by("position")
        .values_list("nominal__family_name", "reason")
    ) == [
        ("Referred", "new_referral"),
        ("Dueby", "review_due"),
        ("Redley", "red_rag"),
        ("Quietly", "other"),
    ]

    # Probation, a member agency under the signed agreement, now reads the agenda.
    other, check_other = another_browser()
    sign_in(other, check_other, p.member_partner)
    other.goto(f"/panels/meetings/{meeting.pk}/")
    expect(heading(other)).to_contain_text("Main panel")
    shared = other.get_by_role("table", name=re.compile("People on the agenda"))
    expect(shared).to_contain_text("Nadia REFERRED")
    expect(shared).to_contain_text("Review due")
    expect(other.get_by_role("link", name="Build the agenda")).to_have_count(0)
    check_other()
