"""The matrix asks about every persona of the shared partnership (tests/conftest.py)."""

from __future__ import annotations

from dataclasses import fields

from accounts.models import User
from tests.conftest import Partnership
from tests.security.world import ANONYMOUS, PERSONAS


def test_the_matrix_asks_about_every_persona_of_the_partnership():
    personas = {f.name for f in fields(Partnership) if f.type in ("User", User)}
    assert personas == set(PERSONAS) - {ANONYMOUS}, (
        "add the new persona to PERSONAS in tests/security/world.py and give it a status "
        "in every route of tests/security/matrix.py"
    )
