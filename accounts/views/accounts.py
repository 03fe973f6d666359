"""Agency administrators create and deactivate their own agency's staff accounts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import require
from accounts.forms import AccountForm
from accounts.http import AuthenticatedHttpRequest
from accounts.models import ObjectType
from accounts.permissions import may_manage_staff
from accounts.selectors import staff_member_for, staff_visible_to
from accounts.services import user_create, user_deactivate, user_reactivate

SORTS = {"name": ("last_name", "first_name"), "username": ("username",), "status": ("-is_active",)}


def _require_agency_admin(request: AuthenticatedHttpRequest, pk: int | None = None) -> None:
    require(
        request,
        may_manage_staff(request.user),
        object_type=ObjectType.STAFF_ACCOUNT,
        object_id=pk or "",
    )


@login_required
@require_safe
def account_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_agency_admin(request)
    sort = request.GET.get("sort", "name")
    staff = staff_visible_to(request.user).order_by(*SORTS.get(sort, SORTS["name"]))
    page = Paginator(staff, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/account_list.html",
        {"page": page, "sort": sort, "nav_section": "Sharing"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_agency_admin(request)
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = user_create(
                actor=request.user,
                username=form.cleaned_data["username"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                email=form.cleaned_data["email"],
                job_title=form.cleaned_data["job_title"],
                roles=form.chosen_roles(),
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            link = request.build_absolute_uri(account.set_up_path)
            # The e-mail carries only the link: no personal or case information.
            send_mail(
                subject="Your Tandem account",
                message=(
                    "An account has been created for you on Tandem.\n\n"
                    f"Choose your password within 3 days: {link}\n"
                ),
                from_email=None,
                recipient_list=[account.user.email],
            )
            return render(
                request,
                "accounts/account_created.html",
                {"account": account.user, "link": link, "nav_section": "Sharing"},
            )
    return render(request, "accounts/account_form.html", {"form": form, "nav_section": "Sharing"})


@login_required
@require_safe
def account_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_agency_admin(request, pk)
    account = staff_member_for(request, pk)
    return render(
        request, "accounts/account_detail.html", {"account": account, "nav_section": "Sharing"}
    )


@login_required
@require_POST
def account_deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_agency_admin(request, pk)
    account = staff_member_for(request, pk)
    try:
        user_deactivate(actor=request.user, user=account)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"{account} can no longer sign in.")
    return redirect("accounts:account", pk=account.pk)


@login_required
@require_POST
def account_reactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_agency_admin(request, pk)
    account = staff_member_for(request, pk)
    user_reactivate(actor=request.user, user=account)
    messages.success(request, f"{account} can sign in again.")
    return redirect("accounts:account", pk=account.pk)
