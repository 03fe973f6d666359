"""Nominals: the people the partnership manages, and everything agencies record about them.

Visibility is decided in one place, `NominalQuerySet.visible_to`; every page, search,
export and API endpoint starts from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase

from core.queries import among
from core.validators import validate_date_of_birth

if TYPE_CHECKING:
    from accounts.models import Agency, User


class Gender(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not known"


class NominalQuerySet(models.QuerySet["Nominal"]):
    def visible_to(self, user: User) -> NominalQuerySet:
        """Nominals the user's agency may see (DESIGN.md section 4), resolved in SQL.

        - on the cohort of a panel the agency may see (referred, active or exited);
        - recorded by the agency itself;
        - or granted to the agency explicitly (rare, per record).
        Merged-away duplicates are never listed; their old address redirects instead.
        """
        from accounts.permissions import user_may_see_casework

        if not user_may_see_casework(user):
            return self.none()
        return self.related_to(user.agency)

    def related_to(self, agency: Agency) -> NominalQuerySet:
        """Nominals the agency's casework staff may see, whoever asks: the rule of
        `visible_to` without its role check, for governance pages (who has viewed a
        record) that show no content of the record."""
        from panels.models import SHARED_STATUSES, CohortMembership, Panel

        # One list of ids from three index lookups, each then fetched by primary key, so the
        # cost follows what the agency can see, not the size of the register. (Written as
        # `owning_agency = x OR EXISTS (...) OR EXISTS (...)`, PostgreSQL tests every nominal
        # in the register: docs/benchmarks.md, "Visibility and the planner".)
        owned = Nominal.objects.filter(owning_agency_id=agency.pk).order_by().values("pk")
        on_visible_cohort = (
            CohortMembership.objects.filter(
                panel__in=Panel.objects.granted_to(agency).values("pk"),
                status__in=SHARED_STATUSES,
            )
            .order_by()
            .values("nominal_id")
        )
        granted = (
            NominalGroupObjectPermission.objects.filter(group_id=agency.group_id)
            .order_by()
            .values("content_object_id")
        )
        return self.filter(
            among("pk", owned.union(on_visible_cohort, granted)), merged_into__isnull=True
        )


class Nominal(models.Model):
    given_names = models.CharField("Given names", max_length=150)
    family_name = models.CharField("Family name", max_length=150)
    date_of_birth = models.DateField(
        "Date of birth", null=True, blank=True, validators=[validate_date_of_birth]
    )
    dob_approximate = models.BooleanField(
        "Date of birth is approximate",
        default=False,
        help_text="Tick if the date of birth is an estimate or only the year is known.",
    )
    gender = models.CharField(max_length=10, choices=Gender.choices, default=Gender.UNKNOWN)
    ethnicity = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    ward = models.CharField(max_length=100, blank=True)
    lead_professional = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_nominals",
    )
    owning_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="owned_nominals"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped on every change; an edit based on an older version is refused, not lost.
    version = models.PositiveIntegerField(default=1)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    # Written by services from matching.scoring, so search, imports and the
    # cross-referencing job all compare the same normalised forms.
    search_name = models.CharField(max_length=320, blank=True, editable=False)
    match_keys = ArrayField(
        models.CharField(max_length=80), default=list, blank=True, editable=False
    )

    objects = NominalQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_names"]
        indexes = [
            GinIndex(
                name="nominal_search_name_trgm",
                fields=["search_name"],
                opclasses=["gin_trgm_ops"],
            ),
            GinIndex(name="nominal_match_keys", fields=["match_keys"]),
            models.Index(fields=["date_of_birth"]),
            models.Index(fields=["owning_agency"]),
        ]

    def __str__(self) -> str:
        return f"{self.given_names} {self.family_name}"

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name.upper()}"


class NominalGroupObjectPermission(GroupObjectPermissionBase):
    """A rare explicit grant of one record to an agency, deleted with the record."""

    content_object = models.ForeignKey(Nominal, on_delete=models.CASCADE)


class IdentifierKind(models.TextChoices):
    PNC = "pnc", "PNC ID"
    CRO = "cro", "CRO number"
    CRN = "crn", "Probation CRN"
    PRISON = "prison", "Prison number"
    NHS = "nhs", "NHS number"
    LOCAL = "local", "Local reference"


# Identifiers that belong to one person only: the same value twice is the same person.
UNIQUE_IDENTIFIER_KINDS = [
    IdentifierKind.PNC,
    IdentifierKind.CRO,
    IdentifierKind.CRN,
    IdentifierKind.PRISON,
    IdentifierKind.NHS,
]


class Identifier(models.Model):
    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=10, choices=IdentifierKind.choices)
    value = models.CharField(max_length=50)
    recorded_by_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(
        max_length=200, blank=True, help_text="Where it came from, such as a panel's monthly list."
    )

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "value"],
                condition=Q(kind__in=UNIQUE_IDENTIFIER_KINDS),
                name="identifier_value_belongs_to_one_person",
            )
        ]
        indexes = [models.Index(fields=["value"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class Alias(models.Model):
    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="aliases")
    given_names = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    date_of_birth = models.DateField(null=True, blank=True, validators=[validate_date_of_birth])
    search_name = models.CharField(max_length=320, blank=True, editable=False)
    recorded_by_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["family_name", "given_names"]
        verbose_name_plural = "aliases"
        indexes = [
            GinIndex(
                name="alias_search_name_trgm", fields=["search_name"], opclasses=["gin_trgm_ops"]
            )
        ]

    def __str__(self) -> str:
        return f"{self.given_names} {self.family_name}".strip()


class Address(models.Model):
    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="addresses")
    line = models.CharField("Address", max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    ward = models.CharField(max_length=100, blank=True)
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)
    no_fixed_abode = models.BooleanField("No fixed abode (NFA)", default=False)
    recorded_by_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(
        max_length=200, blank=True, help_text="Where it came from, such as a panel's monthly list."
    )

    class Meta:
        ordering = ["-from_date"]
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return "No fixed abode" if self.no_fixed_abode else f"{self.line} {self.postcode}".strip()


class OffenceType(models.TextChoices):
    BURGLARY = "burglary", "Burglary"
    ROBBERY = "robbery", "Robbery"
    THEFT = "theft", "Theft"
    VEHICLE = "vehicle", "Vehicle crime"
    VIOLENCE = "violence", "Violence against the person"
    SEXUAL = "sexual", "Sexual offence"
    DRUGS = "drugs", "Drug offence"
    WEAPONS = "weapons", "Possession of weapons"
    DAMAGE = "damage", "Criminal damage and arson"
    PUBLIC_ORDER = "public_order", "Public order"
    FRAUD = "fraud", "Fraud"
    OTHER = "other", "Other"


class Offence(models.Model):
    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="offences")
    offence_type = models.CharField(max_length=20, choices=OffenceType.choices)
    committed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)
    recorded_by_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-committed_on"]

    def __str__(self) -> str:
        return f"{self.get_offence_type_display()} ({self.committed_on or 'date not known'})"


class CustodyReason(models.TextChoices):
    REMAND = "remand", "Remand"
    SENTENCE = "sentence", "Sentence"
    RECALL = "recall", "Recall to prison"


class CustodyEpisode(models.Model):
    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="custody")
    entered_on = models.DateField()
    released_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=10, choices=CustodyReason.choices)
    offence = models.ForeignKey(
        Offence,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="custody_episodes",
        help_text="For a sentence: the offence it was for.",
    )
    establishment = models.CharField(max_length=200, blank=True)
    recorded_by_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-entered_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(released_on__isnull=True) | Q(released_on__gte=models.F("entered_on")),
                name="custody_release_not_before_entry",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} from {self.entered_on}"


class RoshLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


class RiskScore(models.Model):
    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="risk_scores")
    ogrs_percent = models.PositiveSmallIntegerField(
        "OGRS (%)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Offender Group Reconviction Scale: chance of reconviction within 2 years.",
    )
    rosh_level = models.CharField(
        "RoSH level", max_length=10, choices=RoshLevel.choices, blank=True
    )
    assessed_on = models.DateField()
    source = models.CharField(max_length=100, default="OASys")
    recorded_by_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-assessed_on"]

    def __str__(self) -> str:
        return f"OGRS {self.ogrs_percent}% RoSH {self.rosh_level} ({self.assessed_on})"


class Pathway(models.TextChoices):
    ACCOMMODATION = "accommodation", "Accommodation"
    ETE = "ete", "Education, training and employment"
    HEALTH = "health", "Health and mental health"
    DRUGS = "drugs", "Drugs"
    ALCOHOL = "alcohol", "Alcohol"
    FINANCE = "finance", "Finance, benefit and debt"
    FAMILY = "family", "Children and families"
    ATTITUDES = "attitudes", "Attitudes, thinking and behaviour"
    DOMESTIC_VIOLENCE = "domestic_violence", "Women affected by domestic violence"
    PROSTITUTION = "prostitution", "Women involved in prostitution"


class NeedLevel(models.TextChoices):
    NONE = "none", "No need"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Need(models.Model):
    """The current need on one pathway; its history is in the audit trail."""

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="needs")
    pathway = models.CharField(max_length=20, choices=Pathway.choices)
    level = models.CharField(max_length=10, choices=NeedLevel.choices)
    note = models.TextField(blank=True)
    updated_on = models.DateField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["pathway"]
        constraints = [
            models.UniqueConstraint(fields=["nominal", "pathway"], name="one_need_per_pathway")
        ]

    def __str__(self) -> str:
        return f"{self.get_pathway_display()}: {self.get_level_display()}"


class EventKind(models.TextChoices):
    VISIT = "visit", "Visit"
    ARREST = "arrest", "Arrest"
    WARNING_LETTER = "warning_letter", "Warning letter"
    BREACH = "breach", "Breach"
    RECALL = "recall", "Recall"
    LICENCE_CONDITION = "licence_condition", "Licence condition added"
    TREATMENT_START = "treatment_start", "Treatment started"
    TREATMENT_COMPLETION = "treatment_completion", "Treatment completed"
    NOTE = "note", "Note"
    # Written with the offence, custody or risk record they describe, so the timeline
    # tells the whole story in order.
    OFFENCE = "offence", "Offence recorded"
    CUSTODY = "custody", "Entered custody"
    RELEASE = "release", "Released from custody"
    RISK_ASSESSMENT = "risk_assessment", "Risk assessed"
    MERGED = "merged", "Records merged"


# Written by the services that record what they describe (an offence, custody, a risk
# assessment, a merge), never typed in as events of their own.
RECORDED_WITH_THEIR_RECORD = (
    EventKind.OFFENCE,
    EventKind.CUSTODY,
    EventKind.RELEASE,
    EventKind.RISK_ASSESSMENT,
    EventKind.MERGED,
)
TYPED_EVENT_KINDS = [
    (value, label) for value, label in EventKind.choices if value not in RECORDED_WITH_THEIR_RECORD
]

# Contact that counts as engagement for the "not engaged for 3 or 6 months" flags.
ENGAGEMENT_KINDS = [EventKind.VISIT, EventKind.TREATMENT_START, EventKind.TREATMENT_COMPLETION]


class CaseEvent(models.Model):
    """One entry on the nominal's timeline, from whichever agency recorded it."""

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=25, choices=EventKind.choices)
    occurred_on = models.DateField()
    summary = models.TextField()
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-created_at"]
        indexes = [models.Index(fields=["nominal", "-occurred_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on}"
