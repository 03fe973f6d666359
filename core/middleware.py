"""A web request whose SQL ran too long: a clear page, not a killed worker or a 500."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

logger = logging.getLogger(__name__)

# PostgreSQL's code for a statement cancelled by statement_timeout (or by an administrator).
QUERY_CANCELED = "57014"
TOO_LONG = (
    "The request took too long and was stopped. Try again in a few minutes, or ask for less "
    "(a narrower search or a shorter period)."
)


def statement_cancelled(error: BaseException | None) -> bool:
    """Whether `error` is PostgreSQL cancelling a statement that ran past its time."""
    if not isinstance(error, OperationalError):
        return False
    return getattr(error.__cause__, "sqlstate", None) == QUERY_CANCELED


def too_long_response(request: HttpRequest) -> HttpResponse:
    """503 with a page saying what happened and what to do (JSON for the API). Drawn without
    the request, as the 500 page is, so it asks nothing more of the busy database."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": TOO_LONG}, status=503)
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = "60"
    return response


class StatementTimeoutMiddleware:
    """Turns a view's statement cancelled by WEB_STATEMENT_TIMEOUT_SECONDS into
    `too_long_response`; the worker goes on to its next request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not statement_cancelled(exception):
            return None
        # The path names the page, never a person (search terms are sent by POST or as
        # query strings, which are left out).
        logger.warning("A statement ran too long on %s %s", request.method, request.path)
        return too_long_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a statement cancelled outside a view (in a middleware loading the
    session, say) gets the same 503 page; anything else the usual 500 page."""
    if statement_cancelled(sys.exc_info()[1]):
        return too_long_response(request)
    return HttpResponse(loader.get_template("500.html").render(), status=500)
