"""Information-sharing agreements over the API: read by every member of staff of a party,
written by governance leads of a party and system administrators, by the same rules as
the pages (`sharing.agreement_services`).

Errors, in the order they are checked:
- 403 `permission_denied`: drafting (POST and PATCH) by a role other than governance lead
  or system administrator (checked first, before any record is looked up); or, on an
  agreement the caller sees, an action they may not take (not a party's governance lead;
  signing for an agency that is not theirs, or has signed already).
- 403 `reauthentication_required`: signing needs a password or code check in the last
  15 minutes (settings.REAUTHENTICATION_MAX_AGE); confirm on "Confirm it's you" and retry.
- 404 `not_found`: no such agreement, or not one the caller's agency is a party to (the
  same answer, logged).
- 400 with field errors: the body is incomplete or wrong, or the agreement is not in a
  state that allows it (for example circulating a draft that lacks its document, or
  changing one already circulated: under `non_field_errors` or the field concerned).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import require
from accounts.http import request_user
from accounts.models import Agency, ObjectType, Role
from accounts.permissions import ANY_STAFF
from accounts.reauth import require_recent_authentication
from core.api import ConfirmSerializer, as_drf, validated
from panels.models import Panel
from sharing import agreement_services as services
from sharing.documents import read_document
from sharing.models import SIGNABLE_STATUSES, InformationSharingAgreement
from sharing.selectors import agreement_for, agreements_for, panels_to_cover

AGREEMENT = ObjectType.AGREEMENT
GOVERNORS = frozenset({Role.GOVERNANCE_LEAD, Role.SYSTEM_ADMIN})


class AgreementSerializer(serializers.ModelSerializer):
    parties: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    panels: serializers.PrimaryKeyRelatedField[Panel] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = InformationSharingAgreement
        fields = [
            "id",
            "reference",
            "title",
            "status",
            "version",
            "previous_version",
            "signed_off_on",
            "next_review_due",
            "review_interval_months",
            "retention_period_months",
            "legal_basis",
            "purpose",
            "circulated_on",
            "parties",
            "panels",
            "has_document",
        ]
        read_only_fields = fields

    def get_has_document(self, agreement: InformationSharingAgreement) -> bool:
        return bool(agreement.document_name)


class _PanelsField(serializers.PrimaryKeyRelatedField):
    """Panels the caller may name in a draft (`panels_to_cover`); any other id gets the
    same 400 as one that does not exist."""

    def get_queryset(self):
        return panels_to_cover(self.context["request"].user, self.context.get("agreement"))


class DraftSerializer(serializers.Serializer):
    """What a governance lead writes in a draft. The status, version, dates and signatures
    are never written here: they follow from circulating and signing."""

    title = serializers.CharField(max_length=300)
    reference = serializers.CharField(max_length=50)
    parties = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Agency.objects.filter(active=True)
    )
    panels = _PanelsField(many=True, queryset=Panel.objects.none())
    legal_basis = serializers.CharField(required=False, allow_blank=True, default="")
    purpose = serializers.CharField(required=False, allow_blank=True, default="")
    review_interval_months = serializers.IntegerField(min_value=1, max_value=60, default=12)
    retention_period_months = serializers.IntegerField(
        min_value=1, max_value=240, required=False, allow_null=True, default=None
    )
    document = serializers.FileField(required=False, write_only=True)

    def validate_parties(self, parties: list[Agency]) -> list[Agency]:
        user = self.context["request"].user
        if not user.has_role(Role.SYSTEM_ADMIN) and user.agency_id not in {p.pk for p in parties}:
            raise serializers.ValidationError("Your own agency must be a party.")
        return parties

    def validate_reference(self, reference: str) -> str:
        agreement = self.context.get("agreement")
        others = InformationSharingAgreement.objects.filter(reference=reference)
        if agreement is not None:
            if agreement.previous_version_id:
                if reference != agreement.reference:
                    raise serializers.ValidationError(
                        "A new version keeps the agreement's reference."
                    )
                return reference
            others = others.exclude(pk=agreement.pk)
        if others.exists():
            raise serializers.ValidationError("An agreement with this reference already exists.")
        return reference

    def validate_document(self, upload):
        try:
            return read_document(upload)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


class SignatureInputSerializer(serializers.Serializer):
    signed_by_name = serializers.CharField(max_length=200)
    signed_by_role = serializers.CharField(max_length=200)
    signed_on = serializers.DateField(required=False)

    def validate_signed_on(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError("The date signed cannot be in the future.")
        return value


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class PartyWithdrawalInputSerializer(ReasonSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all())


class AgreementViewSet(viewsets.GenericViewSet):
    serializer_class = AgreementSerializer
    allowed_roles = {
        "list": ANY_STAFF,
        "retrieve": ANY_STAFF,
        "create": GOVERNORS,
        "partial_update": GOVERNORS,
        # Actions on one agreement answer as its page does: 404 (logged) to whoever does
        # not see it, then 403 to whoever sees it but may not act on it.
        "circulate": ANY_STAFF,
        "sign": ANY_STAFF,
        "new_version": ANY_STAFF,
        "withdraw_party": ANY_STAFF,
        "withdraw": ANY_STAFF,
    }
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return agreements_for(request_user(self.request))

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk: str):
        agreement = agreement_for(request, int(pk))
        return Response(self.get_serializer(agreement).data)

    def _governed(self, request: Request, pk: str) -> InformationSharingAgreement:
        agreement = agreement_for(request, int(pk))
        require(
            request,
            services.may_govern(request_user(request), agreement),
            object_type=AGREEMENT,
            object_id=agreement.pk,
        )
        return agreement

    def _answer(self, agreement: InformationSharingAgreement, code: int = 200) -> Response:
        agreement.refresh_from_db()
        return Response(self.get_serializer(agreement).data, status=code)

    @extend_schema(request=DraftSerializer, responses={201: AgreementSerializer})
    def create(self, request: Request) -> Response:
        """Draft an agreement (multipart to include the signed document)."""
        data = validated(DraftSerializer, request.data, request)
        try:
            agreement = services.agreement_create(actor=request_user(request), **data)
        except DjangoValidationError as error:
            raise as_drf(error) from error
        return self._answer(agreement, status.HTTP_201_CREATED)

    @extend_schema(request=DraftSerializer, responses=AgreementSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change a draft: send every field of the draft (the document only to replace it)."""
        agreement = self._governed(request, pk)
        serializer = DraftSerializer(
            data=request.data, context={"request": request, "agreement": agreement}
        )
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        document = data.pop("document", None)
        try:
            services.agreement_update(
                actor=request_user(request),
                agreement=agreement,
                details=services.AgreementDetails(**data),
                document=document,
            )
        except DjangoValidationError as error:
            raise as_drf(error) from error
        return self._answer(agreement)

    @extend_schema(request=ConfirmSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def circulate(self, request: Request, pk: str) -> Response:
        """Send a complete draft to the parties' governance leads to sign. Send
        `{"confirm": true}`."""
        agreement = self._governed(request, pk)
        validated(ConfirmSerializer, request.data, request)
        try:
            services.agreement_circulate(actor=request_user(request), agreement=agreement)
        except DjangoValidationError as error:
            raise as_drf(error) from error
        return self._answer(agreement)

    @extend_schema(request=SignatureInputSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str) -> Response:
        """Sign the current version for the caller's own agency (re-authentication needed).
        `signed_on` defaults to today and cannot be in the future."""
        user = request_user(request)
        agreement = agreement_for(request, int(pk))
        require(
            request,
            services.is_party_lead(user, agreement)
            and user.agency in services.unsigned_parties(agreement)
            and agreement.status in SIGNABLE_STATUSES,
            object_type=AGREEMENT,
            object_id=agreement.pk,
        )
        require_recent_authentication(request)
        data = validated(SignatureInputSerializer, request.data, request)
        data.setdefault("signed_on", timezone.localdate())
        try:
            services.agreement_sign(actor=user, agreement=agreement, agency=user.agency, **data)
        except DjangoValidationError as error:
            raise as_drf(error) from error
        return self._answer(agreement)

    @extend_schema(request=ConfirmSerializer, responses={201: AgreementSerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request: Request, pk: str) -> Response:
        """Start version N+1 of a signed agreement, as a draft. Send `{"confirm": true}`."""
        agreement = self._governed(request, pk)
        validated(ConfirmSerializer, request.data, request)
        try:
            draft = services.agreement_new_version(actor=request_user(request), agreement=agreement)
        except DjangoValidationError as error:
            raise as_drf(error) from error
        return self._answer(draft, status.HTTP_201_CREATED)

    @extend_schema(request=PartyWithdrawalInputSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"], url_path="withdraw-party")
    def withdraw_party(self, request: Request, pk: str) -> Response:
        """Withdraw a party (the caller's own agency; a system administrator, any party)
        from every live version. Its staff lose access at once."""
        user = request_user(request)
        agreement = agreement_for(request, int(pk))
        require(
            request,
            user.has_role(Role.SYSTEM_ADMIN) or services.is_party_lead(user, agreement),
            object_type=AGREEMENT,
            object_id=agreement.pk,
        )
        data = validated(PartyWithdrawalInputSerializer, request.data, request)
        if not user.has_role(Role.SYSTEM_ADMIN) and data["agency"].pk != user.agency_id:
            require(request, False, object_type=AGREEMENT, object_id=agreement.pk)
        try:
            services.agreement_withdraw_party(
                actor=user, agreement=agreement, agency=data["agency"], reason=data["reason"]
            )
        except DjangoValidationError as error:
            raise as_drf(error) from error
        return self._answer(agreement)

    @extend_schema(request=ReasonSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        """Withdraw the whole agreement, every live version of it, at once."""
        agreement = self._governed(request, pk)
        data = validated(ReasonSerializer, request.data, request)
        try:
            services.agreement_withdraw(
                actor=request_user(request), agreement=agreement, reason=data["reason"]
            )
        except DjangoValidationError as error:
            raise as_drf(error) from error
        return self._answer(agreement)
