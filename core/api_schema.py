"""The API's OpenAPI description: the error answers every operation can give, documented
once, with the bodies DRF really sends.

Every operation may answer 403 (not signed in with both factors, a missing CSRF token, or
a role that may not call it). An operation that names a record in its path answers 404
when the caller may not see it or it is not there (the same answer, on purpose); a list
answers 404 for a page past its end. Anything that reads input answers 400 when the input
is wrong, and anything with a body answers 415 when the body is not JSON or a form.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

_MESSAGES = {"type": "array", "items": {"type": "string"}}


class ErrorSerializer(serializers.Serializer):
    """The body of a refusal that is not about the input: 403, 404, 405, 406, 415."""

    detail = serializers.CharField(help_text="Why the request was refused, in plain English.")


class ValidationErrorSerializer(serializers.Serializer):
    """The body of a 400: what was wrong with the input, field by field. Its schema is
    written out in `ValidationErrorExtension`, as it has no fixed fields."""


class ValidationErrorExtension(OpenApiSerializerExtension):
    target_class = ValidationErrorSerializer

    def map_serializer(self, auto_schema: AutoSchema, direction: Any) -> dict[str, Any]:
        return {
            "type": "object",
            "description": (
                "What was wrong with the input. Each key names a field of the request and "
                "holds its messages; a field holding a list of objects has one object of "
                "messages per item, in order (empty for an item without a mistake). "
                "`non_field_errors` holds what is wrong with the request as a whole, and "
                "`detail` a request that could not be read at all (not valid JSON, say)."
            ),
            "properties": {"detail": {"type": "string"}, "non_field_errors": _MESSAGES},
            "additionalProperties": {
                "oneOf": [
                    {"type": "array", "items": {"oneOf": [{"type": "string"}, {"type": "object"}]}},
                    {"type": "object"},
                ]
            },
        }


class StaleVersionSerializer(serializers.Serializer):
    """The body of a 409: the record changed since the caller read it."""

    version = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why the change was refused: read the record again and reapply the change.",
    )


REFUSED = OpenApiResponse(
    ErrorSerializer, description="Not signed in with both factors, or not allowed to do this."
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer,
    description="No such record, or one the caller may not see (the answer is the same).",
)
PAGE_NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such page of the list.")
INVALID = OpenApiResponse(ValidationErrorSerializer, description="The input is not valid.")
UNSUPPORTED = OpenApiResponse(
    ErrorSerializer, description="The body is not JSON, a form or a multipart form."
)
STALE = OpenApiResponse(
    StaleVersionSerializer,
    description="Someone else changed the record since the caller read it; nothing was saved.",
)


def _model_field(field: serializers.Field) -> Any:
    """The model field a ModelSerializer's field reads, if there is one."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return None
    try:
        return model._meta.get_field(field.source)
    except Exception:  # a property or method, not a model field
        return None


class TandemAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the error answers each operation can give."""

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        # DRF drops `allow_blank` and `allow_null` from read-only model fields, so the
        # schema would promise a choice or a value where the answer can be "" or null.
        if isinstance(field, serializers.TimeField):
            # OpenAPI's "time" format wants a UTC offset; times here are local wall-clock
            # times, written like 10:00:00.
            return {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"}
        if field.read_only and (model_field := _model_field(field)) is not None:
            if isinstance(field, serializers.ChoiceField) and model_field.blank:
                field.allow_blank = True
            if model_field.null:
                field.allow_null = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code, response in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses

    def _error_responses(self) -> dict[str, OpenApiResponse]:
        errors = {"403": REFUSED}
        has_body = self.method in ("POST", "PUT", "PATCH")
        if has_body or self._reads_query():
            errors["400"] = INVALID
        if "{" in self.path:
            errors["404"] = NOT_FOUND
        elif self._is_list_view():
            errors["404"] = PAGE_NOT_FOUND
        if has_body:
            errors["415"] = UNSUPPORTED
        return errors

    def _reads_query(self) -> bool:
        return any(parameter["in"] == "query" for parameter in self._get_parameters())
