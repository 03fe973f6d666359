"""The demo loader builds Kingsmere's partnership, can be re-run, and says how to sign in."""

import io

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_static.models import StaticToken

from panels.models import Panel
from sharing.models import Agency, AuditEvent, InformationSharingAgreement, User

pytestmark = pytest.mark.django_db


def counts():
    return (
        Agency.objects.count(),
        Panel.objects.count(),
        InformationSharingAgreement.objects.count(),
        User.objects.count(),
    )


def test_seed_demo_is_idempotent_and_prints_a_way_through_the_second_factor():
    first = io.StringIO()
    call_command("seed_demo", stdout=first)
    after_first = counts()
    audit_rows = AuditEvent.objects.count()

    second = io.StringIO()
    call_command("seed_demo", stdout=second)

    assert counts() == after_first == (9, 5, 3, 11)
    assert AuditEvent.objects.count() == audit_rows  # nothing re-created
    text = second.getvalue()
    assert "kingsmere-demo-password" in text
    code = text.split("backup codes: ")[1].split()[0]
    assert StaticToken.objects.filter(token=code).exists()


def test_demo_roles_see_what_the_readme_says():
    call_command("seed_demo", stdout=io.StringIO())

    def kinds(username):
        user = User.objects.get(username=username)
        return sorted(Panel.objects.visible_to(user).values_list("kind", flat=True))

    assert kinds("coordinator") == ["asb_marac", "dip", "iom", "mappa", "sgv"]
    assert kinds("drugs") == ["dip", "iom"]
    assert kinds("health") == []
    assert kinds("committee") == []
