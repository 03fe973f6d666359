"""Form plumbing shared by every app: a service's errors on a form, the GOV.UK date input,
the postcode pattern, and typed access to a form's own fields."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.validators import validate_date_of_birth

DATE_PARTS = ("day", "month", "year")


def add_service_errors(
    form: forms.Form,
    error: ValidationError,
    *,
    names: dict[str, str] | None = None,
    default_field: str | None = None,
) -> None:
    """Show a service's validation errors on the form, next to the fields they are about.

    `names` maps a model field a service names to the form field that holds it. An error
    about a field the form does not have goes to `default_field`, or above the form.
    """
    names = names or {}
    if hasattr(error, "error_dict"):
        for key, messages in error.message_dict.items():
            field = names.get(key, key)
            form.add_error(field if field in form.fields else default_field, messages)
    else:
        form.add_error(default_field, error.messages)


def add_problems(
    form: forms.Form, problems: dict[str, list[str]], names: dict[str, str] | None = None
) -> None:
    """Put the problems a service's rules find on the form's fields, beside those the form
    found itself, so one answer names them all. `names` maps a service's key to the form
    field; a field that already has an error keeps only that one, so nothing is said twice.
    """
    names = names or {}
    for key, messages in problems.items():
        field = names.get(key, key)
        if field not in form.fields:
            form.add_error(None, messages)
        elif not form.has_error(field):
            form.add_error(field, messages)


# A full UK postcode: outward code, then inward code of a digit and two letters.
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def form_field[F: forms.Field](form: forms.BaseForm, name: str, kind: type[F]) -> F:
    """The form's own copy of its field `name`, as the `kind` of field it was declared, so
    a form can set the choices or queryset it offers this user."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}")
    return field


def choice_labels(form: forms.BaseForm, name: str) -> dict[Any, Any]:
    """The labels of a choice field's options, by value."""
    choices = form_field(form, name, forms.ChoiceField).choices
    # Django keeps a field's choices as (value, label) pairs, however they were given; the
    # stubs type what the attribute returns as anything it would accept.
    return dict(cast("Iterable[tuple[Any, Any]]", choices))


class DateInputWidget(forms.Widget):
    """Reads `<name>-day`, `<name>-month` and `<name>-year` as one value."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, str]:
        return {part: (data.get(f"{name}-{part}") or "").strip() for part in DATE_PARTS}

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return not any(f"{name}-{part}" in data for part in DATE_PARTS)

    def id_for_label(self, id_: str) -> str:
        # The error summary links to the first box, as GOV.UK Frontend does.
        return f"{id_}-day" if id_ else ""


class DateInputField(forms.Field):
    """A date typed as day, month and year, with GOV.UK's error messages.

    `when` limits the date: "past" (before today) or "not_future" (today or before).
    """

    widget = DateInputWidget

    def __init__(self, *, when: str | None = None, earliest_year: int = 1900, **kwargs: Any):
        super().__init__(**kwargs)
        self.when = when
        self.earliest_year = earliest_year

    def prepare_value(self, value: Any) -> dict[str, str]:
        if isinstance(value, date):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        return value or {part: "" for part in DATE_PARTS}

    def to_python(self, value: Any) -> date | None:
        parts = value if isinstance(value, dict) else {}
        if not any(parts.get(part) for part in DATE_PARTS):
            return None
        name = self.label
        missing = [part for part in DATE_PARTS if not parts.get(part)]
        if missing:
            raise ValidationError(f"{name} must include a {' and '.join(missing)}")
        if not all(parts[part].isdigit() for part in DATE_PARTS):
            raise ValidationError(f"{name} must be a real date")
        if len(parts["year"]) != 4:
            raise ValidationError(f"{name}: the year must include 4 numbers")
        try:
            return date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            raise ValidationError(f"{name} must be a real date") from None

    def validate(self, value: date | None) -> None:
        if value is None:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return
        today = timezone.localdate()
        if value.year < self.earliest_year:
            raise ValidationError(f"{self.label} must be in or after {self.earliest_year}")
        if self.when == "past" and value >= today:
            raise ValidationError(f"{self.label} must be in the past")
        if self.when == "not_future" and value > today:
            raise ValidationError(f"{self.label} must be today or in the past")


class DateOfBirthField(DateInputField):
    """A date of birth typed as day, month and year, held to `validate_date_of_birth` and
    refused in its words, as every other way a date of birth comes in is."""

    default_validators = [validate_date_of_birth]

    def __init__(self, **kwargs: Any):
        # The validator alone says which dates of birth are possible.
        super().__init__(when=None, earliest_year=date.min.year, **kwargs)
