"""Case actions over the API: what panels asked agencies to do, by when."""

from __future__ import annotations

from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from panels.api.common import CASEWORK, NominalRefSerializer, int_param
from panels.models import CaseAction, CaseActionStatus
from sharing.access import refuse
from sharing.audit import log_access

CASE_ACTION = "panels.caseaction"


class CaseActionSerializer(serializers.ModelSerializer):
    nominal = NominalRefSerializer()
    owner_agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    owner = serializers.CharField(source="owner.get_full_name", default="", read_only=True)

    class Meta:
        model = CaseAction
        fields = [
            "id",
            "panel",
            "nominal",
            "agenda_item",
            "description",
            "owner_agency",
            "owner",
            "due",
            "status",
            "completed_on",
            "flagged_overdue_on",
        ]
        read_only_fields = fields


class CaseActionViewSet(viewsets.GenericViewSet):
    """`?mine=1` lists the user's agency's actions; `?status=` and `?panel=` narrow it."""

    serializer_class = CaseActionSerializer
    lookup_value_regex = "[0-9]+"
    allowed_roles = {"list": CASEWORK, "retrieve": CASEWORK}

    def get_queryset(self):
        return CaseAction.objects.visible_to(self.request.user).select_related(
            "nominal", "owner_agency", "owner"
        )

    def list(self, request: Request) -> Response:
        actions = self.get_queryset().order_by("due", "pk")
        if request.query_params.get("mine") == "1":
            actions = actions.filter(owner_agency_id=request.user.agency_id)
        panel = int_param(request, "panel")
        if panel is not None:
            actions = actions.filter(panel_id=panel)
        wanted = request.query_params.get("status", "")
        if wanted:
            if wanted not in CaseActionStatus.values:
                raise serializers.ValidationError(
                    {"status": [f"Choose one of: {', '.join(CaseActionStatus.values)}."]}
                )
            actions = actions.filter(status=wanted)
        page = self.paginate_queryset(actions)
        log_access(request=request, object_type="panels.case_action_list", object_id=len(page))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        case_action = self.get_queryset().filter(pk=int(pk)).first()
        if case_action is None:
            refuse(request, object_type=CASE_ACTION, object_id=pk)
        log_access(request=request, object_type=CASE_ACTION, object_id=case_action.pk)
        return Response(self.get_serializer(case_action).data)
