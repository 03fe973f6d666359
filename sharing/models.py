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


# A signed agreement stays in force while it is being reviewed.
IN_FORCE_STATUSES = (AgreementStatus.SIGNED, AgreementStatus.UNDER_REVIEW)


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
    title = models.CharField(max_length=300)
    reference = models.CharField(max_length=50, unique=True)
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
    document = models.FileField(upload_to="agreements/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        verbose_name = "information-sharing agreement"

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
