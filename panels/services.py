"""Writes for panels. Membership changes alter who sees the cohort, so they recompute access."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.audit import audit
from accounts.models import User, Verb
from panels.models import Panel
from panels.permissions import can_coordinate


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
