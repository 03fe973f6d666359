"""What the panels' API modules share: references to people, agencies and records, input
checks that turn a service's ValidationError into DRF's 400 with field errors, and the
403 (logged) for a record the caller sees but may not change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import empty
from rest_framework.request import Request

from offenders.selectors import person_visible
from sharing.access import forbid
from sharing.audit import log_access
from sharing.models import Role, User

CASEWORK = frozenset({Role.PARTNER, Role.COORDINATOR, Role.AGENCY_ADMIN})
COORDINATORS = frozenset({Role.COORDINATOR})
NON_FIELD = "non_field_errors"


class NominalRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    given_names = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)


class AgencyCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", **kwargs)


class VisibleRecordField(serializers.PrimaryKeyRelatedField):
    """A record named by its id in the request body, looked for only among the records
    the caller may see: one they may not see gets the same 400 as one that does not exist,
    so the answer never confirms that it is there."""

    def __init__(self, *, visible: Callable[[User], QuerySet], model: type[Model], **kwargs: Any):
        self.visible = visible
        # The model's empty queryset tells the schema what the id refers to.
        super().__init__(queryset=model.objects.none(), **kwargs)

    def get_queryset(self) -> QuerySet:
        return self.visible(self.context["request"].user)


class AnsweredBooleanField(serializers.BooleanField):
    """A yes or no the caller must actually give. DRF reads a form post that leaves a
    boolean out as an unticked checkbox, so as "no"; here it is not answered at all."""

    default_empty_html = empty


class ConfirmSerializer(serializers.Serializer):
    """A one-step change (share an agenda, publish minutes) is made only when asked for in
    so many words: an empty request changes nothing."""

    confirm = AnsweredBooleanField()

    def validate_confirm(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError("Send true to confirm.")
        return value


def with_person_visible(queryset: QuerySet, user: User) -> QuerySet:
    """Mark each row with whether the caller may see the person it is about
    (`person_visible`): lists and agendas name only the people the reader sees."""
    return queryset.annotate(person_visible=person_visible(user))


def as_drf(error: DjangoValidationError) -> ValidationError:
    """A service's error as DRF's 400: field errors by field, the others under
    `non_field_errors`, as DRF's own serializers give them."""
    if not hasattr(error, "error_dict"):
        return ValidationError({NON_FIELD: error.messages})
    return ValidationError(
        {
            NON_FIELD if name == NON_FIELD_ERRORS else name: messages
            for name, messages in error.message_dict.items()
        }
    )


def validated(
    serializer_class: type[serializers.Serializer], data: Any, request: Request | None = None
) -> dict[str, Any]:
    serializer = serializer_class(data=data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def require(request: Request, allowed: bool, *, object_type: str, object_id: object) -> None:
    """403 (logged) for a caller who sees the record but may not make this change. Asked
    before the input is read, as the pages do, so the answer does not depend on the body."""
    if not allowed:
        forbid(request, object_type=object_type, object_id=object_id)


def call(
    service: Any, *, request: Request, object_type: str, object_id: object, **kwargs: Any
) -> Any:
    """Run a service for the caller. Its validation errors answer 400 with the same messages
    as the pages; its refusal answers 403, logged against the record, as `forbid` does."""
    try:
        return service(**kwargs)
    except PermissionDenied:
        forbid(request, object_type=object_type, object_id=object_id)
    except DjangoValidationError as error:
        raise as_drf(error) from error


def at_least_one(data: dict[str, Any], fields: tuple[str, ...]) -> None:
    """A change that changes nothing is a mistake worth telling the caller about."""
    if not any(name in data for name in fields):
        raise ValidationError({NON_FIELD: [f"Send at least one of: {', '.join(fields)}."]})


def int_param(request: Request, name: str) -> int | None:
    """An optional whole-number filter from the query string; anything else is a 400."""
    value = request.query_params.get(name, "")
    if not value:
        return None
    if not value.isdigit():
        raise ValidationError({name: ["Enter a whole number."]})
    return int(value)


def choice_param(request: Request, name: str, choices: list[str]) -> str:
    """An optional filter that must be one of `choices`; "" when not given, else a 400."""
    value = request.query_params.get(name, "")
    if value and value not in choices:
        raise ValidationError({name: [f"Choose one of: {', '.join(choices)}."]})
    return value


def logged_page(view: Any, request: Request, queryset: QuerySet, *, object_type: str) -> Any:
    """One page of a list that names people, its read logged once with the row count."""
    page = view.paginate_queryset(queryset)
    log_access(request=request, object_type=object_type, object_id=len(page))
    return view.get_paginated_response(view.get_serializer(page, many=True).data)
