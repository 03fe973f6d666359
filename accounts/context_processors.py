from django.conf import settings
from django.http import HttpRequest

from accounts.models import Role, User


def _sees_governance(request: HttpRequest) -> bool:
    """Information governance leads and system administrators have a Governance page."""
    # An error page for a request refused before authentication (a host the service does
    # not answer to) has no user at all.
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_active:
        return False
    return bool(user.roles & {Role.GOVERNANCE_LEAD, Role.SYSTEM_ADMIN})


def service(request: HttpRequest) -> dict[str, object]:
    """The service name and primary navigation, shared by every page."""
    navigation = [
        ("Dashboard", "dashboard"),
        ("Nominals", "offenders:index"),
        ("Panels", "panels:list"),
        ("Action plan", "actions:index"),
        ("Sharing", "sharing:agreements"),
        ("Reports", "reporting:index"),
    ]
    if _sees_governance(request):
        navigation.append(("Governance", "governance:index"))
    return {"service_name": settings.SERVICE_NAME, "primary_navigation": navigation}
