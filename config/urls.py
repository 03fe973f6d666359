from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import include, path
from django.views.decorators.http import require_safe
from django.views.defaults import page_not_found

from accounts.views import auth
from reporting.views import dashboard


@login_not_required
@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and docker-compose: the process is up and reaches PostgreSQL."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def static_page(template: str):
    @login_not_required
    @require_safe
    def view(request: HttpRequest) -> HttpResponse:
        return render(request, template)

    return view


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The GOV.UK page for people; for the API, the JSON body its schema documents (an
    address no route matches, such as a record id that is not a number)."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


handler404 = not_found

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("sign-in/", auth.sign_in, name="sign-in"),
    path("sign-in/code/", auth.sign_in_code, name="sign-in-code"),
    path("sign-in/set-up/", auth.sign_in_set_up, name="sign-in-set-up"),
    path("sign-in/backup-codes/", auth.sign_in_backup_codes, name="sign-in-backup-codes"),
    path("confirm-identity/", auth.confirm_identity, name="confirm-identity"),
    path("sign-out/", auth.sign_out, name="sign-out"),
    path("signed-out/", auth.signed_out, name="signed-out"),
    path(
        "account/set-up/<uidb64>/<token>/",
        auth.AccountSetUpView.as_view(),
        name="account-set-up",
    ),
    path("privacy/", static_page("pages/privacy.html"), name="privacy"),
    path("accessibility/", static_page("pages/accessibility.html"), name="accessibility"),
    path("health/", health, name="health"),
    path("nominals/", include("offenders.urls")),
    path("panels/", include("panels.urls")),
    path("panels/", include("cohorts.urls")),
    path("panels/", include("meetings.urls")),
    path("panels/", include("crossref.urls")),
    path("action-plan/", include("actions.urls")),
    path("sharing/", include("sharing.urls")),
    path("sharing/", include("accounts.urls")),
    path("reports/", include("reporting.urls")),
    path("governance/retention/", include("retention.urls")),
    path("governance/", include("governance.urls")),
    path("api/v1/", include("config.api")),
]

# The usual 500 page, or "This page took too long" for a statement cancelled outside a view.
handler500 = "core.middleware.server_error"
