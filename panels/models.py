"""Risk panels. This module grows with cohorts, meetings and reviews; the access rules
that decide who sees a panel live in sharing/ and are applied through `visible_to`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
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


class CohortMembership(models.Model):
    """A nominal on a panel's cohort. The panels work adds the referral workflow."""

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
    reason = models.TextField(blank=True)
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    exit_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-referred_on"]
        indexes = [models.Index(fields=["panel", "status"]), models.Index(fields=["nominal"])]

    def __str__(self) -> str:
        return f"{self.nominal} on {self.panel} ({self.get_status_display()})"


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class RagReview(models.Model):
    """A panel's Red/Amber/Green view of a nominal on one date: the history is the rows."""

    nominal = models.ForeignKey(
        "offenders.Nominal", on_delete=models.CASCADE, related_name="rag_reviews"
    )
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="rag_reviews")
    rag = models.CharField("RAG", max_length=5, choices=Rag.choices)
    reviewed_on = models.DateField()
    author = models.ForeignKey("sharing.User", on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        indexes = [models.Index(fields=["nominal", "panel", "-reviewed_on"])]

    def __str__(self) -> str:
        return f"{self.get_rag_display()} on {self.reviewed_on}"
