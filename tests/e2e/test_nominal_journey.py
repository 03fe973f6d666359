"""Journey 5: a partner finds nobody, records a new person, opens their profile and adds to
the timeline; a second record of the same person is caught by the duplicate warning."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import AccessLog, Purpose
from matching.identifiers import validate_crn
from offenders.models import CaseEvent, Nominal
from tests.e2e.browser import sign_in
from tests.factories import make_nominal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CRN = validate_crn("X123456")


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def go_to_nominals(page: Page) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Nominals").click()
    expect(heading(page)).to_have_text("Find a person")


def search_by_name(page: Page, name: str) -> None:
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="Search", exact=True).click()


def fill_person(page: Page, given: str, family: str, dob: tuple[int, int, int], crn: str = ""):
    page.get_by_label("Given names").fill(given)
    page.get_by_label("Family name").fill(family)
    born = page.get_by_role("group", name="Date of birth")
    for part, value in zip(("Day", "Month", "Year"), dob, strict=True):
        born.get_by_label(part).fill(str(value))
    page.get_by_role("group", name="Gender").get_by_label("Male", exact=True).check()
    if crn:
        page.get_by_label("Probation CRN (optional)").fill(crn)


def test_partner_searches_creates_a_record_adds_an_event_and_is_warned_of_a_duplicate(
    page: Page, check_page, partnership
):
    user = partnership.coordinator
    sign_in(page, check_page, user)

    # Search first: nobody by that name is known.
    go_to_nominals(page)
    check_page()
    search_by_name(page, "John Halloran")
    results = page.locator("#results")
    expect(results).to_have_text("0 people found")
    expect(page.get_by_text("No one you can see matches.")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)
    check_page()
    page.get_by_role("link", name="Create a record for a new person").click()

    # The GOV.UK form; nothing matches, so the record is created straight away.
    expect(heading(page)).to_have_text("Create a record for a new person")
    check_page()
    fill_person(page, "John", "Halloran", (14, 3, 1988), crn=CRN)
    page.get_by_role("button", name="Continue").click()

    # Nothing from the record is shown until the purpose of access is given.
    expect(heading(page)).to_have_text("Why are you opening this record?")
    expect(page.locator("main .govuk-grid-row")).not_to_contain_text("Halloran")
    nominal = Nominal.objects.get(family_name="Halloran")
    assert nominal.owning_agency == partnership.council
    assert list(nominal.identifiers.values_list("kind", "value")) == [("crn", CRN)]
    expect(page).to_have_url(re.compile(rf"/nominals/{nominal.pk}/$"))
    check_page()
    page.get_by_role("button", name="Case management").click()

    expect(heading(page)).to_have_text("John HALLORAN")
    expect(page.get_by_text("You opened this record today for: Case management")).to_be_visible()
    identity = page.locator("#identity + dl")
    expect(identity).to_contain_text("14 March 1988")
    expect(identity).to_contain_text("Male")
    expect(identity).to_contain_text("Council CST")
    identifiers = page.get_by_role("table", name="Identifiers")
    expect(identifiers).to_contain_text(CRN)
    expect(page.get_by_text("0 events, newest first.")).to_be_visible()
    check_page()
    assert AccessLog.objects.filter(
        user=user, object_id=str(nominal.pk), purpose=Purpose.CASE_MANAGEMENT
    ).exists()

    # A visit goes on the one timeline across agencies.
    page.get_by_role("link", name="Add an event").first.click()
    expect(heading(page)).to_have_text("Add an event to the timeline")
    check_page()
    visited = timezone.localdate() - timedelta(days=3)
    page.get_by_role("group", name="What happened?").get_by_label("Visit", exact=True).check()
    when = page.get_by_role("group", name="Date of the event")
    when.get_by_label("Day").fill(str(visited.day))
    when.get_by_label("Month").fill(str(visited.month))
    when.get_by_label("Year").fill(str(visited.year))
    page.get_by_label("Summary").fill("Home visit with housing officer; engaged well.")
    page.get_by_role("button", name="Add event").click()

    expect(heading(page)).to_have_text("John HALLORAN")
    timeline = page.locator(".moj-timeline")
    item = timeline.locator(".moj-timeline__item")
    expect(item).to_have_count(1)
    expect(item.locator(".moj-timeline__title")).to_have_text("Visit")
    expect(item.locator(".moj-timeline__byline")).to_contain_text("Council CST")
    expect(item.locator("time")).to_have_attribute("datetime", visited.isoformat())
    expect(item).to_contain_text("Home visit with housing officer; engaged well.")
    check_page()
    assert CaseEvent.objects.filter(nominal=nominal, kind="visit").count() == 1

    # The change history shows the creation and the event, by whom.
    page.get_by_role("navigation", name="Record navigation").get_by_role(
        "link", name="Change history"
    ).click()
    expect(heading(page)).to_have_text("Change history")
    history = page.get_by_role("table")
    expect(history).to_contain_text(user.get_full_name())
    expect(history).to_contain_text("Visit")
    check_page()

    # Later, someone starts to record him again with his name misspelt.
    go_to_nominals(page)
    check_page()
    page.get_by_role("link", name="Create a record for a new person").click()
    expect(heading(page)).to_have_text("Create a record for a new person")
    check_page()
    fill_person(page, "Jon", "Halloran", (14, 3, 1988))
    page.get_by_role("button", name="Continue").click()

    expect(heading(page)).to_have_text("This person may already be known")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Jon HALLORAN")
    matches = page.get_by_role("table", name="Records that may be this person")
    row = matches.get_by_role("row", name=re.compile("John HALLORAN"))
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"Record {nominal.pk}")
    expect(row).to_contain_text("14 Mar 1988")
    expect(row.locator(".govuk-tag")).to_have_text("Same person")
    # Why it matched, field by field.
    expect(row).to_contain_text("Given name: Jon and John are spellings of the same name")
    expect(row).to_contain_text("Family name: same (Halloran)")
    expect(row).to_contain_text("Date of birth: same (14/03/1988)")
    expect(page.locator("#hidden-matches")).to_have_count(0)
    check_page()
    row.get_by_role("link", name="John HALLORAN").click()

    # The purpose given earlier today still holds: straight to the existing profile.
    expect(heading(page)).to_have_text("John HALLORAN")
    expect(page).to_have_url(re.compile(rf"/nominals/{nominal.pk}/$"))
    check_page()
    assert Nominal.objects.filter(family_name="Halloran").count() == 1


def test_member_partner_sees_the_panel_and_an_outsiders_record_is_not_found(
    page: Page, check_page, partnership
):
    on_panel = make_nominal(partnership.coordinator, on_panel=partnership.panel)
    elsewhere = make_nominal(partnership.outsider_partner, given_names="Morgan", family_name="Vale")
    sign_in(page, check_page, partnership.member_partner)

    go_to_nominals(page)
    check_page()
    search_by_name(page, "Jordan Ashby")
    expect(page.locator("#results")).to_have_text("1 person found")
    results = page.get_by_role("table", name=re.compile("^People found"))
    expect(results).to_contain_text("Test IOM panel")
    check_page()
    results.get_by_role("link", name="Jordan ASHBY").click()

    expect(heading(page)).to_have_text("Why are you opening this record?")
    check_page()
    page.get_by_role("button", name="Panel preparation").click()

    expect(heading(page)).to_have_text("Jordan ASHBY")
    expect(page.get_by_role("heading", name="Panels", exact=True)).to_be_visible()
    panels = page.get_by_role("table", name="Panels this person is on")
    expect(panels.get_by_role("link", name="Test IOM panel")).to_be_visible()
    expect(panels).to_contain_text("Active")
    # Probation does not own the record and coordinates none of his panels.
    expect(page.get_by_role("link", name="Edit identity")).to_have_count(0)
    check_page()
    assert AccessLog.objects.filter(
        user=partnership.member_partner,
        object_id=str(on_panel.pk),
        purpose=Purpose.PANEL_PREPARATION,
    ).exists()

    response = page.goto(f"/nominals/{elsewhere.pk}/")
    assert response.status == 404
    expect(heading(page)).to_have_text("Page not found")
    expect(page.locator("main")).not_to_contain_text("Vale")
    check_page()
