from django.conf import settings
from django.http import HttpRequest


def service(request: HttpRequest) -> dict[str, object]:
    """The service name and primary navigation, shared by every page."""
    return {
        "service_name": settings.SERVICE_NAME,
        "primary_navigation": [
            ("Dashboard", "dashboard"),
            ("Nominals", "offenders:index"),
            ("Panels", "panels:list"),
            ("Action plan", "actions:index"),
            ("Sharing", "sharing:agreements"),
            ("Reports", "reporting:index"),
        ],
    }
