"""Access matrix rows for the panel cohort routes (vocabulary in dsl.py)."""

from __future__ import annotations

from tests.security.dsl import Route

COHORT_ROUTES: tuple[Route, ...] = ()
