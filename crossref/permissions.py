"""Who may ask for a cross-reference run and decide its findings."""

from __future__ import annotations

from accounts.models import Role, User
from accounts.permissions import user_may_see_casework
from crossref.models import MatchFinding
from panels.models import Panel


def may_decide(user: User, finding: MatchFinding) -> bool:
    """Coordinators of a panel the finding names decide it."""
    return (
        reviews_crossref(user)
        and Panel.objects.visible_to(user)
        .filter(coordinating_agency_id=user.agency_id, pk__in=finding.panels)
        .exists()
    )


def may_request_run(user: User) -> bool:
    """Panel coordinators ask for a run from the page; system administrators may too."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.has_role(Role.SYSTEM_ADMIN):
        return True
    return user_may_see_casework(user) and user.has_role(Role.COORDINATOR)


def reviews_crossref(user: User) -> bool:
    """Panel coordinators who work with cases: they read runs and review findings."""
    return user_may_see_casework(user) and user.has_role(Role.COORDINATOR)
