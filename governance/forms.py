"""The governance pages' forms. The filters travel in the address (GET), so they hold only
record numbers, a member of staff's account and dates; a name is only ever POSTed."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Agency, User
from core.forms import DateInputField, form_field
from governance.selectors.access_log import LogFilters, staff_of

MAX_RECORDS = 50


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        user: User = obj
        name = user.get_full_name() or user.username
        return name if user.is_active else f"{name} (account deactivated)"


class AccessLogFilterForm(forms.Form):
    records = forms.CharField(
        label="Record numbers",
        required=False,
        max_length=600,
        help_text="One or more record numbers, separated by spaces or commas, for example 1234 5678.",
    )
    staff = StaffChoiceField(
        label="Member of staff",
        queryset=User.objects.none(),
        required=False,
        empty_label="Anyone in your agency",
    )
    start = DateInputField(label="From", required=False, earliest_year=2000)
    end = DateInputField(label="To", required=False, earliest_year=2000)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "staff", StaffChoiceField).queryset = staff_of(agency)

    def clean_records(self) -> tuple[int, ...]:
        text = self.cleaned_data["records"].strip()
        parts = [part for part in re.split(r"[\s,]+", text) if part]
        if not all(part.isdigit() and 0 < int(part) < 2**31 for part in parts):
            raise ValidationError("Enter record numbers in digits, like 1234 5678")
        if len(parts) > MAX_RECORDS:
            raise ValidationError(f"Enter {MAX_RECORDS} record numbers or fewer")
        return tuple(dict.fromkeys(int(part) for part in parts))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The 'To' date must be the same as or after the 'From' date")
        return data

    def filters(self) -> LogFilters:
        data = self.cleaned_data
        return LogFilters(
            records=data.get("records") or (),
            staff=data.get("staff"),
            start=data.get("start"),
            end=data.get("end"),
        )


class NameSearchForm(forms.Form):
    """Sent by POST: the page turns the name into record numbers and shows those."""

    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="A name or alias, for example Jordan Ashby. Only records your agency's staff may see are found.",
        error_messages={"required": "Enter a name"},
    )


def default_window() -> tuple[date, date]:
    today = timezone.localdate()
    return today - timedelta(days=29), today


class DateRangeForm(forms.Form):
    start = DateInputField(label="From", required=False, earliest_year=2000)
    end = DateInputField(label="To", required=False, earliest_year=2000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The 'To' date must be the same as or after the 'From' date")
        if start and end and (end - start).days > 366:
            self.add_error("end", "Choose a period of a year or less")
        return data

    def window(self) -> tuple[date, date]:
        first, last = default_window()
        if not self.is_bound or not self.is_valid():
            return first, last
        start = self.cleaned_data.get("start")
        end = self.cleaned_data.get("end") or last
        return (start or end - timedelta(days=29)), end
