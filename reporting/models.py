"""Targets, unit costs and scrutiny reports.

Targets and unit costs are kept as history: a change adds a row, and the figures use the
latest row for each target or offence type, so a report can say which value it used and
who set it. A report's versions are frozen: each holds the figures as they were taken and
the documents made from them.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from offenders.models import OffenceType
from panels.models import Panel


class Measure(models.TextChoices):
    COHORT_SIZE = "cohort_size", "Cohort size at the end of the year"
    DRR_STARTS = "drr_starts", "DRR starts"
    DRR_COMPLETIONS = "drr_completions", "DRR completions"
    ATR_STARTS = "atr_starts", "ATR starts"
    ATR_COMPLETIONS = "atr_completions", "ATR completions"


class Target(models.Model):
    """One value of a panel's target for a financial year; the latest row is the target."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="targets")
    measure = models.CharField(max_length=20, choices=Measure.choices)
    year = models.PositiveSmallIntegerField(
        "Financial year starting",
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text="The year the financial year starts in: 2025 means April 2025 to March 2026.",
    )
    value = models.PositiveIntegerField(validators=[MaxValueValidator(1_000_000)])
    note = models.CharField("Where the target comes from", max_length=300, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["panel", "measure", "-year", "-set_at", "-pk"]
        indexes = [models.Index(fields=["panel", "measure", "year", "-set_at"])]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} {self.year}: {self.value}"


class UnitCost(models.Model):
    """What one offence of a type costs society, from a published source; latest row wins."""

    offence_type = models.CharField(max_length=20, choices=OffenceType.choices)
    cost = models.DecimalField(
        "Cost per offence (£)",
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10000000"))],
    )
    source = models.CharField(max_length=300, help_text="The publication the cost is taken from.")
    price_year = models.PositiveSmallIntegerField(
        "Prices as at year",
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["offence_type", "-set_at", "-pk"]
        indexes = [models.Index(fields=["offence_type", "-set_at"])]

    def __str__(self) -> str:
        return f"{self.get_offence_type_display()}: £{self.cost} ({self.price_year})"


class Report(models.Model):
    """A scrutiny report: its period, panels, comparison and text in the house format."""

    title = models.CharField("Subject heading", max_length=200)
    committee = models.CharField(max_length=200, blank=True)
    meeting_date = models.DateField("Committee date", null=True, blank=True)
    lead_officer = models.CharField("Lead officer", max_length=200, blank=True)
    author = models.CharField("Report author and contact details", max_length=300, blank=True)
    policy_context = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    implications = models.TextField("Implications and risks", blank=True)
    background_papers = models.TextField(blank=True)

    period_start = models.DateField()
    period_end = models.DateField()
    compare_start = models.DateField(null=True, blank=True)
    compare_end = models.DateField(null=True, blank=True)
    panels = models.ManyToManyField(Panel, related_name="+")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="report_period_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.title


class VersionStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being produced"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ReportVersion(models.Model):
    """One generation of a report: the frozen figures and the documents made from them."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # The form's one-off token: a request sent twice (a double click, a resubmitted form)
    # finds the version the first one made instead of making another.
    request_token = models.UUIDField(default=uuid.uuid4, unique=True)
    status = models.CharField(
        max_length=10, choices=VersionStatus.choices, default=VersionStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Which attempt is producing the version: a later attempt takes it over, and an earlier
    # one's late result is then refused.
    claim = models.CharField(max_length=32, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    figures_as_at = models.DateTimeField(null=True, blank=True)
    # The figures after small-number suppression: nothing unsuppressed is kept.
    figures = models.JSONField(default=dict, blank=True)
    docx = models.BinaryField(null=True, blank=True, editable=False)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    xlsx = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.report} version {self.number}"

    @property
    def finished(self) -> bool:
        return self.status in (VersionStatus.DONE, VersionStatus.FAILED)
