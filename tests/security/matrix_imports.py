"""Access matrix rows for the panel imports routes (vocabulary in dsl.py)."""

from __future__ import annotations

from tests.security.dsl import Route

IMPORTS_ROUTES: tuple[Route, ...] = ()
