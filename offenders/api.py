"""Nominals over the API: the same selectors, services, validation and access log as the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.access import forbid
from accounts.audit import log_access, log_access_many
from accounts.http import request_user
from accounts.models import CASEWORK_ROLES, ObjectType, Purpose, User
from core.api import TextField, as_drf, page_of, validated
from core.api_schema import STALE
from core.validators import validate_date_of_birth
from offenders import services
from offenders.models import (
    TYPED_EVENT_KINDS,
    CustodyReason,
    IdentifierKind,
    NeedLevel,
    Nominal,
    OffenceType,
    Pathway,
    RoshLevel,
)
from offenders.search import search_nominals
from offenders.selectors import NOMINAL, MergedAway, nominal_for, nominals_for, person_visible

CASEWORK = CASEWORK_ROLES


class IdentifierSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IdentifierKind.choices)
    value = serializers.CharField(max_length=50)


class AliasSerializer(serializers.Serializer):
    given_names = serializers.CharField(max_length=150, allow_blank=True)
    family_name = serializers.CharField(max_length=150, allow_blank=True)
    date_of_birth = serializers.DateField(
        allow_null=True, required=False, validators=[validate_date_of_birth]
    )


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=TYPED_EVENT_KINDS)
    occurred_on = serializers.DateField()
    summary = serializers.CharField(max_length=5000)
    agency = serializers.CharField(source="agency.code", read_only=True)


class OffenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    offence_type = serializers.ChoiceField(choices=OffenceType.choices)
    committed_on = serializers.DateField(allow_null=True, required=False, default=None)
    outcome = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    recorded_by = serializers.CharField(source="recorded_by_agency.code", read_only=True)


class CustodySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    reason = serializers.ChoiceField(choices=CustodyReason.choices)
    entered_on = serializers.DateField()
    released_on = serializers.DateField(allow_null=True, required=False, default=None)
    establishment = serializers.CharField(
        max_length=200, allow_blank=True, required=False, default=""
    )
    offence = serializers.IntegerField(
        source="offence_id",
        allow_null=True,
        required=False,
        default=None,
        help_text="The id of one of the person's offences that a sentence was for.",
    )
    recorded_by = serializers.CharField(source="recorded_by_agency.code", read_only=True)


class RiskScoreSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    ogrs_percent = serializers.IntegerField(
        min_value=0, max_value=100, allow_null=True, required=False, default=None
    )
    rosh_level = serializers.ChoiceField(
        choices=RoshLevel.choices, allow_blank=True, required=False, default=""
    )
    assessed_on = serializers.DateField()
    # Not named "source": that is every serializer field's own attribute.
    assessment_source = serializers.CharField(
        source="source", max_length=100, required=False, default="OASys"
    )
    recorded_by = serializers.CharField(source="recorded_by_agency.code", read_only=True)


class NeedSerializer(serializers.Serializer):
    pathway = serializers.ChoiceField(choices=Pathway.choices)
    level = serializers.ChoiceField(choices=NeedLevel.choices)
    note = serializers.CharField(allow_blank=True, required=False, default="")
    updated_on = serializers.DateField()


class NominalListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    given_names = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    owning_agency = serializers.CharField(source="owning_agency.code")


class NominalDetailSerializer(NominalListSerializer):
    dob_approximate = serializers.BooleanField()
    gender = serializers.CharField()
    ethnicity = serializers.CharField()
    postcode = serializers.CharField()
    ward = serializers.CharField()
    version = serializers.IntegerField()
    identifiers = IdentifierSerializer(many=True)
    aliases = AliasSerializer(many=True)
    needs = NeedSerializer(many=True)


class NominalWriteSerializer(serializers.Serializer):
    """Input only: the owning agency and author always come from the signed-in user."""

    given_names = serializers.CharField(max_length=150)
    family_name = serializers.CharField(max_length=150)
    date_of_birth = serializers.DateField(allow_null=True, validators=[validate_date_of_birth])
    dob_approximate = serializers.BooleanField(default=False)
    gender = serializers.ChoiceField(
        choices=["male", "female", "other", "unknown"], default="unknown"
    )
    ethnicity = serializers.CharField(max_length=100, allow_blank=True, default="")
    postcode = serializers.CharField(max_length=10, allow_blank=True, default="")
    ward = serializers.CharField(max_length=100, allow_blank=True, default="")
    identifiers = IdentifierSerializer(many=True, required=False, default=list)


class NominalUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    given_names = serializers.CharField(max_length=150, required=False)
    family_name = serializers.CharField(max_length=150, required=False)
    date_of_birth = serializers.DateField(
        allow_null=True, required=False, validators=[validate_date_of_birth]
    )
    dob_approximate = serializers.BooleanField(required=False)
    gender = serializers.ChoiceField(choices=["male", "female", "other", "unknown"], required=False)
    ethnicity = serializers.CharField(max_length=100, allow_blank=True, required=False)
    postcode = serializers.CharField(max_length=10, allow_blank=True, required=False)
    ward = serializers.CharField(max_length=100, allow_blank=True, required=False)


class SearchSerializer(serializers.Serializer):
    """Search terms travel in the request body, never in the URL."""

    name = TextField(max_length=300, allow_blank=True, required=False, default="")
    date_of_birth = serializers.DateField(
        allow_null=True, required=False, default=None, validators=[validate_date_of_birth]
    )
    identifier = TextField(max_length=50, allow_blank=True, required=False, default="")

    def validate(self, attrs):
        if not (attrs["name"].strip() or attrs["date_of_birth"] or attrs["identifier"].strip()):
            raise serializers.ValidationError("Enter a name, a date of birth or an identifier.")
        return attrs


class SearchHitSerializer(serializers.Serializer):
    nominal = NominalListSerializer()
    score = serializers.FloatField(source="result.score")
    decision = serializers.CharField(source="result.decision")
    why = serializers.CharField()


class SearchResultsSerializer(serializers.Serializer):
    results = SearchHitSerializer(many=True, help_text="The best matches first.")


class MovedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    merged_into = serializers.IntegerField(help_text="The id of the record it was merged into.")


MOVED = OpenApiResponse(
    MovedSerializer,
    description=(
        "The record was merged into another, whose address is in the Location header: "
        "repeat the request there."
    ),
)


def _recorded(serializer_class: type[serializers.Serializer], summary: str):
    """The schema of an action that adds to a person's record: the new entry back, 201."""
    return extend_schema(
        summary=summary,
        request=serializer_class,
        responses={201: serializer_class, 301: MOVED},
    )


class NominalViewSet(viewsets.GenericViewSet):
    """List, read, create and update nominals, and add to their records."""

    allowed_roles = {
        "list": CASEWORK,
        "retrieve": CASEWORK,
        "create": CASEWORK,
        "partial_update": CASEWORK,
        "events": CASEWORK,
        "identifiers": CASEWORK,
        "aliases": CASEWORK,
        "needs": CASEWORK,
        "offences": CASEWORK,
        "custody": CASEWORK,
        "risk_scores": CASEWORK,
        "search": CASEWORK,
    }
    lookup_value_regex = "[0-9]+"
    serializer_class = NominalDetailSerializer

    def get_queryset(self):
        return nominals_for(request_user(self.request)).select_related("owning_agency")

    def handle_exception(self, exc):
        if isinstance(exc, _Moved):
            # A merged-away record: point the caller at the record it was merged into.
            return Response(
                {"detail": "This record was merged.", "merged_into": exc.pk},
                status=status.HTTP_301_MOVED_PERMANENTLY,
                headers={"Location": f"/api/v1/nominals/{exc.pk}/"},
            )
        return super().handle_exception(exc)

    def _nominal(self, request, pk: str) -> Nominal:
        try:
            return nominal_for(request, int(pk))
        except MergedAway as merged:
            raise _Moved(merged.survivor.pk) from None

    @extend_schema(responses=NominalListSerializer(many=True))
    def list(self, request):
        page = page_of(self, self.get_queryset().order_by("family_name", "pk"))
        log_access(request=request, object_type=ObjectType.NOMINAL_LIST, object_id=len(page))
        # And each person listed, so their "who has viewed" page shows this read.
        log_access_many(
            request=request, object_type=ObjectType.NOMINAL, object_ids=[n.pk for n in page]
        )
        return self.get_paginated_response(NominalListSerializer(page, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "purpose",
                OpenApiTypes.STR,
                enum=Purpose.values,
                description="Why the record is read, kept in the access log.",
            )
        ],
        responses={200: NominalDetailSerializer, 301: MOVED},
    )
    def retrieve(self, request, pk: str):
        nominal = self._nominal(request, pk)
        purpose = request.query_params.get("purpose", "")
        log_access(
            request=request,
            object_type=ObjectType.NOMINAL,
            object_id=nominal.pk,
            purpose=purpose if purpose in Purpose.values else "",
        )
        nominal = Nominal.objects.prefetch_related("identifiers", "aliases", "needs").get(
            pk=nominal.pk
        )
        return Response(NominalDetailSerializer(nominal).data)

    @extend_schema(request=NominalWriteSerializer, responses={201: NominalDetailSerializer})
    def create(self, request):
        data = validated(NominalWriteSerializer, request.data)
        identifiers = [(i["kind"], i["value"]) for i in data.pop("identifiers")]
        try:
            nominal = services.nominal_create(
                actor=request_user(request), identifiers=identifiers, **data
            )
        except DjangoValidationError as error:
            raise as_drf(error) from error
        return Response(NominalDetailSerializer(nominal).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=NominalUpdateSerializer,
        responses={200: NominalDetailSerializer, 301: MOVED, 409: STALE},
    )
    def partial_update(self, request, pk: str):
        nominal = self._nominal(request, pk)
        data = validated(NominalUpdateSerializer, request.data)
        version = data.pop("version")
        try:
            nominal = services.nominal_update(
                actor=request_user(request), nominal=nominal, version=version, changes=data
            )
        except PermissionDenied:
            # Visible but not theirs to change: refused and logged, as on the edit page.
            forbid(request, object_type=NOMINAL, object_id=nominal.pk)
        except services.StaleEdit as error:
            return Response({"version": error.messages}, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as error:
            raise as_drf(error) from error
        return Response(NominalDetailSerializer(nominal).data)

    @extend_schema(request=SearchSerializer, responses=SearchResultsSerializer)
    @action(detail=False, methods=["post"])
    def search(self, request):
        """The search page's tolerant search: spelling variants, nicknames, swapped names."""
        terms = validated(SearchSerializer, request.data)
        hits = search_nominals(request_user(request), **terms)
        log_access(request=request, object_type=ObjectType.NOMINAL_SEARCH, object_id=len(hits))
        log_access_many(
            request=request,
            object_type=ObjectType.NOMINAL,
            object_ids=[hit.nominal.pk for hit in hits],
        )
        return Response({"results": SearchHitSerializer(hits, many=True).data})

    @_recorded(EventSerializer, "Add an event to the person's timeline.")
    @action(detail=True, methods=["post"])
    def events(self, request, pk: str):
        nominal = self._nominal(request, pk)
        data = validated(EventSerializer, request.data)
        event = _call(services.event_add, actor=request_user(request), nominal=nominal, **data)
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)

    @_recorded(IdentifierSerializer, "Add an identifier, checked against its kind's format.")
    @action(detail=True, methods=["post"])
    def identifiers(self, request, pk: str):
        nominal = self._nominal(request, pk)
        data = validated(IdentifierSerializer, request.data)
        identifier = _call(
            services.identifier_add, actor=request_user(request), nominal=nominal, **data
        )
        return Response(IdentifierSerializer(identifier).data, status=status.HTTP_201_CREATED)

    @_recorded(AliasSerializer, "Add another name or date of birth the person uses.")
    @action(detail=True, methods=["post"])
    def aliases(self, request, pk: str):
        nominal = self._nominal(request, pk)
        data = validated(AliasSerializer, request.data)
        alias = _call(services.alias_add, actor=request_user(request), nominal=nominal, **data)
        return Response(AliasSerializer(alias).data, status=status.HTTP_201_CREATED)

    @_recorded(NeedSerializer, "Set the level of need on one pathway.")
    @action(detail=True, methods=["post"])
    def needs(self, request, pk: str):
        nominal = self._nominal(request, pk)
        data = validated(NeedSerializer, request.data)
        need = _call(
            services.need_set,
            actor=request_user(request),
            nominal=nominal,
            pathway=data["pathway"],
            level=data["level"],
            note=data["note"],
            on=data["updated_on"],
        )
        return Response(NeedSerializer(need).data, status=status.HTTP_201_CREATED)

    @_recorded(OffenceSerializer, "Record an offence.")
    @action(detail=True, methods=["post"])
    def offences(self, request, pk: str):
        """Record an offence: its type, date (if known) and outcome."""
        nominal = self._nominal(request, pk)
        data = validated(OffenceSerializer, request.data)
        offence = _call(services.offence_add, actor=request_user(request), nominal=nominal, **data)
        return Response(OffenceSerializer(offence).data, status=status.HTTP_201_CREATED)

    @_recorded(CustodySerializer, "Record time in custody.")
    @action(detail=True, methods=["post"])
    def custody(self, request, pk: str):
        """Record time in custody, with the release if it has happened."""
        nominal = self._nominal(request, pk)
        data = validated(CustodySerializer, request.data)
        offence_id = data.pop("offence_id", None)
        offence = nominal.offences.filter(pk=offence_id).first() if offence_id else None
        if offence_id and offence is None:
            raise ValidationError({"offence": ["Give the id of one of this person's offences."]})
        episode = _call(
            services.custody_add,
            actor=request_user(request),
            nominal=nominal,
            offence=offence,
            **data,
        )
        return Response(CustodySerializer(episode).data, status=status.HTTP_201_CREATED)

    @_recorded(RiskScoreSerializer, "Record a risk assessment.")
    @action(detail=True, methods=["post"], url_path="risk-scores")
    def risk_scores(self, request, pk: str):
        """Record a risk assessment: the OGRS score, the RoSH level, or both."""
        nominal = self._nominal(request, pk)
        data = validated(RiskScoreSerializer, request.data)
        score = _call(services.risk_record, actor=request_user(request), nominal=nominal, **data)
        return Response(RiskScoreSerializer(score).data, status=status.HTTP_201_CREATED)


class _Moved(Exception):
    def __init__(self, pk: int) -> None:
        self.pk = pk


def _call(service, **kwargs):
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        raise as_drf(error) from error


class NominalRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    given_names = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)


def with_person_visible(queryset: QuerySet, user: User) -> QuerySet:
    """Mark each row with whether the caller may see the person it is about
    (`person_visible`): lists and agendas name only the people the reader sees."""
    return queryset.annotate(person_visible=person_visible(user))
