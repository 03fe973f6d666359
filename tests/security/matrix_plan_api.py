"""Access matrix rows for the action plan plan_api routes (vocabulary in dsl.py)."""

from __future__ import annotations

from tests.security.dsl import Route

PLAN_API_ROUTES: tuple[Route, ...] = ()
