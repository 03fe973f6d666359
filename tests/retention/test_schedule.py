"""The retention rule, worked out in SQL, and the nightly list it writes."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent, Notification, Role, Verb
from offenders.models import CaseEvent, Nominal
from offenders.services import event_add
from panels.models import CohortMembership, Panel
from retention.models import RetentionReview, ReviewStatus
from retention.selectors import records_due, retention_period_for
from retention.services import review_keep, reviews_list
from retention.tasks import list_retention_reviews
from sharing.models import InformationSharingAgreement
from tests.factories import make_nominal, make_panel, make_user
from tests.retention.helpers import age

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 7)


def person(p, *, last_seen: date, panels: tuple[Panel, ...] = (), status: str = "exited"):
    """A council record whose every date is `last_seen`, once on each of `panels`."""
    nominal = make_nominal(p.coordinator, family_name=f"Record{Nominal.objects.count()}")
    for panel in panels:
        CohortMembership.objects.create(
            nominal=nominal,
            panel=panel,
            status=status,
            referred_on=last_seen,
            start=last_seen if status in ("active", "exited") else None,
            end=last_seen if status == "exited" else None,
        )
    age(nominal, on=last_seen)
    return nominal


def due_ids(today: date = TODAY) -> set[int]:
    return set(records_due(today=today).values_list("pk", flat=True))


def test_never_on_a_panel_the_default_period_applies(partnership):
    p = partnership
    old = person(p, last_seen=date(2020, 12, 6))  # 72 months and a day
    recent = person(p, last_seen=date(2020, 12, 8))
    assert due_ids() == {old.pk}
    row = records_due(today=TODAY).get()
    assert row.period_months == settings.RETENTION_DEFAULT_MONTHS == 72
    assert row.due_since == date(2026, 12, 6) and not row.on_a_panel
    assert recent.pk not in due_ids()


def test_the_longest_period_of_the_panels_they_were_ever_on_applies(partnership):
    p = partnership
    Panel.objects.filter(pk=p.panel.pk).update(retention_months=24)
    long_kept = make_panel(p.council, [], name="MAPPA", kind="mappa")
    Panel.objects.filter(pk=long_kept.pk).update(retention_months=120)
    short_only = person(p, last_seen=date(2022, 1, 1), panels=(p.panel,))
    both = person(p, last_seen=date(2022, 1, 1), panels=(p.panel, long_kept))
    assert due_ids() == {short_only.pk}
    # Ten years on, the longer period has run too.
    assert due_ids(date(2032, 1, 1)) == {short_only.pk, both.pk}
    assert records_due(today=TODAY).get().period_months == 24
    assert retention_period_for(Panel.objects.get(pk=long_kept.pk)) == 120


def test_an_open_membership_or_recent_activity_keeps_a_record_off_the_list(partnership):
    p = partnership
    active = person(p, last_seen=date(2010, 1, 1), panels=(p.panel,), status="active")
    referred = person(p, last_seen=date(2010, 1, 1), panels=(p.panel,), status="referred")
    declined = person(p, last_seen=date(2010, 1, 1), panels=(p.panel,), status="declined")
    busy = person(p, last_seen=date(2010, 1, 1))
    event_add(actor=p.partner, nominal=busy, kind="note", occurred_on=date(2026, 1, 1), summary="x")
    assert due_ids() == {declined.pk}
    assert not {active.pk, referred.pk, busy.pk} & due_ids()


def test_merged_away_duplicates_are_never_listed_on_their_own(partnership):
    p = partnership
    old = person(p, last_seen=date(2010, 1, 1))
    gone = person(p, last_seen=date(2010, 1, 1))
    Nominal.objects.filter(pk=gone.pk).update(merged_into=old)
    assert due_ids() == {old.pk}


def test_a_panels_period_is_the_longest_of_its_own_and_its_signed_agreements(partnership):
    p = partnership
    panel = Panel.objects.get(pk=p.panel.pk)
    assert retention_period_for(panel) == 72
    InformationSharingAgreement.objects.filter(pk=p.agreement.pk).update(retention_period_months=96)
    assert retention_period_for(Panel.objects.get(pk=p.panel.pk)) == 96
    # A draft never shared anything: its period does not count.
    InformationSharingAgreement.objects.filter(pk=p.agreement.pk).update(status="draft")
    assert retention_period_for(Panel.objects.get(pk=p.panel.pk)) == 72
    InformationSharingAgreement.objects.filter(pk=p.agreement.pk).update(status="withdrawn")
    # Due under the panel's 72 months, not yet under the withdrawn agreement's 96.
    old = person(p, last_seen=date(2020, 1, 1), panels=(p.panel,))
    assert old.pk not in due_ids()
    assert records_due(today=date(2028, 1, 1)).get().period_months == 96


def test_a_new_panel_takes_the_default_period_from_the_setting(partnership, settings):
    settings.RETENTION_DEFAULT_MONTHS = 30
    panel = make_panel(partnership.council, [], name="New panel")
    assert panel.retention_months == 30


def test_the_nightly_list_is_idempotent_and_tells_the_owning_agencys_leads(partnership):
    p = partnership
    second_lead = make_user(p.council, Role.GOVERNANCE_LEAD)
    other_lead = make_user(p.probation, Role.GOVERNANCE_LEAD)
    old = person(p, last_seen=date(2010, 1, 1))

    first = reviews_list(today=TODAY)
    again = reviews_list(today=TODAY)

    assert first["listed"] == 1 and "listed" not in again
    review = RetentionReview.objects.get()
    assert (review.record_id, review.nominal, review.agency) == (old.pk, old, p.council)
    assert review.status == ReviewStatus.PENDING
    assert review.rule == (
        "On no cohort and no activity for 72 months (the default period, as they were never "
        "on a panel)"
    )
    notified = Notification.objects.filter(kind="retention_review")
    assert sorted(n.user_id for n in notified) == sorted([p.governance_lead.pk, second_lead.pk])
    assert not notified.filter(user=other_lead).exists()
    for notification in notified:
        assert notification.url == reverse("retention:review")
        assert old.family_name not in notification.text and old.given_names not in notification.text
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert old.family_name not in message.body and str(old.pk) not in message.body
        assert "/governance/retention/" in message.body
    listed = AuditEvent.objects.filter(verb=Verb.RETENTION_LISTED)
    assert listed.count() == 1
    assert listed.get().detail == {"on": TODAY.isoformat(), "listed": 1}


def test_a_kept_record_comes_back_on_its_next_review_date(partnership):
    p = partnership
    person(p, last_seen=date(2010, 1, 1))
    reviews_list(today=TODAY)
    review = RetentionReview.objects.get()
    review_keep(
        actor=p.governance_lead,
        review=review,
        reason="Court order",
        next_review_on=date(2099, 1, 1),
    )
    reviews_list(today=TODAY)
    assert RetentionReview.objects.get().status == ReviewStatus.KEPT
    counts = reviews_list(today=date(2099, 1, 1))
    assert counts["listed_again"] == 1
    assert RetentionReview.objects.get().status == ReviewStatus.PENDING


def test_a_pending_record_with_new_activity_leaves_the_list(partnership):
    p = partnership
    old = person(p, last_seen=date(2010, 1, 1))
    reviews_list(today=TODAY)
    CaseEvent.objects.create(
        nominal=old,
        kind="note",
        occurred_on=date(2026, 11, 1),
        summary="Seen",
        agency=p.council,
        author=p.partner,
    )
    assert reviews_list(today=TODAY)["no_longer_due"] == 1
    assert not RetentionReview.objects.exists()


def test_the_task_is_a_nightly_beat_entry_over_the_service(partnership):
    entry = settings.CELERY_BEAT_SCHEDULE["list-retention-reviews-nightly"]
    assert entry["task"] == list_retention_reviews.name == "retention.tasks.list_retention_reviews"
    person(partnership, last_seen=date(2010, 1, 1))
    assert list_retention_reviews.delay().get()["listed"] == 1
