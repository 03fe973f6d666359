"""Who may use reports, on which panels, and who sees figures unsuppressed.

Committee officers see aggregates for every panel, always with small numbers hidden.
Coordinators work with their own panels' figures: on the dashboard and in the API they see
them exactly (they may see the people already); the reports they write go to committee, so
those are always suppressed.
"""

from __future__ import annotations

from django.conf import settings

from accounts.models import Role, User
from accounts.permissions import user_may_see_casework


def is_committee(user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.agency.active
        and user.has_role(Role.COMMITTEE)
    )


def is_reporting_coordinator(user: User) -> bool:
    return user_may_see_casework(user) and user.has_role(Role.COORDINATOR)


def may_use_reports(user: User) -> bool:
    return is_committee(user) or is_reporting_coordinator(user)


def may_set_unit_costs(user: User) -> bool:
    return is_committee(user)


def dashboard_threshold(user: User) -> int | None:
    """The suppression threshold for what this user is shown outside a report."""
    return None if is_reporting_coordinator(user) and not is_committee(user) else report_threshold()


def report_threshold() -> int:
    return int(settings.REPORT_SUPPRESSION_THRESHOLD)
