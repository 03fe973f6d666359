"""Panels over the API: the same selector and the same access log as the pages."""

from __future__ import annotations

from rest_framework import serializers, viewsets
from rest_framework.response import Response

from accounts.audit import log_access
from accounts.http import request_user
from accounts.models import ObjectType
from accounts.permissions import ANY_STAFF
from panels.selectors import panel_for, panels_for


class AgencyRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class PanelSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    coordinating_agency = AgencyRefSerializer()
    member_agencies = AgencyRefSerializer(many=True)


class PanelViewSet(viewsets.GenericViewSet):
    serializer_class = PanelSerializer
    allowed_roles = {"list": ANY_STAFF, "retrieve": ANY_STAFF}
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return panels_for(request_user(self.request))

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk: str):
        panel = panel_for(request, int(pk))
        log_access(request=request, object_type=ObjectType.PANEL, object_id=panel.pk)
        return Response(self.get_serializer(panel).data)
