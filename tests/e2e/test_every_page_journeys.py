"""The pages the main journeys pass by: each opened as the person who uses it, checked
with axe, and where it is a form, sent empty first so its error summary is checked too.

Each journey runs twice: in a desktop window and in one 320 CSS pixels wide, where every page
must reflow (WCAG 1.4.10): nothing scrolls sideways but a wide table inside its own labelled
pane (see `assert_reflows`, which every check runs)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.notifications import notify
from actions.services.imports import plan_import_start
from cohorts.services.imports import import_upload
from meetings.models import AgendaItem, CaseAction, Meeting, MeetingKind
from meetings.services.meetings import meeting_rule_add
from tests.actions.factories import make_plan, steps_of
from tests.e2e.browser import sign_in
from tests.panels.agenda_helpers import member
from tests.panels.import_samples import csv_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 640}  # WCAG 1.4.10: 1280 pixels at 400% zoom


@pytest.fixture(autouse=True, params=[DESKTOP, NARROW], ids=["1280px", "320px"])
def window(request, page: Page) -> dict[str, int]:
    """Every journey of this module at both widths; other windows a journey opens match."""
    page.set_viewport_size(request.param)
    return request.param


def visit(page: Page, check_page, path: str) -> None:
    """Open a page: it answers 200 with a heading, passes axe and reflows."""
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_page()


def send_empty(page: Page, check_page, button: str) -> None:
    """Send the page's form as it stands: it comes back with an error summary."""
    page.get_by_role("button", name=button).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page()


def test_coordinator_opens_every_page_of_a_panel(page: Page, check_page, partnership):
    p = partnership
    today = timezone.localdate()
    meeting_rule_add(
        actor=p.coordinator, panel=p.panel, kind="main", week=1, weekday=2, starts_at=time(10)
    )
    meeting = Meeting.objects.filter(panel=p.panel).order_by("date").first()
    Meeting.objects.create(panel=p.panel, kind=MeetingKind.MAIN, date=today - timedelta(days=30))
    active = member(p.coordinator, p.panel, "Ashby", given_names="Jordan")
    referred = member(
        p.coordinator,
        p.panel,
        "Referral",
        given_names="Nadia",
        status="referred",
        referring_agency=p.probation,
    )
    outside = member(p.coordinator, p.panel, "Notyet", given_names="Owen", status="exited")
    item = AgendaItem.objects.create(meeting=meeting, nominal=active, reason="red_rag", position=1)
    action = CaseAction.objects.create(
        panel=p.panel,
        nominal=active,
        agenda_item=item,
        description="Arrange a joint home visit",
        owner_agency=p.council,
        due=today + timedelta(days=14),
        created_by=p.coordinator,
    )
    cohort_import = import_upload(
        actor=p.coordinator,
        panel=p.panel,
        month=today.replace(day=1),
        file_name="list.csv",
        data=csv_bytes([["Ashby", "Jordan", "17/05/1990"]], headers=["Surname", "Forename", "DOB"]),
    )
    active_membership = active.memberships.get()
    referral = referred.memberships.get()

    sign_in(page, check_page, p.coordinator)
    panel = f"/panels/{p.panel.pk}"
    visit(page, check_page, f"{panel}/cohort/")
    visit(page, check_page, f"{panel}/settings/")
    visit(page, check_page, f"{panel}/meeting-rules/")
    send_empty(page, check_page, "Add rule")
    visit(page, check_page, f"{panel}/meetings/past/")
    visit(page, check_page, f"/panels/meetings/{meeting.pk}/move/")
    send_empty(page, check_page, "Move the meeting")
    visit(page, check_page, f"/panels/meetings/{meeting.pk}/cancel/")
    send_empty(page, check_page, "Cancel the meeting")
    visit(page, check_page, f"/panels/agenda-items/{item.pk}/reason/")
    visit(page, check_page, f"/panels/memberships/{referral.pk}/decide/")
    send_empty(page, check_page, "Save the decision")
    visit(page, check_page, f"/panels/memberships/{active_membership.pk}/exit/")
    send_empty(page, check_page, "Record the exit")
    visit(page, check_page, f"/panels/memberships/{active_membership.pk}/details/")
    visit(page, check_page, f"{panel}/refer/")
    visit(page, check_page, f"/panels/refer/person/{outside.pk}/")
    visit(page, check_page, f"/panels/imports/{cohort_import.pk}/discard/")
    visit(page, check_page, "/panels/actions/")
    visit(page, check_page, f"/panels/actions/{action.pk}/change/")


def test_staff_open_the_pages_of_a_persons_record(
    page: Page, check_page, another_browser, partnership, window
):
    p = partnership
    person = member(p.coordinator, p.panel, "Ashby", given_names="Jordan")
    twin = member(p.coordinator, p.panel, "Ashbey", given_names="Jordan")

    sign_in(page, check_page, p.coordinator)
    for nominal in (person, twin):
        page.goto(f"/nominals/{nominal.pk}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Why are you opening this record?"
        )
        check_page()
        page.get_by_role("button", name="Case management").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("ASHB")
        check_page()
    record = f"/nominals/{person.pk}"
    visit(page, check_page, f"{record}/edit/")
    visit(page, check_page, f"{record}/aliases/new/")
    visit(page, check_page, f"{record}/identifiers/new/")
    visit(page, check_page, f"{record}/needs/")
    visit(page, check_page, f"{record}/offences/new/")
    send_empty(page, check_page, "Record the offence")
    visit(page, check_page, f"{record}/custody/new/")
    send_empty(page, check_page, "Record the time in custody")
    visit(page, check_page, f"{record}/custody/release/")
    visit(page, check_page, f"{record}/risk/new/")
    send_empty(page, check_page, "Record the assessment")
    visit(page, check_page, f"{record}/merge/")
    visit(page, check_page, f"{record}/merge/{twin.pk}/")

    # Who has viewed the record is for the agency's information governance lead, who
    # finds it by its number without seeing the record itself.
    lead_page, lead_check = another_browser()
    lead_page.set_viewport_size(window)
    sign_in(lead_page, lead_check, p.governance_lead)
    visit(lead_page, lead_check, "/nominals/viewers/")
    lead_page.get_by_label("Record number").fill(str(person.pk))
    lead_page.get_by_role("button", name="Show who has viewed it").click()
    expect(lead_page.get_by_role("heading", level=1)).to_contain_text("Who has viewed this record")
    lead_check()
    expect(lead_page.get_by_role("main")).to_contain_text(p.coordinator.get_full_name())


def test_plan_owner_opens_the_plans_edit_pages_and_notifications(
    page: Page, check_page, partnership
):
    p = partnership
    plan = make_plan(p.coordinator, [p.probation], starts_on=date(2026, 4, 1))
    step = steps_of(plan)[0]
    pending = plan_import_start(
        actor=p.coordinator,
        text="Strategy Objective\tProject / Action\tResponsible Service / Lead Person\n"
        "Information sharing\tReview the agreement 1. Review 2. Agree\t1. Police 2. Probation\n",
    )
    notify(
        user=p.coordinator,
        kind="plan_steps",
        key="e2e",
        text="Steps your agency leads need an update",
        url=f"/action-plan/{plan.pk}/",
    )

    sign_in(page, check_page, p.coordinator)
    visit(page, check_page, f"/action-plan/{plan.pk}/settings/")
    visit(page, check_page, f"/action-plan/actions/{step.action_id}/change/")
    visit(page, check_page, f"/action-plan/steps/{step.pk}/change/")
    visit(page, check_page, "/action-plan/new/")
    visit(page, check_page, f"/action-plan/{plan.pk}/outline/")
    visit(page, check_page, f"/action-plan/objectives/{step.action.objective_id}/change/")
    visit(page, check_page, f"/action-plan/objectives/{step.action.objective_id}/actions/new/")
    visit(page, check_page, f"/action-plan/actions/{step.action_id}/steps/new/")
    visit(page, check_page, f"/action-plan/actions/{step.action_id}/objective/")
    visit(page, check_page, f"/action-plan/actions/{step.action_id}/remove/")
    visit(page, check_page, f"/action-plan/objectives/{step.action.objective_id}/remove/")
    visit(page, check_page, f"/action-plan/{plan.pk}/archive/")
    visit(page, check_page, f"/action-plan/imports/{pending.pk}/discard/")
    visit(page, check_page, "/confirm-identity/?next=/sharing/notifications/")
    send_empty(page, check_page, "Continue")
    visit(page, check_page, "/sharing/notifications/settings/")
    visit(page, check_page, "/sharing/notifications/")
    expect(page.get_by_role("link", name="Steps your agency leads need an update")).to_be_visible()
