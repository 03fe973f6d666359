"""The eight journeys of the design, in order, in the demo borough of Kingsmere with the
demo's own accounts, as a newcomer trying the demo would walk them: from the sign-in page,
only by the links and buttons on the way, with every page checked by axe.

The live server's tests each empty the database when they end, so the journeys are one
test over one load of the demo, each journey a step of its own below."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from offenders.models import Nominal
from demo.management.commands.seed_demo import DEFAULT_DEMO_PASSWORD
from tests.e2e.browser import sign_in
from tests.panels.import_samples import csv_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IOM = "Kingsmere IOM panel"
# Pages that ask for their progress every few seconds (htmx) and reload once work has ended.
POLLED = 20_000


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def menu(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=name).click()


@dataclass
class Demo:
    """The browsers the journeys open, one per demo account, each signed in once."""

    first: tuple[Page, Callable[[], None]]
    another_browser: Callable[[], tuple[Page, Callable[[], None]]]
    browsers: dict[str, tuple[Page, Callable[[], None]]] = field(default_factory=dict)

    def signed_in(self, username: str) -> tuple[Page, Callable[[], None]]:
        """The account's own browser, signed in from the sign-in page the first time."""
        if username not in self.browsers:
            page, check = self.first if not self.browsers else self.another_browser()
            user = User.objects.get(username=username)
            sign_in(page, check, user, password=DEFAULT_DEMO_PASSWORD)
            self.browsers[username] = (page, check)
        page, check = self.browsers[username]
        return page, check

    def home(self, username: str) -> tuple[Page, Callable[[], None]]:
        """The account's browser on its dashboard, reached by the service's name in the
        header, as anyone would go back to the start."""
        page, check = self.signed_in(username)
        page.get_by_role("banner").locator(".govuk-generic-header__homepage-link").click()
        expect(heading(page)).to_contain_text("Hello,")
        check()
        return page, check


# Journey 1's list: two of the IOM cohort, one new person and one a year out from a record
# the drug service holds (Shanice Whitlock, born 21 June 1997), which needs a decision: the
# coordinator takes her for another woman, and journey 2's cross-reference asks again.
MONTHLY_LIST = [
    ["Okoro", "Daniel", "14/03/1994", "", "KM1 4AB"],
    ["Nowicki", "Marek", "30/01/1985", "", "KM1 4AB"],
    ["Marlowe", "Ellis", "12/08/1993", "", "KM3 9RT"],
    ["Whitlock", "Shanice", "21/06/1996", "", ""],
]


def journey_1_import_the_monthly_list(demo: Demo) -> None:
    page, check = demo.home("coordinator")
    month = timezone.localdate().replace(day=1)
    month_name = f"{month:%B %Y}"
    menu(page, "Panels")
    expect(heading(page)).to_have_text("Panels")
    check()
    page.get_by_role("link", name=IOM).click()
    expect(heading(page)).to_contain_text(IOM)
    check()
    page.get_by_role("link", name="Monthly lists").click()
    expect(heading(page)).to_have_text("Monthly lists")
    check()
    page.get_by_role("button", name="Upload a monthly list").click()
    expect(heading(page)).to_have_text("Upload a monthly list")
    check()
    page.get_by_label("The month's list").set_input_files(
        files=[{"name": "iom.csv", "mimeType": "text/csv", "buffer": csv_bytes(MONTHLY_LIST)}]
    )
    when = page.get_by_role("group", name="The month the list is for")
    when.get_by_label("Month").fill(str(month.month))
    when.get_by_label("Year").fill(str(month.year))
    page.get_by_role("button", name="Upload the list").click()

    expect(heading(page)).to_have_text("Choose which column holds what")
    expect(page.get_by_text("List uploaded: 4 rows read (CSV, UTF-8")).to_be_visible()
    check()
    page.get_by_role("button", name="Match the rows").click()

    expect(heading(page)).to_have_text(f"Check the {month_name} list")
    expect(page.get_by_role("heading", name="1 row needs a decision")).to_be_visible()
    expect(page.get_by_role("table", name="People joining the cohort")).to_contain_text(
        "Ellis MARLOWE"
    )
    check()
    page.get_by_role("button", name="Import the list").click()
    expect(page.get_by_role("alert")).to_contain_text("1 row needs a decision")
    check()
    page.get_by_role("alert").get_by_role("link").click()

    expect(heading(page)).to_have_text("Who is Shanice WHITLOCK?")
    expect(page.get_by_label(re.compile(r"^Record \d+: Shanice WHITLOCK"))).to_be_visible()
    expect(page.locator("#row-values")).to_contain_text("21/06/1996")
    check()
    page.get_by_label("A new person").check()
    page.get_by_role("button", name="Save and continue").click()

    expect(heading(page)).to_have_text(f"Check the {month_name} list")
    expect(page.get_by_role("heading", name="2 joining the cohort")).to_be_visible()
    expect(page.get_by_label("Exit the people who are not on this list")).not_to_be_checked()
    check()
    page.get_by_role("button", name="Import the list").click()

    expect(heading(page)).to_have_text(f"The {month_name} list")
    expect(
        page.get_by_text(f"The {month_name} list was imported: 2 joined, 2 stayed and 0 left")
    ).to_be_visible()
    rows = page.get_by_role("table", name="Every row of the list, page 1 of 1")
    expect(rows.locator("tbody tr")).to_have_count(4)
    check()


def journey_2_cross_reference(demo: Demo) -> None:
    month_name = f"{timezone.localdate():%B %Y}"
    page, check = demo.home("coordinator")
    menu(page, "Panels")
    check()
    page.get_by_role("link", name="Cross-referencing").click()
    expect(heading(page)).to_have_text("Cross-referencing")
    expect(page.get_by_role("table", name="Runs, newest first")).to_contain_text(month_name)
    check()
    # This month's run was before the list was imported: run it again for the new records.
    page.get_by_role("button", name="Run the cross-reference now").click()
    expect(heading(page)).to_have_text(month_name)
    expect(page.locator("#run-status")).to_have_text("Complete", timeout=POLLED)
    found = page.get_by_role("table", name="Findings for your panels from this run")
    expect(found).to_contain_text("Tom GARVEY")
    expect(found).to_contain_text("Shanice WHITLOCK")
    check()
    page.get_by_role("link", name="Cross-referencing", exact=True).click()
    expect(heading(page)).to_have_text("Cross-referencing")
    check()
    page.get_by_role("link", name="Open findings for your panels").click()
    expect(heading(page)).to_have_text("Open findings for your panels")
    check()

    # Tom Garvey (probation's, on the IOM cohort) and Thomas Garvey (the police's, on no
    # panel, so the council sees only who holds it).
    finding(page, "Tom GARVEY").click()
    expect(heading(page)).to_have_text(re.compile(r"^Records \d+ and \d+: one person\?$"))
    side_by_side = page.get_by_role("table", name="The two records side by side")
    for text in ("Tom", "7 April 1990", "Kingsmere Police"):
        expect(side_by_side).to_contain_text(text)
    check()
    page.get_by_label(re.compile(r"^Keep record \d+: Tom GARVEY")).check()
    page.get_by_role("button", name="Confirm and merge").click()
    expect(page.locator("#finding-outcome")).to_contain_text("asked to agree to the merge")
    check()

    # The police and probation each agree from their notifications.
    for username in ("police", "probation"):
        other, check_other = demo.home(username)
        other.get_by_role("navigation", name="Menu").get_by_role(
            "link", name=re.compile("^Notifications")
        ).click()
        expect(heading(other)).to_have_text("Notifications")
        check_other()
        other.get_by_role(
            "link", name="Two records may be one person: your agency is asked to agree a merge"
        ).click()
        expect(heading(other)).to_contain_text("Merge record")
        check_other()
        other.get_by_label("Yes, they are one person: merge them").check()
        other.get_by_role("button", name="Send your agency's answer").click()
        expect(other.locator("#merge-status")).to_have_text(
            "Merged" if username == "probation" else re.compile("^Waiting")
        )
        check_other()
    thomas = Nominal.objects.get(given_names="Thomas", family_name="Garvey")
    assert thomas.merged_into == Nominal.objects.get(given_names="Tom", family_name="Garvey")

    # The coordinator is told.
    page, check = demo.home("coordinator")
    menu(page, re.compile("^Notifications"))
    check()
    page.get_by_role("link", name="A merge you asked for has been made").click()
    expect(page.locator("#merge-status")).to_have_text("Merged")
    check()

    # The two Shanice Whitlocks are different women: dismissed, with the reason.
    menu(page, "Panels")
    check()
    page.get_by_role("link", name="Cross-referencing").click()
    check()
    page.get_by_role("link", name="Open findings for your panels").click()
    check()
    finding(page, "Shanice WHITLOCK").click()
    expect(heading(page)).to_have_text(re.compile(r"one person\?$"))
    check()
    reason = "Born a year apart: the drug service confirmed they are different women."
    page.get_by_label("Why are these different people?").fill(reason)
    page.get_by_role("button", name="Dismiss").click()
    expect(page.locator("#finding-status")).to_have_text("Dismissed")
    expect(page.locator("#finding-outcome")).to_have_text(reason)
    check()

    # Daniel Okoro is on the IOM and SGV panels, both the council's: no lead panel needed.
    page.get_by_role("link", name="Open findings").click()
    expect(heading(page)).to_have_text("Open findings for your panels")
    check()
    finding(page, "Daniel OKORO").click()
    expect(heading(page)).to_have_text("One person on 2 panels")
    check()
    page.get_by_label("Why is no action needed?").fill(
        "The IOM and SGV panels already share one plan for him."
    )
    page.get_by_role("button", name="Close: no action needed").click()
    expect(page.locator("#finding-status")).to_have_text("No action needed")
    check()


def finding(page: Page, name: str):
    """The inbox's link to the open finding about `name`."""
    row = page.get_by_role("table", name=re.compile("open finding")).get_by_role("row")
    return row.filter(has_text=name).get_by_role("link").first


def test_the_eight_journeys_with_the_demo_accounts(
    page: Page, check_page, another_browser
) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    demo = Demo(first=(page, check_page), another_browser=another_browser)
    journey_1_import_the_monthly_list(demo)
    journey_2_cross_reference(demo)
