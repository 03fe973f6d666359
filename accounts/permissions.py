"""API permissions, declared in one place per view and closed by default."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


from accounts.audit import log_access
from accounts.models import AccessOutcome, Agency, Role, User

# Marker for actions any signed-in member of staff may call; visibility still applies.
ANY_STAFF = frozenset(Role.values)


class DeclaredActionPermission(BasePermission):
    """Allow an API action only if the view declares which roles may call it.

    A view lists `allowed_roles = {"list": ANY_STAFF, "create": {Role.COORDINATOR}}`
    (or per HTTP method for non-viewset views). An action missing from the map is
    refused, so a new endpoint is closed until someone decides who may use it.
    Which records a permitted user reaches is decided by the view's queryset, which
    always starts from the model's `visible_to(user)` selector.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        if self._allowed(request, view):
            return True
        # Every refusal is an authorisation decision, and SECURITY.md wants each logged.
        log_access(
            request=request,
            object_type=f"api.{getattr(view, 'basename', None) or type(view).__name__}",
            object_id=view.kwargs.get("pk", ""),
            outcome=AccessOutcome.DENIED,
        )
        return False

    @staticmethod
    def _allowed(request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active and user.is_verified()):
            return False
        declared: dict[str, frozenset[str]] = getattr(view, "allowed_roles", {})
        action = getattr(view, "action", None) or (request.method or "").lower()
        roles = declared.get(action)
        if roles is None:
            return False
        return bool(user.roles & set(roles))


def user_may_see_casework(user: User) -> bool:
    """Signed in, active, in an active agency, and in a role that works with cases."""
    return bool(
        user.is_authenticated and user.is_active and user.agency.active and user.does_casework
    )


def person_label(person: User | None, viewer: User, *, agency: Agency | None = None) -> str:
    """A member of staff as the viewer may read them: their name only to staff of their
    own agency; to the other agencies of the partnership, their agency."""
    if person is None:
        return agency.name if agency is not None else ""
    if person.agency_id == viewer.agency_id:
        return f"{person.get_full_name() or person.username}, {person.agency.name}"
    return person.agency.name


def can_administer(actor: User, user: User) -> bool:
    """Agency administrators manage their own agency's accounts, and no other agency's."""
    return (
        actor.is_active and actor.has_role(Role.AGENCY_ADMIN) and actor.agency_id == user.agency_id
    )


def is_coordinator(user: User) -> bool:
    """Holds the panel coordinator role and works with cases."""
    return user_may_see_casework(user) and user.has_role(Role.COORDINATOR)


def may_manage_staff(user: User) -> bool:
    """Agency administrators manage their own agency's staff accounts."""
    return bool(user.is_authenticated and user.is_active and user.has_role(Role.AGENCY_ADMIN))


def is_governance_lead(user: User) -> bool:
    """Information governance leads look after their agency's information-sharing
    agreements and see who viewed its records (never the records' content)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.agency.active
        and user.has_role(Role.GOVERNANCE_LEAD)
    )


def may_run_the_service(user: User) -> bool:
    """System administrators run the service's set-up (never case data)."""
    return bool(user.is_authenticated and user.is_active and user.has_role(Role.SYSTEM_ADMIN))
