"""Who may act on a meeting's case actions."""

from __future__ import annotations

from accounts.models import User
from accounts.permissions import user_may_see_casework
from meetings.models import CaseAction, Meeting
from panels.permissions import can_coordinate


def may_report_on(user: User, action: CaseAction) -> bool:
    """Staff of the owning agency report progress; so may the panel's coordinator."""
    return user_may_see_casework(user) and (
        user.agency_id == action.owner_agency_id or can_coordinate(user, action.panel)
    )


def coordinates_action(user: User, action: CaseAction) -> bool:
    """The coordinators of the action's panel change, reassign or cancel it."""
    return can_coordinate(user, action.panel)


def owner_name_for(action: CaseAction, viewer: User, *, coordinates: bool = False) -> str:
    """The name of the member of staff who owns the action, as the viewer may read it:
    shown to staff of the owner's own agency and, where `coordinates`, to the panel's
    coordinators who assigned it; everyone else reads the owning agency alone ("")."""
    owner = action.owner
    if owner is None or not (coordinates or owner.agency_id == viewer.agency_id):
        return ""
    return owner.get_full_name()


def agenda_visible(user: User, meeting: Meeting) -> bool:
    """The rule of `AgendaItem.objects.visible_to` for one meeting the user already sees:
    the coordinating agency sees the agenda while it is built, members once it is shared."""
    return meeting.agenda_shared_on is not None or (
        user.agency_id == meeting.panel.coordinating_agency_id
    )
