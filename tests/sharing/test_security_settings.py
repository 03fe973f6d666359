"""The Configuration section of SECURITY.md, each item shown on a real response or setting."""

import importlib
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-like-secret-key-with-enough-length-and-entropy-1234567890",
    "ALLOWED_HOSTS": "tandem.example.gov.uk",
}


def production_settings():
    """Import config.settings afresh as a deployment with only the required variables would."""
    saved = dict(os.environ)
    try:
        for name in ("DEBUG", "SECURE_COOKIES", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
            os.environ.pop(name, None)
        os.environ.update(PRODUCTION_ENV)
        import config.settings as module

        return importlib.reload(module)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_check_deploy_passes_with_production_values():
    env = {**os.environ, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("SECURE_COOKIES", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_requires_a_secret_key():
    env = {**os.environ, "DEBUG": "false", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("SECRET_KEY", None)
    env.pop("SECRET_KEY_FILE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_secret_key_can_come_from_a_mounted_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("key-from-a-file-0123456789-0123456789-0123456789\n")
    saved = dict(os.environ)
    try:
        os.environ["SECRET_KEY_FILE"] = str(secret)
        module = production_settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert module.SECRET_KEY == "key-from-a-file-0123456789-0123456789-0123456789"


def test_a_malformed_boolean_stops_start_up():
    from django.core.exceptions import ImproperlyConfigured

    from config.env import env_bool

    os.environ["TANDEM_TEST_FLAG"] = "maybe"
    try:
        with pytest.raises(ImproperlyConfigured, match="TANDEM_TEST_FLAG"):
            env_bool("TANDEM_TEST_FLAG", False)
    finally:
        del os.environ["TANDEM_TEST_FLAG"]


def test_production_hashes_passwords_with_argon2():
    module = production_settings()
    assert module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_production_cookies_are_host_prefixed_secure_and_lax():
    module = production_settings()
    assert module.SESSION_COOKIE_NAME == "__Host-sessionid"
    assert module.CSRF_COOKIE_NAME == "__Host-csrftoken"
    assert module.SESSION_COOKIE_SECURE and module.CSRF_COOKIE_SECURE
    assert module.SESSION_COOKIE_SAMESITE == module.CSRF_COOKIE_SAMESITE == "Lax"
    assert module.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_password_rules_need_12_characters_and_refuse_common_passwords():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short1!", "password1234", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("a long and unusual sentence")


def test_sign_in_page_sets_host_prefixed_secure_cookies():
    response = Client().get("/sign-in/")
    cookie = response.cookies[settings.CSRF_COOKIE_NAME]
    assert settings.CSRF_COOKIE_NAME.startswith("__Host-")
    assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"]
    assert cookie["samesite"] == "Lax"


def test_security_headers_are_sent(partnership, client_for):
    response = client_for(partnership.coordinator).get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_content_security_policy_uses_a_nonce_that_the_inline_script_carries(
    partnership, client_for
):
    response = client_for(partnership.coordinator).get("/")
    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">'.encode() in response.content
    assert "unsafe-inline" not in policy


def test_each_response_gets_a_fresh_nonce(partnership, client_for):
    client = client_for(partnership.coordinator)
    first = client.get("/")["Content-Security-Policy"]
    second = client.get("/")["Content-Security-Policy"]
    assert first != second


def test_signed_in_pages_are_not_stored(partnership, client_for):
    response = client_for(partnership.coordinator).get("/panels/")
    assert "no-store" in response["Cache-Control"]


def test_half_signed_in_pages_are_not_stored(partnership):
    client = Client()
    client.post("/sign-in/", {"username": "alice", "password": "correct horse battery staple"})
    assert "no-store" in client.get("/sign-in/code/")["Cache-Control"]


def test_plain_http_is_redirected_to_https_in_production(settings):
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/sign-in/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_oversized_uploads_are_refused(partnership, client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = client_for(partnership.agency_admin)
    response = client.post(
        "/sharing/accounts/new/",
        {"first_name": "x" * 4096},
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400


def test_session_idle_and_absolute_limits_are_30_minutes_and_12_hours():
    module = production_settings()
    assert module.SESSION_IDLE_TIMEOUT.total_seconds() == 30 * 60
    assert module.SESSION_ABSOLUTE_TIMEOUT.total_seconds() == 12 * 3600
