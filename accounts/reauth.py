"""Re-authentication before sensitive actions (SECURITY.md, ASVS 7.5.3).

Exports of personal data, merges, agreement signatures and deletions ask the member of
staff to confirm it is them (their password, or a security code) when their last check is
older than `settings.REAUTHENTICATION_MAX_AGE`. Signing in counts as a check. The time of
the last check lives in the session, so it ends with the session.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from rest_framework import status
from rest_framework.exceptions import APIException

from accounts.two_factor import SIGNED_IN_AT

REAUTHENTICATED_AT = "reauthenticated_at"
AGAIN_MESSAGE = "You have confirmed it is you. Now do what you were doing again."


def last_authenticated_at(request: HttpRequest) -> int:
    """When this session last proved who is using it (seconds since the epoch); 0 if never."""
    session = request.session
    return max(int(session.get(SIGNED_IN_AT, 0)), int(session.get(REAUTHENTICATED_AT, 0)))


def recently_authenticated(request: HttpRequest) -> bool:
    """Whether the last password or security-code check is recent enough for a sensitive
    action."""
    age = time.time() - last_authenticated_at(request)
    return 0 <= age <= settings.REAUTHENTICATION_MAX_AGE.total_seconds()


def mark_reauthenticated(request: HttpRequest) -> None:
    request.session[REAUTHENTICATED_AT] = int(time.time())


def confirm_identity_url(next_url: str) -> str:
    return f"{reverse('confirm-identity')}?{urlencode({'next': next_url})}"


def _page_the_form_was_on(request: HttpRequest) -> str:
    """Where to come back to after confirming, for a POST that cannot be replayed: the
    page that sent it, when it is a page of this service; otherwise the dashboard."""
    referrer = request.headers.get("referer", "")
    if referrer and url_has_allowed_host_and_scheme(
        referrer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referrer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse("dashboard")


def ask_to_confirm_identity(request: HttpRequest, next_url: str) -> HttpResponse:
    """Send the user to "Confirm it's you", and on to `next_url` afterwards (a full page
    load, also from an htmx request)."""
    target = confirm_identity_url(next_url)
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)


def reauthentication_required[R: HttpRequest, **P](
    view: Callable[Concatenate[R, P], HttpResponse],
) -> Callable[Concatenate[R, P], HttpResponse]:
    """Send the user to "Confirm it's you" first when their last check is too old.

    A GET comes back to the same address. A POST cannot be replayed safely, so it comes
    back to the page the form was on, and the user presses the button again."""

    @wraps(view)
    def wrapper(request: R, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if recently_authenticated(request):
            return view(request, *args, **kwargs)
        if request.method in ("GET", "HEAD"):
            return ask_to_confirm_identity(request, request.get_full_path())
        messages.info(request, "Confirm it is you, then press the button again.")
        return ask_to_confirm_identity(request, _page_the_form_was_on(request))

    return wrapper


class ReauthenticationRequired(APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "reauthentication_required"
    default_detail = (
        "Confirm it is you first: sign in again, or confirm on the 'Confirm it's you' page. "
        "It is asked again when the last check is older than the configured time."
    )


def require_recent_authentication(request: Any) -> None:
    """For API views: refuse with 403 `reauthentication_required` when the check is old."""
    if not recently_authenticated(request):
        raise ReauthenticationRequired
