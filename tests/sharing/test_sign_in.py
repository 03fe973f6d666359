"""Sign-in: password plus a second factor, lock-out, timeouts and session rotation."""

import time

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent, Role, Verb
from accounts.two_factor import LAST_SEEN, SIGNED_IN_AT, issue_backup_codes
from tests.factories import TEST_PASSWORD, make_user

pytestmark = pytest.mark.django_db


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def give_password(client: Client, username: str, password: str = TEST_PASSWORD, **extra):
    return client.post("/sign-in/", {"username": username, "password": password, **extra})


def test_password_alone_does_not_sign_in(partnership):
    client = Client()
    response = give_password(client, "alice")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/code/"
    assert client.get("/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_and_code_sign_in_on_a_new_session_key(partnership):
    client = Client()
    client.get("/sign-in/")
    give_password(client, "alice")
    key_after_password = client.session.session_key
    device = TOTPDevice.objects.get(user=partnership.coordinator)

    response = client.post("/sign-in/code/", {"code": current_code(device)})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session.session_key != key_after_password
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert b"Council CST" in dashboard.content
    assert AuditEvent.objects.filter(verb=Verb.SIGNED_IN, actor=partnership.coordinator).exists()


def test_wrong_code_is_refused_with_a_clear_message(partnership):
    client = Client()
    give_password(client, "alice")
    response = client.post("/sign-in/code/", {"code": "000000"})
    assert response.status_code == 200
    assert b"The security code is not correct" in response.content
    assert b"govuk-error-summary" in response.content
    assert "_auth_user_id" not in client.session


def test_backup_code_works_once(partnership):
    codes = issue_backup_codes(partnership.coordinator)
    first = Client()
    give_password(first, "alice")
    assert first.post("/sign-in/code/", {"code": codes[0]}).status_code == 302

    second = Client()
    give_password(second, "alice")
    response = second.post("/sign-in/code/", {"code": codes[0]})
    assert response.status_code == 200
    assert StaticDevice.objects.get(user=partnership.coordinator).token_set.count() == 9


def test_wrong_password_gives_one_message_for_unknown_and_known_users(partnership):
    for username in ("alice", "nobody-by-this-name"):
        response = give_password(Client(), username, "wrong password here")
        assert b"Enter a correct username and password" in response.content


def test_five_failed_attempts_from_one_address_pause_it_even_with_the_right_password(
    partnership,
):
    for _ in range(5):
        give_password(Client(), "alice", "wrong password here")
    response = give_password(Client(), "alice")
    assert response.status_code == 429
    assert b"Too many attempts to sign in" in response.content
    assert b"30 minutes" in response.content
    # From another address the account is not locked (tests/accounts/test_sign_in_guessing.py).
    assert give_password(Client(REMOTE_ADDR="192.0.2.10"), "alice").status_code == 302


def test_wrong_codes_count_towards_the_lock_out(partnership):
    client = Client()
    give_password(client, "alice")
    device = TOTPDevice.objects.get(user=partnership.coordinator)
    for _ in range(5):
        # as if the person waited out django-otp's pause between attempts
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
        response = client.post("/sign-in/code/", {"code": "123456"})
    assert response.status_code == 429
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=None, throttling_failure_count=0
    )
    fresh = Client()
    assert give_password(fresh, "alice").status_code == 429
    assert fresh.post("/sign-in/code/", {"code": current_code(device)}).status_code == 302
    assert fresh.get("/").status_code == 302


def test_other_accounts_are_not_locked_by_one_accounts_failures(partnership):
    for _ in range(5):
        give_password(Client(), "alice", "wrong password here")
    assert give_password(Client(), "bob").status_code == 302


def test_first_sign_in_enrols_an_authenticator_and_shows_backup_codes(partnership):
    newcomer = make_user(partnership.police, Role.PARTNER, username="newcomer", device=False)
    client = Client()
    response = give_password(client, "newcomer")
    assert response["Location"] == "/sign-in/set-up/"

    page = client.get("/sign-in/set-up/")
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=newcomer, confirmed=False)
    response = client.post("/sign-in/set-up/", {"code": current_code(device)})

    assert response["Location"] == "/sign-in/backup-codes/"
    codes_page = client.get("/sign-in/backup-codes/")
    assert codes_page.content.count(b"<li>") >= 10
    assert client.get("/sign-in/backup-codes/").status_code == 302  # shown once only
    device.refresh_from_db()
    assert device.confirmed


def test_enrolment_cannot_be_skipped_by_going_to_the_code_page(partnership):
    make_user(partnership.police, Role.PARTNER, username="newcomer", device=False)
    client = Client()
    give_password(client, "newcomer")
    response = client.get("/sign-in/code/")
    assert response["Location"] == "/sign-in/set-up/"


def test_code_page_without_a_password_first_goes_back_to_sign_in(partnership):
    assert Client().get("/sign-in/code/")["Location"] == "/sign-in/"


def test_a_session_signed_in_without_a_second_factor_is_signed_out(partnership):
    client = Client()
    client.force_login(partnership.coordinator)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_idle_for_30_minutes_signs_out_with_a_message(partnership, client_for):
    client = client_for(partnership.coordinator)
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()

    response = client.get("/")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert b"had not done anything for 30 minutes" in page.content


def test_activity_within_30_minutes_keeps_the_session(partnership, client_for):
    client = client_for(partnership.coordinator)
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 29 * 60
    session.save()
    assert client.get("/").status_code == 200


def test_twelve_hours_after_sign_in_signs_out_even_when_active(partnership, client_for):
    client = client_for(partnership.coordinator)
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - 12 * 3600 - 60
    session[LAST_SEEN] = int(time.time())
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert b"signed in for 12 hours" in client.get(response["Location"]).content


def test_sign_out_ends_the_session_and_clears_site_data(partnership, client_for):
    client = client_for(partnership.coordinator)
    response = client.post("/sign-out/")
    assert response["Location"] == "/signed-out/"
    assert "cookies" in response["Clear-Site-Data"]
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(verb=Verb.SIGNED_OUT).count() == 1


def test_sign_out_needs_a_post(partnership, client_for):
    client = client_for(partnership.coordinator)
    assert client.get("/sign-out/").status_code == 405
    assert client.get("/").status_code == 200


def test_next_page_is_followed_after_sign_in_but_never_to_another_site(partnership):
    device = TOTPDevice.objects.get(user=partnership.coordinator)
    for next_url, expected in [("/panels/", "/panels/"), ("https://evil.example/", "/")]:
        client = Client()
        give_password(client, "alice", next=next_url)
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
        response = client.post("/sign-in/code/", {"code": current_code(device)})
        assert response["Location"] == expected


def test_a_code_sent_during_the_pause_after_a_wrong_one_asks_to_wait_and_is_not_a_failure(
    partnership,
):
    client = Client()
    give_password(client, "alice")
    client.post("/sign-in/code/", {"code": "000000"})
    device = TOTPDevice.objects.get(user=partnership.coordinator)

    response = client.post("/sign-in/code/", {"code": current_code(device)})

    assert b"Wait " in response.content
    assert b"then enter the code your app shows" in response.content
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_the_pause_after_a_wrong_code_is_worded_for_one_second_and_for_several():
    from accounts.two_factor import wait_message

    assert wait_message(1) == "Wait 1 second, then enter the code your app shows"
    assert wait_message(7) == "Wait 7 seconds, then enter the code your app shows"
