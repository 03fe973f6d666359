"""Create the information governance lead's role group."""

from django.db import migrations

ROLE = "governance_lead"


def create_role(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name=ROLE)


def remove_role(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=ROLE).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_roles_and_append_only_audit")]

    operations = [migrations.RunPython(create_role, remove_role)]
