"""Review reminders to the parties' governance leads, with the clock moved: before the
review date, on the day, while overdue within the grace period, and never twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.models import AuditEvent, Notification, Role, Verb
from sharing.reminders import KIND
from sharing.tasks import remind_agreement_reviews
from tests.factories import make_user

pytestmark = pytest.mark.django_db


class Clock:
    """`timezone.localdate()` answers `today`, as in tests/security/test_lapse_by_date.py."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.real = timezone.localdate
        self.today = self.real()

        def localdate(value=None, timezone=None):
            return self.today if value is None else self.real(value, timezone)

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)


@pytest.fixture
def clock(monkeypatch, settings):
    settings.ISA_REVIEW_GRACE_DAYS = 30
    settings.ISA_REVIEW_REMINDER_DAYS = 30
    return Clock(monkeypatch)


@pytest.fixture
def leads(partnership):
    p = partnership
    police = make_user(p.police, Role.GOVERNANCE_LEAD, username="pglead")
    for lead in (p.governance_lead, police):
        lead.email = f"{lead.username}@example.org"
        lead.save()
    return [p.governance_lead, police]


def reminders(stage: str = "") -> list[Notification]:
    found = Notification.objects.filter(kind=KIND)
    if stage:
        found = found.filter(key__endswith=f":{stage}")
    return list(found)


def test_leads_are_reminded_before_on_the_day_and_while_overdue_once_each(
    partnership, leads, clock, django_capture_on_commit_callbacks
):
    review = partnership.agreement.next_review_due

    clock.today = review - timedelta(days=31)
    remind_agreement_reviews()
    assert reminders() == []

    clock.today = review - timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        remind_agreement_reviews()
        remind_agreement_reviews()  # the same day again: nothing more
    assert {n.user for n in reminders("upcoming")} == set(leads)
    assert len(mail.outbox) == 2
    assert partnership.agreement.title in mail.outbox[0].body

    clock.today = review - timedelta(days=1)
    remind_agreement_reviews()
    assert len(reminders()) == 2

    clock.today = review
    remind_agreement_reviews()
    assert len(reminders("due")) == 2

    clock.today = review + timedelta(days=settings.ISA_REVIEW_GRACE_DAYS)
    remind_agreement_reviews()
    remind_agreement_reviews()
    assert len(reminders("overdue")) == 2

    clock.today = review + timedelta(days=settings.ISA_REVIEW_GRACE_DAYS + 1)
    remind_agreement_reviews()
    assert len(reminders()) == 6
    assert AuditEvent.objects.filter(verb=Verb.AGREEMENT_REVIEW_REMINDERS_SENT).count() == 3


def test_a_reminder_names_no_one(partnership, leads, clock, django_capture_on_commit_callbacks):
    clock.today = partnership.agreement.next_review_due
    with django_capture_on_commit_callbacks(execute=True):
        remind_agreement_reviews()
    for notification in reminders():
        assert notification.text.startswith("The review of ")
        assert notification.url == f"/sharing/agreements/{partnership.agreement.pk}/"
    for email in mail.outbox:
        assert "Signatory" not in email.body
        assert email.body.count("\n") <= 3


def test_a_recorded_review_starts_the_reminders_afresh(partnership, leads, clock):
    agreement = partnership.agreement
    clock.today = agreement.next_review_due
    remind_agreement_reviews()
    agreement.next_review_due = agreement.next_review_due + timedelta(days=365)
    agreement.save(update_fields=["next_review_due"])
    clock.today = agreement.next_review_due
    remind_agreement_reviews()
    assert len(reminders("due")) == 4


def test_the_daily_job_is_in_the_beat_schedule():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "sharing.tasks.remind_agreement_reviews" in tasks
