"""Rules on values that several apps take in, in one place, so that every form, import, API
serializer and model refuses the same values in the same words."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

EARLIEST_DATE_OF_BIRTH = date(1900, 1, 1)
BORN_TOO_EARLY = "Date of birth must be on or after 1 January 1900"
BORN_IN_THE_FUTURE = "Date of birth must be in the past"


def validate_date_of_birth(value: date, *, today: date | None = None) -> None:
    """A date of birth is on or after 1 January 1900 and before today. Earlier dates are
    typing mistakes (0999 for 1999): nobody managed by a panel was born before 1900."""
    if value < EARLIEST_DATE_OF_BIRTH:
        raise ValidationError(BORN_TOO_EARLY, code="born_too_early")
    if value >= (today or timezone.localdate()):
        raise ValidationError(BORN_IN_THE_FUTURE, code="born_in_the_future")
