"""The site's URLconf plus the trivial view, for gunicorn under `make load` only."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from bench.load.scenario import TRIVIAL_PATH


def trivial(request: HttpRequest) -> HttpResponse:
    """The baseline: no query or template of its own, behind the same middleware as pages
    (so it still reads the session and the user, and checks the second factor)."""
    return HttpResponse("ok")


urlpatterns = [
    path(TRIVIAL_PATH.strip("/") + "/", trivial, name="load-trivial"),
    path("", include("config.urls")),
]
