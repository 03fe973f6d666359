"""Forms for a nominal's profile and the records agencies add to it.

Dates use the GOV.UK date input pattern (three boxes: day, month, year) through
`DateInputField`, rendered by templates/includes/date_input.html. Radios and selects are
ordinary `ChoiceField`s with the default select widget, so `id_for_label` is the field's
id and the error summary can link to the first radio, which the templates give that id.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from core.forms import POSTCODE, DateInputField, DateOfBirthField, add_problems, form_field
from offenders.models import (
    TYPED_EVENT_KINDS,
    CustodyReason,
    Gender,
    IdentifierKind,
    NeedLevel,
    Nominal,
    OffenceType,
    Pathway,
    RoshLevel,
)
from offenders.services import custody_problems


def _text(label: str, *, required: bool = True, max_length: int = 150, **kwargs: Any):
    messages = {"max_length": f"{label} must be {max_length} characters or fewer"}
    if required:
        messages["required"] = kwargs.pop("required_message", f"Enter {label.lower()}")
    return forms.CharField(
        label=label if required else f"{label} (optional)",
        required=required,
        max_length=max_length,
        error_messages=messages,
        **kwargs,
    )


class LeadProfessionalChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name() or obj.username}, {obj.agency.name}"


class IdentityForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    given_names = _text("Given names")
    family_name = _text("Family name")
    date_of_birth = DateOfBirthField(
        label="Date of birth",
        required=False,
        help_text="For example, 27 3 1990",
    )
    dob_approximate = forms.BooleanField(
        label="The date of birth is approximate",
        required=False,
        help_text="Tick if it is an estimate or only the year is known.",
    )
    gender = forms.ChoiceField(
        label="Gender", choices=Gender.choices, error_messages={"required": "Select a gender"}
    )
    ethnicity = _text("Ethnicity", required=False, max_length=100)
    postcode = _text("Postcode", required=False, max_length=10, help_text="Of the current address.")
    ward = _text("Ward", required=False, max_length=100)
    lead_professional = LeadProfessionalChoice(
        label="Lead professional (optional)",
        queryset=User.objects.none(),
        required=False,
        empty_label="No lead professional",
        help_text="The one named professional who coordinates this person's case.",
        error_messages={"invalid_choice": "Select a lead professional from the list"},
    )

    def __init__(self, *args: Any, lead_choices: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if lead_choices is not None:
            form_field(self, "lead_professional", forms.ModelChoiceField).queryset = lead_choices

    def clean_postcode(self) -> str:
        postcode = " ".join(self.cleaned_data["postcode"].upper().split())
        if not postcode:
            return ""
        match = POSTCODE.match(postcode)
        if match is None:
            raise ValidationError("Enter a real postcode, like SW1A 1AA")
        return f"{match[1]} {match[2]}"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (
            data.get("dob_approximate")
            and not data.get("date_of_birth")
            and not (self.has_error("date_of_birth"))
        ):
            self.add_error(
                "date_of_birth",
                "Enter the approximate date of birth, or untick that it is approximate",
            )
        return data

    def changes(self) -> dict[str, Any]:
        """The identity fields as the service takes them."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


# Merges, offences, custody and risk put their own events on the timeline.
EVENT_KINDS = TYPED_EVENT_KINDS


class EventForm(forms.Form):
    kind = forms.ChoiceField(
        label="What happened?",
        choices=EVENT_KINDS,
        error_messages={"required": "Select what kind of event it was"},
    )
    occurred_on = DateInputField(
        label="Date of the event",
        when="not_future",
        earliest_year=2000,
        help_text="For example, 14 6 2025",
        error_messages={"required": "Enter the date of the event"},
    )
    summary = forms.CharField(
        label="Summary",
        widget=forms.Textarea,
        max_length=5000,
        help_text="What happened, and anything partners need to do. Do not paste whole reports.",
        error_messages={
            "required": "Enter a summary of the event",
            "max_length": "Summary must be 5,000 characters or fewer",
        },
    )


class IdentifierForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of identifier",
        choices=IdentifierKind.choices,
        error_messages={"required": "Select the kind of identifier"},
    )
    value = _text(
        "Identifier",
        max_length=50,
        required_message="Enter the identifier",
        help_text="For example, a PNC ID like 08/56560Z or a CRN like X123456.",
    )


class AliasForm(forms.Form):
    given_names = _text("Given names", required=False)
    family_name = _text("Family name", required=False)
    date_of_birth = DateOfBirthField(
        label="Date of birth used with this name",
        required=False,
        help_text="Leave blank if no other date of birth was used. For example, 27 3 1990",
    )
    error_anchor = "id_given_names"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (
            not (data.get("given_names") or "").strip()
            and not (data.get("family_name") or "").strip()
        ):
            raise ValidationError("Enter a given name or a family name for the alias")
        return data


class NeedForm(forms.Form):
    pathway = forms.ChoiceField(
        label="Pathway",
        choices=[("", "Choose a pathway"), *Pathway.choices],
        error_messages={"required": "Choose a pathway"},
    )
    level = forms.ChoiceField(
        label="Level of need",
        choices=NeedLevel.choices,
        error_messages={"required": "Select the level of need"},
    )
    note = forms.CharField(
        label="Note (optional)",
        widget=forms.Textarea,
        required=False,
        max_length=2000,
        help_text="What the need is and what is being done about it.",
        error_messages={"max_length": "Note must be 2,000 characters or fewer"},
    )


class RecordNumberForm(forms.Form):
    """The record number an information governance lead looks up the access log of."""

    record = forms.CharField(
        label="Record number",
        max_length=12,
        help_text="The number a record shows beside the person's name, for example 1234.",
        error_messages={"required": "Enter the record number"},
    )

    def clean_record(self) -> int:
        value = self.cleaned_data["record"].strip()
        if not value.isdigit() or not 0 < int(value) < 2**31:
            raise ValidationError("Enter the record number in digits, like 1234")
        return int(value)


class OffenceForm(forms.Form):
    offence_type = forms.ChoiceField(
        label="Type of offence",
        choices=[("", "Choose the type of offence"), *OffenceType.choices],
        error_messages={"required": "Choose the type of offence"},
    )
    committed_on = DateInputField(
        label="Date of the offence (optional)",
        required=False,
        when="not_future",
        earliest_year=1900,
        help_text="Leave empty if it is not known. For example, 14 6 2025",
    )
    outcome = _text(
        "Outcome",
        required=False,
        max_length=200,
        help_text="For example: charged, convicted, 18 months custody, no further action.",
    )


class CustodyForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why they went into custody",
        choices=CustodyReason.choices,
        error_messages={"required": "Select why they went into custody"},
    )
    entered_on = DateInputField(
        label="Date custody began",
        when="not_future",
        earliest_year=1900,
        help_text="For example, 3 2 2026",
        error_messages={"required": "Enter the date custody began"},
    )
    released_on = DateInputField(
        label="Date of release (optional)",
        required=False,
        when="not_future",
        earliest_year=1900,
        help_text="Leave empty while they are still in custody.",
    )
    establishment = _text(
        "Prison or establishment",
        required=False,
        max_length=200,
        help_text="For example, HMP Pentonville.",
    )
    offence = forms.ChoiceField(
        label="The offence a sentence was for (optional)",
        required=False,
        help_text="Only offences already on the record are listed.",
        error_messages={"invalid_choice": "Select one of this person's offences"},
    )

    def __init__(
        self, *args: Any, offences: list, nominal: Nominal | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.nominal = nominal
        self.offences = {str(offence.pk): offence for offence in offences}
        form_field(self, "offence", forms.ChoiceField).choices = [
            ("", "Not linked to an offence"),
            *[(pk, str(offence)) for pk, offence in self.offences.items()],
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.nominal is not None:
            # The service's rules on whatever could be read, so a release before custody
            # began is named beside a reason not chosen, not after it is put right.
            add_problems(
                self,
                {
                    field: [message]
                    for field, message in custody_problems(
                        nominal=self.nominal,
                        entered_on=data.get("entered_on"),
                        released_on=data.get("released_on"),
                        offence=self.offences.get(data.get("offence") or ""),
                        today=timezone.localdate(),
                    ).items()
                },
            )
        return data

    def service_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["offence"] = self.offences.get(data["offence"])
        return data


class ReleaseForm(forms.Form):
    released_on = DateInputField(
        label="Date of release",
        when="not_future",
        earliest_year=1900,
        help_text="For example, 3 2 2026",
        error_messages={"required": "Enter the date of release"},
    )


class RiskForm(forms.Form):
    ogrs_percent = forms.IntegerField(
        label="OGRS score (optional)",
        required=False,
        min_value=0,
        max_value=100,
        help_text="The chance, as a percentage, that the person is proven to reoffend within "
        "two years. For example, 76.",
        error_messages={
            "invalid": "Enter the OGRS score as a whole number, like 76",
            "min_value": "The OGRS score must be between 0 and 100",
            "max_value": "The OGRS score must be between 0 and 100",
        },
    )
    rosh_level = forms.ChoiceField(
        label="Risk of serious harm (RoSH) (optional)",
        required=False,
        choices=[("", "Not assessed"), *RoshLevel.choices],
        help_text="How likely the person is to cause serious harm, and how bad it would be.",
    )
    assessed_on = DateInputField(
        label="Date of the assessment",
        when="not_future",
        earliest_year=1900,
        help_text="For example, 3 2 2026",
        error_messages={"required": "Enter the date of the assessment"},
    )
    source = _text(
        "Where the assessment comes from",
        max_length=100,
        help_text="For example, OASys.",
        required_message="Enter where the assessment comes from, for example OASys",
    )
