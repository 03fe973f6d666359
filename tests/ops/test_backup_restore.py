"""`make backup` and `make restore`: a backup of the demo, restored into an empty database on
the same server, serves the demo; a database with tables in it is not overwritten unless
asked. Real PostgreSQL, with the server's own pg_dump and pg_restore (missing ones fail the
test, never skip it)."""

import os
import subprocess
from contextlib import contextmanager

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from psycopg import errors, sql

from accounts.models import AuditEvent
from config import backup
from demo.borough import ensure_borough
from demo.nominals import ensure_demo_nominals
from offenders.models import Nominal
from panels.models import Panel, PanelKind
from tests.sharing.test_sign_in import current_code

DEMO_PASSWORD = "kingsmere-demo-password"  # noqa: S105 (the demo's, printed by seed_demo)


def url(login, database: str) -> str:
    db = connection.settings_dict
    password = f":{login.password}" if login.password else ""
    return f"postgres://{login.user}{password}@{db['HOST']}:{db['PORT']}/{database}"


def drop(owner_url: str, database: str) -> None:
    admin = backup.conninfo(owner_url, dbname="postgres")
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )


@pytest.fixture
def restored_name(database_roles):
    name = f"{connection.settings_dict['NAME']}_restored_{os.getpid()}"
    owner_url = url(database_roles.owner, "postgres")
    drop(owner_url, name)
    yield name
    drop(owner_url, name)


@pytest.fixture
def demo():
    """The demo borough: its agencies, staff, panels, agreements and named people on the
    panels (the meetings and years of history `make run` adds take a minute to make)."""
    borough = ensure_borough(password=DEMO_PASSWORD)
    ensure_demo_nominals(borough)
    return borough


def test_the_servers_own_pg_dump_and_pg_restore_are_found():
    info = backup.conninfo(url(_current_login(), connection.settings_dict["NAME"]))
    major = backup.server_major(info)
    for program in ("pg_dump", "pg_restore"):
        path = backup.pg_program(program, major)
        version = subprocess.run([path, "--version"], capture_output=True, text=True, check=True)
        assert f"(PostgreSQL) {major}." in version.stdout


def _current_login():
    from tests.database_roles import Login

    db = connection.settings_dict
    return Login(db["USER"], db["PASSWORD"] or "")


def test_missing_programs_are_a_clear_error_naming_the_version(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(backup, "_embedded", lambda program: None)
    with pytest.raises(backup.BackupError, match="pg_dump for PostgreSQL 15 was not found"):
        backup.pg_program("pg_dump", 15)


@contextmanager
def serving_from(database: str):
    """Django's connections point at `database` (same server, same app role) inside."""
    default = connection.settings_dict
    before = default["NAME"]
    connections.close_all()
    default["NAME"] = settings.DATABASES["default"]["NAME"] = database
    try:
        yield
    finally:
        connections.close_all()
        default["NAME"] = settings.DATABASES["default"]["NAME"] = before


def sign_in_and_open_the_cohort() -> dict:
    """Sign in through the sign-in pages as the demo coordinator, with the demo password and
    the current code of the restored authenticator; open the IOM panel's cohort tracker."""
    call_command("check", fail_level="ERROR")
    client = Client()
    seen: dict = {}
    given = client.post("/sign-in/", {"username": "coordinator", "password": DEMO_PASSWORD})
    seen["password"] = given.status_code, given.get("Location")
    device = TOTPDevice.objects.get(user__username="coordinator", confirmed=True)
    coded = client.post("/sign-in/code/", {"code": current_code(device)})
    seen["code"] = coded.status_code, coded.get("Location")
    seen["dashboard"] = client.get("/").status_code
    panel = Panel.objects.get(kind=PanelKind.IOM)
    tracker = client.get(f"/panels/{panel.pk}/cohort/")
    seen["tracker"] = tracker.status_code, tracker.content.decode().lower()
    return seen


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_an_empty_database_serves_the_demo_and_is_not_overwritten(
    demo, database_roles, restored_name, tmp_path
):
    source = connection.settings_dict["NAME"]
    owner = url(database_roles.owner, source)
    people = Nominal.objects.count()
    audit_rows = AuditEvent.objects.count()
    assert Nominal.objects.filter(family_name__iexact="Okoro").exists()

    dump = backup.backup(owner, tmp_path)
    assert dump.parent == tmp_path and dump.name.startswith(f"{source}-")
    assert dump.suffix == ".dump" and not list(tmp_path.glob("*.partial"))

    backup.restore(dump, owner, database=restored_name)

    restored_as_app = backup.conninfo(url(database_roles.app, restored_name))
    with psycopg.connect(**restored_as_app) as conn:
        assert conn.execute("SELECT count(*) FROM offenders_nominal").fetchone()[0] == people
        assert conn.execute("SELECT count(*) FROM accounts_auditevent").fetchone()[0] == (
            audit_rows
        )
        # The audit trail is still append-only to the app role.
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("UPDATE accounts_auditevent SET verb = verb")

    with serving_from(restored_name):
        seen = sign_in_and_open_the_cohort()
    assert seen["password"] == (302, "/sign-in/code/")
    assert seen["code"] == (302, "/")
    assert seen["dashboard"] == 200
    assert seen["tracker"][0] == 200 and "okoro" in seen["tracker"][1]

    # Now it has tables: restoring into it again is refused, and so is restoring over the
    # database the backup came from, unless told to replace it.
    restored_as_owner = backup.conninfo(url(database_roles.owner, restored_name))
    with psycopg.connect(**restored_as_owner, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept_by_someone (id int)")
    with pytest.raises(backup.BackupError, match="is not empty"):
        backup.restore(dump, owner, database=restored_name)
    with pytest.raises(backup.BackupError, match="is not empty"):
        backup.restore(dump, owner)
    with psycopg.connect(**restored_as_owner) as conn:
        assert conn.execute("SELECT to_regclass('kept_by_someone')").fetchone()[0] is not None

    backup.restore(dump, owner, database=restored_name, replace=True)
    with psycopg.connect(**restored_as_owner) as conn:
        assert conn.execute("SELECT to_regclass('kept_by_someone')").fetchone()[0] is None
        assert conn.execute("SELECT count(*) FROM offenders_nominal").fetchone()[0] == people
