"""Writes for panels, and (from sharing.agreement_services) information-sharing agreements.

Every function takes the acting user, checks they may act, validates, saves, writes its
audit row in the same transaction, and recomputes panel access where the change can
alter who sees what.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.audit import audit
from accounts.models import Agency, Role, User, Verb
from panels.models import Panel
from panels.permissions import can_coordinate
from sharing.access import recompute_panel_access

# The agreement writes live in their own module; these names are kept here for callers.
from sharing.agreement_services import (
    agreement_create,
    agreement_set_status,
    agreement_sign,
)

__all__ = [
    "agreement_create",
    "agreement_set_status",
    "agreement_sign",
    "panel_create",
    "panel_set_members",
]


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
