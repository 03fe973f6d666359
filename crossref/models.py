"""The monthly cross-reference: its runs and their chunks, the fitted matching model, the
findings a coordinator resolves, the overlap report's rows, and the requests that ask the
agencies holding two records of one person to agree to merge them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from panels.models import Panel

if TYPE_CHECKING:
    from accounts.models import User


class LinkageModel(models.Model):
    """One version of the matching model's parameters, kept so a run can be explained later.

    `parameters` is `matching.linkage.LinkageParameters.to_json()`: the prior, and for each
    compared field and level its m (chance two records of one person agree so) and u (chance
    two different people do), from which each finding's weights were worked out.
    """

    version = models.CharField(max_length=40, unique=True)
    engine = models.CharField(max_length=40, default="tandem-fs")
    parameters = models.JSONField()
    trained_on_pairs = models.PositiveIntegerField(
        default=0, help_text="Candidate pairs the m probabilities were estimated from."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Matching model {self.version}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    COMPLETE = "complete", "Complete"
    FAILED = "failed", "Failed"


class RunTrigger(models.TextChoices):
    SCHEDULED = "scheduled", "Monthly schedule"
    ON_DEMAND = "on_demand", "Run by a coordinator"


class CrossReferenceRun(models.Model):
    """The cross-reference of every nominal and active cohort for one month.

    One run per month: running the month again re-uses this row, and findings it has already
    raised are not raised twice. Work is split into chunks so a run interrupted by a lost
    worker carries on from the first chunk not done.
    """

    month = models.DateField(unique=True, help_text="The first day of the month.")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    trigger = models.CharField(
        max_length=10, choices=RunTrigger.choices, default=RunTrigger.SCHEDULED
    )
    requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    model = models.ForeignKey(
        LinkageModel, null=True, blank=True, on_delete=models.PROTECT, related_name="runs"
    )
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    # nominals, active memberships, candidate pairs, findings raised by kind, pairs left
    # alone because a dismissal still stands, and so on: see crossref.services.run.
    counts = models.JSONField(default=dict, blank=True)
    # Seconds spent in each phase (load, block, estimate, score, overlaps, total).
    durations = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"Cross-reference for {self.month:%B %Y}"

    @property
    def progress_percent(self) -> int:
        if self.status == RunStatus.COMPLETE:
            return 100
        if not self.chunks_total:
            return 0
        return min(99, round(100 * self.chunks_done / self.chunks_total))


class CrossReferenceChunk(models.Model):
    """One resumable slice of a run's pair scoring; `done_at` is set in the same transaction
    as the findings it wrote, so a chunk is either wholly done or done again."""

    run = models.ForeignKey(CrossReferenceRun, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    pairs = models.PositiveIntegerField(default=0)
    findings = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    # When the run's chunks are spread over workers: the chunk's candidate pairs (nominal
    # ids, as pairs of 64-bit integers), so any worker can score it without blocking again.
    pair_ids = models.BinaryField(null=True, blank=True, editable=False)
    # What scoring the chunk counted (duplicates raised, still open, ...) and its seconds:
    # summed into the run's figures, so chunks done by several workers add up.
    counts = models.JSONField(default=dict, blank=True)
    seconds = models.FloatField(default=0.0)

    class Meta:
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="one_chunk_number_per_run")
        ]

    def __str__(self) -> str:
        return f"Chunk {self.number} of {self.run}"


class FindingKind(models.TextChoices):
    DUPLICATE = "duplicate", "May be recorded twice"
    OVERLAP = "overlap", "On more than one panel"


class FindingStatus(models.TextChoices):
    OPEN = "open", "Open"
    CONFIRMED = "confirmed", "Confirmed, waiting for merge"
    MERGED = "merged", "Merged"
    DISMISSED = "dismissed", "Dismissed"
    LEAD_AGREED = "lead_agreed", "Lead panel agreed"
    NO_ACTION = "no_action", "No action needed"


class MatchFindingQuerySet(models.QuerySet["MatchFinding"]):
    def open(self) -> MatchFindingQuerySet:
        return self.filter(status=FindingStatus.OPEN)


class MatchFinding(models.Model):
    """Two records that may be one person, or one person on several panels.

    A duplicate names both records (`nominal_a` has the lower id); an overlap names one
    person and the panels they were active on. The record versions at the time are kept, so
    a dismissal is remembered until one of the two records changes.
    """

    run = models.ForeignKey(CrossReferenceRun, on_delete=models.PROTECT, related_name="findings")
    last_seen_run = models.ForeignKey(
        CrossReferenceRun, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    kind = models.CharField(max_length=10, choices=FindingKind.choices)
    nominal_a = models.ForeignKey("offenders.Nominal", on_delete=models.CASCADE, related_name="+")
    nominal_b = models.ForeignKey(
        "offenders.Nominal", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    a_version = models.PositiveIntegerField(default=1)
    b_version = models.PositiveIntegerField(null=True, blank=True)
    panels = ArrayField(
        models.PositiveIntegerField(),
        default=list,
        blank=True,
        help_text="Panels the person (or either record) was active on when raised.",
    )
    score = models.FloatField(default=1.0)
    decision = models.CharField(max_length=10, blank=True)
    rule = models.CharField(max_length=40, blank=True)
    explanation = models.JSONField(default=list, blank=True)
    model_version = models.CharField(max_length=40, blank=True)
    person_group = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=(
            "For a duplicate: the lowest record id of the group of records the run took to "
            "be one person (findings sharing it are about one person); blank if none."
        ),
    )
    status = models.CharField(
        max_length=12, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    lead_panel = models.ForeignKey(
        Panel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = MatchFindingQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "nominal_a", "nominal_b"],
                condition=models.Q(status="open"),
                nulls_distinct=False,
                name="one_open_finding_per_pair",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="overlap", nominal_b__isnull=True)
                | models.Q(kind="duplicate", nominal_a__lt=models.F("nominal_b")),
                name="finding_names_its_records_in_order",
            ),
        ]
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"


class OverlapEntry(models.Model):
    """A person active on more than one panel in a run's month: the overlap report's row."""

    run = models.ForeignKey(CrossReferenceRun, on_delete=models.CASCADE, related_name="overlaps")
    nominal = models.ForeignKey("offenders.Nominal", on_delete=models.CASCADE, related_name="+")
    panels = ArrayField(models.PositiveIntegerField())
    lead_panel = models.ForeignKey(
        Panel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["run", "nominal"]
        constraints = [
            models.UniqueConstraint(fields=["run", "nominal"], name="one_overlap_row_per_person")
        ]

    def __str__(self) -> str:
        return f"Overlap in {self.run}"


class MergeStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for agreement"
    MERGED = "merged", "Merged"
    REFUSED = "refused", "Refused"


class MergeRequestQuerySet(models.QuerySet["MergeRequest"]):
    def visible_to(self, user: User) -> MergeRequestQuerySet:
        """Requests the user's agency is asked to agree to, or asked for: casework staff of
        an agency holding one of the records, and of the agency of the coordinator who
        confirmed the pair."""
        from accounts.permissions import user_may_see_casework

        if not user_may_see_casework(user):
            return self.none()
        return self.filter(
            models.Q(agreements__agency_id=user.agency_id)
            | models.Q(requested_by__agency_id=user.agency_id)
        ).distinct()


class MergeRequest(models.Model):
    """A coordinator confirmed two records are one person but may not change both: the
    agencies holding them are asked to agree, and the records are merged when all have."""

    finding = models.OneToOneField(
        MatchFinding, on_delete=models.CASCADE, related_name="merge_request"
    )
    survivor = models.ForeignKey(
        "offenders.Nominal", on_delete=models.CASCADE, related_name="merge_requests_kept"
    )
    duplicate = models.ForeignKey(
        "offenders.Nominal", on_delete=models.CASCADE, related_name="merge_requests_merged"
    )
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=MergeStatus.choices, default=MergeStatus.WAITING
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)

    objects = MergeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"Merge of record {self.duplicate_id} into {self.survivor_id} ({self.status})"


class AgreementDecision(models.TextChoices):
    WAITING = "waiting", "Not yet decided"
    AGREED = "agreed", "Agreed"
    REFUSED = "refused", "Refused"


class MergeAgreement(models.Model):
    """One agency's answer to a merge request: an agency holding one of the records."""

    request = models.ForeignKey(MergeRequest, on_delete=models.CASCADE, related_name="agreements")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(
        max_length=10, choices=AgreementDecision.choices, default=AgreementDecision.WAITING
    )
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["request", "agency"], name="one_answer_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.agency}: {self.get_decision_display()}"


class ProposalStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for agreement"
    AGREED = "agreed", "Agreed"
    REFUSED = "refused", "Not agreed"
    CLOSED = "closed", "Closed without a lead panel"


class LeadProposal(models.Model):
    """One coordinator's proposal of which panel leads for a person on several panels. The
    coordinators of the person's other panels are asked to agree; the lead is set when all
    have."""

    finding = models.ForeignKey(
        MatchFinding, on_delete=models.CASCADE, related_name="lead_proposals"
    )
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="+")
    proposed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.WAITING
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["finding"],
                condition=models.Q(status="waiting"),
                name="one_waiting_lead_proposal_per_finding",
            )
        ]

    def __str__(self) -> str:
        return f"{self.panel} proposed to lead ({self.get_status_display()})"


class LeadAnswer(models.Model):
    """The answer for one of the person's panels, given by a coordinator of that panel."""

    proposal = models.ForeignKey(LeadProposal, on_delete=models.CASCADE, related_name="answers")
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(
        max_length=10, choices=AgreementDecision.choices, default=AgreementDecision.WAITING
    )
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["panel__name"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "panel"], name="one_answer_per_panel")
        ]

    def __str__(self) -> str:
        return f"{self.panel}: {self.get_decision_display()}"
