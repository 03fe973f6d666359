"""Access matrix rows for the panel meetings routes (vocabulary in dsl.py)."""

from __future__ import annotations

from tests.security.dsl import Route

MEETINGS_ROUTES: tuple[Route, ...] = ()
