"""Journey 7: the committee officer sets a target and a unit cost, looks at the partnership
dashboard, writes last financial year's report, produces it, watches its progress, and
downloads it as Word, PDF and a spreadsheet, each read back here."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pypdf
import pytest
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from reporting.models import Report, ReportVersion, VersionStatus
from reporting.periods import last_complete_financial_year
from reporting.services import version_generate
from tests.e2e.browser import sign_in
from tests.reporting.factories import (
    CaseEventFactory,
    CustodyEpisodeFactory,
    MembershipFactory,
    NominalFactory,
    OffenceFactory,
    RagReviewFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def _a_year_of_cohort_work(p) -> None:
    """Twelve people on the IOM cohort all last year, reviewed monthly; a few arrested,
    two sent to custody."""
    year = last_complete_financial_year(timezone.localdate())
    for number in range(12):
        nominal = NominalFactory.create(
            created_by=p.coordinator, gender="female" if number < 6 else "male"
        )
        MembershipFactory.create(
            nominal=nominal, panel=p.panel, start=year.start - timedelta(days=30)
        )
        for month in year.months():
            rag = "green" if number < 6 and month.month in (1, 2, 3) else "amber"
            RagReviewFactory.create(
                nominal=nominal, panel=p.panel, reviewed_on=month + timedelta(days=3), rag=rag
            )
        if number < 6:
            CaseEventFactory.create(nominal=nominal, occurred_on=year.start + timedelta(days=40))
        if number < 2:
            offence = OffenceFactory.create(
                nominal=nominal, committed_on=year.start + timedelta(days=50)
            )
            CustodyEpisodeFactory.create(
                nominal=nominal, offence=offence, entered_on=year.start + timedelta(days=60)
            )


def test_committee_officer_produces_the_annual_report(page: Page, check_page, partnership):
    p = partnership
    _a_year_of_cohort_work(p)
    year = last_complete_financial_year(timezone.localdate())
    label = f"{year.start.year}-{(year.start.year + 1) % 100:02d}"

    sign_in(page, check_page, p.committee)
    page.get_by_role("link", name="Reports", exact=True).first.click()
    expect(heading(page)).to_have_text("Reports")
    expect(page.get_by_text("No reports have been written yet")).to_be_visible()
    check_page()

    # The target the cohort is measured against, and what a burglary costs.
    page.get_by_role("link", name="Targets").click()
    expect(heading(page)).to_have_text("Targets")
    check_page()
    page.get_by_label("Target", exact=True).select_option("cohort_size")
    page.get_by_label("Financial year").select_option(str(year.start.year))
    page.get_by_label("Target value").fill("twenty")
    page.get_by_role("button", name="Set the target").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the target as a whole number")
    check_page()
    page.get_by_label("Target value").fill("20")
    page.get_by_role("button", name="Set the target").click()
    expect(page.get_by_text(re.compile("set to 20"))).to_be_visible()
    check_page()
    page.get_by_role("link", name="Reports", exact=True).first.click()
    check_page()

    page.get_by_role("link", name="Unit costs").click()
    expect(heading(page)).to_have_text("Unit costs")
    check_page()
    page.get_by_label("Offence type").select_option("burglary")
    page.get_by_label("Cost of one offence, in pounds").fill("5930")
    page.get_by_label("Source").fill("Home Office, The economic and social costs of crime (2018)")
    page.get_by_label("Prices as at year").fill("2016")
    page.get_by_role("button", name="Set the cost").click()
    expect(page.get_by_text("Burglary: cost set to £5,930")).to_be_visible()
    check_page()

    page.get_by_role("link", name="Reports", exact=True).first.click()
    check_page()
    page.get_by_role("link", name="What each figure means").click()
    expect(heading(page)).to_have_text("What each figure means")
    check_page()

    # The dashboard: last year's figures with small numbers hidden.
    page.get_by_role("link", name="Reports", exact=True).first.click()
    check_page()
    page.get_by_role("link", name="Partnership dashboard").click()
    expect(heading(page)).to_have_text("Partnership dashboard")
    expect(page.locator('[data-figure="cohort_size"]')).to_have_text("12")
    expect(page.locator('[data-figure="people_arrested"]')).to_have_text("6")
    expect(page.locator('[data-figure="rag_green"]')).to_have_text("18")
    expect(
        page.get_by_role("img", name=re.compile("Line chart of the number of people on the cohort"))
    ).to_be_visible()
    check_page()

    # Writing the report: a missing heading is pointed out, nothing typed is lost.
    page.get_by_role("link", name="Reports", exact=True).first.click()
    check_page()
    page.get_by_role("link", name="Create a report").click()
    expect(heading(page)).to_have_text("Create a report")
    check_page()
    page.get_by_label("Period", exact=True).select_option(f"fy-{year.start.year}")
    page.get_by_label("Summary").fill("This report updates Members on the IOM cohort.")
    page.get_by_role("button", name="Save the report").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter")
    expect(page.get_by_label("Summary")).to_have_value(
        "This report updates Members on the IOM cohort."
    )
    check_page()
    page.get_by_label("Subject heading").fill("Reducing Reoffending Update")
    page.get_by_label("Lead officer").fill("Head of Community Safety")
    page.get_by_role("button", name="Save the report").click()
    expect(heading(page)).to_contain_text("Reducing Reoffending Update")
    check_page()

    page.get_by_role("link", name="Change the text, period or panels").click()
    expect(heading(page)).to_have_text("Change the report")
    check_page()
    page.get_by_label("Recommendations").fill("That Members note the progress.")
    page.get_by_role("button", name="Save the report").click()
    expect(heading(page)).to_contain_text("Reducing Reoffending Update")
    check_page()

    # A version waiting for a worker shows its progress, and the page updates itself
    # when the worker has finished it.
    report = Report.objects.get()
    waiting = ReportVersion.objects.create(report=report, number=1, requested_by=p.committee)
    page.goto(f"/reports/{report.pk}/versions/1/")
    expect(page.locator("#version-status")).to_have_text("Waiting to start")
    check_page()
    page.get_by_role("link", name="Check progress").click()
    expect(page.locator("#version-status")).to_have_text("Waiting to start")
    check_page()
    version_generate(waiting.pk)
    expect(page.get_by_role("link", name="PDF")).to_be_visible(timeout=10_000)
    check_page()

    # Producing it again from the report page makes version 2, kept beside version 1.
    page.get_by_role("link", name="Reducing Reoffending Update").click()
    expect(page.get_by_role("table", name=re.compile("Versions"))).to_contain_text("Version 1")
    check_page()
    page.get_by_role("button", name="Produce the report").click()
    expect(heading(page)).to_have_text(re.compile("Version 2"))
    expect(page.get_by_role("table", name="Headline figures")).to_contain_text("Cohort size")
    expect(
        page.get_by_role("img", name=re.compile("Stacked bar chart of the RAG reviews"))
    ).to_be_visible()
    check_page()
    assert ReportVersion.objects.filter(status=VersionStatus.DONE).count() == 2

    downloads = {}
    for name in ("Word document (DOCX)", "PDF", "Spreadsheet of every figure and table (XLSX)"):
        with page.expect_download() as download:
            page.get_by_role("link", name=name).click()
        downloads[Path(download.value.suggested_filename).suffix] = Path(
            download.value.path()
        ).read_bytes()

    document = Document(io.BytesIO(downloads[".docx"]))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Reducing Reoffending Update" in text and "That Members note the progress." in text
    headline = document.tables[0]
    assert [cell.text for cell in headline.rows[1].cells][:2] == ["Cohort size", "12"]
    pdf_text = "\n".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(downloads[".pdf"])).pages
    )
    assert "Reducing Reoffending Update" in pdf_text and "Headline figures" in pdf_text
    workbook = load_workbook(io.BytesIO(downloads[".xlsx"]))
    rows = {
        row[0]: row[1]
        for row in workbook["Headline figures"].iter_rows(min_row=2, values_only=True)
    }
    assert rows["Cohort size"] == 12
    assert rows["Reviews ending Green"] == 18
    assert label in workbook["Headline figures"]["B1"].value
