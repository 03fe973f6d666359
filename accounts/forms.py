from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError

from accounts.models import Role, User
from accounts.services import ASSIGNABLE_BY_AGENCY_ADMIN


class SignInForm(forms.Form):
    # A wrong username or password is the form's only error of its own: its link in the
    # error summary leads to the first field.
    error_anchor = "id_username"

    username = forms.CharField(
        label="Username",
        max_length=150,
        error_messages={"required": "Enter your username"},
    )
    password = forms.CharField(
        label="Password",
        widget=forms.PasswordInput,
        strip=False,
        error_messages={"required": "Enter your password"},
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Security code",
        max_length=20,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        error_messages={"required": "Enter the security code"},
    )


class ConfirmIdentityForm(forms.Form):
    """Either the password or a security code: whichever the member of staff has to hand."""

    password = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
    )
    code = forms.CharField(
        label="Or a security code",
        required=False,
        max_length=20,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
    )

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if not cleaned.get("password") and not cleaned.get("code", "").strip():
            self.add_error("password", "Enter your password or a security code")
        return cleaned


class EnrolmentForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=10,
        help_text="After you scan the QR code, the app shows a 6-digit code. Enter it here.",
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise ValidationError("The code must be 6 digits, like 123456")
        return code


class AccountForm(forms.Form):
    first_name = forms.CharField(
        label="First name", max_length=150, error_messages={"required": "Enter a first name"}
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, error_messages={"required": "Enter a last name"}
    )
    username = forms.CharField(
        label="Username",
        max_length=150,
        help_text="What they type to sign in, for example jsmith. Letters, digits and @.+-_ only.",
        error_messages={"required": "Enter a username"},
    )
    email = forms.EmailField(
        label="Work email address",
        help_text="The set-up link is sent here. Use a secure (for example CJSM) address.",
        error_messages={
            "required": "Enter a work email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
    )
    job_title = forms.CharField(label="Job title (optional)", max_length=200, required=False)
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=[(role.value, role.label) for role in ASSIGNABLE_BY_AGENCY_ADMIN],
        help_text="Select all that apply.",
        error_messages={"required": "Select at least one role"},
    )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError("That username is already taken: choose another")
        return username

    def chosen_roles(self) -> list[Role]:
        return [Role(value) for value in self.cleaned_data["roles"]]


class FirstPasswordForm(SetPasswordForm):
    """Django's set-password form, with GOV.UK wording."""

    error_messages = {"password_mismatch": "The two passwords do not match"}


class EmailSettingsForm(forms.Form):
    """The kinds of notification a member of staff also wants by e-mail."""

    email_kinds = forms.MultipleChoiceField(
        label="Also send me an e-mail when",
        required=False,
        help_text="Every notification is shown in the service. E-mails give only the title "
        "and a link, never a person's details.",
        error_messages={"invalid_choice": "Select from the list"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from accounts.notifications import KINDS

        super().__init__(*args, **kwargs)
        self.fields["email_kinds"].choices = list(KINDS.items())  # type: ignore[attr-defined]
