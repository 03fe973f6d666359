"""Agencies, staff accounts, information-sharing agreements and the audit trail."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Agency, Role, User


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_CIRCULATION = "in_circulation", "In circulation"
    SIGNED = "signed", "Signed"
    UNDER_REVIEW = "under_review", "Under review"
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"
    # A newer version has been signed by every party and replaced this one.
    SUPERSEDED = "superseded", "Replaced by a newer version"


# A signed agreement stays in force while it is being reviewed.
IN_FORCE_STATUSES = (AgreementStatus.SIGNED, AgreementStatus.UNDER_REVIEW)
# Still being written or signed: its text and parties may change, and it grants nothing.
EDITABLE_STATUSES = (AgreementStatus.DRAFT,)
SIGNABLE_STATUSES = (
    AgreementStatus.IN_CIRCULATION,
    AgreementStatus.SIGNED,
    AgreementStatus.UNDER_REVIEW,
)
# Nothing more happens to these: no signature, no new version, no withdrawal.
FINAL_STATUSES = (
    AgreementStatus.EXPIRED,
    AgreementStatus.WITHDRAWN,
    AgreementStatus.SUPERSEDED,
)


class AgreementQuerySet(models.QuerySet["InformationSharingAgreement"]):
    def in_force(self, on: date | None = None) -> AgreementQuerySet:
        """Signed agreements, started, and not past their review date beyond the grace period."""
        on = on or timezone.localdate()
        grace = timedelta(days=settings.ISA_REVIEW_GRACE_DAYS)
        return self.filter(
            status__in=IN_FORCE_STATUSES,
            signed_off_on__lte=on,
        ).filter(Q(next_review_due__isnull=True) | Q(next_review_due__gte=on - grace))

    def in_force_on_or_after(self, on: date | None = None) -> AgreementQuerySet:
        """Agreements in force on `on` (today by default) or due to come into force later:
        signed, with a sign-off date, and not yet lapsed for an overdue review. Each is in
        force exactly on the days of its `in_force_window`, which is what grants record."""
        on = on or timezone.localdate()
        grace = timedelta(days=settings.ISA_REVIEW_GRACE_DAYS)
        return self.filter(
            status__in=IN_FORCE_STATUSES,
            signed_off_on__isnull=False,
        ).filter(Q(next_review_due__isnull=True) | Q(next_review_due__gte=on - grace))

    def visible_to(self, user: User) -> AgreementQuerySet:
        """Agreements the user's agency is a party to; system administrators see them all."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.has_role(Role.SYSTEM_ADMIN):
            return self.all()
        return self.filter(parties=user.agency_id)


class InformationSharingAgreement(models.Model):
    """One version of an agreement. A new version is a new row with the same reference,
    pointing at the version it replaces, so each version keeps its own text, document,
    parties and signatures."""

    title = models.CharField(max_length=300)
    reference = models.CharField(max_length=50)
    previous_version = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_versions"
    )
    panels = models.ManyToManyField("panels.Panel", related_name="agreements", blank=True)
    parties = models.ManyToManyField(Agency, related_name="agreements")
    status = models.CharField(
        max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    signed_off_on = models.DateField(null=True, blank=True)
    review_interval_months = models.PositiveSmallIntegerField(default=12)
    next_review_due = models.DateField(null=True, blank=True)
    last_data_protection_review = models.DateField(null=True, blank=True)
    legal_basis = models.TextField(blank=True)
    purpose = models.TextField(blank=True)
    retention_period_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="How long records shared under it are kept after a person leaves the cohort.",
    )
    # The signed document is kept in the database, not in a public media folder: it is
    # served only by a view that checks the reader's agency is a party.
    document_name = models.CharField(max_length=200, blank=True)
    document_content_type = models.CharField(max_length=100, blank=True)
    document_content = models.BinaryField(null=True, blank=True, editable=False)
    circulated_on = models.DateField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["reference", "version"]
        verbose_name = "information-sharing agreement"
        constraints = [
            models.UniqueConstraint(fields=["reference", "version"], name="one_row_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def starts_later(self) -> bool:
        """Signed off with a date still to come: it grants nothing until that day."""
        return self.signed_off_on is not None and self.signed_off_on > timezone.localdate()

    @property
    def access_ends_on(self) -> date | None:
        """The last day the agreement is in force if its review is not recorded: the
        review date plus the grace period (`AgreementQuerySet.in_force`). None without a
        review date."""
        if self.next_review_due is None:
            return None
        return self.next_review_due + timedelta(days=settings.ISA_REVIEW_GRACE_DAYS)

    def in_force_window(self) -> tuple[date | None, date | None]:
        """(first day, last day) the agreement is in force, None at an open end, by the
        same rule as `AgreementQuerySet.in_force` for a signed agreement. Only meaningful
        for agreements in a signed status."""
        return self.signed_off_on, self.access_ends_on


class Signature(models.Model):
    """One party's signature of one version of an agreement."""

    agreement = models.ForeignKey(
        InformationSharingAgreement, on_delete=models.CASCADE, related_name="signatures"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="signatures")
    version = models.PositiveIntegerField()
    signed_by_name = models.CharField(max_length=200)
    signed_by_role = models.CharField(max_length=200)
    signed_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["signed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "agency", "version"], name="one_signature_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} signed version {self.version} on {self.signed_on}"


class PartyWithdrawal(models.Model):
    """A party that left an agreement (or refused a new version): it is no longer a party,
    and this row keeps who withdrew it, when and why."""

    agreement = models.ForeignKey(
        InformationSharingAgreement, on_delete=models.CASCADE, related_name="withdrawals"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["withdrawn_at"]

    def __str__(self) -> str:
        return f"{self.agency} withdrew from {self.agreement.reference}"
