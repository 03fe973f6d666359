"""The signed-in user and their agency's agreements over the API."""

from __future__ import annotations

from rest_framework import serializers, viewsets
from rest_framework.response import Response

from accounts.http import request_user
from accounts.models import Agency
from accounts.permissions import ANY_STAFF
from panels.models import Panel
from sharing.models import InformationSharingAgreement
from sharing.selectors import agreement_for, agreements_for


class AgreementSerializer(serializers.ModelSerializer):
    parties: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    panels: serializers.PrimaryKeyRelatedField[Panel] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = InformationSharingAgreement
        fields = [
            "id",
            "reference",
            "title",
            "status",
            "version",
            "signed_off_on",
            "next_review_due",
            "parties",
            "panels",
        ]
        read_only_fields = fields


class AgreementViewSet(viewsets.GenericViewSet):
    serializer_class = AgreementSerializer
    allowed_roles = {"list": ANY_STAFF, "retrieve": ANY_STAFF}
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return agreements_for(request_user(self.request))

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk: str):
        agreement = agreement_for(request, int(pk))
        return Response(self.get_serializer(agreement).data)
