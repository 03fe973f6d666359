"""Forms for the monthly list import: the upload, the columns, a queued row's decision and
the commit. The month is typed as month and year (GOV.UK date input without the day)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cohorts.importing import FIELDS, MAX_FILE_BYTES, NAME_ORDER
from cohorts.names import ORDER_LABELS, RULE
from cohorts.services.imports import LEAVE_OUT, NEW_PERSON
from core.forms import form_field

MONTH_PARTS = ("month", "year")
EARLIEST_YEAR = 2000


class MonthInputWidget(forms.Widget):
    """Reads `<name>-month` and `<name>-year` as one value."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, str]:
        return {part: (data.get(f"{name}-{part}") or "").strip() for part in MONTH_PARTS}

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return not any(f"{name}-{part}" in data for part in MONTH_PARTS)

    def id_for_label(self, id_: str) -> str:
        # The error summary links to the first box, as GOV.UK Frontend does.
        return f"{id_}-month" if id_ else ""


class MonthInputField(forms.Field):
    """A month typed as month and year, this month or earlier; its value is the month's
    first day."""

    widget = MonthInputWidget

    def prepare_value(self, value: Any) -> dict[str, str]:
        if isinstance(value, date):
            return {"month": str(value.month), "year": str(value.year)}
        return value or dict.fromkeys(MONTH_PARTS, "")

    def to_python(self, value: Any) -> date | None:
        parts = value if isinstance(value, dict) else {}
        if not any(parts.get(part) for part in MONTH_PARTS):
            return None
        missing = [part for part in MONTH_PARTS if not parts.get(part)]
        if missing:
            raise ValidationError(f"{self.label} must include a {' and '.join(missing)}")
        if not all(parts[part].isdigit() for part in MONTH_PARTS):
            raise ValidationError(f"{self.label} must be a real month")
        if len(parts["year"]) != 4:
            raise ValidationError(f"{self.label}: the year must include 4 numbers")
        month, year = int(parts["month"]), int(parts["year"])
        if not 1 <= month <= 12:
            raise ValidationError(f"{self.label} must be a real month")
        return date(year, month, 1)

    def validate(self, value: date | None) -> None:
        if value is None:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return
        if value.year < EARLIEST_YEAR:
            raise ValidationError(f"{self.label} must be in or after {EARLIEST_YEAR}")
        if value > timezone.localdate():
            raise ValidationError(f"{self.label} must be this month or an earlier month")


class UploadForm(forms.Form):
    list_file = forms.FileField(
        label="The month's list",
        help_text="A CSV or Excel (XLSX) file of up to 5 MB, with a row of column headings "
        "at the top. Only the first sheet of a workbook is read.",
        error_messages={
            "required": "Choose the month's list to upload",
            "empty": "The file is empty. Check you chose the month's list, then upload it again.",
        },
    )
    month = MonthInputField(
        label="The month the list is for",
        help_text="For example, 5 2026",
        error_messages={"required": "Enter the month the list is for"},
    )

    def clean_list_file(self):
        upload = self.cleaned_data["list_file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(
                f"The file is {upload.size / (1024 * 1024):.1f} MB: the largest list that can "
                f"be imported is {MAX_FILE_BYTES // (1024 * 1024)} MB. Remove columns that are "
                "not needed, or split the list."
            )
        return upload


class ColumnsForm(forms.Form):
    """One select per detail, listing the file's column headings, and the order of a
    whole-name column."""

    def __init__(self, *args: Any, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Not in this list"), *[(heading, heading) for heading in headers]]
        for item in FIELDS:
            self.fields[item.key] = forms.ChoiceField(
                label=item.label if item.required else f"{item.label} (optional)",
                help_text=item.hint,
                choices=choices,
                required=False,
                error_messages={
                    "invalid_choice": f"Choose a column of the list for {item.label.lower()}"
                },
            )
        self.fields[NAME_ORDER] = forms.ChoiceField(
            label="How is the whole name written?",
            help_text=f"Only used when the whole name is in one column. {RULE}",
            choices=[(str(order), label) for order, label in ORDER_LABELS.items()],
            required=False,
            error_messages={"invalid_choice": "Choose how the whole name is written"},
        )

    def mapping(self) -> dict[str, str]:
        return {key: value for key, value in self.cleaned_data.items() if value}

    def chosen(self) -> dict[str, str]:
        """The choices as the page shows them: submitted, or else the initial ones."""
        return {name: str(self[name].value() or "") for name in self.fields}


class RowDecisionForm(forms.Form):
    """One of the row's candidates, a new person, or leave the row out (with a reason)."""

    choice = forms.ChoiceField(
        label="Who is this?",
        error_messages={
            "required": "Choose a record, a new person, or leave the row out",
            "invalid_choice": "Choose a record, a new person, or leave the row out",
        },
    )
    reason = forms.CharField(
        label="Why is the row left out?",
        required=False,
        max_length=300,
        widget=forms.Textarea,
        error_messages={"max_length": "The reason must be 300 characters or fewer"},
    )

    def __init__(self, *args: Any, candidate_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "choice", forms.ChoiceField).choices = [
            *[(str(pk), f"Record {pk}") for pk in candidate_ids],
            (NEW_PERSON, "A new person"),
            (LEAVE_OUT, "Leave the row out"),
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("choice") == LEAVE_OUT and not " ".join(data.get("reason", "").split()):
            self.add_error("reason", "Enter why the row is left out")
        return data


class CommitForm(forms.Form):
    exit_leavers = forms.BooleanField(
        label="Exit the people who are not on this list (named above)",
        required=False,
    )
