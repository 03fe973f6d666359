"""`next` after sign-in only ever leads to a page of this service (SECURITY.md pitfall 4)."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

FOREIGN_NEXTS = [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https:evil.example",
    "http://testserver@evil.example/",
    " https://evil.example/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
]


def sign_in(client: Client, user, next_url: str):
    """The full two-step sign-in: password, then the current authenticator code."""
    client.post(
        "/sign-in/", {"username": user.username, "password": TEST_PASSWORD, "next": next_url}
    )
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return client.post("/sign-in/code/", {"code": f"{code:0{device.digits}d}"})


@pytest.mark.parametrize("next_url", FOREIGN_NEXTS)
def test_sign_in_with_a_foreign_next_ends_at_the_dashboard(partnership, next_url):
    client = Client()

    response = sign_in(client, partnership.coordinator, next_url)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200  # really signed in


def test_sign_in_with_a_next_page_of_this_service_ends_there(partnership):
    response = sign_in(Client(), partnership.coordinator, "/panels/?sort=kind")

    assert response.status_code == 302
    assert response["Location"] == "/panels/?sort=kind"
