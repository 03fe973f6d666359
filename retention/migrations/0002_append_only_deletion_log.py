"""Make the deletion log append-only, as the audit trail is (accounts 0002, 0004, 0005).

The row triggers refuse UPDATE and DELETE, and the statement trigger TRUNCATE, for every
database role; the application's role may only SELECT and INSERT on the table, so it can
neither rewrite the log nor lift its triggers (it owns nothing).
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import migrations

TABLE = "retention_deletionlog"


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
    schema_editor.execute(f"REVOKE ALL ON {TABLE} FROM {app}")
    schema_editor.execute(f"GRANT SELECT, INSERT ON {TABLE} TO {app}")


def revoke(apps, schema_editor):
    app = _app_role(schema_editor)
    schema_editor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {TABLE} TO {app}")


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0001_initial"),
        # The trigger function, and the app role's default privileges.
        ("accounts", "0005_app_role_privileges"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION tandem_refuse_audit_change();",
            f"DROP TRIGGER {TABLE}_append_only ON {TABLE};",
        ),
        migrations.RunSQL(
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION tandem_refuse_audit_change();",
            f"DROP TRIGGER {TABLE}_no_truncate ON {TABLE};",
        ),
        migrations.RunPython(grant, revoke),
    ]
