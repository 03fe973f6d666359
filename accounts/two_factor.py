"""The second factor: a time-based one-time code from an authenticator app, or a backup code.

A password alone never signs anyone in. After the password, the session holds only a
"pending" marker for a few minutes; the user is signed in when a code is verified.
"""

from __future__ import annotations

import secrets
import time

from django.conf import settings
from django.contrib.auth import login, user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.audit import audit
from accounts.models import User, Verb

PENDING_KEY = "pending_sign_in"
BACKUP_CODE_COUNT = 10
SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen"


def begin_sign_in(request: HttpRequest, user: User) -> None:
    """Remember who gave a correct password, on a fresh session key."""
    request.session.cycle_key()
    request.session[PENDING_KEY] = {"user_id": user.pk, "at": int(time.time())}


def begin_checked_together(request: HttpRequest, username: str, user: User | None) -> None:
    """Go on to the code whether or not the password was right (`user` is None when it was
    not), so that the answer to a guess says nothing until the code is given too."""
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user_id": user.pk if user is not None else None,
        "username": username,
        "at": int(time.time()),
        "together": True,
    }


def _pending(request: HttpRequest) -> dict | None:
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return None
    if time.time() - pending["at"] > settings.SIGN_IN_CODE_WINDOW.total_seconds():
        del request.session[PENDING_KEY]
        return None
    return pending


def pending_user(request: HttpRequest) -> User | None:
    """Who gave a correct password and is asked for a code (never while checked together)."""
    pending = _pending(request)
    if pending is None or pending.get("together"):
        return None
    return User.objects.filter(pk=pending["user_id"], is_active=True).first()


def pending_together(request: HttpRequest) -> tuple[str, User | None] | None:
    """While the password and code are checked together: the username given, and its user
    only if the password was right; None when no such sign-in is under way."""
    pending = _pending(request)
    if pending is None or not pending.get("together"):
        return None
    user = None
    if pending["user_id"] is not None:
        user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    return pending["username"], user


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def enrolment_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up; the same one until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def seconds_until_next_try(user: User) -> int:
    """After a wrong code django-otp refuses codes for a growing pause; 0 when none."""
    from django.utils import timezone

    waits = []
    for device in TOTPDevice.objects.devices_for_user(user, confirmed=True):
        allowed, detail = device.verify_is_allowed()
        if not allowed and detail and detail.get("locked_until"):
            waits.append((detail["locked_until"] - timezone.now()).total_seconds())
    return max(0, int(max(waits, default=0)) + 1) if waits else 0


def wait_message(seconds: int) -> str:
    """What to tell someone inside django-otp's pause after a wrong code."""
    unit = "second" if seconds == 1 else "seconds"
    return f"Wait {seconds} {unit}, then enter the code your app shows"


def verify_code(user: User, code: str) -> Device | None:
    """The device that accepts this code (authenticator first, then a backup code)."""
    code = "".join(code.split())
    if not code:
        return None
    for device in TOTPDevice.objects.devices_for_user(user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(code):
            return device
    for device in StaticDevice.objects.devices_for_user(user, confirmed=True):
        if device.verify_token(code.lower()):
            return device
    return None


def record_failed_code(request: HttpRequest, user: User) -> None:
    """A wrong code counts towards the account's lock-out, like a wrong password."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.username}, request=request
    )


def issue_backup_codes(user: User, count: int = BACKUP_CODE_COUNT) -> list[str]:
    """Replace the user's backup codes; each works once."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name="Backup codes", defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [secrets.token_hex(4) for _ in range(count)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def confirm_enrolment(user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the new authenticator if the code is right; returns fresh backup codes."""
    if not device.verify_token("".join(code.split())):
        return None
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = issue_backup_codes(user)
        audit(actor=user, verb=Verb.SECOND_FACTOR_ENROLLED, target=user)
    return codes


def complete_sign_in(request: HttpRequest, user: User, device: Device) -> None:
    """Both factors given: sign in on a new session key and start the session clocks."""
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now
    audit(actor=user, verb=Verb.SIGNED_IN, target=user)
