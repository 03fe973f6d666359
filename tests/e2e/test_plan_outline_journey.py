"""Journey 8 without a spreadsheet: the coordinator creates the partnership's plan in the
service, adds an objective, an action and two steps, reorders the steps, removes one, and
archives the plan. Every page on the way is axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from actions.models import ActionPlan, ActionStep
from tests.e2e.browser import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def test_coordinator_builds_a_plan_in_pages(page: Page, check_page, partnership):
    p = partnership
    sign_in(page, check_page, p.coordinator)

    page.goto("/action-plan/")
    check_page()
    page.get_by_role("link", name="Create a plan").click()
    expect(heading(page)).to_have_text("Create a plan")
    check_page()
    page.get_by_role("button", name="Create the plan").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the plan's title")
    check_page()
    page.get_by_label("Title").fill("Serious violence plan")
    page.get_by_role("group", name="Agencies in the plan's partnership").get_by_label(
        "Probation"
    ).check()
    page.get_by_role("button", name="Create the plan").click()

    expect(heading(page)).to_have_text("Objectives, actions and steps")
    check_page()
    page.get_by_label("Strategy objective").fill("Reduce knife crime")
    page.get_by_role("button", name="Add the objective").click()
    expect(page.locator("h2", has_text="Objective 1: Reduce knife crime")).to_be_visible()
    check_page()

    page.get_by_role("link", name="Add an action to objective 1").click()
    expect(heading(page)).to_contain_text("Add an action")
    check_page()
    page.get_by_label("Project or action").fill("Weapons sweeps with schools")
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator("#main-content")).to_contain_text("Now add its steps")
    check_page()

    for text in ("Agree the schools", "Train the staff"):
        page.get_by_role("link", name="Add a step to action 1.1").click()
        expect(heading(page)).to_contain_text("Add a step")
        check_page()
        page.get_by_label("Step", exact=True).fill(text)
        page.get_by_label("Lead agency").select_option(label="Probation")
        page.get_by_role("button", name="Add the step").click()
        expect(page.locator("#main-content")).to_contain_text("added")
        check_page()

    page.get_by_role("button", name="Move down step").first.click()
    plan = ActionPlan.objects.get(title="Serious violence plan")
    steps = ActionStep.objects.filter(action__objective__plan=plan).order_by("number")
    expect(page.locator("#step-" + str(steps[0].pk))).to_contain_text("Train the staff")
    assert [step.text for step in steps] == ["Train the staff", "Agree the schools"]
    check_page()

    page.get_by_role("link", name="Remove step 2 of action 1.1").click()
    expect(heading(page)).to_have_text("Remove this step?")
    check_page()
    page.get_by_role("button", name="Remove the step").click()
    expect(page.get_by_text("Removed. The numbers after it have closed up.")).to_be_visible()
    check_page()
    assert ActionStep.objects.filter(action__objective__plan=plan).count() == 1

    page.goto(f"/action-plan/{plan.pk}/")
    check_page()
    page.get_by_role("link", name="Archive the plan").click()
    expect(heading(page)).to_have_text("Archive the plan?")
    check_page()
    page.get_by_role("button", name="Archive the plan").click()
    expect(page.locator("#archived")).to_contain_text("This plan was archived on")
    check_page()
