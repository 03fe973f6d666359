"""Sign-in with a password and a second factor, enrolment, and sign-out."""

from __future__ import annotations

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import PasswordResetConfirmView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import reauth, sign_in_guard, two_factor
from accounts.audit import audit
from accounts.forms import (
    CodeForm,
    ConfirmIdentityForm,
    EnrolmentForm,
    FirstPasswordForm,
    SignInForm,
)
from accounts.http import AuthenticatedHttpRequest
from accounts.middleware import SIGNED_OUT_REASON
from accounts.models import User, Verb
from accounts.services import user_set_first_password

NEXT_KEY = "sign_in_next"
NEW_CODES_KEY = "new_backup_codes"
# The username of a sign-in refused after the password and code were checked together.
REFUSED_KEY = "sign_in_refused"
TIMEOUT_MESSAGES = {
    "idle": "You were signed out because you had not done anything for 30 minutes.",
    "absolute": "You were signed out because you had been signed in for 12 hours.",
}


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    """Only ever send people on to pages of this service."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("dashboard")


def _is_locked(request: HttpRequest, username: str) -> bool:
    """Whether this username is paused for the address the request comes from."""
    return AxesProxyHandler.is_locked(request, credentials={"username": username})


def locked_out(request: HttpRequest, response: HttpResponse, credentials: dict) -> HttpResponse:
    """What django-axes shows once a username has had too many failures from one address."""
    request.session.pop(two_factor.PENDING_KEY, None)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


def _not_set_up_under_guard(request: HttpRequest) -> HttpResponse:
    """An account with no second factor yet cannot have the two checked together."""
    request.session.pop(two_factor.PENDING_KEY, None)
    hours = int(settings.SIGN_IN_GUARD_WINDOW.total_seconds() // 3600)
    return render(
        request, "accounts/locked_out.html", {"not_set_up": True, "hours": hours}, status=429
    )


def _sign_in_checked_together(request: HttpRequest, username: str, password: str) -> HttpResponse:
    """Many failures for this username from everywhere: whatever the password, go on to the
    code, and say whether either was wrong only once both are given.

    Every step answers the same for a right and a wrong password: the pause for this
    address is checked before the password, and a wrong password counts one failure here
    as a wrong code does on the next page."""
    if _is_locked(request, username):
        return locked_out(request, HttpResponse(), {"username": username})
    account = User.objects.filter(username=username, is_active=True).first()
    if account is not None and two_factor.confirmed_totp(account) is None:
        return _not_set_up_under_guard(request)
    user = authenticate(request, username=username, password=password)
    two_factor.begin_checked_together(request, username, user)
    request.session[NEXT_KEY] = _safe_next(request, request.POST.get("next"))
    return redirect("sign-in-code")


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    reason = request.session.pop(SIGNED_OUT_REASON, None)
    refused = request.session.pop(REFUSED_KEY, None)
    form = SignInForm(request.POST or None)
    if refused and request.method == "GET":
        # Bound to the username given (the password is never shown back), so the page
        # reads as a refused sign-in with its error summary.
        form = SignInForm({"username": refused, "password": "-"})
        form.is_valid()
        form.add_error(None, "Enter a correct username, password and security code")
    if request.method == "POST" and form.is_valid():
        username, password = form.cleaned_data["username"], form.cleaned_data["password"]
        if sign_in_guard.is_guarded(username):
            return _sign_in_checked_together(request, username, password)
        user = authenticate(request, username=username, password=password)
        if getattr(request, "axes_locked_out", False) or _is_locked(request, username):
            return locked_out(request, HttpResponse(), {"username": username})
        if user is None:
            form.add_error(None, "Enter a correct username and password")
        else:
            next_url = _safe_next(request, request.POST.get("next"))
            two_factor.begin_sign_in(request, user)
            request.session[NEXT_KEY] = next_url
            if two_factor.confirmed_totp(user) is None:
                return redirect("sign-in-set-up")
            return redirect("sign-in-code")
    return render(
        request,
        "accounts/sign_in.html",
        {
            "form": form,
            "next": request.GET.get("next", request.POST.get("next", "")),
            "timeout_message": TIMEOUT_MESSAGES.get(reason or ""),
        },
    )


def _finish(request: HttpRequest, user: User, device) -> HttpResponseRedirect:
    next_url = request.session.pop(NEXT_KEY, reverse("dashboard"))
    two_factor.complete_sign_in(request, user, device)
    return redirect(next_url)


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    together = two_factor.pending_together(request)
    if together is not None:
        return _code_checked_together(request, *together)
    user = two_factor.pending_user(request)
    if user is None:
        return redirect("sign-in")
    if two_factor.confirmed_totp(user) is None:
        return redirect("sign-in-set-up")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _is_locked(request, user.username):
            return locked_out(request, HttpResponse(), {"username": user.username})
        wait = two_factor.seconds_until_next_try(user)
        if wait:
            # Inside django-otp's pause after a wrong code: not a new failed attempt.
            form.add_error("code", two_factor.wait_message(wait))
            return render(request, "accounts/sign_in_code.html", {"form": form})
        device = two_factor.verify_code(user, form.cleaned_data["code"])
        if device is not None:
            return _finish(request, user, device)
        two_factor.record_failed_code(request, user)
        if _is_locked(request, user.username):
            return locked_out(request, HttpResponse(), {"username": user.username})
        form.add_error(
            "code", "The security code is not correct or has expired. Enter the current code"
        )
    return render(request, "accounts/sign_in_code.html", {"form": form})


def _code_checked_together(request: HttpRequest, username: str, user: User | None) -> HttpResponse:
    """The code, checked only if the password before it was right (`user` is then set).

    A wrong password already counted as a failure; a wrong code counts now. Either way the
    answer is the same, and the sign-in starts again from the password."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _is_locked(request, username):
            return locked_out(request, HttpResponse(), {"username": username})
        device = None
        # Inside django-otp's pause after a wrong code the code is not tried, and saying
        # "wait" would tell a guesser that the password was right: it is one more failure,
        # as a wrong password would have been.
        if user is not None:
            if not two_factor.seconds_until_next_try(user):
                device = two_factor.verify_code(user, form.cleaned_data["code"])
            if device is None:
                two_factor.record_failed_code(request, user)
            else:
                return _finish(request, user, device)
        request.session.pop(two_factor.PENDING_KEY, None)
        request.session[REFUSED_KEY] = username
        return redirect("sign-in")
    return render(request, "accounts/sign_in_code.html", {"form": form, "together": True})


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_in_set_up(request: HttpRequest) -> HttpResponse:
    """First sign-in: scan a QR code into an authenticator app and prove it works."""
    user = two_factor.pending_user(request)
    if user is None:
        return redirect("sign-in")
    if two_factor.confirmed_totp(user) is not None:
        return redirect("sign-in-code")
    device = two_factor.enrolment_device(user)
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_enrolment(user, device, form.cleaned_data["code"])
        if codes is not None:
            _finish(request, user, device)
            request.session[NEW_CODES_KEY] = codes
            return redirect("sign-in-backup-codes")
        two_factor.record_failed_code(request, user)
        if _is_locked(request, user.username):
            return locked_out(request, HttpResponse(), {"username": user.username})
        form.add_error("code", "The code is not correct. Check the app and enter the new code")
    qr_svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, title="QR code for your authenticator app"
    )
    return render(
        request,
        "accounts/sign_in_set_up.html",
        {"form": form, "qr_svg": qr_svg, "secret": _grouped_base32(device)},
    )


def _grouped_base32(device) -> str:
    """The secret as people type it into an app by hand: groups of four letters."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@require_safe
def sign_in_backup_codes(request: HttpRequest) -> HttpResponse:
    """Shown once, straight after enrolment."""
    codes = request.session.pop(NEW_CODES_KEY, None)
    if not request.user.is_authenticated or codes is None:
        return redirect("dashboard")
    return render(request, "accounts/backup_codes.html", {"codes": codes})


@require_http_methods(["GET", "POST"])
def confirm_identity(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "Confirm it's you": the password or a security code again, before a sensitive action.

    Wrong answers count towards the account's lock-out, as at sign-in."""
    user = request.user
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = ConfirmIdentityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _is_locked(request, user.username):
            return locked_out(request, HttpResponse(), {"username": user.username})
        password, code = form.cleaned_data["password"], form.cleaned_data["code"].strip()
        confirmed = False
        if password:
            checked = authenticate(request, username=user.username, password=password)
            confirmed = checked is not None and checked.pk == user.pk
            if not confirmed:
                form.add_error("password", "The password is not correct")
        elif wait := two_factor.seconds_until_next_try(user):
            form.add_error("code", two_factor.wait_message(wait))
        else:
            confirmed = two_factor.verify_code(user, code) is not None
            if not confirmed:
                two_factor.record_failed_code(request, user)
                form.add_error(
                    "code",
                    "The security code is not correct or has expired. Enter the current code",
                )
        if _is_locked(request, user.username):
            return locked_out(request, HttpResponse(), {"username": user.username})
        if confirmed:
            reauth.mark_reauthenticated(request)
            audit(actor=user, verb=Verb.REAUTHENTICATED, target=user)
            messages.success(request, reauth.AGAIN_MESSAGE)
            return redirect(next_url)
    minutes = int(settings.REAUTHENTICATION_MAX_AGE.total_seconds() // 60)
    return render(
        request,
        "accounts/confirm_identity.html",
        {"form": form, "next": next_url, "minutes": minutes},
    )


@login_not_required
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit(actor=request.user, verb=Verb.SIGNED_OUT, target=request.user)
    logout(request)
    response = redirect("signed-out")
    # Ask the browser to drop anything it kept from the session.
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@login_not_required
@require_safe
def signed_out(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signed_out.html")


@method_decorator(login_not_required, name="dispatch")
class AccountSetUpView(PasswordResetConfirmView):
    """The link an agency administrator sends a new member of staff to choose a password.

    Django's view moves the token out of the URL into the session before showing the form.
    """

    form_class = FirstPasswordForm
    template_name = "accounts/account_set_up.html"
    success_url = reverse_lazy("sign-in")
    post_reset_login = False

    def form_valid(self, form: SetPasswordForm[User]) -> HttpResponse:
        from django.contrib import messages

        user_set_first_password(user=form.user, password=form.cleaned_data["new_password1"])
        del self.request.session["_password_reset_token"]
        messages.success(
            self.request, "Your password is set. Sign in to set up your security code."
        )
        return HttpResponseRedirect(self.get_success_url())
