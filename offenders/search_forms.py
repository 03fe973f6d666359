"""Forms for finding people, creating a record and choosing a record to merge.

Search terms travel in POST bodies only (SECURITY.md: no personal data in URLs), so the
page number and sort order are form fields too.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from core.forms import DateInputField, DateOfBirthField
from matching.identifiers import validate_identifier
from offenders.forms import IdentityForm
from offenders.models import IdentifierKind
from offenders.search import SORTS

EMPTY_SEARCH = "Enter a name, a date of birth or an identifier"


class SearchForm(forms.Form):
    name = forms.CharField(
        label="Name",
        required=False,
        max_length=300,
        help_text="Given and family names, in either order. Nicknames and misspellings are "
        "matched too, for example Bill Smyth finds William Smith.",
        error_messages={"max_length": "Name must be 300 characters or fewer"},
    )
    date_of_birth = DateOfBirthField(
        label="Date of birth", required=False, help_text="For example, 27 3 1990"
    )
    identifier = forms.CharField(
        label="Identifier",
        required=False,
        max_length=50,
        help_text="A PNC ID, CRO number, probation CRN, prison number, NHS number or local "
        "reference.",
        error_messages={"max_length": "Identifier must be 50 characters or fewer"},
    )
    sort = forms.ChoiceField(
        label="Sort by", choices=list(SORTS.items()), required=False, initial="relevance"
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    error_anchor = "id_name"

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_identifier(self) -> str:
        return self.cleaned_data["identifier"].strip()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        given = data.get("name") or data.get("date_of_birth") or data.get("identifier")
        if not given and not self.has_error("date_of_birth"):
            raise ValidationError(EMPTY_SEARCH)
        return data

    @property
    def sort_order(self) -> str:
        sort = self.cleaned_data.get("sort") if hasattr(self, "cleaned_data") else None
        return sort if sort in SORTS else "relevance"

    @property
    def page_number(self) -> int:
        return (self.cleaned_data.get("page") if hasattr(self, "cleaned_data") else None) or 1

    def terms(self) -> dict[str, Any]:
        """The search as `search_nominals` takes it."""
        return {
            "name": self.cleaned_data["name"],
            "date_of_birth": self.cleaned_data["date_of_birth"],
            "identifier": self.cleaned_data["identifier"],
        }


# The identifiers a new record may start with, as (form field, kind, label, hint).
CREATE_IDENTIFIERS = (
    ("pnc", IdentifierKind.PNC, "PNC ID", "For example, 08/56560Z."),
    ("cro", IdentifierKind.CRO, "CRO number", "For example, 123456/08B."),
    ("crn", IdentifierKind.CRN, "Probation CRN", "One letter then six digits, like X123456."),
    ("prison", IdentifierKind.PRISON, "Prison number", "For example, A1234BC."),
    ("nhs", IdentifierKind.NHS, "NHS number", "10 digits, like 943 476 5919."),
)


class NominalCreateForm(IdentityForm):
    """A new person's identity (the same fields and rules as editing one) and any
    identifiers already known, each checked against its format."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A new record has no version yet; the lead professional is chosen on the record.
        del self.fields["version"]
        del self.fields["lead_professional"]
        self.fields["gender"].initial = "unknown"
        for name, _kind, label, hint in CREATE_IDENTIFIERS:
            self.fields[name] = forms.CharField(
                label=f"{label} (optional)",
                required=False,
                max_length=50,
                help_text=hint,
                error_messages={"max_length": f"{label} must be 50 characters or fewer"},
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name, kind, _label, _hint in CREATE_IDENTIFIERS:
            value = (data.get(name) or "").strip()
            if not value:
                continue
            try:
                data[name] = validate_identifier(kind, value)
            except ValueError as error:
                self.add_error(name, str(error))
        return data

    def identifiers(self) -> list[tuple[str, str]]:
        """(kind, normalised value) of each identifier entered."""
        return [
            (str(kind), self.cleaned_data[name])
            for name, kind, _label, _hint in CREATE_IDENTIFIERS
            if self.cleaned_data.get(name)
        ]

    def identity(self) -> dict[str, Any]:
        """The identity fields as `nominal_create` and the duplicate check take them."""
        keys = (
            "given_names",
            "family_name",
            "date_of_birth",
            "dob_approximate",
            "gender",
            "ethnicity",
            "postcode",
            "ward",
        )
        return {key: self.cleaned_data[key] for key in keys}

    def field_for_kind(self, kind: str) -> str:
        return next(name for name, each, _label, _hint in CREATE_IDENTIFIERS if each == kind)

    def hidden_values(self) -> list[tuple[str, str]]:
        """The submitted answers as (name, value) pairs, to carry to the next step in hidden
        fields; they are validated again when they come back."""
        pairs: list[tuple[str, str]] = []
        for name, field in self.fields.items():
            if isinstance(field, DateInputField):
                names = [f"{name}-{part}" for part in ("day", "month", "year")]
            else:
                names = [name]
            for key in names:
                value = self.data.get(key, "")
                if value:
                    pairs.append((key, value))
        return pairs


class RecordNumberForm(forms.Form):
    other = forms.IntegerField(
        label="Record number",
        min_value=1,
        help_text="The number at the end of the record's web address, for example 1234.",
        error_messages={
            "required": "Enter the record number of the other record",
            "invalid": "Record number must be a number, like 1234",
            "min_value": "Record number must be a number, like 1234",
        },
    )
