"""Test settings: production settings with a fast password hasher and eager Celery.

Everything else, including secure cookies, CSP and the session rules, stays as in
production so the tests exercise what is deployed.
"""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-used-anywhere-else-0123456789")


def _redis_for_worker(url: str, worker: str) -> str:
    """Each parallel test worker (pytest-xdist's gw0, gw1...) its own Redis database, as it
    has its own test database: queues, locks and caches of one never reach another."""
    if not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    number = parts.path.strip("/")
    database = int(number) if number.isdigit() else 0
    return urlunsplit(parts._replace(path=f"/{database + 1 + int(worker[2:])}"))


# Once, in the test process itself: the Celery workers it starts inherit the worker's name
# but are handed the REDIS_URL they must use, already chosen.
if os.environ.get("TEST_REDIS_CHOSEN") != "1":
    os.environ["REDIS_URL"] = _redis_for_worker(
        os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        os.environ.get("PYTEST_XDIST_WORKER", ""),
    )
    os.environ["TEST_REDIS_CHOSEN"] = "1"

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The real-worker tests send with send_task, which never runs eagerly.
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The test client speaks plain http; HTTPS redirection is tested by overriding this.
SECURE_SSL_REDIRECT = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
