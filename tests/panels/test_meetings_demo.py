"""The demo borough's panels meet as the 2017 action plan says, from the first seeding."""

import io

import pytest
from django.core.management import call_command

from accounts.models import AuditEvent, Verb
from meetings.models import Meeting, MeetingRule

pytestmark = pytest.mark.django_db


def test_seeding_gives_each_demo_panel_its_rules_and_meetings_once():
    call_command("seed_demo", stdout=io.StringIO())
    rules = {
        (rule.panel.kind, rule.kind, rule.week, rule.weekday)
        for rule in MeetingRule.objects.select_related("panel")
    }
    assert rules == {
        ("iom", "main", 1, 2),  # first Wednesday
        ("iom", "mid_month", 3, 2),  # third Wednesday
        ("mappa", "main", 2, 3),
        ("sgv", "main", 1, 1),  # first Tuesday
        ("dip", "main", -1, 3),  # last Thursday
        ("asb_marac", "main", 2, 1),
    }
    mappa = MeetingRule.objects.get(panel__kind="mappa")
    set_by = AuditEvent.objects.get(verb=Verb.MEETING_RULE_SET, object_id=str(mappa.pk)).actor
    assert set_by.agency.kind == "probation"  # MAPPA is run by probation
    for rule in MeetingRule.objects.all():
        assert Meeting.objects.filter(rule=rule).count() >= 3

    meetings = Meeting.objects.count()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert Meeting.objects.count() == meetings
    assert "Scheduled" not in out.getvalue()
