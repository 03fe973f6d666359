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
