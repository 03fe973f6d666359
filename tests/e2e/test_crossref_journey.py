"""Journey 2: the coordinator runs this month's cross-reference and works through what it
found: one person recorded twice by two agencies (confirmed and merged), two sisters who
only look alike (dismissed), and one person on two of the coordinator's panels (a lead
panel agreed), ending with the month's overlap report and its download."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import AuditEvent, Role, Verb
from core.models import QueuedJob
from crossref.models import CrossReferenceRun, FindingKind, FindingStatus, MatchFinding, RunStatus
from crossref.services import run as crossref_run
from offenders.models import Address, Nominal
from panels.models import CohortMembership, LeadPanel, Panel, PanelKind
from tests.e2e.browser import sign_in
from tests.factories import make_nominal, make_panel, make_user
from tests.people import generate_people

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The run page asks for its progress every 3 seconds (htmx) and reloads once the run has ended.
POLLED = 20_000


@dataclass
class People:
    robert: Nominal  # police: Robert Kinsella, born 4 March 1985
    bob: Nominal  # probation: "Bob" Kinsella, day and month of birth swapped
    catherine: Nominal  # probation: Catherine Mulvaney
    kathryn: Nominal  # police: her sister Kathryn, same birthday and address
    priya: Nominal  # council: on the IOM panel and the SGV panel
    sgv: Panel


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def plant(partnership) -> People:
    """The people as the agencies recorded them, all on panels the coordinator runs."""
    p = partnership
    officer = make_user(p.police, Role.PARTNER, username="pete")
    sgv = make_panel(p.council, [p.police], name="Test SGV panel", kind=PanelKind.SGV)
    # Other people, so the matching model has a population to learn from.
    for person in generate_people(40, seed=11):
        make_nominal(
            officer,
            given_names=person.given,
            family_name=person.family,
            date_of_birth=person.dob,
            gender=person.gender,
            postcode=person.postcode,
            identifiers=[(k, v) for k, v in person.identifiers.items() if k in ("pnc", "crn")],
        )
    robert = make_nominal(
        officer,
        given_names="Robert",
        family_name="Kinsella",
        date_of_birth=date(1985, 3, 4),
        gender="male",
        postcode="QA1 2BC",
        on_panel=p.panel,
    )
    bob = make_nominal(
        p.member_partner,
        given_names="Bob",
        family_name="Kinsella",
        date_of_birth=date(1985, 4, 3),
        gender="male",
        postcode="QA1 2BC",
        on_panel=p.panel,
    )
    for nominal, agency in ((robert, p.police), (bob, p.probation)):
        Address.objects.create(
            nominal=nominal, line="14 Marsh Lane", postcode="QA1 2BC", recorded_by_agency=agency
        )
    catherine = make_nominal(
        p.member_partner,
        given_names="Catherine",
        family_name="Mulvaney",
        date_of_birth=date(1979, 2, 17),
        gender="female",
        postcode="QC5 6FG",
        identifiers=[("crn", "X123456")],
        on_panel=p.panel,
    )
    kathryn = make_nominal(
        officer,
        given_names="Kathryn",
        family_name="Mulvaney",
        date_of_birth=date(1979, 2, 17),
        gender="female",
        postcode="QC5 6FG",
        on_panel=p.panel,
    )
    priya = make_nominal(
        p.coordinator,
        given_names="Priya",
        family_name="Lakhani",
        date_of_birth=date(1988, 1, 4),
        gender="female",
        on_panel=p.panel,
    )
    CohortMembership.objects.create(
        nominal=priya,
        panel=sgv,
        status="active",
        referred_on=date(2026, 1, 5),
        start=date(2026, 1, 12),
    )
    return People(robert, bob, catherine, kathryn, priya, sgv)


def duplicate_link(page: Page, one: Nominal, other: Nominal):
    a, b = sorted([one.pk, other.pk])
    return page.get_by_role("link", name=re.compile(rf"^Records {a} and {b} may be one person"))


def test_coordinator_runs_the_cross_reference_and_decides_what_it_found(
    page: Page, check_page, partnership, monkeypatch
):
    p = partnership
    people = plant(p)
    month = timezone.localdate().replace(day=1)
    month_name = f"{month:%B %Y}"

    # The worker is played by the test: the job waits in the outbox, so the run page is seen
    # waiting for a worker, and is then run here as the worker would run it.
    monkeypatch.setattr("core.jobs.dispatch", lambda **kwargs: 0)

    sign_in(page, check_page, p.coordinator)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Panels").click()
    expect(heading(page)).to_have_text("Panels")
    check_page()
    page.get_by_role("link", name="Cross-referencing").click()

    # Nothing has run yet; the coordinator runs it now.
    expect(heading(page)).to_have_text("Cross-referencing")
    expect(page.locator("#crossref-runs")).to_have_text("The cross-reference has not run yet.")
    check_page()
    page.get_by_role("button", name="Run the cross-reference now").click()

    # The run's page: waiting for a worker, then complete with its counts, without a reload
    # by hand.
    expect(heading(page)).to_have_text(month_name)
    expect(page.get_by_role("alert")).to_contain_text(
        f"The cross-reference for {month_name} has been asked for"
    )
    expect(page.locator("#run-status")).to_have_text("Waiting to start")
    expect(page.locator("#run-progress")).to_contain_text("0% done")
    expect(page.locator("#run-findings")).to_have_text("None yet.")
    check_page()
    run = CrossReferenceRun.objects.get()
    assert (run.month, run.status, run.requested_by) == (month, RunStatus.QUEUED, p.coordinator)
    [job] = QueuedJob.objects.filter(sent_at__isnull=True)
    assert (job.task, job.args) == ("crossref.tasks.cross_reference", [run.pk])
    crossref_run.run_crossref(run.pk)

    expect(page.locator("#run-status")).to_have_text("Complete", timeout=POLLED)
    expect(page.locator("#run-progress")).to_contain_text("1 of 1 part done (100%)")
    details = page.locator("#run-details")
    expect(details).to_contain_text(f"People checked: {Nominal.objects.count()}")
    expect(details).to_contain_text("Possible duplicates found for the first time:")
    expect(details).to_contain_text("People on more than one panel: 1")
    expect(details).to_contain_text("Comparing pairs:")
    found = page.get_by_role("table", name="Findings for your panels from this run")
    expect(found.locator("tbody tr")).to_have_count(3)
    expect(found).to_contain_text("Robert KINSELLA")
    expect(found).to_contain_text("Kathryn MULVANEY")
    expect(found).to_contain_text("Priya LAKHANI")
    check_page()
    page.get_by_role("link", name="Cross-referencing", exact=True).click()

    # The home page lists the run and counts what is open.
    expect(heading(page)).to_have_text("Cross-referencing")
    runs = page.get_by_role("table", name="Runs, newest first")
    expect(runs).to_contain_text(month_name)
    expect(runs).to_contain_text("Complete")
    expect(page.locator("#crossref-links")).to_contain_text(
        "Open findings for your panels: 3 (2 records that may be one person, "
        "1 person on more than one panel)"
    )
    check_page()
    page.get_by_role("link", name="Open findings for your panels").click()

    # The inbox: the strongest match first.
    expect(heading(page)).to_have_text("Open findings for your panels")
    inbox = page.get_by_role("table", name="3 open findings")
    expect(inbox.locator("tbody tr")).to_have_count(3)
    check_page()
    duplicate_link(page, people.robert, people.bob).click()

    # Robert and Bob side by side, and why they may be one person.
    a, b = sorted([people.robert.pk, people.bob.pk])
    expect(heading(page)).to_have_text(f"Records {a} and {b}: one person?")
    reasons = page.get_by_role("table", name="What was compared, and how much each counted")
    expect(reasons).to_contain_text("Bob is a short form of Robert")
    expect(reasons).to_contain_text("day and month swapped")
    side_by_side = page.get_by_role("table", name="The two records side by side")
    for text in ("Robert", "Bob", "4 March 1985", "3 April 1985", "Borough Police", "Probation"):
        expect(side_by_side).to_contain_text(text)
    check_page()
    # Robert's record, the police's, is kept; Bob's is merged into it.
    page.get_by_label(f"Keep record {people.robert.pk}: Robert KINSELLA, born 4 March 1985").check()
    page.get_by_role("button", name="Confirm and merge").click()

    expect(page.get_by_role("alert")).to_contain_text(
        f"Records merged. Record {people.bob.pk} was merged into record {people.robert.pk}."
    )
    expect(page.locator("#finding-status")).to_have_text("Merged")
    expect(page.get_by_role("button", name="Confirm and merge")).to_have_count(0)
    check_page()
    people.bob.refresh_from_db()
    assert people.bob.merged_into == people.robert

    # Bob's old address now leads to the record kept.
    page.goto(f"/nominals/{people.bob.pk}/")
    expect(page).to_have_url(re.compile(rf"/nominals/{people.robert.pk}/$"))
    expect(page.get_by_role("region", name="Important")).to_contain_text(
        "The record you opened was merged with another record of the same person"
    )
    expect(heading(page)).to_have_text("Why are you opening this record?")
    check_page()
    page.get_by_role("button", name="Data quality").click()
    expect(heading(page)).to_have_text("Robert KINSELLA")
    expect(page.get_by_text(f"Record {people.bob.pk} (Bob KINSELLA")).to_be_visible()
    check_page()

    # Back to the inbox: the Kinsella finding has left it.
    page.goto("/panels/cross-referencing/findings/")
    expect(heading(page)).to_have_text("Open findings for your panels")
    inbox = page.get_by_role("table", name="2 open findings")
    expect(duplicate_link(page, people.robert, people.bob)).to_have_count(0)
    check_page()
    duplicate_link(page, people.catherine, people.kathryn).click()

    # Catherine and Kathryn: sisters, not one person. A dismissal needs its reason.
    a, b = sorted([people.catherine.pk, people.kathryn.pk])
    expect(heading(page)).to_have_text(f"Records {a} and {b}: one person?")
    side_by_side = page.get_by_role("table", name="The two records side by side")
    expect(side_by_side).to_contain_text("Catherine")
    expect(side_by_side).to_contain_text("Kathryn")
    check_page()
    page.get_by_role("button", name="Dismiss").click()
    expect(heading(page)).to_have_text(f"Records {a} and {b}: one person?")
    expect(page.get_by_role("alert")).to_contain_text("Enter why these are different people")
    check_page()
    reason = "Twin sisters at the same address: confirmed with probation."
    page.get_by_label("Why are these different people?").fill(reason)
    page.get_by_role("button", name="Dismiss").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Dismissed: these records are not raised again unless one of them changes."
    )
    expect(page.locator("#finding-status")).to_have_text("Dismissed")
    expect(page.locator("#finding-outcome")).to_have_text(reason)
    check_page()
    page.get_by_role("link", name="Open findings").click()

    expect(heading(page)).to_have_text("Open findings for your panels")
    inbox = page.get_by_role("table", name="1 open finding")
    expect(duplicate_link(page, people.catherine, people.kathryn)).to_have_count(0)
    check_page()
    inbox.get_by_role("link", name=re.compile("^One person on 2 panels")).click()

    # Priya is on the IOM panel and the SGV panel, both coordinated by the council: the SGV
    # panel is proposed to lead, and agreed at once, as no other agency coordinates either.
    expect(heading(page)).to_have_text("One person on 2 panels")
    expect(page.locator("#finding-person")).to_have_text("Priya LAKHANI, born 4 January 1988")
    on_panels = page.get_by_role("table", name="Panels the person is on")
    expect(on_panels).to_contain_text("Test IOM panel")
    expect(on_panels).to_contain_text("Test SGV panel")
    expect(page.locator("#finding-lead")).to_have_text("Lead panel: none agreed yet.")
    check_page()
    page.get_by_label("Test SGV panel (coordinated by Council CST)").check()
    page.get_by_role("button", name="Propose lead panel").click()

    expect(page.get_by_role("alert")).to_contain_text("Lead panel agreed: Test SGV panel leads.")
    expect(page.locator("#finding-status")).to_have_text("Lead panel agreed")
    expect(page.locator("#finding-lead")).to_contain_text("Lead panel: Test SGV panel, agreed")
    check_page()
    page.get_by_role("link", name="Open findings").click()

    expect(heading(page)).to_have_text("Open findings for your panels")
    expect(page.locator("#inbox")).to_contain_text("There are no open findings")
    check_page()
    page.get_by_role("link", name="Cross-referencing", exact=True).click()
    expect(heading(page)).to_have_text("Cross-referencing")
    expect(page.locator("#crossref-links")).to_contain_text("Open findings for your panels: 0")
    check_page()
    page.get_by_role("link", name="Overlap report").click()

    # The month's overlap report: Priya, her two panels and the lead panel.
    expect(heading(page)).to_have_text(f"Overlap report for {month_name}")
    expect(page.locator("#overlap-counts")).to_contain_text("1 person on more than one panel")
    report = page.get_by_role("table", name=f"People on more than one panel in {month_name}")
    rows = report.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator("td").nth(0)).to_contain_text("Priya LAKHANI")
    expect(rows.locator("td").nth(1)).to_contain_text("Test IOM panel")
    expect(rows.locator("td").nth(1)).to_contain_text("Test SGV panel")
    expect(rows.locator("td").nth(2)).to_have_text("Test SGV panel")
    check_page()

    with page.expect_download() as download:
        page.get_by_role("link", name=f"CSV file of the overlap report for {month_name}").click()
    assert download.value.suggested_filename == f"overlap-report-{month:%Y-%m}.csv"
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(content)))
    assert lines[0] == [
        "Record number",
        "Name",
        "Date of birth",
        "Panels",
        "Contacts",
        "Lead panel",
        "Change since the previous month",
    ]
    assert len(lines) == 2
    row = dict(zip(lines[0], lines[1], strict=True))
    assert row["Record number"] == str(people.priya.pk)
    assert row["Name"] == "Priya LAKHANI"
    assert row["Panels"] == "Test IOM panel; Test SGV panel"
    assert row["Lead panel"] == "Test SGV panel"

    # What the decisions left behind, and the audit trail of each.
    def status(one: Nominal, other: Nominal) -> str:
        a, b = sorted([one.pk, other.pk])
        return MatchFinding.objects.get(kind=FindingKind.DUPLICATE, nominal_a=a, nominal_b=b).status

    assert status(people.robert, people.bob) == FindingStatus.MERGED
    assert status(people.catherine, people.kathryn) == FindingStatus.DISMISSED
    lead = LeadPanel.objects.get(nominal=people.priya)
    assert (lead.panel, lead.agreed_by) == (people.sgv, p.coordinator)
    for verb in (
        Verb.CROSSREF_REQUESTED,
        Verb.FINDING_CONFIRMED,
        Verb.FINDING_DISMISSED,
        Verb.LEAD_PANEL_AGREED,
        Verb.OVERLAPS_EXPORTED,
    ):
        assert AuditEvent.objects.filter(verb=verb, actor=p.coordinator).count() == 1, verb
