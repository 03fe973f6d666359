"""Forms for drafting, signing and withdrawing from information-sharing agreements."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Agency, Role, User
from core.forms import DateInputField
from panels.models import Panel
from sharing.agreement_services import AgreementDetails
from sharing.documents import ACCEPTED, Document, max_bytes, read_document
from sharing.models import InformationSharingAgreement
from sharing.selectors import panels_to_cover


class AgreementForm(forms.Form):
    title = forms.CharField(
        max_length=300, error_messages={"required": "Enter the agreement's title"}
    )
    reference = forms.CharField(
        max_length=50,
        help_text="The reference the parties know it by, for example ISA-2026-04.",
        error_messages={"required": "Enter the agreement's reference"},
    )
    panels = forms.ModelMultipleChoiceField(
        queryset=Panel.objects.none(),
        required=False,
        label="Panels covered",
        help_text="Member agencies that sign see these panels' cohorts.",
    )
    parties = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(),
        label="Parties",
        help_text="The agencies that sign the agreement. Your own agency must be one of them.",
        error_messages={"required": "Choose the agencies that are parties to the agreement"},
    )
    legal_basis = forms.CharField(
        widget=forms.Textarea,
        required=False,
        label="Legal basis",
        help_text="The law that allows the sharing, for example Crime and Disorder Act 1998 "
        "section 115.",
    )
    purpose = forms.CharField(
        widget=forms.Textarea,
        required=False,
        label="Purpose",
        help_text="What the agencies share information for.",
    )
    review_interval_months = forms.IntegerField(
        min_value=1,
        max_value=60,
        initial=12,
        label="Review interval, in months",
        help_text="How often the parties review the agreement once signed.",
        error_messages={
            "required": "Enter how many months there are between reviews",
            "invalid": "The review interval must be a whole number of months",
            "min_value": "The review interval must be at least 1 month",
            "max_value": "The review interval must be 60 months or fewer",
        },
    )
    retention_period_months = forms.IntegerField(
        min_value=1,
        max_value=240,
        required=False,
        label="Retention period, in months",
        help_text="How long records shared under it are kept after a person leaves the cohort.",
        error_messages={
            "invalid": "The retention period must be a whole number of months",
            "min_value": "The retention period must be at least 1 month",
            "max_value": "The retention period must be 240 months (20 years) or fewer",
        },
    )
    document = forms.FileField(
        required=False,
        label="Agreement document",
        help_text=f"A {ACCEPTED} file, smaller than {max_bytes() // (1024 * 1024)} MB.",
    )

    def __init__(
        self,
        *args: Any,
        actor: User,
        agreement: InformationSharingAgreement | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.agreement = agreement
        self.document_read: Document | None = None
        self.fields["panels"].queryset = panels_to_cover(actor, agreement)  # type: ignore[attr-defined]
        self.fields["parties"].queryset = Agency.objects.filter(active=True).order_by("name")  # type: ignore[attr-defined]
        if agreement is not None and agreement.previous_version_id:
            self.fields["reference"].disabled = True
            self.fields["reference"].help_text = "A new version keeps the agreement's reference."

    def clean_reference(self) -> str:
        reference = self.cleaned_data["reference"].strip()
        others = InformationSharingAgreement.objects.filter(reference=reference)
        if self.agreement is not None:
            if self.agreement.previous_version_id:
                return self.agreement.reference  # a new version keeps it
            others = others.exclude(pk=self.agreement.pk)
        if others.exists():
            raise ValidationError("An agreement with this reference already exists")
        return reference

    def clean_parties(self) -> list[Agency]:
        parties = list(self.cleaned_data["parties"])
        if not self.actor.has_role(Role.SYSTEM_ADMIN) and self.actor.agency_id not in {
            p.pk for p in parties
        }:
            raise ValidationError(f"Your own agency, {self.actor.agency.name}, must be a party")
        return parties

    def clean_document(self) -> Document | None:
        upload = self.cleaned_data.get("document")
        if not upload:
            return None
        return read_document(upload)

    def details(self) -> AgreementDetails:
        data = self.cleaned_data
        return AgreementDetails(
            title=data["title"],
            reference=data["reference"],
            parties=data["parties"],
            panels=list(data["panels"]),
            legal_basis=data["legal_basis"],
            purpose=data["purpose"],
            review_interval_months=data["review_interval_months"],
            retention_period_months=data["retention_period_months"],
        )


def initial_for(agreement: InformationSharingAgreement) -> dict[str, Any]:
    return {
        "title": agreement.title,
        "reference": agreement.reference,
        "panels": list(agreement.panels.all()),
        "parties": list(agreement.parties.all()),
        "legal_basis": agreement.legal_basis,
        "purpose": agreement.purpose,
        "review_interval_months": agreement.review_interval_months,
        "retention_period_months": agreement.retention_period_months,
    }


class SignForm(forms.Form):
    signed_by_name = forms.CharField(
        max_length=200,
        label="Name of the person signing",
        error_messages={"required": "Enter the name of the person signing"},
    )
    signed_by_role = forms.CharField(
        max_length=200,
        label="Their role",
        help_text="For example Senior information risk owner.",
        error_messages={"required": "Enter the role of the person signing"},
    )
    signed_on = DateInputField(
        when="not_future",
        label="Date signed",
        help_text="Today, or the day it was signed. It cannot be in the future.",
        error_messages={"required": "Enter the date it was signed"},
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial = {
                "signed_by_name": actor.get_full_name(),
                "signed_by_role": actor.job_title,
                "signed_on": timezone.localdate(),
            }


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea,
        max_length=2000,
        label="Reason",
        help_text="Recorded in the agreement's history and the audit trail. Do not name anyone.",
        error_messages={"required": "Enter the reason"},
    )


class WithdrawPartyForm(WithdrawForm):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label="Party withdrawing",
        empty_label=None,
        error_messages={"required": "Choose the party that is withdrawing"},
    )
    field_order = ["agency", "reason"]

    def __init__(self, *args: Any, parties: list[Agency], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(  # type: ignore[attr-defined]
            pk__in=[party.pk for party in parties]
        ).order_by("name")
