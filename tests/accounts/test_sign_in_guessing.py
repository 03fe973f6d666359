"""Guessing passwords and codes is limited without letting a stranger lock the owner out.

Alice is the owner; the attacker knows her username. Addresses are the test client's
REMOTE_ADDR, as the web server sets it for each connection."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from accounts.two_factor import seconds_until_next_try
from tests.factories import TEST_PASSWORD, make_user
from tests.sharing.test_sign_in import current_code

pytestmark = pytest.mark.django_db

WRONG = "not the password at all"
TOLD_PASSWORD_WRONG = b"Enter a correct username and password"
TOLD_ONE_OF_THEM_WRONG = b"Enter a correct username, password and security code"


def at(address: str, **headers) -> Client:
    return Client(REMOTE_ADDR=address, **headers)


def password(client: Client, secret: str, username: str = "alice"):
    return client.post("/sign-in/", {"username": username, "password": secret})


def fresh_code(device: TOTPDevice) -> str:
    """The current code, usable again (django-otp refuses a code it has already accepted)."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return current_code(device)


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(current_code(device)) + 500_000) % 1_000_000:06d}"


def signs_in(client: Client, device: TOTPDevice, secret: str = TEST_PASSWORD) -> bool:
    password(client, secret)
    client.post("/sign-in/code/", {"code": fresh_code(device)})
    return client.get("/").status_code == 200


def guess_from_many_addresses(count: int, first: int = 1) -> list:
    return [password(at(f"198.51.100.{first + i}"), WRONG) for i in range(count)]


@pytest.fixture
def device(partnership) -> TOTPDevice:
    return TOTPDevice.objects.get(user=partnership.coordinator)


def test_guesses_from_one_address_pause_that_address_with_a_clear_429(partnership, settings):
    attacker = at("203.0.113.66")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password(attacker, WRONG)

    response = password(attacker, TEST_PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many attempts to sign in" in page
    assert "from your network" in page
    assert "paused for 30 minutes" in page
    assert "_auth_user_id" not in attacker.session


def test_the_owner_signs_in_from_her_own_address_while_the_attackers_is_paused(
    partnership, device, settings
):
    attacker = at("203.0.113.66")
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        password(attacker, WRONG)
    assert password(attacker, TEST_PASSWORD).status_code == 429

    owner = at("192.0.2.10")
    response = password(owner, TEST_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/sign-in/code/"
    assert owner.post("/sign-in/code/", {"code": fresh_code(device)}).status_code == 302
    assert b"Council CST" in owner.get("/").content


def test_many_addresses_get_only_a_bounded_number_of_answers_about_the_password(
    partnership, settings
):
    # Each address stays under its own limit, so only the per-username count stops them.
    responses = guess_from_many_addresses(50)

    answered = [r for r in responses if TOLD_PASSWORD_WRONG in r.content]
    assert len(answered) == settings.SIGN_IN_GUARD_FAILURES == 10
    assert all(r.status_code == 200 for r in responses[:10])
    # After that every guess goes on to the code, right password or not, and says nothing.
    assert all(r.status_code == 302 for r in responses[10:])
    assert {r["Location"] for r in responses[10:]} == {"/sign-in/code/"}
    right = password(at("198.51.100.200"), TEST_PASSWORD)
    assert right.status_code == 302 and right["Location"] == "/sign-in/code/"


def _without_tokens(content: bytes) -> str:
    """The page without its per-request values (CSRF token, CSP nonce)."""
    return re.sub(r"[A-Za-z0-9+/_-]{20,}", "", content.decode())


def test_under_the_guard_a_right_password_and_a_wrong_one_get_the_same_answers(partnership):
    guess_from_many_addresses(10)
    answers = []
    for address, secret in (("198.51.100.201", TEST_PASSWORD), ("198.51.100.202", WRONG)):
        client = at(address)
        steps = [password(client, secret)]
        steps.append(client.get("/sign-in/code/"))
        steps.append(client.post("/sign-in/code/", {"code": "123456"}))
        steps.append(client.get("/sign-in/"))
        answers.append(
            [(r.status_code, r.get("Location"), _without_tokens(r.content)) for r in steps]
        )
        assert "_auth_user_id" not in client.session

    assert answers[0] == answers[1]
    assert "checked together with your security code" in answers[0][1][2]
    assert answers[0][2][:2] == (302, "/sign-in/")
    assert TOLD_ONE_OF_THEM_WRONG.decode() in answers[0][3][2]


def test_the_owner_signs_in_with_password_and_code_while_many_addresses_guess(partnership, device):
    guess_from_many_addresses(40)

    assert signs_in(at("192.0.2.10"), device)
    # Even from an address the attacker has used, as long as it is not paused.
    assert signs_in(at("198.51.100.3"), device)


def test_under_the_guard_a_wrong_password_with_the_right_code_does_not_sign_in(partnership, device):
    guess_from_many_addresses(10)
    client = at("192.0.2.10")
    assert not signs_in(client, device, secret=WRONG)


def test_under_the_guard_an_address_is_still_paused_after_its_own_failures(partnership, settings):
    guess_from_many_addresses(10)
    attacker = at("203.0.113.66")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password(attacker, WRONG)
        attacker.post("/sign-in/code/", {"code": "123456"})
    assert password(attacker, TEST_PASSWORD).status_code == 429


def test_an_account_without_a_code_yet_is_refused_under_the_guard_whatever_the_password(
    partnership,
):
    make_user(partnership.police, Role.PARTNER, username="newcomer", device=False)
    for i in range(10):
        password(at(f"198.51.100.{i + 1}"), WRONG, username="newcomer")

    for secret in (TEST_PASSWORD, WRONG):
        response = password(at("192.0.2.10"), secret, username="newcomer")
        assert response.status_code == 429
        assert b"no security code set up yet" in response.content


def test_the_guard_lapses_once_the_failures_are_older_than_its_window(partnership, settings):
    from axes.models import AccessFailureLog

    guess_from_many_addresses(10)
    AccessFailureLog.objects.update(
        attempt_time=timezone.now() - settings.SIGN_IN_GUARD_WINDOW - timedelta(minutes=1)
    )
    assert TOLD_PASSWORD_WRONG in password(at("192.0.2.10"), WRONG).content


def test_forwarded_for_written_by_the_client_is_ignored(partnership, device, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        password(at("203.0.113.66", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}"), WRONG)

    pretending = at("203.0.113.66", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert password(pretending, TEST_PASSWORD).status_code == 429


def test_behind_a_trusted_proxy_the_address_the_proxy_saw_counts(partnership, device, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.5"
    for i in range(settings.AXES_FAILURE_LIMIT):
        # Whatever the attacker puts in front, the proxy appends the address it saw.
        spoofed = f"192.0.2.{i}, 203.0.113.66"
        password(at(proxy, HTTP_X_FORWARDED_FOR=spoofed), WRONG)

    attacker = at(proxy, HTTP_X_FORWARDED_FOR="192.0.2.10, 203.0.113.66")
    assert password(attacker, TEST_PASSWORD).status_code == 429
    # The owner comes through the same proxy from her own address.
    assert signs_in(at(proxy, HTTP_X_FORWARDED_FOR="192.0.2.10"), device)


def test_addresses_in_one_ipv6_network_count_as_one_client(partnership, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        password(at(f"2001:db8:1:2::{i + 1:x}"), WRONG)
    assert password(at("2001:db8:1:2:ffff::1"), TEST_PASSWORD).status_code == 429
    assert password(at("2001:db8:1:3::1"), TEST_PASSWORD).status_code == 302


def test_the_code_step_is_limited_per_address(partnership, device, settings):
    attacker = at("203.0.113.66")
    password(attacker, TEST_PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        # as if the attacker waited out django-otp's pause between codes
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
        response = attacker.post("/sign-in/code/", {"code": "123456"})
    assert response.status_code == 429


def test_codes_from_many_addresses_wait_out_a_pause_that_doubles(partnership, device):
    """Someone who has the password and rotates addresses: each wrong code doubles the pause
    before the next is tried (django-otp), so a day allows about seventeen codes."""
    guesses, waited = 0, 0
    for i in range(40):
        wait = seconds_until_next_try(partnership.coordinator)
        if waited + wait > 24 * 3600:
            break
        waited += wait
        # Wind the clock back by the pause, as if the attacker had waited it out.
        TOTPDevice.objects.filter(pk=device.pk).update(
            throttling_failure_timestamp=timezone.now() - timedelta(seconds=wait + 1)
            if wait
            else None
        )
        client = at(f"198.51.100.{i + 1}")
        password(client, TEST_PASSWORD)
        client.post("/sign-in/code/", {"code": wrong_code(device)})
        guesses += 1
        device.refresh_from_db()
        assert device.throttling_failure_count == guesses

    assert guesses == 17
    # Sent during the pause, a code is not even tried.
    client = at("198.51.100.250")
    password(client, TEST_PASSWORD)
    client.post("/sign-in/code/", {"code": wrong_code(device)})
    device.refresh_from_db()
    assert device.throttling_failure_count == guesses
