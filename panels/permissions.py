"""Who may change a panel: its coordinating agency's coordinators."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.models import Role, User
from accounts.permissions import user_may_see_casework
from panels.models import Panel


def can_coordinate(user: User, panel: Panel) -> bool:
    """Coordinators of the panel's coordinating agency change the panel."""
    return (
        user_may_see_casework(user)
        and user.has_role(Role.COORDINATOR)
        and user.agency_id == panel.coordinating_agency_id
    )


def require_coordinator(actor: User | None, panel: Panel) -> None:
    """A service's guard: only the panel's coordinators change it. `None` is the system
    (scheduled jobs and the demo data), which acts for every panel."""
    if actor is not None and not can_coordinate(actor, panel):
        raise PermissionDenied
