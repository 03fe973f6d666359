"""The retention review's forms: keeping a record, and confirming its deletion."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.forms import DateInputField
from retention.services import REASON_MAX_LENGTH


class KeepForm(forms.Form):
    reason = forms.CharField(
        label="Why is the record being kept?",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=(
            "For example, a court order, an open safeguarding concern or a request from the "
            "police. Do not write the person's name: the reason is about the record."
        ),
        error_messages={
            "required": "Enter why the record is being kept",
            "max_length": f"The reason must be {REASON_MAX_LENGTH} characters or fewer",
        },
    )
    next_review_on = DateInputField(
        label="Date of the next review",
        help_text="The record is listed again on this date. For example, 27 3 2028",
        error_messages={"required": "Enter the date of the next review"},
    )

    def clean_next_review_on(self):
        value = self.cleaned_data["next_review_on"]
        if value is not None and value <= timezone.localdate():
            raise ValidationError("The date of the next review must be in the future")
        return value


class DeleteForm(forms.Form):
    """The deletion asks for a tick, so an empty or replayed form deletes nothing."""

    confirm = forms.BooleanField(
        label="I have checked that this record is no longer needed and can be deleted",
        error_messages={"required": "Confirm that the record can be deleted"},
    )
