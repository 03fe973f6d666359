"""The demo loader builds Kingsmere's partnership, can be re-run, and says how to sign in."""

import io

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_static.models import StaticToken

from accounts.models import Agency, AuditEvent, User
from panels.models import Panel
from sharing.models import InformationSharingAgreement

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


def test_demo_people_are_on_their_panels_and_seen_by_the_right_partners():
    from offenders.models import Nominal

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assert Nominal.objects.count() == 10  # with one person recorded twice

    def seen(username):
        return Nominal.objects.visible_to(User.objects.get(username=username)).count()

    # Coordinates or sits on every panel; the police's record of the person recorded twice
    # is on no panel, so only the police see it until the records are merged.
    assert seen("coordinator") == 9
    assert seen("health") == 0  # no signed agreement yet
    assert seen("committee") == 0


def test_demo_iom_panel_has_a_held_meeting_and_a_shared_agenda_ahead():
    from meetings.models import AgendaItem, CaseAction, Meeting, MeetingStatus
    from panels.models import RagReview

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    iom = Panel.objects.get(kind="iom")
    held = Meeting.objects.get(panel=iom, status=MeetingStatus.HELD)
    assert held.minutes_published_on is not None
    assert RagReview.objects.filter(meeting=held).count() == 3
    probation = User.objects.get(username="probation")
    # Partners see their agency's actions from the panel on their dashboard.
    assert CaseAction.objects.visible_to(probation).filter(owner_agency=probation.agency).exists()
    ahead = Meeting.objects.filter(panel=iom, agenda_shared_on__isnull=False).get()
    assert AgendaItem.objects.filter(meeting=ahead).count() >= 3
    assert AgendaItem.objects.visible_to(probation).filter(meeting=ahead).exists()
