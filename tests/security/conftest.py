"""Fixtures for the access matrix: one world per module, one signed-in session per persona.

The matrix makes hundreds of requests, so the world is built once per module inside an
outer transaction that is rolled back when the module ends. Each test runs in its own
savepoint (pytest-django's `db`), so a test that deactivates an account or signs out
leaves nothing behind for the next one.

Modules that use `world` must not also use the `partnership` fixture: both create the
same agencies.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from accounts.two_factor import LAST_SEEN, SIGNED_IN_AT
from tests.conftest import signed_in_client
from tests.security.world import ANONYMOUS, PERSONAS, World, build_world


@pytest.fixture(scope="module")
def world_sessions(django_db_setup, django_db_blocker) -> Iterator[tuple[World, dict[str, str]]]:
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        # One signed-in session per persona, kept for the module; a test that changes or
        # ends it does so inside its own savepoint.
        sessions = {
            persona: signed_in_client(world.user(persona))
            .cookies[settings.SESSION_COOKIE_NAME]
            .value
            for persona in PERSONAS
            if persona != ANONYMOUS
        }
        yield world, sessions
        transaction.set_rollback(True)


@pytest.fixture
def world(world_sessions, db) -> World:
    return world_sessions[0]


@pytest.fixture
def client_as(world_sessions, db) -> Callable[[str], Client]:
    """A fresh client for a persona, signed in with both factors (or anonymous)."""
    sessions = world_sessions[1]

    def make(persona: str) -> Client:
        client = Client()
        if persona != ANONYMOUS:
            client.cookies[settings.SESSION_COOKIE_NAME] = sessions[persona]
            # The module's sessions were signed in when it started; on a slow machine the
            # matrix outlasts the idle timeout and the re-authentication window. Each test
            # is as if the persona had just signed in (the write is undone with the test).
            session = client.session
            session[SIGNED_IN_AT] = session[LAST_SEEN] = int(time.time())
            session.save()
        return client

    return make
