"""Risk panels. This module grows with cohorts, meetings and reviews; the access rules
that decide who sees a panel live in sharing/ and are applied through `visible_to`."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase

if TYPE_CHECKING:
    from accounts.models import Agency, User


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
        this only reads them, keeping those whose window covers today (`grants_in_force`),
        so an agreement that lapses by date stops granting on the next request, not at the
        next recomputation.
        """
        from accounts.permissions import user_may_see_casework

        if not user_may_see_casework(user):
            return self.none()
        return self.granted_to(user.agency)

    def granted_to(self, agency: Agency) -> PanelQuerySet:
        """Panels whose cohort the agency's casework staff may see today, whoever asks: the
        one rule `visible_to` applies, for governance pages that never show the cohort."""
        granted = grants_in_force().filter(group_id=agency.group_id).values("content_object_id")
        return self.filter(pk__in=granted)


def default_retention_months() -> int:
    """New panels start with the service's default retention period (a setting)."""
    return settings.RETENTION_DEFAULT_MONTHS


class Panel(models.Model):
    kind = models.CharField(max_length=20, choices=PanelKind.choices)
    name = models.CharField(max_length=200, unique=True)
    coordinating_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="coordinated_panels"
    )
    member_agencies = models.ManyToManyField(
        "accounts.Agency", related_name="member_panels", blank=True
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
    retention_months = models.PositiveSmallIntegerField(
        "Retention period (months)",
        default=default_retention_months,
        validators=[MinValueValidator(12), MaxValueValidator(1200)],
        help_text=(
            "How long a person's record is kept after they leave this panel's cohort and "
            "nothing more happens on it. After that, the record is listed for the "
            "information governance lead to keep or delete."
        ),
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


class GrantWindowQuerySet(models.QuerySet["PanelGrantWindow"]):
    def covering(self, day: date) -> GrantWindowQuerySet:
        """Windows in force on `day` (both ends inclusive; a missing end is unbounded)."""
        return self.filter(Q(starts_on__isnull=True) | Q(starts_on__lte=day)).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=day)
        )


class PanelGrantWindow(models.Model):
    """The days on which one stored `view_panel` grant is in force.

    Why: the rules behind a grant depend on dates (an agreement starts on its sign-off
    date and stops granting once its review is overdue beyond the grace period). The
    recomputation knows those dates when it writes the grant, so it writes them here too,
    and every read keeps only the grants with a window covering the day of the request,
    in SQL. A lapse by date then takes effect at once, without waiting for a job, and the
    rules themselves stay in sharing/ (this app never reads agreements).

    A grant has one or more windows, disjoint and not touching (the union of the windows
    of every agreement behind it, merged). A grant with no window grants nothing, so a
    guardian row written by anything but the recomputation is inert. The windows belong
    to the guardian row and are deleted with it, and so with the panel or the group.
    """

    grant = models.ForeignKey(
        PanelGroupObjectPermission, on_delete=models.CASCADE, related_name="windows"
    )
    starts_on = models.DateField(null=True, blank=True, help_text="First day; empty: always.")
    ends_on = models.DateField(null=True, blank=True, help_text="Last day; empty: no end.")

    objects = GrantWindowQuerySet.as_manager()

    class Meta:
        ordering = ["grant", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="grant_window_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_on or 'always'} to {self.ends_on or 'no end'}"


def grants_in_force(on: date | None = None) -> models.QuerySet[PanelGroupObjectPermission]:
    """The stored `view_panel` grants in force on a day (today by default), as one query.

    Every read of who sees a panel starts here rather than from the guardian table, so
    that a grant outside its window counts for nothing, whatever the last recomputation
    left behind.
    """
    day = on or timezone.localdate()
    return PanelGroupObjectPermission.objects.filter(permission__codename=VIEW_PANEL).filter(
        Exists(PanelGrantWindow.objects.filter(grant=OuterRef("pk")).covering(day))
    )


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

        from accounts.permissions import user_may_see_casework

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
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    referring_agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("Reason for referral", blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
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


class RagReview(models.Model):
    """A panel's RAG view of a nominal on one date: the history is the rows."""

    nominal = models.ForeignKey(
        "offenders.Nominal", on_delete=models.CASCADE, related_name="rag_reviews"
    )
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="rag_reviews")
    meeting = models.ForeignKey(
        "meetings.Meeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rag_reviews",
    )
    rag = models.CharField("RAG", max_length=5, choices=Rag.choices)
    reviewed_on = models.DateField()
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        indexes = [
            models.Index(fields=["nominal", "panel", "-reviewed_on"]),
            models.Index(fields=["panel", "-reviewed_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_rag_display()} on {self.reviewed_on}"


# --- Meetings ---------------------------------------------------------------------------


# --- Monthly list imports ------------------------------------------------------------------


# --- Cross-referencing -----------------------------------------------------------------------


class LeadPanel(models.Model):
    """The panel agreed to lead for a person on several panels; the others defer to it."""

    nominal = models.OneToOneField(
        "offenders.Nominal", on_delete=models.CASCADE, related_name="lead_panel"
    )
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="+")
    agreed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    agreed_at = models.DateTimeField(default=timezone.now)
    finding = models.ForeignKey(
        "crossref.MatchFinding", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.panel} leads"


VIEW_PANEL = "view_panel"
