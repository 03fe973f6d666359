"""The weekly reminder to lead agencies of plan steps that are overdue or need an update."""

from __future__ import annotations

from datetime import date, timedelta
from unittest import mock

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.models import AuditEvent, Notification, Role, User, Verb
from actions.models import ActionStep, Rag
from actions.services.reminders import KIND, iso_week, plan_reminders_send
from actions.tasks import remind_step_leads
from tests.actions.factories import add_update, make_plan, steps_of
from tests.factories import make_user

STEP_TEXTS = (
    "Review the agreement with SECRET-STEP-ONE",
    "Agree renewal SECRET-STEP-TWO",
    "Close the pilot SECRET-STEP-THREE",
    "Map referral routes SECRET-STEP-FOUR",
)


@pytest.fixture
def people(partnership):
    """Besides the partnership's personas: a police partner and coordinator, and staff of
    the lead agencies who are not reminded (a committee officer, an agency administrator,
    someone who has left, and a partner of an agency that leads nothing needing attention
    is the council's carol)."""
    p = partnership
    return {
        "police_partner": make_user(p.police, Role.PARTNER, username="pat"),
        "police_coordinator": make_user(p.police, Role.COORDINATOR, username="quinn"),
        "police_committee": make_user(p.police, Role.COMMITTEE, username="ruth"),
        "probation_admin": make_user(p.probation, Role.AGENCY_ADMIN, username="sam"),
        "probation_leaver": _inactive(make_user(p.probation, Role.PARTNER, username="tess")),
    }


def _inactive(user: User) -> User:
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


def make_reminder_plan(partnership, today: date):
    """A plan with one step of each kind: probation's is overdue, police's has had no
    update for longer than the plan allows, the council's was updated last week and
    housing's is complete."""
    p = partnership
    plan = make_plan(
        p.coordinator,
        [p.police, p.probation, p.housing],
        title="Reducing reoffending 2026 to 2030",
        starts_on=today - timedelta(days=300),
        objectives=[
            (
                "Information sharing",
                [
                    (
                        "Clear information sharing agreement",
                        [
                            (STEP_TEXTS[0], p.probation),
                            (STEP_TEXTS[1], p.council),
                            (STEP_TEXTS[2], p.housing),
                            (STEP_TEXTS[3], p.police),
                        ],
                    )
                ],
            )
        ],
    )
    overdue, fresh, done, stale = steps_of(plan)
    ActionStep.objects.filter(pk=overdue.pk).update(due=today - timedelta(days=1))
    add_update(overdue, rag=Rag.RED, written_on=today - timedelta(days=3))
    add_update(fresh, rag=Rag.GREEN, written_on=today - timedelta(days=7))
    add_update(done, rag=Rag.COMPLETE, written_on=today - timedelta(days=200))
    add_update(stale, rag=Rag.AMBER_RED, written_on=today - timedelta(days=61))
    return plan


def notified_usernames() -> set[str]:
    return set(Notification.objects.filter(kind=KIND).values_list("user__username", flat=True))


def test_beat_runs_the_reminders_every_monday_morning():
    entry = settings.CELERY_BEAT_SCHEDULE["remind-plan-step-leads-weekly"]
    assert entry["task"] == "actions.tasks.remind_step_leads"
    assert entry["schedule"] == crontab(hour=7, minute=0, day_of_week="mon")


def test_task_notifies_partners_and_coordinators_of_agencies_whose_steps_need_attention(
    partnership, people, client_for
):
    today = timezone.localdate()
    plan = make_reminder_plan(partnership, today)

    counts = remind_step_leads.delay().get()

    # Probation (overdue) and police (no update for 61 days); not the council (updated
    # last week) or housing (complete), not committee officers, administrators or leavers.
    assert notified_usernames() == {"bob", "pat", "quinn"}
    assert counts == {"plans": 1, "steps": 2, "notified": 3, "emailed": 3}
    notification = Notification.objects.get(user__username="bob")
    assert notification.key == f"{plan.pk}:{iso_week(today)}"
    assert (
        notification.text
        == "Steps your agency leads on Reducing reoffending 2026 to 2030 need an update"
    )
    assert notification.url == f"/action-plan/{plan.pk}/?lead={partnership.probation.pk}"
    assert notification.emailed_at is not None and notification.read_at is None
    # The link opens the plan at the steps probation leads.
    page = client_for(partnership.member_partner).get(notification.url)
    assert page.status_code == 200
    assert STEP_TEXTS[0] in page.content.decode() and STEP_TEXTS[3] not in page.content.decode()


def test_a_plan_whose_period_has_ended_is_not_reminded(partnership, people):
    today = timezone.localdate()
    plan = make_reminder_plan(partnership, today)
    plan.ends_on = today - timedelta(days=1)
    plan.save(update_fields=["ends_on"])

    assert plan_reminders_send(today=today)["notified"] == 0
    assert not Notification.objects.exists()
    assert not mail.outbox


def test_a_second_run_in_the_same_week_sends_nothing_more(partnership, people):
    monday = date(2026, 9, 7)
    make_reminder_plan(partnership, monday)
    plan_reminders_send(today=monday)
    mail.outbox.clear()

    again = plan_reminders_send(today=monday + timedelta(days=4))

    assert again == {"plans": 1, "steps": 2, "notified": 0, "emailed": 0}
    assert mail.outbox == []
    assert Notification.objects.filter(kind=KIND).count() == 3
    assert AuditEvent.objects.filter(verb=Verb.PLAN_REMINDERS_SENT).count() == 1


def test_the_next_week_reminds_again(partnership, people):
    monday = date(2026, 9, 7)
    make_reminder_plan(partnership, monday)
    plan_reminders_send(today=monday)
    mail.outbox.clear()

    later = plan_reminders_send(today=monday + timedelta(days=7))

    assert later["notified"] == 3 and later["emailed"] == 3
    assert len(mail.outbox) == 3
    assert Notification.objects.filter(kind=KIND).count() == 6


def test_the_email_says_only_which_plan_and_where_to_look(partnership, people):
    today = date(2026, 9, 7)
    plan = make_reminder_plan(partnership, today)

    plan_reminders_send(today=today)

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        ["bob@example.org", "pat@example.org", "quinn@example.org"]
    )
    for message in mail.outbox:
        text = message.subject + message.body
        assert "Steps your agency leads on Reducing reoffending 2026 to 2030 need an update" in text
        assert f"{settings.SITE_URL}/" in message.body
        # Nothing about the steps or anyone: no step text, no names, no agencies.
        for step_text in STEP_TEXTS:
            assert "SECRET-STEP" not in text, step_text
        for user in User.objects.all():
            assert user.last_name not in text
        assert "Probation" not in text and "Police" not in text
        assert message.alternatives == [] and message.attachments == []
    link = next(line for line in mail.outbox[0].body.split() if line.startswith("http"))
    assert link == settings.SITE_URL + Notification.objects.filter(kind=KIND).first().url
    assert plan.title in mail.outbox[0].body


def test_the_run_is_audited_per_plan_with_its_counts(partnership, people):
    today = date(2026, 9, 7)
    plan = make_reminder_plan(partnership, today)

    plan_reminders_send(today=today)

    event = AuditEvent.objects.get(verb=Verb.PLAN_REMINDERS_SENT)
    assert (event.actor, event.object_type, event.object_id) == (
        None,
        "actions.actionplan",
        str(plan.pk),
    )
    p = partnership
    assert event.detail == {
        "week": "2026-W37",
        "notified": 3,
        "agencies": [
            {"agency": p.police.pk, "people": 2, "overdue": 0, "needs_update": 1},
            {"agency": p.probation.pk, "people": 1, "overdue": 1, "needs_update": 0},
        ],
    }


def test_nothing_needing_attention_sends_and_audits_nothing(partnership, people):
    today = date(2026, 9, 7)
    plan = make_reminder_plan(partnership, today)
    for step in steps_of(plan):
        add_update(step, rag=Rag.COMPLETE, written_on=today)

    assert plan_reminders_send(today=today) == {
        "plans": 0,
        "steps": 0,
        "notified": 0,
        "emailed": 0,
    }
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(verb=Verb.PLAN_REMINDERS_SENT).exists()


def test_staff_without_an_email_address_are_notified_in_the_service_only(partnership, people):
    today = date(2026, 9, 7)
    make_reminder_plan(partnership, today)
    User.objects.filter(username="pat").update(email="")

    counts = plan_reminders_send(today=today)

    assert counts["notified"] == 3 and counts["emailed"] == 2
    assert "pat" in notified_usernames()
    assert all("pat@" not in message.to[0] for message in mail.outbox)


def test_emails_that_could_not_be_sent_go_with_the_next_run(partnership, people):
    today = date(2026, 9, 7)
    make_reminder_plan(partnership, today)

    with mock.patch(
        "actions.services.reminders.send_mail", side_effect=ConnectionRefusedError("no server")
    ):
        first = plan_reminders_send(today=today)
    assert first["notified"] == 3 and first["emailed"] == 0
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()

    second = plan_reminders_send(today=today)

    assert second["notified"] == 0 and second["emailed"] == 3
    assert len(mail.outbox) == 3


def test_one_email_per_person_whatever_the_number_of_plans(partnership, people):
    today = date(2026, 9, 7)
    make_reminder_plan(partnership, today)
    second = make_plan(
        partnership.coordinator,
        [partnership.probation],
        title="Youth justice plan",
        starts_on=today - timedelta(days=300),
        objectives=[
            ("Prevention", [("Early help", [("Triage referrals", partnership.probation)])])
        ],
    )

    counts = plan_reminders_send(today=today)

    assert counts["plans"] == 2
    to_bob = [message for message in mail.outbox if message.to == ["bob@example.org"]]
    assert len(to_bob) == 1
    assert second.title in to_bob[0].body and "Reducing reoffending" in to_bob[0].body
    assert Notification.objects.filter(user__username="bob").count() == 2


def test_agencies_outside_the_plans_partnership_are_not_reminded(partnership, people):
    today = date(2026, 9, 7)
    plan = make_reminder_plan(partnership, today)
    plan.agencies.remove(partnership.police)

    plan_reminders_send(today=today)

    assert notified_usernames() == {"bob"}
