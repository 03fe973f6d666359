"""The partnership's action plan: a strategy's objectives, the actions under each with their
numbered steps, and the dated progress updates that give each step its RAG.

An action plan holds no personal data: it is the partnership's own work. It is seen by the
staff of the agencies in its partnership (`ActionPlan.agencies`, which always includes
the owning agency); `ActionPlan.objects.visible_to` is the one place that says so.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from accounts.models import User


class Rag(models.TextChoices):
    """The plan's five-level scale, plus the two states outside it."""

    GREEN = "green", "Green"
    AMBER_GREEN = "amber_green", "Amber-Green"
    AMBER_RED = "amber_red", "Amber-Red"
    RED = "red", "Red"
    COMPLETE = "complete", "Complete"
    NOT_STARTED = "not_started", "Not started"


class ActionPlanQuerySet(models.QuerySet["ActionPlan"]):
    def visible_to(self, user: User) -> ActionPlanQuerySet:
        """Plans of the partnerships the user's agency belongs to."""
        if not (user.is_authenticated and user.is_active and user.agency.active):
            return self.none()
        return self.filter(agencies=user.agency_id).distinct()


class ActionPlan(models.Model):
    title = models.CharField(max_length=200)
    strategy = models.CharField(
        max_length=200, blank=True, help_text="The strategy the plan delivers."
    )
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    owner_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="owned_action_plans"
    )
    owner = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The plan owner edits every part of the plan.",
    )
    agencies = models.ManyToManyField(
        "accounts.Agency",
        related_name="action_plans",
        help_text="The partnership's agencies: their staff see the plan.",
    )
    needs_update_days = models.PositiveSmallIntegerField(
        "Needs an update after (days)",
        default=60,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text="A step with no progress update for this long is flagged as needing one.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    archived_on = models.DateField(
        null=True,
        blank=True,
        help_text="An archived plan is kept to read and export; nobody changes or updates it, "
        "and nobody is reminded about it.",
    )

    objects = ActionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def archived(self) -> bool:
        return self.archived_on is not None


class Objective(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField()
    title = models.CharField("Strategy objective", max_length=500)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_objective_per_number")
        ]

    def __str__(self) -> str:
        return self.title


class Action(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveSmallIntegerField()
    title = models.CharField("Project or action", max_length=500)
    description = models.TextField(blank=True)
    outcomes = models.TextField(blank=True)
    timescale = models.CharField(
        max_length=200, blank=True, help_text='As the plan words it, for example "March 2018".'
    )
    due = models.DateField(
        null=True, blank=True, help_text="The last day of the timescale, when it names one."
    )
    strategic_links = models.TextField(blank=True)

    class Meta:
        ordering = ["objective", "number"]
        constraints = [
            models.UniqueConstraint(fields=["objective", "number"], name="one_action_per_number")
        ]

    def __str__(self) -> str:
        return self.title


class ActionStep(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField()
    text = models.TextField("Step")
    lead_text = models.CharField(
        "Responsible service or lead",
        max_length=500,
        blank=True,
        help_text='As the plan words it, for example "LBH Community Safety and Police".',
    )
    lead_agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_steps",
        help_text="The agency whose staff update this step.",
    )
    lead_person = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due = models.DateField(null=True, blank=True, help_text="Defaults to the action's timescale.")
    # The latest update's RAG and date, kept with the step so the plan's table, its filters
    # and the reminder job read one row per step; ProgressUpdate holds the history.
    current_rag = models.CharField(max_length=12, choices=Rag.choices, default=Rag.NOT_STARTED)
    last_update_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["action", "number"]
        constraints = [
            models.UniqueConstraint(fields=["action", "number"], name="one_step_per_number")
        ]
        indexes = [models.Index(fields=["lead_agency", "current_rag"])]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"

    def due_date(self) -> date | None:
        return self.due or self.action.due


class ProgressUpdate(models.Model):
    """A dated account of progress on a step, with its RAG. Never edited: a correction is
    a newer update, so the history is what was reported, when."""

    step = models.ForeignKey(ActionStep, on_delete=models.CASCADE, related_name="updates")
    written_on = models.DateField()
    text = models.TextField("Progress to date")
    rag = models.CharField("RAG", max_length=12, choices=Rag.choices)
    author = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-written_on", "-pk"]
        indexes = [models.Index(fields=["step", "-written_on"])]

    def __str__(self) -> str:
        return f"{self.get_rag_display()} on {self.written_on}"


class PlanImportStatus(models.TextChoices):
    PREVIEW = "preview", "Ready to check"
    IMPORTED = "imported", "Imported"
    DISCARDED = "discarded", "Discarded"


class PlanImport(models.Model):
    """A plan pasted or uploaded as a table, parsed and shown for checking before import."""

    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    source_name = models.CharField(max_length=255, blank=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict, blank=True)
    rows = models.JSONField(default=list, help_text="The table as read, one list per row.")
    parsed = models.JSONField(default=dict, blank=True, help_text="The plan as it will import.")
    kept_apart = models.JSONField(
        default=list,
        blank=True,
        help_text="Rows the coordinator chose to import as steps of their own, rather than "
        "join to the row above as the rest of a row split by a page break.",
    )
    status = models.CharField(
        max_length=10, choices=PlanImportStatus.choices, default=PlanImportStatus.PREVIEW
    )
    plan = models.ForeignKey(
        ActionPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="imports"
    )

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.source_name or 'Pasted plan'} ({self.get_status_display()})"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being made"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class PlanExport(models.Model):
    """The Word document of a long plan, made by the worker for the person who asked.

    It holds that person's view of the plan (staff names only to their own agency's
    staff), so only they download it, and only while they still see the plan. Each
    person keeps one per plan: asking again replaces it.
    """

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="exports")
    requested_by = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    as_at = models.DateField(help_text="The day the document's progress is as at.")
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    done = models.PositiveIntegerField(default=0, help_text="Actions written so far.")
    total = models.PositiveIntegerField(default=0, help_text="Actions in the plan.")
    attempts = models.PositiveSmallIntegerField(default=0)
    # Which attempt is making the document: a later delivery of the task takes it over,
    # and an earlier one's late result is then refused.
    claim = models.CharField(max_length=32, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    content = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["plan", "requested_by", "-requested_at"])]

    def __str__(self) -> str:
        return f"Word export of {self.plan} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)
