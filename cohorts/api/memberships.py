"""Cohort memberships over the API: referral, decision, exit and panel fields, through the
same services and selector as the cohort pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import require, visible_or_404
from accounts.api import CASEWORK, COORDINATORS, call, logged_page
from accounts.audit import log_access
from accounts.http import request_user
from accounts.models import Agency, ObjectType, User
from cohorts.selectors.cohort import memberships_visible_to
from cohorts.services.membership import (
    ALL_PANEL_FIELDS,
    StaleDetails,
    membership_accept,
    membership_decline,
    membership_exit,
    membership_refer,
    membership_update,
    panel_fields_version,
)
from core.api import VisibleRecordField, at_least_one, choice_param, int_param, validated
from core.api_schema import STALE
from offenders.api import NominalRefSerializer
from offenders.models import Nominal
from offenders.selectors import nominals_for
from panels.models import CohortMembership, MembershipStatus, Panel
from panels.permissions import can_coordinate

MEMBERSHIP = ObjectType.MEMBERSHIP
PANEL_FIELDS = ALL_PANEL_FIELDS


class MembershipSerializer(serializers.ModelSerializer):
    nominal = NominalRefSerializer()
    referring_agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    version = serializers.SerializerMethodField(
        help_text="Send it back with a change of the panel fields: a change made meanwhile "
        "by someone else is then refused (409) rather than overwritten."
    )

    class Meta:
        model = CohortMembership
        fields = [
            "id",
            "panel",
            "nominal",
            "status",
            "referred_on",
            "referring_agency",
            "reason",
            "decided_on",
            "decline_reason",
            "start",
            "end",
            "exit_reason",
            *PANEL_FIELDS,
            "version",
        ]
        read_only_fields = fields

    def get_version(self, membership: CohortMembership) -> str:
        return panel_fields_version(membership)


class PanelFieldsSerializer(serializers.ModelSerializer):
    """The panel's own fields about a person; which of them apply depends on the panel's
    kind, and the service says so for a field of another kind."""

    class Meta:
        model = CohortMembership
        fields = list(PANEL_FIELDS)
        extra_kwargs = {name: {"required": False} for name in PANEL_FIELDS}


class ReferralSerializer(PanelFieldsSerializer):
    panel = VisibleRecordField(
        visible=Panel.objects.visible_to,
        model=Panel,
        error_messages={"does_not_exist": "Select a panel you can see."},
    )
    nominal = VisibleRecordField(
        visible=nominals_for,
        model=Nominal,
        error_messages={"does_not_exist": "Select a person whose record you can see."},
    )
    reason = serializers.CharField(
        error_messages={"blank": "Enter why you are referring this person"}
    )

    class Meta(PanelFieldsSerializer.Meta):
        fields = ["panel", "nominal", "reason", *PANEL_FIELDS]


class PanelFieldsChangeSerializer(PanelFieldsSerializer):
    version = serializers.CharField(required=False, max_length=64)

    class Meta(PanelFieldsSerializer.Meta):
        fields = [*PANEL_FIELDS, "version"]


class AcceptSerializer(serializers.Serializer):
    start = serializers.DateField(help_text="The day the person joined the cohort.")


class DeclineSerializer(serializers.Serializer):
    decline_reason = serializers.CharField(
        error_messages={"blank": "Enter why the referral is declined"}
    )


class ExitSerializer(serializers.Serializer):
    end = serializers.DateField(help_text="The day the person left the cohort.")
    exit_reason = serializers.CharField(
        max_length=200, error_messages={"blank": "Enter why they are leaving the cohort"}
    )


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _update_unless_stale(**kwargs: Any) -> CohortMembership:
    """`membership_update`; details changed by someone else since the caller read them
    answer 409 with the reason, and nothing is saved."""
    try:
        return membership_update(**kwargs)
    except StaleDetails as stale:
        raise Conflict({"version": stale.messages}) from stale


def memberships_for(user: User) -> QuerySet[CohortMembership]:
    """The memberships the cohort pages show the user, about people the user sees: a
    declined referral of someone recorded by another agency names a person the referrer
    may no longer see, so it is left out (and refused), as on the pages."""
    return (
        memberships_visible_to(user)
        .filter(nominal__in=nominals_for(user).values("pk"))
        .select_related("nominal", "referring_agency", "panel")
    )


class MembershipViewSet(viewsets.GenericViewSet):
    """`?panel=<id>` and `?status=referred|active|declined|exited` narrow the list.

    Any casework member of staff who sees the panel and the person refers (POST); the
    panel's coordinator accepts, declines, records an exit and changes the panel fields.
    """

    serializer_class = MembershipSerializer
    lookup_value_regex = "[0-9]+"
    allowed_roles = {
        "list": CASEWORK,
        "retrieve": CASEWORK,
        "create": CASEWORK,
        "partial_update": COORDINATORS,
        "accept": COORDINATORS,
        "decline": COORDINATORS,
        "exit": COORDINATORS,
    }

    def get_queryset(self):
        return memberships_for(request_user(self.request))

    def list(self, request: Request) -> Response:
        memberships = self.get_queryset().order_by("panel_id", "nominal__family_name", "pk")
        panel = int_param(request, "panel")
        if panel is not None:
            memberships = memberships.filter(panel_id=panel)
        wanted = choice_param(request, "status", MembershipStatus.values)
        if wanted:
            memberships = memberships.filter(status=wanted)
        return logged_page(self, request, memberships, object_type=ObjectType.MEMBERSHIP_LIST)

    def _membership(self, request: Request, pk: str) -> CohortMembership:
        return visible_or_404(request, self.get_queryset(), pk, object_type=MEMBERSHIP)

    def _coordinated(self, request: Request, pk: str) -> CohortMembership:
        """The membership, if the caller coordinates its panel (403 if they only see it)."""
        membership = self._membership(request, pk)
        require(
            request,
            can_coordinate(request_user(request), membership.panel),
            object_type=MEMBERSHIP,
            object_id=membership.pk,
        )
        return membership

    def _answer(self, membership: CohortMembership, code: int = status.HTTP_200_OK) -> Response:
        membership = self.get_queryset().get(pk=membership.pk)
        return Response(self.get_serializer(membership).data, status=code)

    def retrieve(self, request: Request, pk: str) -> Response:
        membership = self._membership(request, pk)
        log_access(request=request, object_type=MEMBERSHIP, object_id=membership.pk)
        # The membership names its person: their "who has viewed" page shows this read.
        log_access(request=request, object_type=ObjectType.NOMINAL, object_id=membership.nominal_id)
        return Response(self.get_serializer(membership).data)

    @extend_schema(request=ReferralSerializer, responses={201: MembershipSerializer})
    def create(self, request: Request) -> Response:
        """Refer a person to a panel, with the reason and any of the panel's fields."""
        data = validated(ReferralSerializer, request.data, request)
        panel, nominal = data.pop("panel"), data.pop("nominal")
        membership = call(
            membership_refer,
            request=request,
            object_type=ObjectType.PANEL,
            object_id=panel.pk,
            actor=request_user(request),
            panel=panel,
            nominal=nominal,
            reason=data.pop("reason"),
            **data,
        )
        return self._answer(membership, status.HTTP_201_CREATED)

    @extend_schema(
        request=PanelFieldsChangeSerializer, responses={200: MembershipSerializer, 409: STALE}
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change the panel's own fields about the person (coordinator)."""
        membership = self._coordinated(request, pk)
        data = validated(PanelFieldsChangeSerializer, request.data, request)
        at_least_one(data, PANEL_FIELDS)
        membership = call(
            _update_unless_stale,
            request=request,
            object_type=MEMBERSHIP,
            object_id=membership.pk,
            actor=request_user(request),
            membership=membership,
            seen_version=data.pop("version", None),
            **data,
        )
        return self._answer(membership)

    @extend_schema(request=AcceptSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """Accept a referral: the person joins the cohort on `start` (coordinator)."""
        membership = self._coordinated(request, pk)
        data = validated(AcceptSerializer, request.data, request)
        membership = call(
            membership_accept,
            request=request,
            object_type=MEMBERSHIP,
            object_id=membership.pk,
            actor=request_user(request),
            membership=membership,
            start=data["start"],
        )
        return self._answer(membership)

    @extend_schema(request=DeclineSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        """Decline a referral, with the reason (coordinator). The panel's partner agencies
        then no longer see it; the referring agency still does."""
        membership = self._coordinated(request, pk)
        data = validated(DeclineSerializer, request.data, request)
        membership = call(
            membership_decline,
            request=request,
            object_type=MEMBERSHIP,
            object_id=membership.pk,
            actor=request_user(request),
            membership=membership,
            reason=data["decline_reason"],
        )
        return Response(self.get_serializer(membership).data)

    @extend_schema(request=ExitSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def exit(self, request: Request, pk: str) -> Response:
        """Record that an active member left the cohort on `end`, and why (coordinator)."""
        membership = self._coordinated(request, pk)
        data = validated(ExitSerializer, request.data, request)
        membership = call(
            membership_exit,
            request=request,
            object_type=MEMBERSHIP,
            object_id=membership.pk,
            actor=request_user(request),
            membership=membership,
            end=data["end"],
            reason=data["exit_reason"],
        )
        return self._answer(membership)
