"""Who may see what (DESIGN.md section 4), in one place.

django-guardian stores one `view_panel` grant per (panel, agency group). The grants are
derived data: `recompute_panel_access` rebuilds them from panel membership and in-force
information-sharing agreements whenever either changes, and nightly as a safety net for
agreements that lapse by date. Every read goes through `Panel.objects.visible_to(user)`,
which joins to the grant table in SQL; nothing calls `has_perm` per row, and model-wide
permissions are never granted or consulted.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F

from accounts.audit import audit
from accounts.models import User, Verb
from panels.models import VIEW_PANEL, Panel, PanelGroupObjectPermission
from sharing.models import InformationSharingAgreement, Signature

# Any constant works; it only has to be the same for every recomputation.
_RECOMPUTE_LOCK_KEY = 7_341_001


@dataclass(frozen=True)
class RecomputeResult:
    granted: int
    revoked: int

    @property
    def changed(self) -> bool:
        return bool(self.granted or self.revoked)


def _view_panel_permission() -> Permission:
    content_type = ContentType.objects.get_for_model(Panel)
    return Permission.objects.get(content_type=content_type, codename=VIEW_PANEL)


def desired_panel_grants() -> set[tuple[int, int]]:
    """(panel id, agency group id) pairs that the access rules call for today.

    A panel's coordinating agency always sees it. A member agency sees it while it has
    signed the current version of an in-force agreement that covers the panel.
    """
    active_panels = Panel.objects.filter(active=True, coordinating_agency__active=True)
    grants = set(active_panels.values_list("pk", "coordinating_agency__group_id"))

    in_force = InformationSharingAgreement.objects.in_force()
    signed = set(
        Signature.objects.filter(
            agreement__in=in_force,
            version=F("agreement__version"),
            agreement__parties=F("agency"),
            agency__active=True,
        ).values_list("agreement_id", "agency_id")
    )
    covers = InformationSharingAgreement.panels.through.objects.filter(
        informationsharingagreement__in=in_force
    ).values_list("informationsharingagreement_id", "panel_id")
    signed_for_panel: set[tuple[int, int]] = set()
    agencies_by_agreement: dict[int, set[int]] = {}
    for agreement_id, agency_id in signed:
        agencies_by_agreement.setdefault(agreement_id, set()).add(agency_id)
    for agreement_id, panel_id in covers:
        for agency_id in agencies_by_agreement.get(agreement_id, ()):
            signed_for_panel.add((panel_id, agency_id))

    memberships = Panel.member_agencies.through.objects.filter(
        panel__in=active_panels, agency__active=True
    ).values_list("panel_id", "agency_id", "agency__group_id")
    for panel_id, agency_id, group_id in memberships:
        if (panel_id, agency_id) in signed_for_panel:
            grants.add((panel_id, group_id))
    return grants


def recompute_panel_access(*, actor: User | None = None) -> RecomputeResult:
    """Make the stored grants equal the rules. Idempotent: a second run changes nothing."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Two recomputations at once would each delete what the other inserted.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_RECOMPUTE_LOCK_KEY])
        permission = _view_panel_permission()
        wanted = desired_panel_grants()
        stored = PanelGroupObjectPermission.objects.filter(permission=permission)
        row_ids = {
            (panel_id, group_id): row_id
            for row_id, panel_id, group_id in stored.values_list(
                "pk", "content_object_id", "group_id"
            )
        }
        current = set(row_ids)

        to_add = wanted - current
        to_remove = current - wanted
        PanelGroupObjectPermission.objects.bulk_create(
            PanelGroupObjectPermission(
                content_object_id=panel_id, group_id=group_id, permission=permission
            )
            for panel_id, group_id in to_add
        )
        stored.filter(pk__in=[row_ids[pair] for pair in to_remove]).delete()

        result = RecomputeResult(granted=len(to_add), revoked=len(to_remove))
        if result.changed:
            audit(
                actor=actor,
                verb=Verb.ACCESS_RECOMPUTED,
                target=permission,
                detail={"granted": result.granted, "revoked": result.revoked},
            )
        return result
