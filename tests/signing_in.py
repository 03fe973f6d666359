"""A test client signed in with both factors, as the sign-in pages leave it.

One definition for the tests and the benchmarks, kept apart from both so that importing it
loads nothing heavy.
"""

from __future__ import annotations

import time

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.two_factor import LAST_SEEN, SIGNED_IN_AT


def signed_in_client(user: User) -> Client:
    """A client signed in with both factors, as the sign-in pages leave it (as in tests)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session[SIGNED_IN_AT] = session[LAST_SEEN] = int(time.time())
    session.save()
    return client


def age_authentication(client: Client, minutes: float) -> Client:
    """Make the client's last password or code check `minutes` old, as if it signed in then
    (the session itself stays live: only the re-authentication clock moves)."""
    session = client.session
    then = int(time.time() - minutes * 60)
    session[SIGNED_IN_AT] = then
    session.pop("reauthenticated_at", None)
    session[LAST_SEEN] = int(time.time())
    session.save()
    return client
