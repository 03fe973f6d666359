"""Meetings, their agenda items and the RAG reviews panels record, over the API."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from panels.api.common import CASEWORK, NominalRefSerializer, int_param
from panels.models import AgendaItem, Attendance, Meeting, RagReview
from sharing.access import refuse
from sharing.audit import log_access

MEETING = "panels.meeting"
AGENDA_ITEM = "panels.agendaitem"
REVIEW = "panels.ragreview"


class AttendanceSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Attendance
        fields = ["agency", "present", "apologies", "attendees"]
        read_only_fields = fields


class AgendaItemSerializer(serializers.ModelSerializer):
    nominal = NominalRefSerializer()

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "position",
            "nominal",
            "reason",
            "reason_detail",
            "notes",
            "rag_decided",
            "escalate",
            "discussed",
        ]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = [
            "id",
            "panel",
            "kind",
            "date",
            "starts_at",
            "location",
            "status",
            "status_reason",
            "agenda_shared_on",
            "minutes_published_on",
        ]
        read_only_fields = fields


class MeetingDetailSerializer(MeetingSerializer):
    """A meeting with what the reader may see of it: the agenda once it is shared with
    their agency (or always, for the coordinating agency), and the published minutes."""

    attendance = AttendanceSerializer(many=True)
    items = serializers.SerializerMethodField()
    minutes = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "attendance", "items", "minutes"]
        read_only_fields = fields

    def get_items(self, meeting: Meeting) -> list[dict]:
        return AgendaItemSerializer(meeting.visible_items, many=True).data

    def get_minutes(self, meeting: Meeting) -> str:
        return meeting.minutes if meeting.minutes_published_on else ""


def meetings_for(user) -> QuerySet[Meeting]:
    return Meeting.objects.visible_to(user).select_related("panel")


class MeetingViewSet(viewsets.GenericViewSet):
    """`?panel=<id>` narrows the list; `?upcoming=1` lists meetings from today on."""

    serializer_class = MeetingSerializer
    lookup_value_regex = "[0-9]+"
    allowed_roles = {"list": CASEWORK, "retrieve": CASEWORK}

    def get_queryset(self):
        return meetings_for(self.request.user)

    def list(self, request: Request) -> Response:
        meetings = self.get_queryset().order_by("date", "starts_at", "pk")
        panel = int_param(request, "panel")
        if panel is not None:
            meetings = meetings.filter(panel_id=panel)
        if request.query_params.get("upcoming") == "1":
            meetings = meetings.filter(date__gte=timezone.localdate())
        page = self.paginate_queryset(meetings)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        user = request.user
        meeting = (
            self.get_queryset()
            .prefetch_related(
                Prefetch("attendance", queryset=Attendance.objects.select_related("agency")),
                Prefetch(
                    "items",
                    queryset=AgendaItem.objects.visible_to(user).select_related("nominal"),
                    to_attr="visible_items",
                ),
            )
            .filter(pk=int(pk))
            .first()
        )
        if meeting is None:
            refuse(request, object_type=MEETING, object_id=pk)
        log_access(request=request, object_type=MEETING, object_id=meeting.pk)
        return Response(MeetingDetailSerializer(meeting).data)


class AgendaItemViewSet(viewsets.GenericViewSet):
    """`?meeting=<id>` narrows the list to one agenda, in its order."""

    serializer_class = AgendaItemSerializer
    lookup_value_regex = "[0-9]+"
    allowed_roles = {"list": CASEWORK, "retrieve": CASEWORK}

    def get_queryset(self):
        return AgendaItem.objects.visible_to(self.request.user).select_related("nominal")

    def list(self, request: Request) -> Response:
        items = self.get_queryset().order_by("meeting_id", "position", "pk")
        meeting = int_param(request, "meeting")
        if meeting is not None:
            items = items.filter(meeting_id=meeting)
        page = self.paginate_queryset(items)
        log_access(request=request, object_type="panels.agenda_item_list", object_id=len(page))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        item = self.get_queryset().filter(pk=int(pk)).first()
        if item is None:
            refuse(request, object_type=AGENDA_ITEM, object_id=pk)
        log_access(request=request, object_type="offenders.nominal", object_id=item.nominal_id)
        return Response(self.get_serializer(item).data)


class ReviewSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_full_name", read_only=True)

    class Meta:
        model = RagReview
        fields = ["id", "panel", "nominal", "meeting", "rag", "reviewed_on", "author", "note"]
        read_only_fields = fields


class ReviewViewSet(viewsets.GenericViewSet):
    """RAG history: `?panel=<id>` and `?nominal=<id>` narrow it. Reviews are recorded as
    decisions on agenda items, so the API reads them only."""

    serializer_class = ReviewSerializer
    lookup_value_regex = "[0-9]+"
    allowed_roles = {"list": CASEWORK, "retrieve": CASEWORK}

    def get_queryset(self):
        return RagReview.objects.visible_to(self.request.user).select_related("author")

    def list(self, request: Request) -> Response:
        reviews = self.get_queryset().order_by("-reviewed_on", "-pk")
        for name in ("panel", "nominal"):
            value = int_param(request, name)
            if value is not None:
                reviews = reviews.filter(**{f"{name}_id": value})
        page = self.paginate_queryset(reviews)
        log_access(request=request, object_type="panels.review_list", object_id=len(page))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        review = self.get_queryset().filter(pk=int(pk)).first()
        if review is None:
            refuse(request, object_type=REVIEW, object_id=pk)
        log_access(request=request, object_type="offenders.nominal", object_id=review.nominal_id)
        return Response(self.get_serializer(review).data)
