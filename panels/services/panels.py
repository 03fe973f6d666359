"""Writes for panels. Membership changes alter who sees the cohort, so they recompute access."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from panels.models import Panel
from sharing.access import can_coordinate, recompute_panel_access
from sharing.audit import audit
from sharing.models import Agency, Role, User, Verb


def panel_create(
    *,
    actor: User | None,
    kind: str,
    name: str,
    coordinating_agency: Agency,
    member_agencies: list[Agency],
    description: str = "",
) -> Panel:
    """Set up a panel. System administrators, or a coordinator for their own agency."""
    if actor is not None and not (
        actor.has_role(Role.SYSTEM_ADMIN)
        or (actor.has_role(Role.COORDINATOR) and actor.agency_id == coordinating_agency.pk)
    ):
        raise PermissionDenied
    with transaction.atomic():
        panel = Panel(
            kind=kind, name=name, coordinating_agency=coordinating_agency, description=description
        )
        panel.full_clean()
        panel.save()
        panel.member_agencies.set(member_agencies)
        audit(actor=actor, verb=Verb.PANEL_CREATED, target=panel)
        recompute_panel_access(actor=actor)
    return panel


def panel_set_members(*, actor: User | None, panel: Panel, member_agencies: list[Agency]) -> Panel:
    """Replace the panel's member agencies; an agency removed loses sight of it at once."""
    if actor is not None and not (
        actor.has_role(Role.SYSTEM_ADMIN) or can_coordinate(actor, panel)
    ):
        raise PermissionDenied
    with transaction.atomic():
        before = set(panel.member_agencies.values_list("code", flat=True))
        panel.member_agencies.set(member_agencies)
        after = {agency.code for agency in member_agencies}
        audit(
            actor=actor,
            verb=Verb.PANEL_MEMBERS_CHANGED,
            target=panel,
            detail={"added": sorted(after - before), "removed": sorted(before - after)},
        )
        recompute_panel_access(actor=actor)
    return panel
