"""Journey 6: the council's information governance lead drafts an agreement for the IOM
panel and circulates it; the council's, probation's and housing's governance leads each
sign for their own agency; probation's staff then see the panel's cohort; the review is
missed beyond the grace period (the server's clock moved on) and their next request is
refused. Every page on the way is checked with axe."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from sharing.models import AgreementStatus, InformationSharingAgreement
from sharing.services import agreement_set_status
from tests.e2e.browser import sign_in
from tests.factories import PDF_BYTES, make_nominal, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def _sign(page: Page, check_page, agreement: InformationSharingAgreement, role: str) -> None:
    page.goto(f"/sharing/agreements/{agreement.pk}/")
    expect(heading(page)).to_contain_text("Kingsmere reducing reoffending")
    check_page()
    page.get_by_role("link", name=re.compile("^Sign for ")).click()
    expect(heading(page)).to_contain_text("Sign for")
    check_page()
    page.get_by_label("Name of the person signing").fill(f"Signatory, {role}")
    page.get_by_label("Their role").fill(role)
    page.get_by_role("button", name="Sign the agreement").click()
    expect(page.get_by_text(re.compile("^Signed for "))).to_be_visible()
    check_page()


def test_three_leads_sign_their_staff_see_the_cohort_until_the_agreement_lapses(
    page: Page, check_page, another_browser, partnership, monkeypatch, settings
):
    p = partnership
    settings.ISA_REVIEW_GRACE_DAYS = 30
    # Start from no agreement: the partnership's own is withdrawn, so probation sees
    # nothing of the IOM panel until the new one is signed.
    agreement_set_status(
        actor=p.system_admin, agreement=p.agreement, status=AgreementStatus.WITHDRAWN
    )
    make_nominal(p.coordinator, family_name="Okonjo", on_panel=p.panel)
    probation_lead = make_user(p.probation, Role.GOVERNANCE_LEAD, username="probationlead")
    housing_lead = make_user(p.housing, Role.GOVERNANCE_LEAD, username="housinglead")

    # Probation's member of staff: the panel is not theirs to see yet.
    staff, check_staff = another_browser()
    sign_in(staff, check_staff, p.member_partner)
    refused = staff.goto(f"/panels/{p.panel.pk}/cohort/")
    assert refused is not None and refused.status == 404
    expect(heading(staff)).to_have_text("Page not found")
    check_staff()

    # The council's lead drafts it; the form lists every problem at once.
    sign_in(page, check_page, p.governance_lead)
    page.get_by_role("link", name="Sharing", exact=True).first.click()
    expect(heading(page)).to_have_text("Information-sharing agreements")
    check_page()
    page.get_by_role("link", name="Draft a new agreement").click()
    expect(heading(page)).to_have_text("Draft a new agreement")
    check_page()
    page.get_by_role("button", name="Save the draft").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the agreement's title")
    expect(summary).to_contain_text("Enter the agreement's reference")
    check_page()
    page.get_by_label("Title").fill("Kingsmere reducing reoffending agreement")
    page.get_by_label("Reference").fill("KM-ISA-2027")
    for agency in ("Probation", "Housing"):
        page.get_by_label(agency, exact=True).check()
    page.get_by_label("Test IOM panel").check()
    page.get_by_label("Legal basis").fill("Crime and Disorder Act 1998 section 115")
    page.get_by_label("Purpose").fill("Reducing reoffending by the IOM cohort")
    page.get_by_label("Retention period, in months").fill("24")
    page.get_by_label("Agreement document").set_input_files(
        files=[{"name": "agreement.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("Draft KM-ISA-2027 saved.")).to_be_visible()
    check_page()
    agreement = InformationSharingAgreement.objects.get(reference="KM-ISA-2027")

    # A last change, then circulation to the parties.
    page.get_by_role("link", name="Change the draft").click()
    expect(heading(page)).to_contain_text("Change the draft agreement")
    check_page()
    page.get_by_label("Review interval, in months").fill("6")
    page.get_by_role("button", name="Save the draft").click()
    check_page()
    page.get_by_role("button", name="Circulate for signature").click()
    expect(page.get_by_text("Circulated.")).to_be_visible()
    expect(page.locator("#access-rule")).to_contain_text("once that agency has signed")
    check_page()

    # Each lead signs for their own agency.
    _sign(page, check_page, agreement, "Senior information risk owner")
    for lead in (probation_lead, housing_lead):
        other, check_other = another_browser()
        sign_in(other, check_other, lead)
        _sign(other, check_other, agreement, "Data protection officer")
        if lead is housing_lead:
            # Everyone has signed; the page says so, and shows what a party may do.
            expect(other.get_by_text("Not signed", exact=True)).to_have_count(0)
            other.get_by_role("link", name="Withdraw a party").click()
            expect(heading(other)).to_contain_text("Withdraw a party")
            check_other()
            other.go_back()
            expect(heading(other)).to_contain_text("Kingsmere reducing reoffending")
            check_other()
            other.get_by_role("link", name="Withdraw the whole agreement").click()
            expect(heading(other)).to_contain_text("Withdraw the whole agreement")
            check_other()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED

    # Probation's staff now see the cohort.
    staff.goto(f"/panels/{p.panel.pk}/cohort/")
    expect(heading(staff)).not_to_have_text("Page not found")
    expect(staff.get_by_text(re.compile("OKONJO", re.IGNORECASE)).first).to_be_visible()
    check_staff()

    # The review is missed: the day after the grace period ends, with nothing saved,
    # their next request is refused.
    lapsed_on = agreement.access_ends_on + timedelta(days=1)
    real_localdate = timezone.localdate

    def localdate(value=None, timezone=None):
        return lapsed_on if value is None else real_localdate(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    refused = staff.goto(f"/panels/{p.panel.pk}/cohort/")
    assert refused is not None and refused.status == 404
    expect(heading(staff)).to_have_text("Page not found")
    check_staff()

    # The lead's register says why.
    page.goto("/sharing/?sort=next_review")
    expect(page.get_by_role("link", name="KM-ISA-2027")).to_be_visible()
    check_page()
    page.get_by_role("link", name="KM-ISA-2027").click()
    expect(page.locator("#access-dates")).to_contain_text("Access ended on")
    check_page()
