"""The retention schedule: records listed for their agency's governance lead to keep or
delete, and the append-only log of what was deleted (which names nobody)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    KEPT = "kept", "Kept"
    DELETED = "deleted", "Deleted"


class RetentionReview(models.Model):
    """One person's record due for a retention review, and the lead's decision.

    One row per record: the nightly job lists a record again (back to pending) when a
    "keep" decision's next review date has come. After a deletion the row stays, marked
    deleted, naming the record by its number only (`record_id`); its reason is cleared.
    """

    record_id = models.PositiveBigIntegerField(unique=True, help_text="The person's record number.")
    nominal = models.ForeignKey(
        "offenders.Nominal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The agency that owns the record; its governance leads decide.",
    )
    last_activity_on = models.DateField()
    due_since = models.DateField(help_text="The last activity plus the retention period.")
    period_months = models.PositiveSmallIntegerField()
    rule = models.CharField(max_length=300, help_text="The rule the record was listed under.")
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    next_review_on = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why the record was kept.")
    listed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_since", "record_id"]
        indexes = [models.Index(fields=["agency", "status", "due_since"])]

    def __str__(self) -> str:
        return f"Retention review of record {self.record_id} ({self.get_status_display()})"


class DeletionLog(models.Model):
    """What a deletion removed: the record's number, the rule, who and when, and how many
    rows of each table. Never a name or any other detail of the person.

    Append-only, as the audit trail: database triggers refuse UPDATE, DELETE and TRUNCATE
    (migration 0002), and the application's role may only SELECT and INSERT.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    # Named like the audit trail's columns, so the same checks apply to all three tables.
    object_type = models.CharField(max_length=50, default="offenders.nominal")
    object_id = models.CharField(max_length=64, unique=True)
    rule = models.CharField(max_length=300)
    counts = models.JSONField(default=dict, help_text="Rows removed or changed, per table.")

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} deleted {self.object_type} {self.object_id}"
