"""Access matrix rows for the action plan plan routes (vocabulary in dsl.py)."""

from __future__ import annotations

from tests.security.dsl import Route

PLAN_ROUTES: tuple[Route, ...] = ()
