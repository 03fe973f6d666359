"""Refuse TRUNCATE on the audit tables, for every role.

The row triggers of 0002 do not fire on TRUNCATE, which empties a table without deleting
its rows one by one; a statement-level trigger refuses it. The application's role has no
TRUNCATE privilege either (0004); this stops the owner role, or a superuser, emptying the
tables by accident: they would have to disable the trigger first, on purpose.
"""

from django.db import migrations

AUDIT_TABLES = ["accounts_accesslog", "accounts_auditevent"]


def trigger_sql(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION tandem_refuse_audit_change();"
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_governance_lead_role")]

    operations = [
        migrations.RunSQL(trigger_sql(table), f"DROP TRIGGER {table}_no_truncate ON {table};")
        for table in AUDIT_TABLES
    ]
