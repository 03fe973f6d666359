"""The models and the migrations agree, so a deploy never finds a missing migration."""

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:  # makemigrations --check exits 1 when one is missing
        pytest.fail(f"makemigrations would create a migration:\n{out.getvalue()} ({exit_})")
