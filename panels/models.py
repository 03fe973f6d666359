"""Risk panels. This module grows with cohorts, meetings and reviews; the access rules
that decide who sees a panel live in sharing/ and are applied through `visible_to`."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase

if TYPE_CHECKING:
    from sharing.models import User


class PanelKind(models.TextChoices):
    IOM = "iom", "Integrated Offender Management (IOM)"
    MAPPA = "mappa", "Multi-Agency Public Protection Arrangements (MAPPA)"
    SGV = "sgv", "Serious Group Violence (SGV)"
    DIP = "dip", "Drug Intervention Programme (DIP)"
    ASB_MARAC = "asb_marac", "ASB and Community MARAC"
    OTHER = "other", "Other"


class RagScheme(models.TextChoices):
    RAG = "rag", "Red, Amber, Green"
    RAG_CUSTODY = "rag_custody", "Red, Amber, Green, and Blue while in custody"


class PanelQuerySet(models.QuerySet["Panel"]):
    def visible_to(self, user: User) -> PanelQuerySet:
        """Panels whose cohort the user's agency may see, resolved in SQL.

        The grants themselves are written by `sharing.access.recompute_panel_access`;
        this only reads them, so every page agrees with the last recomputation.
        """
        from sharing.access import VIEW_PANEL, user_may_see_casework

        if not user_may_see_casework(user):
            return self.none()
        granted = PanelGroupObjectPermission.objects.filter(
            group_id=user.agency.group_id, permission__codename=VIEW_PANEL
        ).values("content_object_id")
        return self.filter(pk__in=granted)


class Panel(models.Model):
    kind = models.CharField(max_length=20, choices=PanelKind.choices)
    name = models.CharField(max_length=200, unique=True)
    coordinating_agency = models.ForeignKey(
        "sharing.Agency", on_delete=models.PROTECT, related_name="coordinated_panels"
    )
    member_agencies = models.ManyToManyField(
        "sharing.Agency", related_name="member_panels", blank=True
    )
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    rag_scheme = models.CharField(
        "RAG scheme", max_length=20, choices=RagScheme.choices, default=RagScheme.RAG
    )
    review_interval_days = models.PositiveSmallIntegerField(
        "Review interval (days)",
        default=28,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text="A cohort member is due for review when their last RAG review is older.",
    )
    # The monthly list's column mapping, remembered so it is chosen once per panel:
    # {"field name": "column heading in the file"}.
    import_columns = models.JSONField(default=dict, blank=True)

    objects = PanelQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PanelGroupObjectPermission(GroupObjectPermissionBase):
    """Guardian grants on panels with a real foreign key, so they go when the panel goes."""

    content_object = models.ForeignKey(Panel, on_delete=models.CASCADE)


class MembershipStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    ACTIVE = "active", "Active"
    DECLINED = "declined", "Declined"
    EXITED = "exited", "Exited"


# A declined referral never joined the cohort, so the panel's partners do not see it.
SHARED_STATUSES = [MembershipStatus.REFERRED, MembershipStatus.ACTIVE, MembershipStatus.EXITED]


class MappaCategory(models.IntegerChoices):
    ONE = 1, "Category 1: registered sexual offenders"
    TWO = 2, "Category 2: violent offenders"
    THREE = 3, "Category 3: other dangerous offenders"


class MappaLevel(models.IntegerChoices):
    ONE = 1, "Level 1: ordinary agency management"
    TWO = 2, "Level 2: active multi-agency management"
    THREE = 3, "Level 3: senior multi-agency management"


class IomStrand(models.TextChoices):
    FIXED = "fixed", "Fixed"
    FLEX = "flex", "Flex"
    FREE = "free", "Free"


class OgrsBand(models.TextChoices):
    LOW = "0-49", "0 to 49%"
    MEDIUM = "50-74", "50 to 74%"
    HIGH = "75+", "75% or more"


class TreatmentRequirement(models.TextChoices):
    DRR = "drr", "Drug Rehabilitation Requirement (DRR)"
    ATR = "atr", "Alcohol Treatment Requirement (ATR)"


class MembershipQuerySet(models.QuerySet["CohortMembership"]):
    def visible_to(self, user: User) -> MembershipQuerySet:
        """Memberships of panels the user may see. A declined referral never joined the
        cohort, so its person is not shared with the panel: only the agency that referred
        them still sees it (as Nominal.objects.visible_to does for the person)."""
        from django.db.models import Q

        from sharing.access import user_may_see_casework

        if not user_may_see_casework(user):
            return self.none()
        return self.filter(panel__in=Panel.objects.visible_to(user).values("pk")).filter(
            Q(status__in=SHARED_STATUSES) | Q(referring_agency_id=user.agency_id)
        )


class CohortMembership(models.Model):
    """A nominal on a panel's cohort, from referral to exit.

    Referred by a member agency -> accepted (active) or declined by the coordinator ->
    exited with a date and reason. The dates are the history: the cohort "as at" a past
    day is every membership whose start is on or before it and whose end is not.
    """

    nominal = models.ForeignKey(
        "offenders.Nominal", on_delete=models.CASCADE, related_name="memberships"
    )
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField(
        max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.REFERRED
    )
    referred_on = models.DateField()
    referred_by = models.ForeignKey(
        "sharing.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    referring_agency = models.ForeignKey(
        "sharing.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("Reason for referral", blank=True)
    decided_by = models.ForeignKey(
        "sharing.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    exit_reason = models.CharField(max_length=200, blank=True)

    # MAPPA
    mappa_category = models.PositiveSmallIntegerField(
        "MAPPA category", choices=MappaCategory.choices, null=True, blank=True
    )
    mappa_level = models.PositiveSmallIntegerField(
        "MAPPA level", choices=MappaLevel.choices, null=True, blank=True
    )
    # IOM
    iom_strand = models.CharField(
        "IOM cohort strand", max_length=5, choices=IomStrand.choices, blank=True
    )
    statutory = models.BooleanField(
        "Statutory case", null=True, blank=True, help_text="Under probation supervision."
    )
    ogrs_band = models.CharField("OGRS band", max_length=5, choices=OgrsBand.choices, blank=True)
    consent_to_share = models.BooleanField(
        "Consent to share", null=True, blank=True, help_text="Non-statutory cases only."
    )
    consent_on = models.DateField("Consent given on", null=True, blank=True)
    # DIP
    treatment_requirement = models.CharField(
        max_length=3, choices=TreatmentRequirement.choices, blank=True
    )
    treatment_start = models.DateField(null=True, blank=True)
    treatment_completed = models.DateField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-referred_on"]
        indexes = [
            models.Index(fields=["panel", "status"]),
            models.Index(fields=["nominal"]),
            models.Index(fields=["panel", "start", "end"]),
        ]

    def __str__(self) -> str:
        return f"{self.nominal} on {self.panel} ({self.get_status_display()})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = "The exit date must be the same as or after the start date"
        if self.status == MembershipStatus.EXITED and not self.end:
            errors["end"] = "Enter the date they left the cohort"
        if self.status == MembershipStatus.ACTIVE and not self.start:
            errors["start"] = "Enter the date they joined the cohort"
        if (
            self.treatment_start
            and self.treatment_completed
            and self.treatment_completed < self.treatment_start
        ):
            errors["treatment_completed"] = (
                "The completion date must be the same as or after the treatment start date"
            )
        if self.consent_on and self.consent_to_share is not True:
            errors["consent_on"] = "Only record a consent date when consent was given"
        if errors:
            raise ValidationError(errors)


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    BLUE = "blue", "Blue (in custody)"


RAG_BY_SCHEME = {
    RagScheme.RAG: (Rag.RED, Rag.AMBER, Rag.GREEN),
    RagScheme.RAG_CUSTODY: (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE),
}


class RagReviewQuerySet(models.QuerySet["RagReview"]):
    def visible_to(self, user: User) -> RagReviewQuerySet:
        """Reviews by panels the user may see, of people the user may see."""
        from offenders.models import Nominal

        return self.filter(
            panel__in=Panel.objects.visible_to(user).values("pk"),
            nominal__in=Nominal.objects.visible_to(user).values("pk"),
        )


class RagReview(models.Model):
    """A panel's RAG view of a nominal on one date: the history is the rows."""

    nominal = models.ForeignKey(
        "offenders.Nominal", on_delete=models.CASCADE, related_name="rag_reviews"
    )
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="rag_reviews")
    meeting = models.ForeignKey(
        "Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="rag_reviews"
    )
    rag = models.CharField("RAG", max_length=5, choices=Rag.choices)
    reviewed_on = models.DateField()
    author = models.ForeignKey("sharing.User", on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    objects = RagReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        indexes = [
            models.Index(fields=["nominal", "panel", "-reviewed_on"]),
            models.Index(fields=["panel", "-reviewed_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_rag_display()} on {self.reviewed_on}"


# --- Meetings ---------------------------------------------------------------------------


class MeetingKind(models.TextChoices):
    MAIN = "main", "Main panel"
    MID_MONTH = "mid_month", "Mid-month panel"
    EXTRA = "extra", "Extra meeting"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class WeekOfMonth(models.IntegerChoices):
    FIRST = 1, "First"
    SECOND = 2, "Second"
    THIRD = 3, "Third"
    FOURTH = 4, "Fourth"
    FIFTH = 5, "Fifth (months that have one)"
    LAST = -1, "Last"


class MeetingRule(models.Model):
    """When a panel meets: "the first Wednesday of each month at 10:00", for example.

    A fifth-weekday rule produces no meeting in months without a fifth such day.
    """

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="meeting_rules")
    kind = models.CharField(max_length=10, choices=MeetingKind.choices, default=MeetingKind.MAIN)
    week = models.SmallIntegerField("Week of the month", choices=WeekOfMonth.choices)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField(default="10:00")
    location = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["panel", "kind", "week"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "kind", "week", "weekday"], name="one_rule_per_slot"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()}: {self.get_week_display().split(' (')[0].lower()} "
            f"{self.get_weekday_display()} of each month"
        )


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def visible_to(self, user: User) -> MeetingQuerySet:
        """Meetings of panels the user may see."""
        return self.filter(panel__in=Panel.objects.visible_to(user).values("pk"))


class Meeting(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="meetings")
    rule = models.ForeignKey(
        MeetingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    # The date the rule produced. Kept when a meeting is moved, so the beat job that creates
    # meetings ahead knows this occurrence exists and never creates it again.
    occurrence = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=10, choices=MeetingKind.choices, default=MeetingKind.MAIN)
    date = models.DateField()
    starts_at = models.TimeField(default="10:00")
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    status_reason = models.CharField(
        max_length=200, blank=True, help_text="Why the meeting was moved or cancelled."
    )
    agenda_shared_on = models.DateTimeField(null=True, blank=True)
    minutes = models.TextField(blank=True)
    minutes_published_on = models.DateTimeField(null=True, blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["date", "starts_at"]
        indexes = [models.Index(fields=["panel", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "occurrence"], name="one_meeting_per_rule_occurrence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.panel} {self.get_kind_display().lower()}, {self.date:%-d %B %Y}"


class Attendance(models.Model):
    """Whether an agency was represented at a meeting, and by whom."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    agency = models.ForeignKey("sharing.Agency", on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(default=False)
    attendees = models.CharField(max_length=300, blank=True, help_text="Names and roles.")
    apologies = models.BooleanField(default=False)

    class Meta:
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "agency"], name="one_attendance_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.agency} at {self.meeting}: {'present' if self.present else 'absent'}"


class AgendaReason(models.TextChoices):
    NEW_REFERRAL = "new_referral", "New referral"
    RED_RAG = "red_rag", "Red RAG"
    REVIEW_DUE = "review_due", "Review due"
    OTHER_PANELS = "other_panels", "Also on another panel"
    NOT_ENGAGED_3 = "not_engaged_3", "Not engaged for 3 months or more"
    NOT_ENGAGED_6 = "not_engaged_6", "Not engaged for 6 months or more"
    ESCALATED = "escalated", "Escalated from the mid-month panel"
    OTHER = "other", "Other"


class AgendaItemQuerySet(models.QuerySet["AgendaItem"]):
    def visible_to(self, user: User) -> AgendaItemQuerySet:
        """Items of agendas the user may see: the panel's coordinating agency sees its
        agendas while they are built; member agencies once the agenda is shared."""
        from django.db.models import Q

        return self.filter(meeting__panel__in=Panel.objects.visible_to(user).values("pk")).filter(
            Q(meeting__agenda_shared_on__isnull=False)
            | Q(meeting__panel__coordinating_agency_id=user.agency_id)
        )


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    nominal = models.ForeignKey(
        "offenders.Nominal", on_delete=models.CASCADE, related_name="agenda_items"
    )
    reason = models.CharField(max_length=20, choices=AgendaReason.choices)
    reason_detail = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)
    notes = models.TextField("Discussion notes", blank=True)
    rag_decided = models.CharField("RAG decided", max_length=5, choices=Rag.choices, blank=True)
    rag_review = models.OneToOneField(
        RagReview, null=True, blank=True, on_delete=models.SET_NULL, related_name="agenda_item"
    )
    escalate = models.BooleanField("Escalate to the main panel", default=False)
    discussed = models.BooleanField(default=False)
    added_by = models.ForeignKey(
        "sharing.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "nominal"], name="one_item_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.get_reason_display()}"


class CaseActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class CaseActionQuerySet(models.QuerySet["CaseAction"]):
    def visible_to(self, user: User) -> CaseActionQuerySet:
        """Actions of panels the user may see: when access to a panel lapses, so does
        sight of the actions it set, even those the user's own agency owns."""
        return self.filter(panel__in=Panel.objects.visible_to(user).values("pk"))

    def overdue(self, *, today: date) -> CaseActionQuerySet:
        return self.filter(status=CaseActionStatus.OPEN, due__lt=today)


class CaseAction(models.Model):
    """Something a panel asked an agency to do about a person, by a date."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="case_actions")
    nominal = models.ForeignKey(
        "offenders.Nominal", on_delete=models.CASCADE, related_name="case_actions"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    description = models.TextField()
    owner_agency = models.ForeignKey(
        "sharing.Agency", on_delete=models.PROTECT, related_name="case_actions"
    )
    owner = models.ForeignKey(
        "sharing.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due = models.DateField("Due date")
    status = models.CharField(
        max_length=10, choices=CaseActionStatus.choices, default=CaseActionStatus.OPEN
    )
    completed_on = models.DateField(null=True, blank=True)
    # Set by the nightly job the first night an open action is past its due date.
    flagged_overdue_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        "sharing.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CaseActionQuerySet.as_manager()

    class Meta:
        ordering = ["due", "pk"]
        indexes = [
            models.Index(fields=["owner_agency", "status", "due"]),
            models.Index(fields=["nominal"]),
        ]

    def __str__(self) -> str:
        return f"{self.description[:50]} (due {self.due})"


# --- Monthly list imports ------------------------------------------------------------------


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", "Choose columns"
    PREVIEW = "preview", "Ready to check"
    COMMITTED = "committed", "Imported"
    DISCARDED = "discarded", "Discarded"


class CohortImport(models.Model):
    """A monthly cohort list uploaded for a panel, with one outcome row per input row."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="imports")
    uploaded_by = models.ForeignKey("sharing.User", on_delete=models.PROTECT, related_name="+")
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
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        "sharing.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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

    class Meta:
        ordering = ["cohort_import", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cohort_import", "number"], name="one_row_per_line")
        ]

    def __str__(self) -> str:
        return f"Row {self.number}: {self.get_outcome_display()}"


# --- Cross-referencing -----------------------------------------------------------------------


class LinkageModel(models.Model):
    """One version of the matching model's parameters, kept so a run can be explained later.

    `parameters` is `offenders.linkage.LinkageParameters.to_json()`: the prior, and for each
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
        "sharing.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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
    # alone because a dismissal still stands, and so on: see panels.services.crossref_run.
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
    status = models.CharField(
        max_length=12, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    lead_panel = models.ForeignKey(
        Panel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_by = models.ForeignKey(
        "sharing.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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


class LeadPanel(models.Model):
    """The panel agreed to lead for a person on several panels; the others defer to it."""

    nominal = models.OneToOneField(
        "offenders.Nominal", on_delete=models.CASCADE, related_name="lead_panel"
    )
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="+")
    agreed_by = models.ForeignKey("sharing.User", on_delete=models.PROTECT, related_name="+")
    agreed_at = models.DateTimeField(default=timezone.now)
    finding = models.ForeignKey(
        MatchFinding, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.panel} leads"
