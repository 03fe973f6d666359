"""What the panels' API modules share: references to people and agencies, and input checks
that turn a service's ValidationError into DRF's 400 with field errors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from sharing.models import Role

CASEWORK = frozenset({Role.PARTNER, Role.COORDINATOR, Role.AGENCY_ADMIN})
COORDINATORS = frozenset({Role.COORDINATOR})


class NominalRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    given_names = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)


class AgencyCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", **kwargs)


def as_drf(error: DjangoValidationError) -> ValidationError:
    return ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def call(service: Any, **kwargs: Any) -> Any:
    """Run a service; its validation errors answer 400 with the same messages as the pages."""
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        raise as_drf(error) from error


def int_param(request: Request, name: str) -> int | None:
    """An optional whole-number filter from the query string; anything else is a 400."""
    value = request.query_params.get(name, "")
    if not value:
        return None
    if not value.isdigit():
        raise ValidationError({name: ["Enter a whole number."]})
    return int(value)
