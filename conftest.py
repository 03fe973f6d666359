"""Test set-up shared by tests/ and bench/tests/: the test database is built by the owner
role and the tests connect as the application's role (tests/database_roles.py)."""

from tests.database_roles import (  # noqa: F401 (pytest fixtures, found by name)
    as_database_owner,
    database_roles,
    django_db_modify_db_settings,
    django_db_setup,
)

# The check that every page was opened in a browser journey, run once for the whole run.
pytest_plugins = ["tests.e2e.coverage"]
