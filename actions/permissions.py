"""Who may edit the action plan, update its steps and import plans."""

from __future__ import annotations

from accounts.models import Role, User
from accounts.permissions import user_may_see_casework
from actions.models import ActionPlan, ActionStep


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.agency.active)


def may_manage_plan(user: User, plan: ActionPlan) -> bool:
    """The plan owner and the owning agency's coordinators: they edit the plan while it is
    current, and archive it or bring it back."""
    return (
        _active(user)
        and user.agency_id == plan.owner_agency_id
        and (user.pk == plan.owner_id or user.has_role(Role.COORDINATOR))
    )


def may_edit_plan(user: User, plan: ActionPlan) -> bool:
    """The plan owner and the owning agency's coordinators edit the whole plan, until it is
    archived: an archived plan is a record of what was done, changed by nobody."""
    return not plan.archived and may_manage_plan(user, plan)


def may_create_plans(user: User) -> bool:
    """Coordinators who work on casework set up their partnership's plans."""
    return user_may_see_casework(user) and user.has_role(Role.COORDINATOR)


def may_update_step(user: User, step: ActionStep) -> bool:
    """Staff of the step's lead agency who work on the partnership's business (not
    committee officers or system administrators) add progress updates to it; so does
    whoever edits the plan."""
    plan = step.action.objective.plan
    if plan.archived:
        return False
    if may_edit_plan(user, plan):
        return True
    return (
        user_may_see_casework(user)
        and step.lead_agency_id is not None
        and user.agency_id == step.lead_agency_id
    )


def may_import_plans(user: User) -> bool:
    """Coordinators and agency administrators of an active agency import plans."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.agency.active
        and any(user.has_role(role) for role in IMPORTING_ROLES)
    )


IMPORTING_ROLES = (Role.COORDINATOR, Role.AGENCY_ADMIN)
