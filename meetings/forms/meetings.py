"""Forms for meeting rules, moving and cancelling meetings, and building agendas."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from core.forms import DateInputField, add_problems, form_field
from meetings.calendar import unusual_day
from meetings.models import AgendaReason, Meeting, MeetingKind, Weekday, WeekOfMonth
from meetings.services.meetings import meeting_move_problems
from offenders.models import Nominal

TIME_FORMATS = ["%H:%M", "%H.%M", "%H%M"]


def _time_field(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        input_formats=TIME_FORMATS,
        help_text="Use the 24-hour clock, for example 10:00 or 14:30",
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} like 10:00 or 14:30",
        },
    )


def _reason_field(label: str, *, required_message: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=200,
        error_messages={
            "required": required_message,
            "max_length": "The reason must be 200 characters or fewer",
        },
    )


class MeetingRuleForm(forms.Form):
    kind = forms.ChoiceField(
        label="Which meeting",
        choices=MeetingKind.choices,
        error_messages={"required": "Select which meeting this rule is for"},
    )
    week = forms.TypedChoiceField(
        label="Week of the month",
        coerce=int,
        choices=WeekOfMonth.choices,
        help_text="A fifth-week rule gives a meeting only in months that have a fifth such day.",
        error_messages={"required": "Select the week of the month"},
    )
    weekday = forms.TypedChoiceField(
        label="Day of the week",
        coerce=int,
        choices=Weekday.choices,
        error_messages={"required": "Select the day of the week"},
    )
    starts_at = _time_field("Start time")
    location = forms.CharField(
        label="Location (optional)",
        required=False,
        max_length=200,
        error_messages={"max_length": "The location must be 200 characters or fewer"},
    )


class MeetingMoveForm(forms.Form):
    date = DateInputField(label="New date", help_text="For example, 27 3 2026")
    starts_at = _time_field("Start time")
    reason = _reason_field(
        "Why is the meeting moving?", required_message="Enter why the meeting is moving"
    )
    hold_anyway = forms.BooleanField(
        label="Yes, hold the meeting on that day",
        required=False,
    )
    unusual: str | None = None

    def __init__(self, *args: Any, meeting: Meeting | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = data.get("date")
        if self.meeting is not None:
            # The move's rules run on whatever could be read, so a past date and a missing
            # reason are named together.
            add_problems(
                self,
                meeting_move_problems(
                    self.meeting,
                    new_date=day,
                    starts_at=data.get("starts_at"),
                    reason=data.get("reason"),
                    today=timezone.localdate(),
                ),
            )
        # A past date is refused for that reason alone; only a date it could move to is asked about.
        why = unusual_day(day) if day and day >= timezone.localdate() else None
        # Shown once the date is one to ask about, and only then.
        self.unusual = why
        if why and not data.get("hold_anyway") and not self.has_error("date"):
            self.add_error(
                "date",
                f"{day:%-d %B %Y} is {why}. Check the date, or confirm the meeting is to be "
                "held that day",
            )
        return data


class MeetingCancelForm(forms.Form):
    reason = _reason_field(
        "Why is the meeting cancelled?", required_message="Enter why the meeting is cancelled"
    )


class AgendaAddForm(forms.Form):
    """One person onto the agenda with the coordinator's own reason: the person picker's
    choice of someone on the cohort who is not on the agenda yet."""

    nominal = forms.ModelChoiceField(
        label="Person",
        queryset=Nominal.objects.none(),
        error_messages={
            "required": "Select who to add to the agenda",
            "invalid_choice": "Select someone on the panel's cohort who is not on the agenda yet",
        },
    )
    reason = forms.ChoiceField(
        choices=AgendaReason.choices,
        initial=AgendaReason.OTHER,
        widget=forms.HiddenInput,
        error_messages={"required": "Select why they are on the agenda"},
    )
    reason_detail = forms.CharField(
        label="Why are they on the agenda?",
        required=False,
        max_length=300,
        error_messages={"max_length": "The reason must be 300 characters or fewer"},
    )

    def __init__(self, *args: Any, addable: QuerySet[Nominal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The choice is checked against the cohort in one query, never listed in full.
        form_field(self, "nominal", forms.ModelChoiceField).queryset = addable

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("reason") == AgendaReason.OTHER and not data.get("reason_detail", "").strip():
            self.add_error("reason_detail", "Enter why they are on the agenda")
        return data

    @property
    def person(self) -> Nominal:
        return self.cleaned_data["nominal"]


class PersonSearchForm(forms.Form):
    """The person picker's search: part of a name, or an identifier."""

    q = forms.CharField(
        label="Name or identifier",
        required=False,
        max_length=100,
        help_text="For example, a family name, a first and family name, or a PNC ID or CRN",
        error_messages={"max_length": "Enter 100 characters or fewer"},
    )

    @property
    def query(self) -> str:
        return self.cleaned_data.get("q", "") if self.is_valid() else ""


class PeopleField(forms.Field):
    """Record ids ticked in a list; whether each may be added is the service's question."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        try:
            return [int(pk) for pk in value or []]
        except (TypeError, ValueError):
            raise forms.ValidationError("Select people from the list", code="invalid") from None


class SuggestedAddForm(forms.Form):
    """One group of suggestions onto the agenda: the people ticked, or everyone in it."""

    nominal = PeopleField(label="People to add", required=False)
    add = forms.ChoiceField(choices=[("selected", "selected"), ("all", "all")], required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("add") != "all" and not data.get("nominal") and not self.has_error("nominal"):
            self.add_error("nominal", "Select at least one person to add to the agenda")
        return data

    @property
    def everyone(self) -> bool:
        return self.cleaned_data.get("add") == "all"


class AgendaItemForm(forms.Form):
    reason = forms.ChoiceField(
        label="Reason",
        choices=AgendaReason.choices,
        error_messages={"required": "Select why they are on the agenda"},
    )
    reason_detail = forms.CharField(
        label="Details (optional unless the reason is Other)",
        required=False,
        max_length=300,
        error_messages={"max_length": "The details must be 300 characters or fewer"},
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("reason") == AgendaReason.OTHER and not data.get("reason_detail", "").strip():
            self.add_error("reason_detail", "Enter why they are on the agenda")
        return data
