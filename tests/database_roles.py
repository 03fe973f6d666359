"""The tests connect as the application's database role; the owner role builds the database.

As in service, the test database is created and migrated by the owner role, and every test
then runs as the app role, which owns nothing and may only SELECT and INSERT audit rows.

Who the roles are:
- `DATABASE_OWNER_URL` set (as `make test` sets it for the embedded PostgreSQL): the owner
  logs in as that URL's user, the tests as `DATABASE_URL`'s user;
- otherwise `DATABASE_URL` must name a superuser (CI's `postgres`), who creates the two
  roles of config/dbroles.py on that server; the tests then log in as them.

The fixtures here are pytest-django's hooks, installed by the root conftest.py (so the
benchmarks' tests in bench/tests get them too).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import dj_database_url
import psycopg
import pytest
from django.conf import settings
from django.db import connections
from django.db.backends.postgresql.operations import DatabaseOperations

from config import dbroles

# The append-only tables: the audit trail, the access log and the deletion log.
AUDIT_TABLES = ("accounts_accesslog", "accounts_auditevent", "retention_deletionlog")


@dataclass(frozen=True)
class Login:
    user: str
    password: str

    @property
    def settings(self) -> dict[str, str]:
        return {"USER": self.user, "PASSWORD": self.password}


@dataclass(frozen=True)
class DatabaseRoles:
    owner: Login
    app: Login

    def owner_connection(
        self, db: dict[str, Any] | None = None, **options: Any
    ) -> psycopg.Connection:
        """A plain psycopg connection as the owner role to the (test) database of `db`, a
        connection's settings (by default the default connection's)."""
        return psycopg.connect(**_conninfo(self.owner, db), **options)


def _conninfo(login: Login | None = None, db: dict[str, Any] | None = None) -> dict[str, Any]:
    db = db or connections["default"].settings_dict
    info = {
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
        "dbname": db["NAME"],
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
    }
    if login is not None:
        info.update(user=login.user, password=login.password or None)
    return {key: value for key, value in info.items() if value is not None}


def resolve_roles() -> DatabaseRoles:
    db = connections["default"].settings_dict
    here = Login(db["USER"], db["PASSWORD"] or "")
    owner_url = os.environ.get("DATABASE_OWNER_URL")
    if owner_url:
        owner = dj_database_url.parse(owner_url)
        return DatabaseRoles(owner=Login(owner["USER"], owner["PASSWORD"] or ""), app=here)
    admin = {**_conninfo(), "dbname": "postgres"}
    if not dbroles.is_superuser(admin):
        raise pytest.UsageError(
            f"DATABASE_URL logs in as {here.user!r}, which is not a superuser: name the owner "
            "role in DATABASE_OWNER_URL, or give a superuser's URL to set the roles up."
        )
    test_name = db["TEST"].get("NAME") or f"test_{db['NAME']}"
    dbroles.provision(admin, test_database=test_name)
    return DatabaseRoles(
        owner=Login(dbroles.OWNER_ROLE, here.password), app=Login(dbroles.APP_ROLE, here.password)
    )


def act_as(login: Login) -> None:
    """Log the default connection in as `login` from its next query on."""
    connection = connections["default"]
    connection.close()
    connection.settings_dict.update(login.settings)
    settings.DATABASES["default"].update(login.settings)


def _flush_as_owner(roles: DatabaseRoles) -> Callable[[Any, list[str]], None]:
    """`execute_sql_flush` for the tests' connections: the app role may not TRUNCATE, so the
    owner empties the tables between transactional tests, lifting the audit tables'
    TRUNCATE guard inside that one transaction (nobody else ever sees it lifted).

    It replaces the method on the class: a connection object is per thread and per context
    (the browser tests' Playwright runs them in another), so patching one would miss some."""

    def execute_sql_flush(ops: Any, sql_list: list[str]) -> None:
        with roles.owner_connection(ops.connection.settings_dict) as owner:  # one transaction
            for table in AUDIT_TABLES:
                owner.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_no_truncate")
            for statement in sql_list:
                owner.execute(statement)
            for table in AUDIT_TABLES:
                owner.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_no_truncate")

    return execute_sql_flush


@pytest.fixture(scope="session")
def database_roles() -> DatabaseRoles:
    roles = resolve_roles()
    settings.DATABASE_APP_ROLE = roles.app.user  # whom the migrations grant to
    return roles


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, database_roles: DatabaseRoles
) -> None:
    """The owner creates and migrates the test database."""
    act_as(database_roles.owner)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, database_roles: DatabaseRoles) -> Iterator[None]:
    """Then every test runs as the app role; the owner takes over again for the teardown."""
    act_as(database_roles.app)
    original_flush = DatabaseOperations.execute_sql_flush
    DatabaseOperations.execute_sql_flush = _flush_as_owner(database_roles)  # type: ignore[method-assign, assignment]
    yield
    DatabaseOperations.execute_sql_flush = original_flush  # type: ignore[method-assign]
    act_as(database_roles.owner)


@pytest.fixture(scope="session")
def as_database_owner(
    database_roles: DatabaseRoles,
) -> Callable[[], AbstractContextManager[None]]:
    """For the benchmarks' tests, which build scratch databases and migrate them: the
    default connection logs in as the owner inside the block."""

    @contextmanager
    def owner() -> Iterator[None]:
        before = Login(
            connections["default"].settings_dict["USER"],
            connections["default"].settings_dict["PASSWORD"] or "",
        )
        act_as(database_roles.owner)
        try:
            yield
        finally:
            act_as(before)

    return owner
