"""The API's own account endpoint, and the one way an API view refuses or calls a service:
role sets for permission maps, logged 403s, and logged list pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import forbid
from accounts.audit import log_access, log_access_many
from accounts.http import request_user
from accounts.models import CASEWORK_ROLES, ObjectType, Role
from accounts.permissions import ANY_STAFF
from core.api import as_drf


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")
    agency = serializers.CharField(source="agency.name")
    agency_code = serializers.CharField(source="agency.code")
    roles = serializers.SerializerMethodField()

    def get_roles(self, user) -> list[str]:
        return sorted(user.roles)


class MeView(APIView):
    allowed_roles = {"get": ANY_STAFF}
    serializer_class = MeSerializer

    def get(self, request):
        return Response(MeSerializer(request_user(request)).data)


CASEWORK = CASEWORK_ROLES


COORDINATORS = frozenset({Role.COORDINATOR})


class AgencyCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", **kwargs)


def logged_page(
    view: Any,
    request: Request,
    queryset: QuerySet,
    *,
    object_type: str,
    person: Callable[[Any], object] = lambda row: (
        row.nominal_id if getattr(row, "person_visible", True) else None
    ),
) -> Any:
    """One page of a list that names people: its read logged once with the row count, and
    once for each person named, so each person's "who has viewed" page is complete. A row
    whose person the caller may not see (`person_visible` false) names no one."""
    page = view.paginate_queryset(queryset)
    log_access(request=request, object_type=object_type, object_id=len(page))
    named = [person(row) for row in page]
    log_access_many(
        request=request,
        object_type=ObjectType.NOMINAL,
        object_ids=[pk for pk in named if pk is not None],
    )
    return view.get_paginated_response(view.get_serializer(page, many=True).data)


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
