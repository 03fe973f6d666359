"""Writes of the retention schedule: the nightly list, a lead's "keep", and deletion.

Deletion removes the person's record and every row about them in one transaction, and
leaves a DeletionLog row that names no one. The audit trail and the access log are
append-only and hold record numbers only, so nothing of the person stays there either
(offenders.services writes which fields changed, never their values).
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit
from accounts.models import Agency, Notification, Role, User, Verb
from accounts.notifications import notify
from cohorts.models import ImportRow
from matching.identifiers import validate_identifier
from meetings.models import Meeting
from offenders.models import Alias, Identifier, Nominal
from retention.models import DeletionLog, RetentionReview, ReviewStatus
from retention.permissions import may_decide
from retention.selectors import due_rows, record_due

logger = logging.getLogger(__name__)

KIND = "retention_review"
NOTIFICATION_TEXT = "Records your agency owns are due for a retention review"
EMAIL_SUBJECT = "Records are due for a retention review"
REASON_MAX_LENGTH = 2000


# --- The nightly list ------------------------------------------------------------------------


def reviews_list(*, today: date | None = None) -> dict[str, int]:
    """Write the review list for `today`: each record due gets a pending review (one row per
    record, kept up to date); a kept record whose next review date has come is pending
    again; a pending record no longer due (new activity, back on a cohort) leaves the list.

    Idempotent: a second run on the same day changes and sends nothing more. Each agency
    with records newly listed gets one audit row, and its governance leads a notification
    (title and link only) and an e-mail saying the same.
    """
    today = today or timezone.localdate()
    counts: Counter[str] = Counter()
    newly: Counter[int] = Counter()
    due_ids: set[int] = set()
    with transaction.atomic():
        existing = {
            review.record_id: review
            for review in RetentionReview.objects.select_for_update().exclude(
                status=ReviewStatus.DELETED
            )
        }
        for row in due_rows(today=today):
            due_ids.add(row.nominal_id)
            fields = {
                "agency_id": row.agency_id,
                "last_activity_on": row.last_activity_on,
                "due_since": row.due_since,
                "period_months": row.period_months,
                "rule": row.rule,
            }
            review = existing.get(row.nominal_id)
            if review is None:
                RetentionReview.objects.create(
                    record_id=row.nominal_id, nominal_id=row.nominal_id, **fields
                )
                newly[row.agency_id] += 1
                counts["listed"] += 1
            elif review.status == ReviewStatus.KEPT and (
                review.next_review_on is None or review.next_review_on <= today
            ):
                RetentionReview.objects.filter(pk=review.pk).update(
                    status=ReviewStatus.PENDING, listed_at=timezone.now(), **fields
                )
                newly[row.agency_id] += 1
                counts["listed_again"] += 1
            elif review.status == ReviewStatus.PENDING:
                RetentionReview.objects.filter(pk=review.pk).update(**fields)
        # Undecided reviews of records no longer due: the record is back in use.
        gone = [
            review.pk
            for record_id, review in existing.items()
            if review.status == ReviewStatus.PENDING and record_id not in due_ids
        ]
        counts["no_longer_due"] = RetentionReview.objects.filter(pk__in=gone).delete()[0]
        for agency in Agency.objects.filter(pk__in=list(newly)).order_by("pk"):
            audit(
                actor=None,
                verb=Verb.RETENTION_LISTED,
                target=agency,
                detail={"on": today.isoformat(), "listed": newly[agency.pk]},
            )
            counts["notified"] += _notify_leads(agency, today)
    counts["emailed"] = _email_pending(today)
    return dict(counts)


def _leads_of(agency: Agency) -> list[User]:
    return list(
        User.objects.filter(agency=agency, is_active=True, groups__name=Role.GOVERNANCE_LEAD)
        .distinct()
        .order_by("pk")
    )


def _notify_leads(agency: Agency, today: date) -> int:
    """Today's notification to each of the agency's governance leads; how many were new."""
    return sum(
        notify(
            user=lead,
            kind=KIND,
            key=f"{agency.pk}:{today.isoformat()}",
            text=NOTIFICATION_TEXT,
            url=reverse("retention:review"),
        )
        is not None
        for lead in _leads_of(agency)
    )


def _email_pending(today: date) -> int:
    """One e-mail per lead for today's notification, if not yet sent: the title and a link,
    nothing about anyone. A failure leaves it for the next run."""
    pending = (
        Notification.objects.filter(
            kind=KIND,
            key__endswith=f":{today.isoformat()}",
            emailed_at__isnull=True,
            user__is_active=True,
        )
        .exclude(user__email="")
        # Those who turned these e-mails off still see the notification in the service.
        .exclude(user__email_muted__contains=[KIND])
        .select_related("user")
        .order_by("pk")
    )
    sent = 0
    for notification in pending:
        try:
            send_mail(
                subject=EMAIL_SUBJECT,
                message=(
                    f"{NOTIFICATION_TEXT}.\n\n"
                    f"Review them in {settings.SERVICE_NAME}: {settings.SITE_URL}{notification.url}"
                ),
                from_email=None,
                recipient_list=[notification.user.email],
            )
        except OSError:
            logger.exception("Could not send a retention review e-mail")
            continue
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


# --- Decisions -------------------------------------------------------------------------------


def _require_lead(actor: User, review: RetentionReview) -> None:
    """Only a governance lead of the agency that owns the record decides about it."""
    if not may_decide(actor, review.agency_id):
        raise PermissionDenied


def review_keep(
    *, actor: User, review: RetentionReview, reason: str, next_review_on: date | None
) -> RetentionReview:
    """Keep the record, with why and when to look again (a date in the future). The reason
    stays on the review; the audit row holds the record number and the date only."""
    _require_lead(actor, review)
    reason = reason.strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = "Enter why the record is being kept"
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = f"The reason must be {REASON_MAX_LENGTH} characters or fewer"
    if next_review_on is None:
        errors["next_review_on"] = "Enter the date of the next review"
    elif next_review_on <= timezone.localdate():
        errors["next_review_on"] = "The date of the next review must be in the future"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = RetentionReview.objects.select_for_update().get(pk=review.pk)
        if locked.status == ReviewStatus.DELETED:
            raise ValidationError("This record has already been deleted")
        locked.status = ReviewStatus.KEPT
        locked.reason = reason
        locked.next_review_on = next_review_on
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.full_clean()
        locked.save()
        audit(
            actor=actor,
            verb=Verb.RETENTION_KEPT,
            target=locked,
            detail={"record": locked.record_id, "next_review_on": str(next_review_on)},
        )
    return locked


@dataclass(frozen=True)
class Deletion:
    """What `record_delete` did: the log row, and whether it was already done before."""

    log: DeletionLog
    already_deleted: bool


def record_delete(*, actor: User, review: RetentionReview) -> Deletion:
    """Delete the person's record and everything about them, in one transaction.

    Refused for a record on a cohort (active or referred) or with activity since it was
    listed. Deleting twice does nothing the second time and says it was already done.
    """
    _require_lead(actor, review)
    with transaction.atomic():
        locked = RetentionReview.objects.select_for_update().get(pk=review.pk)
        done = DeletionLog.objects.filter(object_id=str(locked.record_id)).first()
        if done is not None:
            return Deletion(log=done, already_deleted=True)
        nominal = Nominal.objects.select_for_update().filter(pk=locked.record_id).first()
        if nominal is None:
            raise ValidationError("This record no longer exists")
        if nominal.merged_into_id is not None:
            raise ValidationError("This record was merged into another: review that one")
        due = record_due(nominal, today=timezone.localdate())
        if due.open_membership:
            raise ValidationError(
                "This person is on a panel's cohort (active or referred), so their record "
                "cannot be deleted"
            )
        if not due.due:
            raise ValidationError(
                "Something has happened on this record since it was listed, so it is no "
                "longer due for deletion"
            )
        counts = _erase(nominal)
        log = DeletionLog.objects.create(
            actor=actor,
            agency_id=locked.agency_id,
            object_id=str(locked.record_id),
            rule=due.rule,
            counts=counts,
        )
        RetentionReview.objects.filter(pk=locked.pk).update(
            status=ReviewStatus.DELETED,
            nominal=None,
            reason="",
            decided_by=actor,
            decided_at=timezone.now(),
        )
        audit(
            actor=actor,
            verb=Verb.RETENTION_DELETED,
            target=log,
            detail={"record": locked.record_id, "rows": sum(counts.values())},
        )
    return Deletion(log=log, already_deleted=False)


def _same_person_ids(nominal: Nominal) -> list[int]:
    """The record and every duplicate merged into it, however many merges deep."""
    ids = [nominal.pk]
    frontier = [nominal.pk]
    while frontier:
        frontier = list(
            Nominal.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True)
        )
        ids.extend(frontier)
    return ids


def _erase(nominal: Nominal) -> dict[str, int]:
    """Remove the person from every table; return how many rows of each were removed or
    changed. Rows that cascade from the record (identifiers, aliases, addresses, needs,
    events, risk, offences, custody, memberships, reviews, agenda items, case actions,
    findings, overlap rows, lead panels, per-record grants) go with it; what holds a copy
    of their details without a cascading key is cleaned here first."""
    ids = _same_person_ids(nominal)
    counts: Counter[str] = Counter()
    counts["meetings.meeting (minutes)"] = _scrub_minutes(ids)
    counts.update(_scrub_import_rows(ids))
    counts["accounts.notification"] = _delete_notifications(nominal, ids)
    # Duplicates first: each is protected by its survivor's key until it goes.
    for pk in reversed(ids):
        _, deleted = Nominal.objects.filter(pk=pk).delete()
        counts.update({label.lower(): count for label, count in deleted.items()})
    return {table: count for table, count in sorted(counts.items()) if count}


def _scrub_minutes(ids: list[int]) -> int:
    """Published minutes are a document kept as agreed: take the person's items out of it
    (their name, notes and actions), leaving the rest of the meeting's record."""
    wanted = set(ids)
    changed = 0
    needle = Q()
    for pk in ids:
        needle |= Q(minutes__contains=f'"nominal": {pk},')
    for meeting in Meeting.objects.exclude(minutes="").filter(needle).select_for_update():
        document = json.loads(meeting.minutes)
        items = document.get("items", [])
        kept = [item for item in items if item.get("nominal") not in wanted]
        if len(kept) != len(items):
            document["items"] = kept
            meeting.minutes = json.dumps(document, ensure_ascii=False)
            meeting.save(update_fields=["minutes"])
            changed += 1
    return changed


def _normalised(kind: str, value: str) -> str | None:
    try:
        return validate_identifier(kind, value)
    except ValueError:
        return None


class _Person:
    """What identifies the person in a monthly list's raw cells: their names (given and
    family together) and identifiers (compared in normalised form, as imports read them)."""

    def __init__(self, ids: list[int]) -> None:
        records = Nominal.objects.filter(pk__in=ids)
        self.names = {
            (given.strip().casefold(), family.strip().casefold())
            for given, family in records.values_list("given_names", "family_name")
        } | {
            (given.strip().casefold(), family.strip().casefold())
            for given, family in Alias.objects.filter(nominal_id__in=ids).values_list(
                "given_names", "family_name"
            )
            if given and family
        }
        self.identifiers = set(
            Identifier.objects.filter(nominal_id__in=ids).values_list("kind", "value")
        )

    def sieve(self) -> Q:
        """A cheap first pass in SQL over the rows' JSON as text: a family name, or an
        identifier's serial digits (a file may write them without the leading zeros)."""
        words = {family for _, family in self.names}
        for _, value in self.identifiers:
            digits = max(re.findall(r"\d+", value), key=len, default="").lstrip("0")
            if len(digits) >= 4:
                words.add(digits)
        query = Q(pk__in=[])
        for word in words:
            query |= Q(values__icontains=word)
        return query

    def named_in(self, values: Any) -> bool:
        if not isinstance(values, dict):
            return False
        cells = [str(value).strip() for value in values.values() if value]
        folded = {cell.casefold() for cell in cells}
        if any(given in folded and family in folded for given, family in self.names):
            return True
        return any(
            _normalised(kind, cell) == value for cell in cells for kind, value in self.identifiers
        )


def _scrub_import_rows(ids: list[int]) -> Counter[str]:
    """Monthly list rows keep the file's raw cells: delete the rows linked to the person,
    and rows linked to no one that carry their identifiers or their name (a row left out,
    or a second row of the same person). A row offering them as a possible match keeps
    its own person but loses them from its candidates and explanation."""
    counts: Counter[str] = Counter()
    person = _Person(ids)
    counts["cohorts.importrow"] += ImportRow.objects.filter(nominal_id__in=ids).delete()[0]
    unlinked = [
        row.pk
        for row in ImportRow.objects.filter(nominal__isnull=True).filter(person.sieve())
        if person.named_in(row.values)
    ]
    counts["cohorts.importrow"] += ImportRow.objects.filter(pk__in=unlinked).delete()[0]

    offered = Q(pk__in=[])
    for pk in ids:
        offered |= Q(candidates__contains=[{"id": pk}])
    for row in ImportRow.objects.filter(offered).select_for_update():
        first = row.candidates[0].get("id") if row.candidates else None
        row.candidates = [c for c in row.candidates if c.get("id") not in ids]
        fields = ["candidates"]
        if first in ids:
            # The row's explanation and score were about them, the closest candidate.
            row.explanation, row.score = [], None
            fields += ["explanation", "score"]
        row.save(update_fields=fields)
        counts["cohorts.importrow (candidates)"] += 1
    return counts


def _delete_notifications(nominal: Nominal, ids: list[int]) -> int:
    """Notifications carry no personal data by rule; any that lead to the person's pages
    would still say they existed, so they go too."""
    about = Q()
    for pk in ids:
        about |= Q(url__startswith=reverse("offenders:profile", args=[pk]))
    about |= Q(text__icontains=nominal.family_name) & Q(text__icontains=nominal.given_names)
    return Notification.objects.filter(about).delete()[0]
