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
from datetime import date, timedelta
from pathlib import Path

import pypdf
import pytest
from django.core.management import call_command
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from actions.models import ActionStep
from crossref.models import FindingStatus, MatchFinding
from demo.management.commands.seed_demo import DEFAULT_DEMO_PASSWORD
from meetings.models import Meeting
from offenders.models import Nominal
from panels.models import CohortMembership, MembershipStatus
from tests.panels.agenda_helpers import pdf_text
from tests.panels.import_samples import csv_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IOM = "Kingsmere IOM panel"
PLAN = "Reducing reoffending action plan 2025 to 2029"
# Pages that ask for their progress every few seconds (htmx) and reload once work has ended.
POLLED = 20_000


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def demo_code(username: str) -> str:
    out = io.StringIO()
    call_command("demo_code", username, stdout=out)
    return out.getvalue().strip()


def menu(page: Page, name: str | re.Pattern[str]) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=name).click()


@dataclass
class Demo:
    """The browsers the journeys open, one per demo account, each signed in once."""

    first: tuple[Page, Callable[[], None]]
    another_browser: Callable[[], tuple[Page, Callable[[], None]]]
    browsers: dict[str, tuple[Page, Callable[[], None]]] = field(default_factory=dict)

    def home(self, username: str) -> tuple[Page, Callable[[], None]]:
        """The account's own browser on its dashboard. The first time, it signs in as the
        README says (the demo password, then the code `make code ACCOUNT=<username>`
        prints) and lands there; after that, the service's name in the header leads back."""
        if username in self.browsers:
            page, check = self.browsers[username]
            page.get_by_role("banner").locator(".govuk-generic-header__homepage-link").click()
        else:
            page, check = self.first if not self.browsers else self.another_browser()
            self.browsers[username] = (page, check)
            page.goto("/")
            expect(heading(page)).to_have_text("Sign in to Tandem")
            check()
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(DEFAULT_DEMO_PASSWORD)
            page.get_by_role("button", name="Continue").click()
            expect(heading(page)).to_have_text("Enter your security code")
            check()
            page.get_by_label("Security code").fill(demo_code(username))
            page.get_by_role("button", name="Sign in").click()
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
    joined = CohortMembership.objects.filter(
        panel__name=IOM, status=MembershipStatus.ACTIVE, start__isnull=False
    )
    assert joined.filter(nominal__family_name="Marlowe").exists()
    assert joined.filter(
        nominal__family_name="Whitlock", nominal__date_of_birth=date(1996, 6, 21)
    ).exists()
    assert Nominal.objects.filter(family_name="Whitlock").count() == 2


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

    # Gary Fenwick is on the council's IOM panel and probation's MAPPA: the coordinator
    # proposes MAPPA to lead, and probation's MAPPA coordinator agrees from a notification.
    page.get_by_role("link", name="Open findings").click()
    expect(heading(page)).to_have_text("Open findings for your panels")
    check()
    finding(page, "Gary FENWICK").click()
    expect(heading(page)).to_have_text("One person on 2 panels")
    check()
    page.get_by_label(re.compile(r"^Kingsmere MAPPA \(coordinated by")).check()
    page.get_by_role("button", name="Propose lead panel").click()
    expect(page.get_by_role("alert")).to_contain_text("You proposed Kingsmere MAPPA to lead")
    check()
    mappa, check_mappa = demo.home("mappa")
    mappa.get_by_role("navigation", name="Menu").get_by_role(
        "link", name=re.compile("^Notifications")
    ).click()
    check_mappa()
    mappa.get_by_role(
        "link",
        name="A lead panel is proposed for a person on your panel: your agreement is needed",
    ).click()
    expect(mappa.get_by_role("heading", name="Your answer for Kingsmere MAPPA")).to_be_visible()
    check_mappa()
    mappa.get_by_label("Yes, this panel should lead").check()
    mappa.get_by_role("button", name="Send your answer").click()
    expect(mappa.locator("#finding-status")).to_have_text("Lead panel agreed")
    check_mappa()

    def decided(name: str) -> set[str]:
        findings = MatchFinding.objects.filter(nominal_a__family_name=name)
        return set(findings.values_list("status", flat=True))

    assert decided("Whitlock") == {FindingStatus.DISMISSED}
    assert decided("Okoro") == {FindingStatus.NO_ACTION}
    assert decided("Fenwick") == {FindingStatus.LEAD_AGREED}


def journey_3_build_the_next_agenda(demo: Demo) -> Meeting:
    """Returns the meeting whose agenda was built, for journey 4 to run on its day."""
    page, check = demo.home("coordinator")
    menu(page, "Panels")
    check()
    page.get_by_role("link", name=IOM).click()
    check()
    page.get_by_role("link", name="Meetings", exact=True).click()
    expect(heading(page)).to_contain_text("Meetings")
    check()
    # The next main panel, whose agenda the demo has begun and shared.
    meeting = Meeting.objects.filter(
        panel__name=IOM, kind="main", date__gt=timezone.localdate()
    ).earliest("date")
    upcoming = page.get_by_role("table", name="Upcoming meetings, soonest first")
    upcoming.get_by_role("link", name=f"{meeting.date:%a %-d %B %Y}").click()
    expect(heading(page)).to_contain_text(f"Main panel, {meeting.date:%A %-d %B %Y}")
    check()
    page.get_by_role("link", name="Build the agenda").click()
    expect(heading(page)).to_have_text(re.compile("Build the agenda"))
    check()

    # The first person of the first group of suggestions goes on the end of the agenda,
    # then up one place.
    page.locator("#suggestions ~ details summary").first.click()
    box = page.locator("#suggestions ~ details input[type=checkbox]").first
    expect(box).to_be_visible()
    check()
    label = page.locator(f"label[for='{box.get_attribute('id')}']").text_content() or ""
    name = label.strip().removeprefix("Add ")
    box.check()
    page.locator("#suggestions ~ details").first.get_by_role(
        "button", name=re.compile("^Add selected to the agenda")
    ).click()
    expect(page.get_by_role("alert")).to_contain_text("1 person added to the agenda")
    check()
    before = agenda_names(page)
    assert before[-1] == name
    page.evaluate("window.sameDocument = true")
    said = page.locator("#agenda-builder [role=status][data-agenda-status]")
    page.get_by_role("button", name=f"Move {name} up").click()
    expect(said).to_contain_text(f"{name} moved up")
    assert agenda_names(page) == [*before[:-2], name, before[-2]]
    assert page.evaluate("window.sameDocument === true")
    check()

    page.get_by_role("link", name="Back to the meeting").click()
    expect(heading(page)).to_contain_text("Main panel")
    expect(page.get_by_role("table", name=re.compile("People on the agenda"))).to_contain_text(name)
    check()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the agenda pack (PDF)").click()
    text = pdf_text(Path(download.value.path()).read_bytes())
    assert "Main panel agenda pack" in text
    assert f"{len(before) - 1}. {name}" in text

    # Before its day the meeting cannot be run, and the page says from when it can.
    page.get_by_role("link", name="Run the meeting").click()
    expect(heading(page)).to_have_text(f"Run the main panel, {meeting.date:%-d %B %Y}")
    expect(page.get_by_text(f"This meeting is on {meeting.date:%-d %B %Y}.")).to_contain_text(
        "Attendance and decisions are recorded from that day"
    )
    expect(page.get_by_role("button", name="Save attendance")).to_have_count(0)
    check()
    return meeting


def agenda_names(page: Page) -> list[str]:
    table = page.get_by_role("table", name="People on the agenda, in order").locator("tbody")
    return [name.strip() for name in table.locator("tr td:nth-child(2) a").all_inner_texts()]


ATTENDED = {
    "Kingsmere Council Community Safety Team": "Priya Shah, IOM coordinator",
    "Kingsmere Police": "Sam Reid, IOM police officer",
    "Kingsmere Probation Delivery Unit": "Jo Evans, offender manager",
    "Kingsmere Drug and Alcohol Service": "Alex Moreno, drug worker",
}


def journey_4_run_the_meeting(demo: Demo, meeting: Meeting) -> None:
    """On the meeting's day (the server's clock moved to it), as the demo has no meeting
    that can be run today."""
    due = meeting.date + timedelta(days=14)
    page, check = demo.home("coordinator")
    meetings = page.get_by_role("table", name="Next meetings of the panels you can see")
    meetings.get_by_role("link", name=f"Run the meeting on {meeting.date:%-d %B %Y}").click()
    expect(heading(page)).to_have_text(f"Run the main panel, {meeting.date:%-d %B %Y}")
    check()
    for group in page.get_by_role("group", name=re.compile(r"^Did .* attend\?$")).all():
        agency = (
            group.locator("legend").inner_text().strip().removeprefix("Did ")[: -len(" attend?")]
        )
        who = ATTENDED.get(agency)
        group.get_by_label("Present" if who else "Sent apologies").check()
        if who:
            page.get_by_label(f"Who attended from {agency}").fill(who)
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance recorded")).to_be_visible()
    check()

    agenda = page.get_by_role("table", name=re.compile("items"))
    first = agenda.get_by_role("link").first
    person = first.inner_text().strip()
    first.click()
    expect(heading(page)).to_have_text(person)
    check()
    page.get_by_label("Discussion notes").fill("Arrested at the weekend; missed probation.")
    page.get_by_role("group", name="RAG decision").get_by_label("Red").check()
    page.get_by_label("What needs to be done (optional)").fill("Joint home visit with probation")
    page.get_by_label("Agency that owns the action").select_option(label="Kingsmere Police")
    page.get_by_label("Named person (optional)").select_option(label="Sam Reid, Kingsmere Police")
    fill_date(page, "Due date", due)
    page.get_by_role("group", name="Has the panel discussed this person?").get_by_label(
        "Yes, discussed"
    ).check()
    page.get_by_role("button", name="Save and go to the next item").click()
    expect(page.get_by_text(f"{person}: outcome saved and action set")).to_be_visible()
    check()
    page.get_by_role("link", name="Back to the meeting").click()
    expect(heading(page)).to_have_text(f"Run the main panel, {meeting.date:%-d %B %Y}")
    expect(page.get_by_role("table", name=re.compile("items"))).to_contain_text("Red")
    check()

    # The police officer finds the action on the dashboard and in the notifications.
    police, check_police = demo.home("police")
    actions = police.get_by_role("table", name="Open actions owned by Kingsmere Police")
    expect(actions).to_contain_text("Joint home visit with probation")
    expect(actions).to_contain_text(person)
    check_police()
    police.get_by_role("navigation", name="Menu").get_by_role(
        "link", name=re.compile("^Notifications")
    ).click()
    check_police()
    police.get_by_role("link", name=re.compile("A case action was set for you")).first.click()
    expect(heading(police)).to_have_text(f"Case action for {person}")
    expect(police.locator("#action-status")).to_contain_text("Open")
    check_police()


def journey_5_read_and_add_to_a_profile(demo: Demo) -> None:
    """Probation's offender manager reads Kyle Brennan's record and adds to it."""
    today = timezone.localdate()
    page, check = demo.home("probation")
    menu(page, "Nominals")
    expect(heading(page)).to_have_text("Find a person")
    check()
    page.get_by_label("Name", exact=True).fill("Kyle Brennan")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#results")).to_have_text("1 person found")
    check()
    page.get_by_role("table", name=re.compile("^People found")).get_by_role(
        "link", name="Kyle BRENNAN"
    ).click()
    expect(heading(page)).to_have_text("Why are you opening this record?")
    check()
    page.get_by_role("button", name="Case management").click()

    expect(heading(page)).to_have_text("Kyle BRENNAN")
    for section in (
        "Identity",
        "Aliases and identifiers",
        "Panels",
        "RAG history",
        "Needs by pathway",
        "Case actions",
        "Custody and enforcement",
        "Timeline",
    ):
        expect(page.get_by_role("heading", name=section, exact=True)).to_be_visible()
    expect(page.locator("#identity + dl")).to_contain_text("2 November 1989")
    expect(page.get_by_role("table", name="Identifiers")).to_contain_text("K204518")
    panels = page.get_by_role("table", name="Panels this person is on")
    expect(panels).to_contain_text(IOM)
    expect(panels).to_contain_text("Kingsmere DIP panel")
    expect(page.get_by_role("img", name=re.compile(f"^RAG at {IOM}"))).to_be_visible()
    expect(
        page.get_by_role("table", name="Current need on each reducing-reoffending pathway")
    ).to_contain_text("High")
    expect(page.locator(".moj-timeline")).to_contain_text("Home visit")
    check()

    page.get_by_role("link", name="Record an offence").click()
    expect(heading(page)).to_contain_text("offence")
    check()
    page.get_by_label("Type of offence").select_option(label="Theft")
    fill_date(page, "Date of the offence (optional)", today - timedelta(days=10))
    page.get_by_label("Outcome").fill("Charged; remanded in custody")
    page.get_by_role("button", name="Record the offence").click()
    expect(heading(page)).to_have_text("Kyle BRENNAN")
    offences = page.get_by_role("table", name="Offences")
    expect(offences).to_contain_text("Theft")
    check()

    page.get_by_role("link", name="Record time in custody").click()
    expect(heading(page)).to_contain_text("custody")
    check()
    page.get_by_label("Remand").check()
    fill_date(page, "Date custody began", today - timedelta(days=9))
    page.get_by_label("Prison or establishment").fill("HMP Kingsmere")
    page.get_by_label("The offence a sentence was for (optional)").select_option(index=1)
    page.get_by_role("button", name="Record the time in custody").click()
    expect(heading(page)).to_have_text("Kyle BRENNAN")
    expect(page.get_by_role("table", name="Custody")).to_contain_text("HMP Kingsmere")
    check()

    page.get_by_role("link", name="Record a risk assessment").click()
    expect(heading(page)).to_contain_text("risk")
    check()
    page.get_by_label("OGRS score (optional)").fill("68")
    page.get_by_label("Risk of serious harm (RoSH) (optional)").select_option(label="Medium")
    fill_date(page, "Date of the assessment", today)
    page.get_by_label("Where the assessment comes from").fill("OASys")
    page.get_by_role("button", name="Record the assessment").click()
    expect(heading(page)).to_have_text("Kyle BRENNAN")
    expect(page.get_by_text("OGRS 68%, RoSH medium (OASys)")).to_be_visible()
    check()


def journey_6_sign_the_sgv_addendum(demo: Demo) -> None:
    """The council's, the police's and probation's governance leads each sign the serious
    group violence addendum for their agency; the staff then see the SGV panel."""
    for username in ("governance", "policegovernance", "probationgovernance"):
        page, check = demo.home(username)
        menu(page, "Sharing")
        expect(heading(page)).to_have_text("Information-sharing agreements")
        check()
        page.get_by_role("link", name="KM-ISA-SGV").click()
        expect(heading(page)).to_contain_text("serious group violence data-sharing addendum")
        check()
        page.get_by_role("link", name=re.compile("^Sign for ")).click()
        expect(heading(page)).to_contain_text("Sign for")
        check()
        page.get_by_label("Name of the person signing").fill("Head of service")
        page.get_by_label("Their role").fill("Senior information risk owner")
        page.get_by_role("button", name="Sign the agreement").click()
        expect(page.get_by_text(re.compile("^Signed for "))).to_be_visible()
        check()
    expect(page.get_by_text("Not signed", exact=True)).to_have_count(0)
    expect(page.locator("#access-dates")).to_contain_text("Access ends on")

    page, check = demo.home("police")
    menu(page, "Panels")
    check()
    page.get_by_role("link", name="Kingsmere SGV panel").click()
    expect(heading(page)).to_contain_text("Kingsmere SGV panel")
    check()
    page.get_by_role("link", name=re.compile("^Cohort")).first.click()
    expect(page.locator("main")).to_contain_text("Tyrone ACHEBE")
    check()


def journey_7_produce_the_scrutiny_report(demo: Demo) -> None:
    page, check = demo.home("committee")
    menu(page, "Reports")
    expect(heading(page)).to_have_text("Reports")
    check()
    page.get_by_role("link", name=re.compile("^Reducing Reoffending Update")).first.click()
    expect(heading(page)).to_contain_text("Reducing Reoffending Update")
    check()
    page.get_by_role("button", name="Produce the report").click()
    expect(heading(page)).to_have_text(re.compile("Version 1"))
    expect(page.get_by_role("link", name="PDF")).to_be_visible(timeout=POLLED)
    expect(page.get_by_role("table", name="Headline figures")).to_contain_text("Cohort size")
    check()
    downloads = {}
    for name in ("Word document (DOCX)", "PDF", "Spreadsheet of every figure and table (XLSX)"):
        with page.expect_download() as download:
            page.get_by_role("link", name=name).click()
        downloads[Path(download.value.suggested_filename).suffix] = Path(
            download.value.path()
        ).read_bytes()
    document = Document(io.BytesIO(downloads[".docx"]))
    assert "Reducing Reoffending Update" in "\n".join(p.text for p in document.paragraphs)
    pdf = "\n".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(downloads[".pdf"])).pages
    )
    assert "Reducing Reoffending Update" in pdf and "Headline figures" in pdf
    workbook = load_workbook(io.BytesIO(downloads[".xlsx"]))
    figures = {
        row[0]: row[1]
        for row in workbook["Headline figures"].iter_rows(min_row=2, values_only=True)
    }
    assert figures["Cohort size"] >= 50


def journey_8_update_the_action_plan(demo: Demo) -> None:
    today = timezone.localdate()
    page, check = demo.home("coordinator")
    menu(page, "Action plan")
    expect(heading(page)).to_have_text("Action plan")
    check()
    page.get_by_role("link", name=PLAN).click()
    expect(heading(page)).to_have_text(PLAN)
    check()
    page.get_by_role("link", name="Change objectives, actions and steps").click()
    expect(heading(page)).to_have_text("Objectives, actions and steps")
    check()
    page.get_by_role("link", name="Add a step to action 1.1", exact=True).click()
    expect(heading(page)).to_contain_text("Add a step")
    check()
    page.get_by_label("Step", exact=True).fill("Agree one referral form with housing")
    page.get_by_label("Lead agency").select_option(label="Kingsmere Council Community Safety Team")
    page.get_by_role("button", name="Add the step").click()
    expect(page.locator("#main-content")).to_contain_text("added")
    check()
    step = ActionStep.objects.get(text="Agree one referral form with housing")

    page.get_by_role("link", name=PLAN).first.click()
    expect(heading(page)).to_have_text(PLAN)
    check()
    page.get_by_role("link", name=step.action.title).first.click()
    expect(heading(page)).to_have_text(step.action.title)
    check()
    page.get_by_role("link", name=f"Add an update to step {step.number}").click()
    expect(heading(page)).to_have_text(f"Add an update to step {step.number}")
    check()
    fill_date(page, "Date of the update", today)
    page.get_by_role("group", name="RAG").get_by_label("Amber-Green").check()
    page.get_by_label("Progress to date").fill("Draft form shared with housing for comment")
    page.get_by_role("button", name="Add the update").click()
    expect(heading(page)).to_have_text(step.action.title)
    expect(page.get_by_text(f"Update added to step {step.number}")).to_be_visible()
    expect(page.locator(f"#step-{step.pk}-rag")).to_contain_text("Amber-Green")
    history = page.get_by_role(
        "table", name=f"Progress updates on step {step.number}, newest first"
    )
    expect(history.locator("tbody tr").first).to_contain_text(f"{today:%-d %b %Y}")
    check()


def fill_date(page: Page, group: str, when: date) -> None:
    boxes = page.get_by_role("group", name=group)
    for part, value in (("Day", when.day), ("Month", when.month), ("Year", when.year)):
        boxes.get_by_label(part).fill(str(value))


def finding(page: Page, name: str):
    """The inbox's link to the open finding about `name`."""
    row = page.get_by_role("table", name=re.compile("open finding")).get_by_role("row")
    return row.filter(has_text=name).get_by_role("link").first


def on_the_day(clock: pytest.MonkeyPatch, day: date) -> None:
    """The server's (and the test's) today becomes `day`, the time of day unchanged."""
    real_localdate = timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real_localdate(value, timezone)

    clock.setattr("django.utils.timezone.localdate", localdate)


def test_the_eight_journeys_with_the_demo_accounts(
    page: Page, check_page, another_browser, monkeypatch
) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    demo = Demo(first=(page, check_page), another_browser=another_browser)
    journey_1_import_the_monthly_list(demo)
    journey_2_cross_reference(demo)
    meeting = journey_3_build_the_next_agenda(demo)
    with monkeypatch.context() as clock:
        on_the_day(clock, meeting.date)
        journey_4_run_the_meeting(demo, meeting)
    journey_5_read_and_add_to_a_profile(demo)
    journey_6_sign_the_sgv_addendum(demo)
    journey_7_produce_the_scrutiny_report(demo)
    journey_8_update_the_action_plan(demo)
