"""Monthly cohort lists: an uploaded file and what happened to each of its rows."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from panels.models import Panel


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", "Choose columns"
    MATCHING = "matching", "Matching the rows"
    PREVIEW = "preview", "Ready to check"
    COMMITTED = "committed", "Imported"
    DISCARDED = "discarded", "Discarded"


class CohortImport(models.Model):
    """A monthly cohort list uploaded for a panel, with one outcome row per input row."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="imports")
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    month = models.DateField(help_text="The first day of the month the list is for.")
    file_name = models.CharField(max_length=255)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.MAPPING
    )
    exit_leavers = models.BooleanField(
        default=True, help_text="Exit active members who are not on this month's list."
    )
    summary = models.JSONField(default=dict, blank=True)
    # A long list is matched by the worker: how many rows are done, for the page.
    match_done = models.PositiveIntegerField(default=0)
    match_total = models.PositiveIntegerField(default=0)
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.panel} list for {self.month:%B %Y}"


class RowOutcome(models.TextChoices):
    LINKED = "linked", "Linked to a known person"
    QUEUED = "queued", "Needs a decision"
    CREATED = "created", "New person"
    INVALID = "invalid", "Not imported: row has errors"
    DUPLICATE = "duplicate", "Not imported: same person as an earlier row"
    SKIPPED = "skipped", "Left out by the coordinator"


class ImportRow(models.Model):
    cohort_import = models.ForeignKey(CohortImport, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(help_text="The row's line in the file.")
    values = models.JSONField(default=dict)
    outcome = models.CharField(max_length=10, choices=RowOutcome.choices)
    nominal = models.ForeignKey(
        "offenders.Nominal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.FloatField(null=True, blank=True)
    explanation = models.JSONField(default=list, blank=True)
    candidates = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    # After commit: "joined", "stayed" or "" (rows not imported).
    result = models.CharField(max_length=10, blank=True)
    # Settled by the coordinator (not by the matching, nor by a remembered decision): kept
    # for the panel's next lists when the list is imported.
    decided = models.BooleanField(default=False)
    # The coordinator chose to update the linked record from this row (a new postcode or
    # identifier), with the list as its source, when the list is imported.
    update_record = models.BooleanField(default=False)

    class Meta:
        ordering = ["cohort_import", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cohort_import", "number"], name="one_row_per_line")
        ]

    def __str__(self) -> str:
        return f"Row {self.number}: {self.get_outcome_display()}"


class RememberedDecision(models.Model):
    """How a coordinator settled a row the matching was unsure of, applied the same way when
    the same row comes on the panel's next lists: linked to a record (the one chosen, or the
    one created for it) or left out. The row is known by a keyed hash of its identity
    (names, date of birth, identifiers), so the table holds no personal data of its own."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="+")
    signature = models.CharField(max_length=64)
    nominal = models.ForeignKey(
        "offenders.Nominal", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField(blank=True, help_text="Why the row was left out.")
    month = models.DateField(help_text="The list the decision was made on.")
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "signature"], name="one_remembered_decision_per_row"
            )
        ]

    def __str__(self) -> str:
        return f"Decision on a {self.panel} list row ({self.month:%B %Y})"
