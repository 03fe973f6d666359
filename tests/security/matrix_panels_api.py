"""Access matrix rows for the panel panels_api routes (vocabulary in dsl.py)."""

from __future__ import annotations

from tests.security.dsl import Route

PANELS_API_ROUTES: tuple[Route, ...] = ()
