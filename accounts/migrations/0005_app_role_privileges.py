"""Grant the application's database role what it needs, and only SELECT and INSERT on the
audit trail and the access log.

Migrations run as the owner role, which owns every table; the web, worker and beat
processes connect as `settings.DATABASE_APP_ROLE`, which owns nothing (config/dbroles.py).
The default privileges make every table and sequence the owner creates later (a later
migration) usable by the app role too, with nothing more than SELECT, INSERT, UPDATE and
DELETE. Not being the owner, the app role can neither TRUNCATE nor ALTER the audit tables
(so it cannot disable their triggers), and it may not UPDATE or DELETE their rows either.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import migrations

AUDIT_TABLES = ["accounts_accesslog", "accounts_auditevent"]


def _app_role(schema_editor) -> str:
    """The app role, quoted; refuse to go on if it is missing or is who is migrating."""
    role = settings.DATABASE_APP_ROLE
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", [role]
        )
        current, exists = cursor.fetchone()
    if not exists:
        raise ImproperlyConfigured(
            f"The application's database role {role!r} (DATABASE_APP_ROLE) does not exist. "
            "Create it before migrating (README: the database roles)."
        )
    if current == role:
        raise ImproperlyConfigured(
            f"Migrations are running as the application's role {role!r}: run them as the "
            "owner role (README: the database roles), so the application owns no table."
        )
    return schema_editor.quote_name(role)


def grant(apps, schema_editor):
    app = _app_role(schema_editor)
    for statement in [
        f"GRANT USAGE ON SCHEMA public TO {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
        # Tables and sequences that later migrations create (as the same owner role).
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {app}",
        *[f"REVOKE ALL ON {table} FROM {app}" for table in AUDIT_TABLES],
        *[f"GRANT SELECT, INSERT ON {table} TO {app}" for table in AUDIT_TABLES],
    ]:
        schema_editor.execute(statement)


def revoke(apps, schema_editor):
    app = _app_role(schema_editor)
    for statement in [
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {app}",
        # (The role name is a quoted identifier, and these are not queries.)
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM {app}",  # noqa: S608
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {app}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {app}",
    ]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_refuse_audit_truncate")]

    operations = [migrations.RunPython(grant, revoke)]
