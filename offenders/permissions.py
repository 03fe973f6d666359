"""Who may change a person's identity record."""

from __future__ import annotations

from accounts.models import User
from accounts.permissions import user_may_see_casework
from offenders.models import Nominal
from panels.models import SHARED_STATUSES, Panel
from panels.permissions import can_coordinate


def can_edit_identity(user: User, nominal: Nominal) -> bool:
    """The owning agency's staff, or a coordinator of a panel the person is on."""
    if not user_may_see_casework(user):
        return False
    if nominal.owning_agency_id == user.agency_id:
        return True
    panels = Panel.objects.filter(
        memberships__nominal=nominal, memberships__status__in=SHARED_STATUSES
    ).select_related("coordinating_agency")
    return any(can_coordinate(user, panel) for panel in panels)
