"""Reminders to the parties' governance leads that an agreement's review is coming.

Each agreement in force is reminded of at three stages of its review: from
ISA_REVIEW_REMINDER_DAYS before the review date, on the day, and once overdue while the
grace period still keeps it in force (after that it has lapsed, and its page says so).
A reminder is keyed by agreement, review date and stage, so the daily job sends each one
once, and a review recorded (a new date) starts afresh. In the service and by e-mail it
says only the agreement's title, reference and dates: no personal data.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit
from accounts.models import User, Verb
from sharing.agreement_services import governance_leads, notify_leads
from sharing.models import IN_FORCE_STATUSES, InformationSharingAgreement

KIND = "agreement_review"
UPCOMING, DUE, OVERDUE = "upcoming", "due", "overdue"


def review_stage(review_due: date, today: date) -> str | None:
    """Which reminder an agreement whose review is due on `review_due` gets today, if any."""
    grace = timedelta(days=settings.ISA_REVIEW_GRACE_DAYS)
    if today == review_due:
        return DUE
    if review_due < today <= review_due + grace:
        return OVERDUE
    if review_due - timedelta(days=settings.ISA_REVIEW_REMINDER_DAYS) <= today < review_due:
        return UPCOMING
    return None


def reminder_text(agreement: InformationSharingAgreement, stage: str) -> str:
    review = agreement.next_review_due
    name = f"{agreement.title} ({agreement.reference})"
    if stage == UPCOMING:
        return f"The review of {name} is due on {review:%d %B %Y}"
    if stage == DUE:
        return f"The review of {name} is due today"
    return (
        f"The review of {name} is overdue: access under it ends after "
        f"{agreement.access_ends_on:%d %B %Y} unless the review is recorded"
    )


def review_reminders_send(*, actor: User | None = None, today: date | None = None) -> dict:
    """Remind the parties' governance leads of reviews coming or overdue. Idempotent."""
    today = today or timezone.localdate()
    counts = {"agreements": 0, "notified": 0}
    agreements = (
        InformationSharingAgreement.objects.filter(
            status__in=IN_FORCE_STATUSES, next_review_due__isnull=False
        )
        .prefetch_related("parties")
        .order_by("pk")
    )
    for agreement in agreements:
        review_due = agreement.next_review_due
        stage = review_stage(review_due, today) if review_due is not None else None
        if review_due is None or stage is None:
            continue
        with transaction.atomic():
            notified = notify_leads(
                governance_leads(agreement.parties.all()),
                kind=KIND,
                key=f"{agreement.pk}:{review_due.isoformat()}:{stage}",
                text=reminder_text(agreement, stage),
                url=reverse("sharing:agreement", args=[agreement.pk]),
                subject="An information-sharing agreement's review is due",
            )
            if notified:
                audit(
                    actor=actor,
                    verb=Verb.AGREEMENT_REVIEW_REMINDERS_SENT,
                    target=agreement,
                    detail={
                        "stage": stage,
                        "review_due": review_due.isoformat(),
                        "notified": notified,
                    },
                )
        counts["agreements"] += bool(notified)
        counts["notified"] += notified
    return counts
