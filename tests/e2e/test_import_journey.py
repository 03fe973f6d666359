"""Journey 1: the coordinator imports this month's IOM cohort list (CSV). Rows are matched
to known people (linked, queued for a decision, or new), nothing is lost, joiners and
leavers are shown before anything changes, and a report says what happened to every row."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cohorts.models import CohortImport, ImportStatus
from panels.models import CohortMembership
from tests.e2e.browser import sign_in
from tests.factories import make_nominal
from tests.panels.import_samples import csv_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LIST = [
    ["Ashby", "Jordan", "17/05/1990", "", ""],  # row 2: on the cohort already
    ["Shah", "Priya", "02/03/1985", "", "E1 6AN"],  # row 3: a new person
    ["Blake", "Morgan", "09/07/1986", "", ""],  # row 4: a year out from a known record
    ["Okafor", "Nia", "31/02/1990", "", ""],  # row 5: no such date
]


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def test_coordinator_imports_the_months_list_resolves_a_row_and_downloads_the_outcome(
    page: Page, check_page, partnership
):
    p = partnership
    make_nominal(p.coordinator, on_panel=p.panel, status="active")
    leaver = make_nominal(
        p.coordinator,
        given_names="Casey",
        family_name="Leaver",
        date_of_birth=date(1988, 1, 1),
        on_panel=p.panel,
        status="active",
    )
    known = make_nominal(
        p.partner, given_names="Morgan", family_name="Blake", date_of_birth=date(1985, 7, 9)
    )
    month = timezone.localdate().replace(day=1)
    month_name = f"{month:%B %Y}"
    sign_in(page, check_page, p.coordinator)

    # From the panel's page to its monthly lists.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Panels").click()
    expect(heading(page)).to_have_text("Panels")
    check_page()
    page.get_by_role("link", name="Test IOM panel").click()
    expect(heading(page)).to_contain_text("Test IOM panel")
    check_page()
    page.get_by_role("link", name="Monthly lists").click()
    expect(heading(page)).to_have_text("Monthly lists")
    check_page()
    page.get_by_role("button", name="Upload a monthly list").click()

    # Upload: the file and the month it is for.
    expect(heading(page)).to_have_text("Upload a monthly list")
    check_page()
    page.get_by_label("The month's list").set_input_files(
        files=[{"name": "iom-may.csv", "mimeType": "text/csv", "buffer": csv_bytes(LIST)}]
    )
    when = page.get_by_role("group", name="The month the list is for")
    when.get_by_label("Month").fill(str(month.month))
    when.get_by_label("Year").fill(str(month.year))
    page.get_by_role("button", name="Upload the list").click()

    # The columns, suggested from the headings.
    expect(heading(page)).to_have_text("Choose which column holds what")
    expect(page.get_by_text("List uploaded: 4 rows read (CSV, UTF-8")).to_be_visible()
    expect(page.get_by_label("Family name", exact=True)).to_have_value("Surname")
    expect(page.get_by_label("Date of birth", exact=True)).to_have_value("DOB")
    check_page()
    page.get_by_label("Date of birth", exact=True).select_option("DOB")
    page.get_by_role("button", name="Match the rows").click()

    # The check before anything changes: the queue, joiners, leavers, rows not imported.
    expect(heading(page)).to_have_text(f"Check the {month_name} list")
    expect(page.get_by_role("heading", name="1 row needs a decision")).to_be_visible()
    joining = page.get_by_role("table", name="People joining the cohort")
    expect(joining).to_contain_text("Priya SHAH")
    expect(
        page.get_by_role("table", name=f"Cohort members not on the {month_name} list")
    ).to_contain_text("Casey LEAVER")
    expect(
        page.get_by_role("table", name="Rows that will not be imported, and why")
    ).to_contain_text("February 1990 has 28 days")
    check_page()

    # Importing now is refused until the row is decided, with a link to it.
    page.get_by_role("button", name="Import the list").click()
    expect(page.get_by_role("alert")).to_contain_text("1 row needs a decision")
    check_page()
    page.get_by_role("alert").get_by_role("link").click()

    # The row, the record it may be and why; the coordinator says it is that record.
    expect(heading(page)).to_have_text("Who is Morgan BLAKE?")
    expect(page.locator(f"#record-{known.pk}")).to_contain_text("year one out")
    check_page()
    page.get_by_label(f"Record {known.pk}: Morgan BLAKE").check()
    page.get_by_role("button", name="Save and continue").click()

    expect(heading(page)).to_have_text(f"Check the {month_name} list")
    expect(page.get_by_text(f"Row 4: linked to record {known.pk}")).to_be_visible()
    expect(page.get_by_role("heading", name="2 joining the cohort")).to_be_visible()
    # Nobody is exited unless the coordinator chooses to.
    leavers_box = page.get_by_label("Exit the people who are not on this list")
    expect(leavers_box).not_to_be_checked()
    leavers_box.check()
    check_page()
    page.get_by_role("button", name="Import the list").click()

    # The report of every row.
    expect(heading(page)).to_have_text(f"The {month_name} list")
    expect(
        page.get_by_text(f"The {month_name} list was imported: 2 joined, 1 stayed and 1 left")
    ).to_be_visible()
    # The report names who left.
    expect(page.locator("#leavers")).to_contain_text("Casey LEAVER")
    rows = page.get_by_role("table", name="Every row of the list, page 1 of 1")
    expect(rows.locator("tbody tr")).to_have_count(4)
    expect(rows).to_contain_text("Not imported: row has errors")
    check_page()
    cohort_import = CohortImport.objects.get()
    assert cohort_import.status == ImportStatus.COMMITTED
    left = CohortMembership.objects.get(nominal=leaver, panel=p.panel)
    assert (left.status, left.exit_reason) == ("exited", f"Not on the {month_name} list")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download every row's outcome (CSV)").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(content)))
    assert [line[0] for line in lines] == ["Row", "2", "3", "4", "5"]
    assert [line[-4] for line in lines[1:]] == [
        "Linked to a known person",
        "New person",
        "Linked to a known person",
        "Not imported: row has errors",
    ]
    assert [line[-1] for line in lines[1:]] == [
        "Already on the cohort",
        "Joined the cohort",
        "Joined the cohort",
        "",
    ]


def test_a_list_with_the_whole_name_in_one_column_and_ages_shows_how_it_is_read(
    page: Page, check_page, partnership
):
    p = partnership
    month = timezone.localdate().replace(day=1)
    sign_in(page, check_page, p.coordinator)
    page.goto(f"/panels/{p.panel.pk}/imports/new/")
    expect(heading(page)).to_have_text("Upload a monthly list")
    check_page()
    data = csv_bytes(
        [["Taylor Eric", "41", "CR-2291"], ["Jones Mary", "36", "CR-2292"]],
        headers=["Client name", "Age", "Case reference number"],
    )
    page.get_by_label("The month's list").set_input_files(
        files=[{"name": "ages.csv", "mimeType": "text/csv", "buffer": data}]
    )
    when = page.get_by_role("group", name="The month the list is for")
    when.get_by_label("Month").fill(str(month.month))
    when.get_by_label("Year").fill(str(month.year))
    page.get_by_role("button", name="Upload the list").click()

    # Each column's first values and how many look right; the case reference is not
    # offered as the CRN.
    expect(heading(page)).to_have_text("Choose which column holds what")
    expect(page.get_by_label("Whole name", exact=True)).to_have_value("Client name")
    expect(page.get_by_label("Age", exact=True)).to_have_value("Age")
    expect(page.get_by_label("Probation CRN (optional)")).to_have_value("")
    columns = page.get_by_role("table", name="The list's columns and what they are chosen for")
    expect(columns).to_contain_text("CR-2291")
    expect(columns).to_contain_text("2 of 2 look like an age")
    splitting = page.get_by_role("table", name="How the names in ‘Client name’ are split")
    expect(splitting).to_contain_text("Family name Eric, given names Taylor")
    expect(splitting).to_contain_text("Family name Taylor, given names Eric")
    check_page()

    # Choosing the case reference as the CRN is called a wrong choice of column.
    page.get_by_label("Probation CRN (optional)").select_option("Case reference number")
    page.get_by_role("button", name="Match the rows").click()
    expect(page.get_by_role("alert")).to_contain_text("The choice of column looks wrong")
    check_page()
    page.get_by_label("Probation CRN (optional)").select_option("")
    page.get_by_label("Family name first, like Taylor Eric").check()
    page.get_by_role("button", name="Match the rows").click()

    expect(heading(page)).to_have_text(f"Check the {month:%B %Y} list")
    expect(page.locator("#name-rule")).to_contain_text("read family name first")
    expect(page.get_by_role("table", name="People joining the cohort")).to_contain_text(
        "Eric TAYLOR"
    )
    check_page()
