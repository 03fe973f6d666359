"""Journeys that between them visit every page of the service and scan each one with axe."""

from __future__ import annotations

import re

import pytest
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Page, expect

from accounts.models import User
from accounts.services import ASSIGNABLE_BY_AGENCY_ADMIN
from tests.e2e.browser import key_from_base32, sign_in, totp_now
from tests.factories import TEST_PASSWORD, make_panel

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a long memorable sentence"


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def go_by_menu(page: Page, label: str) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=label).click()


def go_by_footer(page: Page, label: str) -> None:
    page.get_by_role("contentinfo").get_by_role("link", name=label).click()


def test_partner_tours_panels_sharing_sections_footer_and_a_hidden_panel(
    page: Page, check_page, partnership
):
    hidden = make_panel(partnership.outsider, [], name="Hidden panel")
    sign_in(page, check_page, partnership.member_partner)

    go_by_menu(page, "Panels")
    expect(heading(page)).to_have_text("Panels")
    panels = page.get_by_role("table", name="Panels you can see")
    expect(panels.get_by_role("link", name="Test IOM panel")).to_be_visible()
    expect(panels).not_to_contain_text("Hidden panel")
    check_page()
    panels.get_by_role("link", name="Test IOM panel").click()

    expect(heading(page)).to_contain_text("Test IOM panel")
    expect(page.get_by_text("ISA-1: Agreement ISA-1")).to_be_visible()
    check_page()

    go_by_menu(page, "Sharing")
    expect(heading(page)).to_have_text("Information-sharing agreements")
    expect(page.get_by_role("link", name="Manage your agency's staff accounts")).to_have_count(0)
    check_page()
    page.get_by_role("link", name="ISA-1").click()

    expect(heading(page)).to_contain_text("Agreement ISA-1")
    expect(page.get_by_role("table")).to_contain_text("Probation")
    check_page()

    # Each section's landing page; Nominals opens on finding a person.
    for section, title in (
        ("Nominals", "Find a person"),
        ("Action plan", "Action plan"),
        ("Reports", "Reports"),
    ):
        go_by_menu(page, section)
        expect(heading(page)).to_have_text(title)
        expect(page.locator("[aria-current=page]")).to_have_text(section)
        check_page()

    go_by_footer(page, "Privacy and data protection")
    expect(heading(page)).to_have_text("Privacy and data protection")
    check_page()
    go_by_footer(page, "Accessibility statement")
    expect(heading(page)).to_have_text("Accessibility statement")
    check_page()

    response = page.goto(f"/panels/{hidden.pk}/")
    assert response.status == 404
    expect(heading(page)).to_have_text("Page not found")
    expect(page).to_have_title(re.compile(r"^Page not found"))
    # Still the service layout, signed in: menu, who is signed in, footer.
    expect(page.get_by_role("navigation", name="Menu")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_be_visible()
    expect(page.get_by_role("contentinfo")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Hidden panel")
    check_page()


def test_agency_admin_adds_staff_who_sets_a_password_and_an_authenticator(
    page: Page, check_page, another_browser, partnership
):
    admin, leaver = partnership.agency_admin, partnership.partner
    sign_in(page, check_page, admin)

    go_by_menu(page, "Sharing")
    expect(heading(page)).to_have_text("Information-sharing agreements")
    check_page()
    page.get_by_role("link", name="Manage your agency's staff accounts").click()

    expect(heading(page)).to_contain_text("Staff accounts")
    check_page()
    page.get_by_role("link", name="Add a member of staff").click()

    expect(heading(page)).to_contain_text("Add a member of staff")
    check_page()
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_title(re.compile(r"^Error: Add a member of staff"))
    summary = page.locator(".govuk-error-summary")
    for message in (
        "Enter a first name",
        "Enter a last name",
        "Enter a username",
        "Enter a work email address",
        "Select at least one role",
    ):
        expect(summary).to_contain_text(message)
    expect(summary).to_be_focused()
    # Each role's label belongs to its own box, so clicking a label ticks that role.
    for role in ASSIGNABLE_BY_AGENCY_ADMIN:
        expect(page.get_by_label(role.label, exact=True)).to_have_value(role.value)
    check_page()

    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_label("Username").fill("dokafor")
    page.get_by_label("Work email address").fill("dana.okafor@council.example.gov.uk")
    page.get_by_label("Job title (optional)").fill("Community safety officer")
    page.get_by_label("Partner", exact=True).check()
    page.get_by_role("button", name="Create account").click()

    expect(heading(page)).to_have_text("Account created")
    expect(page.locator(".govuk-panel__body")).to_have_text("for Dana Okafor")
    set_up_link = page.locator("#set-up-link").inner_text().strip()
    assert re.search(r"/account/set-up/[^/]+/[^/]+/$", set_up_link), set_up_link
    check_page()
    page.get_by_role("link", name="Back to staff accounts").click()

    expect(heading(page)).to_contain_text("Staff accounts")
    expect(page.get_by_role("row", name=re.compile("Dana Okafor"))).to_contain_text("Active")
    check_page()
    page.get_by_role("link", name=leaver.get_full_name()).click()

    expect(heading(page)).to_have_text(leaver.get_full_name())
    check_page()
    page.get_by_role("button", name="Deactivate account").click()

    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(f"{leaver.get_full_name()} can no longer sign in.")
    expect(page.get_by_role("button", name="Reactivate account")).to_be_visible()
    check_page()
    leaver.refresh_from_db()
    assert not leaver.is_active

    page.get_by_role("button", name="Sign out").click()
    expect(heading(page)).to_have_text("You have signed out")
    check_page()

    # The new member of staff, on their own computer.
    newcomer, check_newcomer = another_browser()
    newcomer.goto(set_up_link)
    expect(heading(newcomer)).to_have_text("Choose your password")
    check_newcomer()
    newcomer.get_by_label("New password", exact=True).fill("password")
    newcomer.get_by_label("New password confirmation").fill("password")
    newcomer.get_by_role("button", name="Save password").click()

    expect(newcomer).to_have_title(re.compile(r"^Error: Choose your password"))
    expect(newcomer.locator(".govuk-error-summary")).to_contain_text("too short")
    check_newcomer()
    newcomer.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    newcomer.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name="Save password").click()

    expect(heading(newcomer)).to_have_text("Sign in to Tandem")
    expect(newcomer.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your password is set"
    )
    check_newcomer()
    newcomer.get_by_label("Username").fill("dokafor")
    newcomer.get_by_label("Password").fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name="Continue").click()

    expect(heading(newcomer)).to_have_text("Set up your security code")
    newcomer.get_by_text("I cannot scan the QR code").click()
    secret = newcomer.locator("#totp-secret")
    expect(secret).to_be_visible()
    check_newcomer()
    newcomer.get_by_label("Code from the app").fill(totp_now(key_from_base32(secret.inner_text())))
    newcomer.get_by_role("button", name="Continue").click()

    expect(heading(newcomer)).to_have_text("Your backup codes")
    expect(newcomer.locator("#backup-codes li")).to_have_count(10)
    check_newcomer()
    newcomer.get_by_role("link", name=re.compile("I have saved my codes")).click()

    expect(heading(newcomer)).to_have_text("Hello, Dana")
    expect(newcomer.locator("#dashboard-agency")).to_have_text("Council CST")
    expect(newcomer.locator("#dashboard-roles")).to_have_text("Partner")
    check_newcomer()
    assert User.objects.get(username="dokafor").job_title == "Community safety officer"


def test_five_wrong_passwords_pause_the_account_from_that_address(
    page: Page, check_page, partnership
):
    user = partnership.partner
    page.goto("/sign-in/")
    check_page()
    for attempt in range(1, 6):
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(f"not my password {attempt}")
        page.get_by_role("button", name="Continue").click()
        if attempt < 5:
            expect(page.locator(".govuk-error-summary")).to_contain_text(
                "Enter a correct username and password"
            )
            check_page()

    expect(heading(page)).to_have_text("Too many attempts to sign in")
    expect(page).to_have_title(re.compile(r"^Too many attempts to sign in"))
    expect(page.locator("main")).to_contain_text("from your network")
    check_page()

    # The right password does not get past the pause either.
    page.goto("/sign-in/")
    check_page()
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Too many attempts to sign in")
    check_page()


def test_error_pages_say_what_happened_in_the_service_layout(
    page: Page, check_page, partnership, monkeypatch
):
    partner = partnership.member_partner
    uid = urlsafe_base64_encode(force_bytes(partner.pk))
    page.goto(f"/account/set-up/{uid}/used-or-expired-token/")
    expect(heading(page)).to_have_text("This link has expired")
    check_page()

    # A form kept open while the browser lost its cookies.
    page.goto("/sign-in/")
    check_page()
    page.context.clear_cookies()
    page.get_by_label("Username").fill(partner.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Your form has expired")
    check_page()

    sign_in(page, check_page, partner)
    response = page.goto("/sharing/accounts/")
    assert response.status == 403
    expect(heading(page)).to_have_text("You cannot do this")
    check_page()

    def database_gone(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("panels.views.panels_for", database_gone)
    go_by_menu(page, "Panels")
    expect(heading(page)).to_have_text("Sorry, there is a problem with the service")
    expect(page.get_by_role("contentinfo")).to_be_visible()
    check_page()  # Django renders it without the request: no CSP nonce to hand

    # The service's address with a host name it does not answer to.
    response = page.goto(page.url.replace("localhost", "127.0.0.1"))
    assert response.status == 400
    expect(heading(page)).to_have_text("Sorry, there is a problem with your request")
    check_page()
