"""Journey 2 across agencies. A merge: the council's coordinator confirms that the
council's record and probation's are one person but may not change probation's; probation's
partner is told, opens the merge request from the notification and agrees, and the records
are merged; the coordinator then sees the outcome. A lead panel: the council proposes, and
probation's coordinator agrees. Every page on the way is axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from crossref.models import MergeStatus
from offenders.models import Nominal
from panels.models import LeadPanel
from tests.e2e.browser import sign_in
from tests.factories import make_nominal, make_user
from tests.panels.test_crossref_review import make_finding, make_mappa, make_run, put_on

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def test_two_agencies_agree_a_merge(page: Page, check_page, another_browser, partnership):
    p = partnership
    ours = make_nominal(p.coordinator, given_names="Tom", family_name="Garvey", on_panel=p.panel)
    theirs = make_nominal(
        p.member_partner, given_names="Thomas", family_name="Garvey", on_panel=make_mappa(p)
    )
    finding = make_finding(make_run(), ours, theirs, [p.panel])

    # The council's coordinator confirms; the page says probation has been asked.
    sign_in(page, check_page, p.coordinator)
    page.goto(f"/panels/cross-referencing/findings/{finding.pk}/")
    check_page()
    page.get_by_label(f"Keep record {ours.pk}:", exact=False).check()
    page.get_by_role("button", name="Confirm and merge").click()
    expect(page.locator("#finding-outcome")).to_contain_text(
        "so Probation has been asked to agree to the merge"
    )
    check_page()

    # Probation's partner finds it in their notifications and agrees.
    other, other_check = another_browser()
    sign_in(other, other_check, p.member_partner)
    other.goto("/sharing/notifications/")
    other_check()
    other.get_by_role(
        "link", name="Two records may be one person: your agency is asked to agree a merge"
    ).click()
    expect(heading(other)).to_contain_text(f"Merge record {theirs.pk} into record {ours.pk}")
    expect(other.locator("#merge-rule")).to_contain_text("every agency that holds one of them")
    other_check()
    other.get_by_role("button", name="Send your agency's answer").click()
    expect(other.get_by_role("alert")).to_contain_text(
        "Select whether your agency agrees to the merge"
    )
    other_check()
    other.get_by_label("Yes, they are one person: merge them").check()
    other.get_by_role("button", name="Send your agency's answer").click()
    expect(other.locator("#merge-status")).to_have_text("Merged")
    other_check()
    assert Nominal.objects.get(pk=theirs.pk).merged_into_id == ours.pk
    assert ours.merge_requests_kept.get().status == MergeStatus.MERGED

    other.goto("/panels/cross-referencing/merges/")
    expect(other.locator("#merges")).to_contain_text(f"Record {theirs.pk} into record {ours.pk}")
    other_check()

    # The coordinator is told the outcome.
    page.goto("/sharing/notifications/")
    check_page()
    page.get_by_role("link", name="A merge you asked for has been made").click()
    expect(page.locator("#merge-status")).to_have_text("Merged")
    check_page()


def test_a_lead_panel_proposed_by_the_council_is_agreed_by_probation(
    page: Page, check_page, another_browser, partnership
):
    """Journey 2's lead panel across agencies: the council's coordinator proposes MAPPA to
    lead for a person on the council's IOM panel and probation's MAPPA panel; probation's
    MAPPA coordinator opens the proposal from a notification, first declines without a
    reason (and is asked for one), then agrees; the council's coordinator is told."""
    p = partnership
    mappa = make_mappa(p)
    person = make_nominal(p.coordinator, given_names="Lena", family_name="Marsh", on_panel=p.panel)
    put_on(person, mappa)
    finding = make_finding(make_run(), person, None, [p.panel, mappa])
    mo = make_user(p.probation, Role.COORDINATOR, Role.PARTNER, username="mo")

    sign_in(page, check_page, p.coordinator)
    page.goto(f"/panels/cross-referencing/findings/{finding.pk}/")
    check_page()
    page.get_by_label("MAPPA panel (coordinated by Probation)").check()
    page.get_by_role("button", name="Propose lead panel").click()
    expect(page.get_by_role("alert")).to_contain_text("You proposed MAPPA panel to lead")
    expect(page.locator("#lead-answers")).to_contain_text("Waiting for Probation's coordinator")
    check_page()

    other, other_check = another_browser()
    sign_in(other, other_check, mo)
    other.goto("/sharing/notifications/")
    other_check()
    other.get_by_role(
        "link",
        name="A lead panel is proposed for a person on your panel: your agreement is needed",
    ).click()
    expect(other.get_by_role("heading", name="Your answer for MAPPA panel")).to_be_visible()
    other_check()
    other.get_by_label("No", exact=True).check()
    other.get_by_role("button", name="Send your answer").click()
    expect(other.get_by_role("alert")).to_contain_text("Enter why this panel should not lead")
    other_check()
    other.get_by_label("Yes, this panel should lead").check()
    other.get_by_role("button", name="Send your answer").click()
    expect(other.get_by_role("alert")).to_contain_text("Lead panel agreed: MAPPA panel leads.")
    expect(other.locator("#finding-status")).to_have_text("Lead panel agreed")
    other_check()
    assert LeadPanel.objects.get(nominal=person).panel == mappa

    page.goto("/sharing/notifications/")
    check_page()
    page.get_by_role("link", name="A lead panel you proposed has been agreed").click()
    expect(page.locator("#finding-lead")).to_contain_text("Lead panel: MAPPA panel, agreed")
    check_page()
