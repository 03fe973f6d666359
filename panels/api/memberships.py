"""Cohort memberships over the API: referral, decision, exit and panel fields, through the
same services and selector as the cohort pages."""

from __future__ import annotations

from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from panels.api.common import CASEWORK, NominalRefSerializer, int_param
from panels.models import CohortMembership, MembershipStatus
from sharing.access import refuse
from sharing.audit import log_access

MEMBERSHIP = "panels.cohortmembership"

PANEL_FIELDS = (
    "mappa_category",
    "mappa_level",
    "iom_strand",
    "statutory",
    "ogrs_band",
    "consent_to_share",
    "consent_on",
    "treatment_requirement",
    "treatment_start",
    "treatment_completed",
)


class MembershipSerializer(serializers.ModelSerializer):
    nominal = NominalRefSerializer()
    referring_agency = serializers.SlugRelatedField(slug_field="code", read_only=True)

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
        ]
        read_only_fields = fields


def memberships_for(user) -> object:
    return CohortMembership.objects.visible_to(user).select_related("nominal", "referring_agency")


class MembershipViewSet(viewsets.GenericViewSet):
    """`?panel=<id>` and `?status=referred|active|declined|exited` narrow the list."""

    serializer_class = MembershipSerializer
    lookup_value_regex = "[0-9]+"
    allowed_roles = {"list": CASEWORK, "retrieve": CASEWORK}

    def get_queryset(self):
        return memberships_for(self.request.user)

    def list(self, request: Request) -> Response:
        memberships = self.get_queryset().order_by("panel_id", "nominal__family_name", "pk")
        panel = int_param(request, "panel")
        if panel is not None:
            memberships = memberships.filter(panel_id=panel)
        wanted = request.query_params.get("status", "")
        if wanted:
            if wanted not in MembershipStatus.values:
                raise serializers.ValidationError(
                    {"status": [f"Choose one of: {', '.join(MembershipStatus.values)}."]}
                )
            memberships = memberships.filter(status=wanted)
        page = self.paginate_queryset(memberships)
        log_access(request=request, object_type="panels.membership_list", object_id=len(page))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _membership(self, request: Request, pk: str) -> CohortMembership:
        membership = self.get_queryset().filter(pk=int(pk)).first()
        if membership is None:
            refuse(request, object_type=MEMBERSHIP, object_id=pk)
        return membership

    def retrieve(self, request: Request, pk: str) -> Response:
        membership = self._membership(request, pk)
        log_access(request=request, object_type=MEMBERSHIP, object_id=membership.pk)
        return Response(self.get_serializer(membership).data)
