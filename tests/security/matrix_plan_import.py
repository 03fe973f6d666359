"""Access matrix rows for the action plan import routes (vocabulary in dsl.py)."""

from __future__ import annotations

from tests.security.dsl import Route

PLAN_IMPORT_ROUTES: tuple[Route, ...] = ()
