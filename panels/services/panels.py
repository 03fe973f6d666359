"""Writes for panels. Membership changes alter who sees the cohort, so they recompute access."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.audit import audit
from accounts.models import Agency, Role, User, Verb
from panels.models import Panel
from panels.permissions import can_coordinate
from sharing.access import recompute_panel_access


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


def panel_update(
    *,
    actor: User,
    panel: Panel,
    description: str,
    rag_scheme: str,
    review_interval_days: int,
) -> Panel:
    """Change a panel's description, RAG scheme and review interval (its coordinator)."""
    if not can_coordinate(actor, panel):
        raise PermissionDenied
    with transaction.atomic():
        before = {
            "description": panel.description,
            "rag_scheme": panel.rag_scheme,
            "review_interval_days": panel.review_interval_days,
        }
        after = {
            "description": description,
            "rag_scheme": rag_scheme,
            "review_interval_days": review_interval_days,
        }
        for name, value in after.items():
            setattr(panel, name, value)
        panel.full_clean()
        panel.save(update_fields=list(after))
        changed = {
            name: [before[name], value] for name, value in after.items() if before[name] != value
        }
        if changed:
            audit(actor=actor, verb=Verb.PANEL_CHANGED, target=panel, detail=changed)
    return panel
