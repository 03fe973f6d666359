"""Journey 0: signing in with a password and a security code, first-time set-up, mistakes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from accounts.models import Role
from tests.e2e.browser import key_from_base32, totp_now, wrong_code
from tests.factories import TEST_PASSWORD, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A fixed place to look at the styled dashboard after a run; nothing reads it back.
SCREENSHOT = "/tmp/e2e-dashboard.png"  # noqa: S108


def give_password(page: Page, check_page, username: str) -> None:
    """From anywhere signed out: open the service, get sent to sign in, give the password."""
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Tandem")
    check_page()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()


def code_for(device: TOTPDevice) -> str:
    return totp_now(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)


def test_sign_in_with_code_see_dashboard_and_sign_out(page: Page, check_page, partnership):
    user = partnership.coordinator
    give_password(page, check_page, user.username)

    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    check_page()
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    page.get_by_label("Security code").fill(code_for(device))
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {user.first_name}")
    expect(page.locator("#dashboard-agency")).to_have_text("Council CST")
    expect(page.locator("#dashboard-roles")).to_have_text("Partner, Panel coordinator")
    expect(page.locator("#dashboard-panels")).to_contain_text("Test IOM panel")
    check_page()
    # Production cookie names and flags, accepted by Chromium on http://localhost.
    session_cookie = next(c for c in page.context.cookies() if c["name"] == "__Host-sessionid")
    assert session_cookie["secure"] and session_cookie["httpOnly"]
    # Styling and scripts survived the CSP: the nonce'd inline script marked the body and
    # GOV.UK Frontend's CSS and GDS Transport font loaded from /assets/.
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    expect(page.locator(".govuk-service-navigation")).to_be_visible()
    assert "GDS Transport" in page.evaluate(
        "getComputedStyle(document.querySelector('h1')).fontFamily"
    )
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    check_page()
    assert not any(c["name"] == "__Host-sessionid" for c in page.context.cookies())


def test_first_sign_in_sets_up_authenticator_and_shows_backup_codes(
    page: Page, check_page, partnership
):
    newcomer = make_user(partnership.probation, Role.PARTNER, username="newcomer", device=False)
    give_password(page, check_page, newcomer.username)

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your security code")
    expect(page.locator(".tandem-qr svg")).to_be_visible()
    secret = page.locator("#totp-secret")
    expect(secret).to_be_hidden()
    page.get_by_text("I cannot scan the QR code").click()
    expect(secret).to_be_visible()
    check_page()  # scanned with the details open, so the revealed key is checked too
    key = key_from_base32(secret.inner_text())
    page.get_by_label("Code from the app").fill(totp_now(key))
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your backup codes")
    expect(page.locator("#backup-codes li")).to_have_count(10)
    check_page()
    page.get_by_role("link", name=re.compile("I have saved my codes")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {newcomer.first_name}")
    expect(page.locator("#dashboard-agency")).to_have_text("Probation")
    check_page()
    assert TOTPDevice.objects.filter(user=newcomer, confirmed=True).count() == 1


def test_wrong_code_shows_error_summary_then_right_code_signs_in(
    page: Page, check_page, partnership
):
    user = partnership.partner
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    give_password(page, check_page, user.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    check_page()

    wrong = wrong_code(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Security code").fill(wrong)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_title(re.compile(r"^Error: Enter your security code"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("The security code is not correct")
    expect(summary).to_be_focused()  # GOV.UK Frontend's script ran under the CSP
    expect(page.locator("#id_code-error")).to_contain_text("The security code is not correct")
    check_page()
    # The summary's link takes keyboard users to the field in error.
    summary.get_by_role("link").click()
    expect(page.get_by_label("Security code")).to_be_focused()

    # django-otp refuses any code for a moment after a wrong one (1 s after the first, then
    # doubling). A person takes longer than that to retype; the browser does not.
    device.refresh_from_db()
    allowed, throttle = device.verify_is_allowed()
    if not allowed:
        wait = (throttle["locked_until"] - timezone.now()).total_seconds()
        page.wait_for_timeout(max(wait, 0) * 1000 + 100)
    page.get_by_label("Security code").fill(code_for(device))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {user.first_name}")
    check_page()


def test_while_many_addresses_guess_the_owner_signs_in_with_password_and_code(
    page: Page, check_page, partnership, settings
):
    from django.test import Client

    user = partnership.coordinator
    for i in range(settings.SIGN_IN_GUARD_FAILURES):
        Client(REMOTE_ADDR=f"198.51.100.{i + 1}", HTTP_HOST="localhost").post(
            "/sign-in/", {"username": user.username, "password": "a guess at the password"}
        )
    device = TOTPDevice.objects.get(user=user, confirmed=True)

    give_password(page, check_page, user.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    expect(page.locator("main")).to_contain_text("checked together with your security code")
    check_page()
    page.get_by_label("Security code").fill(wrong_code(device.bin_key))
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Tandem")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a correct username, password and security code"
    )
    expect(page.get_by_label("Username")).to_have_value(user.username)
    check_page()
    # The authenticator's pause after one wrong code (1 s) passes, as it does for a person
    # who retypes: an attempt inside it counts as another failure, on a fast machine too.
    device.refresh_from_db()
    paused_until = device.throttling_failure_timestamp + timedelta(
        seconds=2 ** (device.throttling_failure_count - 1)
    )
    page.wait_for_timeout(max(0.0, (paused_until - timezone.now()).total_seconds()) * 1000 + 200)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    check_page()
    page.get_by_label("Security code").fill(code_for(device))
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {user.first_name}")
    check_page()
