"""A member of staff's own notifications: read them, newest first, and mark them as read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.forms import EmailSettingsForm
from accounts.http import AuthenticatedHttpRequest
from accounts.notifications import (
    KINDS,
    email_settings_save,
    notification_for,
    notification_mark_read,
    notifications_for,
    notifications_mark_all_read,
    notifications_unread_count,
)

PAGE_SIZE = 25


@login_required
@require_safe
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(notifications_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/notifications/list.html",
        {
            "page": page,
            "unread": notifications_unread_count(request.user),
            "nav_section": "Notifications",
        },
    )


def _back_to_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The list again, at the page the button was pressed on."""
    page = request.POST.get("page", "")
    url = reverse("accounts:notifications")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)


@login_required
@require_POST
def notification_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notification = notification_for(request, pk)
    notification_mark_read(actor=request.user, notification=notification)
    return _back_to_list(request)


@login_required
@require_POST
def notifications_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    marked = notifications_mark_all_read(actor=request.user)
    if marked:
        messages.success(
            request, f"{marked} notification{'' if marked == 1 else 's'} marked as read."
        )
    return _back_to_list(request)


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Which notifications the member of staff also gets by e-mail (all of them are always
    in the service)."""
    wanted = [kind for kind in KINDS if kind not in request.user.email_muted]
    # A POST with no box ticked is a choice too (no e-mails), so it is bound all the same.
    form = EmailSettingsForm(
        request.POST if request.method == "POST" else None, initial={"email_kinds": wanted}
    )
    if request.method == "POST" and form.is_valid():
        email_settings_save(actor=request.user, wanted=form.cleaned_data["email_kinds"])
        messages.success(request, "Your e-mail choices are saved")
        return redirect("accounts:notifications")
    return render(
        request,
        "accounts/notifications/settings.html",
        {"form": form, "nav_section": "Notifications"},
    )
