"""A long plan's Word document: the coordinator asks for it from the plan's page, watches
the worker's progress on the export page (htmx polling, no reload by hand), downloads it
when it is ready, and asks for it again."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import Page, expect

from actions.models import ExportStatus, PlanExport
from actions.services.exports import plan_export_make
from tests.actions.factories import make_plan
from tests.e2e.browser import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_coordinator_watches_a_long_plans_word_document_being_made_and_downloads_it(
    page: Page, check_page, partnership, settings
):
    settings.PLAN_EXPORT_BACKGROUND_STEPS = 2  # three steps make a long plan
    p = partnership
    plan = make_plan(
        p.coordinator,
        [p.probation],
        title="Reducing reoffending action plan 2026 to 2030",
        objectives=[
            (
                "Information and intelligence development",
                [
                    ("Clear information sharing agreement", [("Review the agreement", None)]),
                    ("Agreed data analysis", [("Agree offences to monitor", p.probation)]),
                ],
            ),
            ("Supporting offenders", [("Accommodation", [("Rent deposits", None)])]),
        ],
    )
    # The worker has the coordinator's request but has not started it yet.
    export = PlanExport.objects.create(
        plan=plan, requested_by=p.coordinator, as_at=timezone.localdate(), total=3
    )

    sign_in(page, check_page, p.coordinator)
    page.goto(f"/action-plan/{plan.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(plan.title)
    check_page()
    page.get_by_role("link", name="Download as Word (DOCX)").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Word document of the plan")
    expect(page.get_by_text("This plan has 3 steps")).to_be_visible()
    expect(page.locator("#plan-export-status")).to_have_text("Waiting to start")
    expect(page.get_by_text("0 of 3 actions written")).to_be_visible()
    check_page()

    # The worker makes it; the page, asking every 2 seconds, shows it is ready.
    assert plan_export_make(export.pk).status == ExportStatus.DONE
    expect(page.get_by_text("Your Word document is ready")).to_be_visible(timeout=15_000)
    check_page()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the Word document (DOCX)").click()
    assert download.value.suggested_filename.endswith(".docx")
    table = Document(Path(download.value.path())).tables[0]
    assert len(table.rows) == 1 + 3
    assert table.rows[2].cells[0].text == "Information and intelligence development"
    assert table.rows[2].cells[0]._tc is table.rows[1].cells[0]._tc  # merged over both

    # Asked for again, the eager worker makes it while the request is answered; the new
    # document replaces the first.
    page.get_by_role("button", name="Make it again").click()
    expect(page.get_by_text("Your Word document is ready")).to_be_visible()
    check_page()
    [again] = PlanExport.objects.filter(plan=plan)
    assert again.pk != export.pk and again.status == ExportStatus.DONE
