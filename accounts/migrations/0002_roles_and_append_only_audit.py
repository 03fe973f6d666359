"""Create the role groups, and make the audit tables append-only in the database itself.

The triggers refuse UPDATE and DELETE for every database role, including the one the
application connects as, so no bug or compromised process can rewrite who saw what.
"""

from django.db import migrations

ROLES = ["partner", "coordinator", "committee", "agency_admin", "system_admin"]
AUDIT_TABLES = ["accounts_accesslog", "accounts_auditevent"]

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION tandem_refuse_audit_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit rows in % cannot be changed or deleted', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def trigger_sql(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION tandem_refuse_audit_change();"
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunSQL(CREATE_FUNCTION, "DROP FUNCTION IF EXISTS tandem_refuse_audit_change();"),
        *[
            migrations.RunSQL(trigger_sql(table), f"DROP TRIGGER {table}_append_only ON {table};")
            for table in AUDIT_TABLES
        ],
    ]
