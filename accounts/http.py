"""The request a signed-in member of staff makes, for code that only they ever reach."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """What a page view receives. SignInRequiredMiddleware sends anyone not signed in to the
    sign-in page before any view runs (except those marked `@login_not_required`), so
    `user` is a member of staff, never AnonymousUser. django-htmx's HtmxMiddleware sets
    `htmx` on every request: whether htmx asked for part of a page."""

    user: User
    htmx: HtmxDetails


def request_user(request: HttpRequest) -> User:
    """The signed-in member of staff behind a request that only they can have made: an API
    view past DeclaredActionPermission, or a `<model>_for` selector, which pages and API
    views share. An anonymous caller here is a missing check upstream: refuse, closed."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
