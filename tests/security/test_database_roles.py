"""Append-only means to the application's own database role too (SECURITY.md, pitfall 9).

The tests' connection is the app role (tests/database_roles.py), as the web, worker and
beat processes are in service: it may INSERT and SELECT audit rows and nothing else on
those tables, owns no table, and is no superuser. The owner role, which runs the
migrations, meets the database's own triggers.
"""

from __future__ import annotations

import psycopg
import pytest
from django.conf import settings
from django.db import ProgrammingError, connection, transaction

from accounts.models import AccessLog, AccessOutcome, AuditEvent
from retention.models import DeletionLog
from tests.database_roles import AUDIT_TABLES
from tests.factories import make_agency

pytestmark = pytest.mark.django_db

# Every way the app role might try to empty, rewrite or unguard an audit table.
ATTEMPTS = {
    "update": "UPDATE {table} SET object_id = 'rewritten'",
    "delete": "DELETE FROM {table}",
    "truncate": "TRUNCATE {table}",
    "truncate cascade": "TRUNCATE {table} CASCADE",
    "disable a trigger": "ALTER TABLE {table} DISABLE TRIGGER {table}_append_only",
    "disable the truncate trigger": "ALTER TABLE {table} DISABLE TRIGGER {table}_no_truncate",
    "disable user triggers": "ALTER TABLE {table} DISABLE TRIGGER USER",
    "disable all triggers": "ALTER TABLE {table} DISABLE TRIGGER ALL",
    "alter a column": "ALTER TABLE {table} ALTER COLUMN object_id TYPE text",
    "rename": "ALTER TABLE {table} RENAME TO {table}_old",
    "drop": "DROP TABLE {table}",
    "change owner": "ALTER TABLE {table} OWNER TO CURRENT_USER",
    "replica mode": "SET session_replication_role = replica",
}


def _one_row_each() -> None:
    AuditEvent.objects.create(verb="signed_in", object_type="accounts.user", object_id="1")
    AccessLog.objects.create(
        outcome=AccessOutcome.ALLOWED,
        object_type="panels.panel",
        object_id="1",
        endpoint="/panels/1/",
    )
    DeletionLog.objects.create(agency=make_agency("deleting"), object_id="1", rule="A rule")


def _scalar(sql: str, params: list | None = None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def test_the_tests_connect_as_the_app_role_which_is_no_superuser_and_owns_nothing():
    user = _scalar("SELECT current_user")
    assert user == settings.DATABASE_APP_ROLE
    assert _scalar("SELECT session_user") == user  # logged in as it, not SET ROLE
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls "
            "FROM pg_roles WHERE rolname = current_user"
        )
        assert cursor.fetchone() == (False, False, False, False, False)
    # No table, view, sequence or index, no function, schema or database is its own...
    assert _scalar("SELECT count(*) FROM pg_class WHERE relowner = current_user::regrole") == 0
    assert _scalar("SELECT count(*) FROM pg_proc WHERE proowner = current_user::regrole") == 0
    assert _scalar("SELECT count(*) FROM pg_namespace WHERE nspowner = current_user::regrole") == 0
    assert _scalar("SELECT count(*) FROM pg_database WHERE datdba = current_user::regrole") == 0
    # ...nor can it act as the role that owns them.
    assert not _scalar(
        "SELECT bool_or(pg_has_role(current_user, relowner, 'USAGE')) FROM pg_class "
        "WHERE relnamespace = 'public'::regnamespace"
    )


@pytest.mark.parametrize("table", AUDIT_TABLES)
@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_the_app_role_cannot_change_empty_or_unguard_an_audit_table(table, attempt):
    _one_row_each()
    with pytest.raises(ProgrammingError, match="permission denied|must be owner"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(ATTEMPTS[attempt].format(table=table))
    assert _scalar(f"SELECT count(*) FROM {table} WHERE object_id = '1'") == 1  # noqa: S608


def test_the_app_role_inserts_and_reads_audit_rows():
    _one_row_each()
    assert AuditEvent.objects.filter(object_id="1").count() == 1
    assert AccessLog.objects.filter(object_id="1").count() == 1
    assert DeletionLog.objects.filter(object_id="1").count() == 1
    with connection.cursor() as cursor:
        for table in AUDIT_TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            assert cursor.fetchone()[0] >= 1


def test_the_app_role_has_only_select_and_insert_on_audit_tables_and_dml_elsewhere():
    privileges = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
    held = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
            "AND relkind IN ('r', 'p')"
        )
        tables = [name for (name,) in cursor.fetchall()]
        for table in tables:
            held[table] = {
                privilege
                for privilege in privileges
                if _scalar("SELECT has_table_privilege(%s, %s)", [table, privilege])
            }
    assert len(tables) > 50
    for table in tables:
        expected = (
            {"SELECT", "INSERT"}
            if table in AUDIT_TABLES
            else {"SELECT", "INSERT", "UPDATE", "DELETE"}
        )
        assert held[table] == expected, table
    assert not _scalar("SELECT has_schema_privilege('public', 'CREATE')")


@pytest.fixture
def owner(database_roles):
    """The owner role on its own connection, in a transaction that is rolled back."""
    with database_roles.owner_connection() as conn:
        conn.execute("SET lock_timeout = '10s'")
        yield conn
        conn.rollback()


OWNER_INSERTS = {
    "accounts_auditevent": "INSERT INTO accounts_auditevent (at, verb, object_type, object_id, "
    "detail) VALUES (now(), 'signed_in', 'accounts.user', '1', '{}')",
    "accounts_accesslog": "INSERT INTO accounts_accesslog (at, outcome, object_type, object_id, "
    "endpoint, purpose) VALUES (now(), 'allowed', 'panels.panel', '1', '/panels/1/', '')",
    # The log names the deleting agency: the owner makes one of its own to name.
    "retention_deletionlog": "WITH g AS (INSERT INTO auth_group (name) VALUES ('owner-test') "
    "RETURNING id), a AS (INSERT INTO accounts_agency (name, code, kind, active, group_id) "
    "SELECT 'Owner test', 'owner-test', 'police', true, id FROM g RETURNING id) "
    "INSERT INTO retention_deletionlog (at, agency_id, object_type, object_id, rule, counts) "
    "SELECT now(), id, 'offenders.nominal', '2', 'A rule', '{}' FROM a",
}


@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_the_owner_meets_the_triggers_even_for_truncate(owner, table):
    """The owner could lift the triggers on purpose (ALTER TABLE); it cannot by accident."""

    def refused():
        return pytest.raises(psycopg.errors.InsufficientPrivilege, match="cannot be changed")

    with refused(), owner.transaction():
        owner.execute(f"TRUNCATE {table}")  # type: ignore[arg-type]
    # A row of its own to aim at (the app's rows are in the test's open transaction).
    owner.execute(OWNER_INSERTS[table])  # type: ignore[arg-type]
    for statement in (f"DELETE FROM {table}", f"UPDATE {table} SET at = at"):  # noqa: S608
        with refused(), owner.transaction():
            owner.execute(statement)  # type: ignore[arg-type]


def test_a_table_a_later_migration_creates_gets_the_app_roles_grants(owner):
    owner.execute("CREATE TABLE tandem_later_table (id bigint GENERATED BY DEFAULT AS IDENTITY)")
    app = settings.DATABASE_APP_ROLE
    row = owner.execute(
        "SELECT has_table_privilege(%(app)s, 'tandem_later_table', 'SELECT, INSERT, UPDATE, "
        "DELETE'), has_table_privilege(%(app)s, 'tandem_later_table', 'TRUNCATE'), "
        "has_sequence_privilege(%(app)s, pg_get_serial_sequence('tandem_later_table', 'id'), "
        "'USAGE')",
        {"app": app},
    ).fetchone()
    assert row == (True, False, True)
