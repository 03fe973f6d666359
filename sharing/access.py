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
from typing import Any

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest

from panels.models import Panel, PanelGroupObjectPermission
from sharing.audit import audit, log_access
from sharing.models import (
    AccessOutcome,
    Agency,
    InformationSharingAgreement,
    Role,
    Signature,
    User,
    Verb,
)

VIEW_PANEL = "view_panel"
# Any constant works; it only has to be the same for every recomputation.
_RECOMPUTE_LOCK_KEY = 7_341_001


def user_may_see_casework(user: User) -> bool:
    """Signed in, active, in an active agency, and in a role that works with cases."""
    return bool(
        user.is_authenticated and user.is_active and user.agency.active and user.does_casework
    )


def can_coordinate(user: User, panel: Panel) -> bool:
    """Coordinators of the panel's coordinating agency change the panel."""
    return (
        user_may_see_casework(user)
        and user.has_role(Role.COORDINATOR)
        and user.agency_id == panel.coordinating_agency_id
    )


def person_label(person: User | None, viewer: User, *, agency: Agency | None = None) -> str:
    """A member of staff as the viewer may read them: their name only to staff of their
    own agency; to the other agencies of the partnership, their agency."""
    if person is None:
        return agency.name if agency is not None else ""
    if person.agency_id == viewer.agency_id:
        return f"{person.get_full_name() or person.username}, {person.agency.name}"
    return person.agency.name


def panel_for(request: HttpRequest, pk: int) -> Panel:
    """The panel if the user may see it; otherwise 404, whether or not it exists."""
    panel = (
        Panel.objects.visible_to(request.user)
        .select_related("coordinating_agency")
        .filter(pk=pk)
        .first()
    )
    if panel is None:
        refuse(request, object_type="panels.panel", object_id=pk)
    return panel


def refuse(request: HttpRequest, *, object_type: str, object_id: object) -> None:
    """Log the refused read and answer 404, the same answer as for a missing record."""
    log_access(
        request=request,
        object_type=object_type,
        object_id=object_id,
        outcome=AccessOutcome.DENIED,
    )
    raise Http404


def visible_or_404(
    request: HttpRequest, queryset: QuerySet, pk: object, *, object_type: str
) -> Any:
    """The record with this pk from the caller's visible `queryset`, or 404 (logged) whether
    it is hidden or missing: one get-or-refuse for every model's `<model>_for` helper."""
    record = queryset.filter(pk=int(pk)).first()
    if record is None:
        refuse(request, object_type=object_type, object_id=pk)
    return record


def forbid(request: HttpRequest, *, object_type: str, object_id: object = "") -> None:
    """Log the refusal and answer 403: the record is visible, the action is not allowed."""
    log_access(
        request=request,
        object_type=object_type,
        object_id=object_id,
        outcome=AccessOutcome.DENIED,
    )
    raise PermissionDenied


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


def agencies_seeing_panel(panel: Panel) -> list[Agency]:
    """The agencies currently granted sight of a panel, for the panel's own page."""
    granted = PanelGroupObjectPermission.objects.filter(
        content_object=panel, permission__codename=VIEW_PANEL
    ).values("group_id")
    return list(Agency.objects.filter(group_id__in=granted).order_by("name"))
