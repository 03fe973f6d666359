"""Journey 8: a probation partner opens the partnership's action plan, filters it to Red,
opens an action, adds an update to the step probation leads and sees it as the step's
latest progress with its RAG; the plan owner then downloads the plan as a Word document
in the committee paper's layout."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import Page, expect

from actions.models import ActionStep, ProgressUpdate, Rag
from tests.actions.factories import add_update, make_plan, steps_of
from tests.e2e.browser import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def test_partner_updates_their_red_step_and_the_owner_exports_the_plan(
    page: Page, check_page, another_browser, partnership
):
    p = partnership
    today = timezone.localdate()
    plan = make_plan(
        p.coordinator,
        [p.police, p.probation, p.housing],
        title="Reducing reoffending action plan 2026 to 2030",
        starts_on=today - timedelta(days=200),
        objectives=[
            (
                "Information and intelligence development",
                [
                    (
                        "Clear information sharing agreement",
                        [("Review current agreement", p.probation), ("Add members", p.council)],
                    ),
                    ("Agreed data analysis", [("Agree offences to monitor", p.police)]),
                ],
            ),
            (
                "Supporting offenders",
                [("Accommodation", [("Apply for rent deposit funding", p.probation)])],
            ),
        ],
    )
    review, members, offences, deposits = steps_of(plan)
    ActionStep.objects.filter(pk=review.pk).update(due=today - timedelta(days=7))
    add_update(review, rag=Rag.RED, written_on=today - timedelta(days=30), text="Awaiting sign-off")
    add_update(members, rag=Rag.GREEN, written_on=today - timedelta(days=10), text="Added")
    add_update(offences, rag=Rag.AMBER_GREEN, written_on=today - timedelta(days=12), text="Met")

    # The probation partner's dashboard flags the steps probation leads.
    sign_in(page, check_page, p.member_partner)
    flags = page.locator("#dashboard-plan-steps")
    expect(flags).to_contain_text("1 overdue")
    expect(flags).to_contain_text("1 step needs an update")

    page.get_by_role("link", name="Action plan", exact=True).click()
    expect(heading(page)).to_have_text("Action plan")
    check_page()
    page.get_by_role("link", name=plan.title).click()

    expect(heading(page)).to_have_text(plan.title)
    expect(page.get_by_role("table", name=re.compile("Strategy objective 2"))).to_be_visible()
    check_page()

    # Filtered to Red: only the overdue agreement review is left.
    page.get_by_role("group", name="RAG").get_by_label("Red", exact=True).check()
    page.get_by_role("button", name="Apply filters").click()
    expect(heading(page)).to_have_text(plan.title)
    table = page.get_by_role("table", name=re.compile("Strategy objective 1"))
    expect(table).to_contain_text("1. Review current agreement")
    expect(table).not_to_contain_text("Add members")
    expect(table).to_contain_text("Overdue")
    expect(page.get_by_role("table", name=re.compile("Strategy objective 2"))).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("Remove this filter Red"))).to_be_visible()
    check_page()

    page.get_by_role("link", name="Clear information sharing agreement").click()
    expect(heading(page)).to_have_text("Clear information sharing agreement")
    expect(page.locator("#action-rag")).to_contain_text("Red")
    check_page()

    # Only the step probation leads offers probation an update.
    expect(page.get_by_role("link", name=re.compile("Add an update"))).to_have_count(1)
    page.get_by_role("link", name="Add an update to step 1").click()
    expect(heading(page)).to_have_text("Add an update to step 1")
    check_page()

    # Sent without the progress, the form says what is missing.
    page.get_by_role("group", name="RAG").get_by_label("Amber-Red").check()
    page.get_by_role("button", name="Add the update").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the progress to date")
    check_page()
    page.get_by_label("Progress to date").fill("Sign-off booked for the December group")
    page.get_by_role("button", name="Add the update").click()

    expect(heading(page)).to_have_text("Clear information sharing agreement")
    expect(page.get_by_text("Update added to step 1")).to_be_visible()
    expect(page.locator(f"#step-{review.pk}-rag")).to_contain_text("Amber-Red")
    history = page.get_by_role("table", name="Progress updates on step 1, newest first")
    expect(history.locator("tbody tr").first).to_contain_text("Sign-off booked")
    expect(history.locator("tbody tr").first).to_contain_text(
        f"{p.member_partner.get_full_name()}, Probation"
    )
    expect(history.locator("tbody tr")).to_have_count(2)
    check_page()

    # Back on the plan, the update is the step's latest progress, with its RAG.
    page.get_by_role("link", name=plan.title).click()
    expect(heading(page)).to_have_text(plan.title)
    latest = page.locator(f"#step-{review.pk}-latest")
    expect(latest).to_contain_text("Amber-Red")
    expect(latest).to_contain_text("Sign-off booked for the December group")
    check_page()
    assert ProgressUpdate.objects.filter(step=review).count() == 2

    # The plan owner downloads the plan for the committee.
    owner_page, check_owner_page = another_browser()
    sign_in(owner_page, check_owner_page, p.coordinator)
    owner_page.goto(f"/action-plan/{plan.pk}/")
    expect(heading(owner_page)).to_have_text(plan.title)
    check_owner_page()
    with owner_page.expect_download() as download:
        owner_page.get_by_role("link", name="Download as Word (DOCX)").click()
    assert download.value.suggested_filename.endswith(".docx")
    document = Document(Path(download.value.path()))
    paper = document.tables[0]
    assert [cell.text for cell in paper.rows[0].cells][:2] == [
        "Strategy Objective",
        "Project / Action",
    ]
    assert len(paper.rows) == 1 + 3
    progress = paper.rows[1].cells[5].text
    assert "1. Amber-Red" in progress
    assert "Sign-off booked for the December group" in progress
