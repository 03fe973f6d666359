"""Session rules from SECURITY.md: idle and absolute timeouts, the second factor, no-store."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from accounts.two_factor import LAST_SEEN, PENDING_KEY, SIGNED_IN_AT

SIGNED_OUT_REASON = "signed_out_reason"
# Refresh the idle clock at most this often, so most requests do not write the session.
_TOUCH_EVERY_SECONDS = 30


class SessionLifetimeMiddleware:
    """Sign out after 30 minutes idle or 12 hours in all, whichever comes first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.get(SIGNED_IN_AT, 0)
            last_seen = request.session.get(LAST_SEEN, 0)
            if now - started > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
                self._sign_out(request, "absolute")
            elif now - last_seen > settings.SESSION_IDLE_TIMEOUT.total_seconds():
                self._sign_out(request, "idle")
            elif now - last_seen > _TOUCH_EVERY_SECONDS:
                request.session[LAST_SEEN] = now
        return self.get_response(request)

    @staticmethod
    def _sign_out(request: HttpRequest, reason: str) -> None:
        logout(request)
        request.session[SIGNED_OUT_REASON] = reason


class SecondFactorRequiredMiddleware:
    """A session signed in without a verified second factor is signed out.

    Sign-in only ever completes after the code, so this catches any other route to
    `login()` (the admin site's own form, a future view) rather than trusting each one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.is_verified():
            logout(request)
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages seen while signed in, or half signed in, are never cached by browsers or proxies."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated or PENDING_KEY in request.session:
            patch_cache_control(response, no_store=True, no_cache=True, private=True)
        return response


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a signed-in user unless its view is marked `@login_not_required`.

    The API is left to its own permission class, which is closed by default and answers
    anonymous callers with 403 JSON rather than a redirect to the sign-in page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
