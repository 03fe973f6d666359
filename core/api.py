"""API plumbing with no domain: input checks that turn a service's ValidationError into
DRF's 400 with field errors, query-parameter readers, and fields every API shares."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import empty
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request

if TYPE_CHECKING:
    # The configured user model (AUTH_USER_MODEL), as django-stubs' plugin resolves it: core
    # sits below accounts, so it cannot name accounts.User itself.
    from django.contrib.auth.models import _User

NON_FIELD = "non_field_errors"


class TextField(serializers.CharField):
    """Text that must be sent as text: DRF would read a number as its digits, so a caller
    who sends the wrong type learns it instead of searching for "123"."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class AnsweredBooleanField(serializers.BooleanField):
    """A yes or no the caller must actually give. DRF reads a form post that leaves a
    boolean out as an unticked checkbox, so as "no"; here it is not answered at all."""

    default_empty_html = empty


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


def at_least_one(data: dict[str, Any], fields: tuple[str, ...]) -> None:
    """A change that changes nothing is a mistake worth telling the caller about."""
    if not any(name in data for name in fields):
        raise ValidationError({NON_FIELD: [f"Send at least one of: {', '.join(fields)}."]})


def page_of(view: GenericAPIView[Any], items: QuerySet[Any] | Sequence[Any]) -> list[Any]:
    """The page of `items` the request asks for. Every list of the API is paginated
    (DEFAULT_PAGINATION_CLASS), so there always is one."""
    page = view.paginate_queryset(items)
    if page is None:
        raise ImproperlyConfigured("The API's lists are paginated: set DEFAULT_PAGINATION_CLASS")
    return page


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


class VisibleRecordField(serializers.PrimaryKeyRelatedField):
    """A record named by its id in the request body, looked for only among the records
    the caller may see: one they may not see gets the same 400 as one that does not exist,
    so the answer never confirms that it is there."""

    def __init__(self, *, visible: Callable[[_User], QuerySet], model: type[Model], **kwargs: Any):
        self.visible = visible
        # The model's empty queryset tells the schema what the id refers to.
        super().__init__(queryset=model._default_manager.none(), **kwargs)

    def get_queryset(self) -> QuerySet:
        return self.visible(self.context["request"].user)


class ConfirmSerializer(serializers.Serializer):
    """A one-step change (share an agenda, publish minutes) is made only when asked for in
    so many words: an empty request changes nothing."""

    confirm = AnsweredBooleanField()

    def validate_confirm(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError("Send true to confirm.")
        return value
