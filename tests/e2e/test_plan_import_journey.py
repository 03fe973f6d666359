"""The coordinator imports the partnership's action plan: pastes the table copied from the
committee paper, checks which column holds what, checks the plan as it will import, and
imports it. Every page on the way is axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from actions.models import ActionPlan, ActionStep
from tests.actions.import_samples import seed_text
from tests.e2e.browser import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def test_coordinator_pastes_checks_and_imports_the_plan(page: Page, check_page, partnership):
    p = partnership
    sign_in(page, check_page, p.coordinator)

    page.goto("/action-plan/imports/new/")
    expect(heading(page)).to_have_text("Import a plan")
    check_page()
    page.get_by_role("button", name="Read the table").click()
    expect(page.get_by_role("alert")).to_contain_text("Paste the plan's table")
    check_page()
    page.get_by_label("Paste the plan's table").fill(seed_text())
    page.get_by_role("button", name="Read the table").click()

    expect(heading(page)).to_have_text("Choose which column holds what")
    check_page()
    expect(page.get_by_label("Strategy objective")).to_have_value("0")
    expect(page.get_by_label("Progress to date (optional)")).to_have_value("5")
    page.get_by_role("button", name="Read the plan").click()

    expect(heading(page)).to_have_text("Check the plan before you import it")
    check_page()
    expect(page.locator("#counts")).to_contain_text("15")
    expect(page.locator("#warning-list")).to_contain_text("Family Mosaic")
    page.get_by_role("button", name="Import the plan").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose the RAG for the imported progress")
    check_page()
    page.get_by_label("Amber-Green").check()
    page.get_by_role("button", name="Import the plan").click()

    expect(page.locator(".govuk-notification-banner, .govuk-body").first).to_be_visible()
    plan = ActionPlan.objects.get()
    assert page.url.endswith(f"/action-plan/{plan.pk}/")
    check_page()
    assert ActionStep.objects.filter(action__objective__plan=plan).count() == 54
