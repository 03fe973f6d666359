"""Meetings over the API (agenda items are in agenda.py, RAG reviews in reviews.py).

The panel's coordinator changes a meeting (move, cancel, share the agenda, attendance,
publish the minutes) and its agenda (add, change the reason, reorder, remove, record the
decision); everyone who sees the panel reads them, through the same services and the
same visibility rules as the meeting pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import require, visible_or_404
from accounts.api import CASEWORK, COORDINATORS, call
from accounts.audit import log_access, log_access_many
from accounts.http import request_user
from accounts.models import Agency, ObjectType, Purpose, User
from core.api import ConfirmSerializer, int_param, validated
from meetings.minutes import minutes_for_reader, stored_minutes
from meetings.models import AgendaItem, Attendance, Meeting
from meetings.selectors.meeting_mode import AttendanceStatus
from meetings.selectors.meetings import VisibleAgendaItem
from meetings.services.agenda import agenda_share
from meetings.services.meeting_mode import AttendanceEntry, attendance_record, minutes_publish
from meetings.services.meetings import meeting_cancel, meeting_move
from offenders.api import NominalRefSerializer, with_person_visible
from panels.permissions import can_coordinate

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _VisibleItems(TypedDict):
    """The agenda as the reader may see it, prefetched by `MeetingViewSet._detail`."""

    visible_items: list[VisibleAgendaItem]


type MeetingWithAgenda = WithAnnotations[Meeting, _VisibleItems]

MEETING = ObjectType.MEETING
AGENDA_ITEM = ObjectType.AGENDA_ITEM
NOMINAL = ObjectType.NOMINAL

# What an agenda says about a person the reader may not see: only that an item is there.
UNSEEN_ITEM = {
    "nominal": None,
    "reason": "",
    "reason_detail": "",
    "notes": "",
    "rag_decided": "",
    "escalate": False,
    "discussed": False,
}


class AttendanceSerializer(serializers.ModelSerializer):
    agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Attendance
        fields = ["agency", "present", "apologies", "attendees"]
        read_only_fields = fields


class AgendaItemSerializer(serializers.ModelSerializer):
    """An agenda item. Someone the reader may not see (a referral since declined, say) is
    shown as a numbered item with `person_visible` false and nothing about them."""

    nominal = NominalRefSerializer()
    person_visible = serializers.BooleanField(read_only=True)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "position",
            "person_visible",
            "nominal",
            "reason",
            "reason_detail",
            "notes",
            "rag_decided",
            "escalate",
            "discussed",
        ]
        read_only_fields = fields

    def to_representation(self, item: AgendaItem) -> dict:
        data = super().to_representation(item)
        # Items reach this serializer from `agenda_items_for`, which says whether the
        # reader sees the person; anything else is treated as unseen.
        if not getattr(item, "person_visible", False):
            data |= UNSEEN_ITEM | {"person_visible": False}
        return data


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


class MinutesActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    description = serializers.CharField()
    owner_agency = serializers.CharField()
    owner = serializers.CharField(help_text="Named for the owning agency and the coordinator.")
    due = serializers.DateField()


class MinutesItemSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    visible = serializers.BooleanField(help_text="False: the reader may not see this person.")
    nominal = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    reason = serializers.CharField()
    reason_detail = serializers.CharField()
    notes = serializers.CharField()
    rag = serializers.CharField()
    escalated = serializers.BooleanField()
    discussed = serializers.BooleanField()
    actions = MinutesActionSerializer(many=True)


class MinutesAttendanceSerializer(serializers.Serializer):
    agency = serializers.CharField()
    status = serializers.CharField()
    attendees = serializers.CharField()


class MinutesSerializer(serializers.Serializer):
    """The published minutes as the reader may read them (`meetings.minutes`)."""

    attendance = MinutesAttendanceSerializer(many=True)
    items = MinutesItemSerializer(many=True)


class MeetingDetailSerializer(MeetingSerializer):
    """A meeting with what the reader may see of it: the agenda once it is shared with
    their agency (or always, for the coordinating agency); attendance and the minutes once
    published (or always, for the panel's coordinator)."""

    attendance = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()
    minutes = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "attendance", "items", "minutes"]
        read_only_fields = fields

    @extend_schema_field(AttendanceSerializer(many=True))
    def get_attendance(self, meeting: Meeting) -> list[dict]:
        if not (
            meeting.minutes_published_on
            or can_coordinate(request_user(self.context["request"]), meeting.panel)
        ):
            return []
        # drf-stubs type `Serializer(many=True)` as the serializer itself; DRF builds a
        # ListSerializer, whose data is a list.
        return AttendanceSerializer(meeting.attendance.all(), many=True).data  # type: ignore[return-value]

    @extend_schema_field(AgendaItemSerializer(many=True))
    def get_items(self, meeting: MeetingWithAgenda) -> list[dict]:
        # As in get_attendance: the data of `many=True` is a list.
        return AgendaItemSerializer(meeting.visible_items, many=True).data  # type: ignore[return-value]

    @extend_schema_field(MinutesSerializer(allow_null=True))
    def get_minutes(self, meeting: Meeting) -> dict | None:
        if not meeting.minutes_published_on:
            return None
        return MinutesSerializer(self.context["minutes"]).data


def meetings_for(user: User) -> QuerySet[Meeting]:
    return Meeting.objects.visible_to(user).select_related("panel")


def agenda_items_for(user: User) -> QuerySet[VisibleAgendaItem]:
    """Agenda items the user may see, each marked with whether the user sees its person."""
    return with_person_visible(
        AgendaItem.objects.visible_to(user).select_related("nominal", "meeting__panel"), user
    )


class MoveSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="Today or later.")
    starts_at = serializers.TimeField()
    reason = serializers.CharField(
        max_length=200, error_messages={"blank": "Enter why the meeting is moving"}
    )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=200, error_messages={"blank": "Enter why the meeting is cancelled"}
    )


class AttendanceEntrySerializer(serializers.Serializer):
    agency = serializers.CharField(help_text="The agency's code.")
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)
    attendees = serializers.CharField(
        max_length=300,
        allow_blank=True,
        default="",
        help_text="Who came, with their roles; required when present.",
    )


class AttendanceInputSerializer(serializers.Serializer):
    """One entry for each of the panel's agencies: the register is taken whole."""

    attendance = AttendanceEntrySerializer(many=True, allow_empty=False)


class MeetingViewSet(viewsets.GenericViewSet):
    """`?panel=<id>` narrows the list; `?upcoming=1` lists meetings from today on."""

    serializer_class = MeetingSerializer
    lookup_value_regex = "[0-9]+"
    allowed_roles = {
        "list": CASEWORK,
        "retrieve": CASEWORK,
        "move": COORDINATORS,
        "cancel": COORDINATORS,
        "share": COORDINATORS,
        "attendance": COORDINATORS,
        "minutes": COORDINATORS,
    }

    def get_queryset(self):
        return meetings_for(request_user(self.request))

    def list(self, request: Request) -> Response:
        meetings = self.get_queryset().order_by("date", "starts_at", "pk")
        panel = int_param(request, "panel")
        if panel is not None:
            meetings = meetings.filter(panel_id=panel)
        if request.query_params.get("upcoming") == "1":
            meetings = meetings.filter(date__gte=timezone.localdate())
        page = self.paginate_queryset(meetings)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _meeting(self, request: Request, pk: str) -> Meeting:
        return visible_or_404(request, self.get_queryset(), pk, object_type=MEETING)

    def _coordinated(self, request: Request, pk: str) -> Meeting:
        """The meeting, if the caller coordinates its panel (403 if they only see it)."""
        meeting = self._meeting(request, pk)
        require(
            request,
            can_coordinate(request_user(request), meeting.panel),
            object_type=MEETING,
            object_id=meeting.pk,
        )
        return meeting

    def _detail(self, request: Request, pk: int) -> Response:
        """The meeting as the reader may see it; reading it names the people on its agenda
        and in its minutes, so each is logged as a read, as on the meeting's pages."""
        user = request_user(request)
        meeting = visible_or_404(
            request,
            self.get_queryset().prefetch_related(
                Prefetch("attendance", queryset=Attendance.objects.select_related("agency")),
                Prefetch(
                    "items",
                    queryset=agenda_items_for(user).order_by("position", "pk"),
                    to_attr="visible_items",
                ),
            ),
            pk,
            object_type=MEETING,
        )
        minutes = None
        if meeting.minutes_published_on:
            minutes = minutes_for_reader(
                stored_minutes(meeting), user, names_all_staff=can_coordinate(user, meeting.panel)
            )
        log_access(request=request, object_type=MEETING, object_id=meeting.pk)
        named = [item.nominal_id for item in meeting.visible_items if item.person_visible]
        if minutes is not None:
            named += [item.nominal for item in minutes.items if item.visible]
        log_access_many(
            request=request,
            object_type=NOMINAL,
            object_ids=named,
            purpose=Purpose.PANEL_PREPARATION,
        )
        context = {"request": request, "minutes": minutes}
        return Response(MeetingDetailSerializer(meeting, context=context).data)

    @extend_schema(responses=MeetingDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._detail(request, int(pk))

    @extend_schema(request=MoveSerializer, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str) -> Response:
        """Move a scheduled meeting to another date or time, with the reason (coordinator)."""
        meeting = self._coordinated(request, pk)
        data = validated(MoveSerializer, request.data, request)
        call(
            meeting_move,
            request=request,
            object_type=MEETING,
            object_id=meeting.pk,
            actor=request_user(request),
            meeting=meeting,
            new_date=data["date"],
            starts_at=data["starts_at"],
            reason=data["reason"],
        )
        return self._detail(request, meeting.pk)

    @extend_schema(request=CancelSerializer, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel a scheduled meeting, with the reason (coordinator)."""
        meeting = self._coordinated(request, pk)
        data = validated(CancelSerializer, request.data, request)
        call(
            meeting_cancel,
            request=request,
            object_type=MEETING,
            object_id=meeting.pk,
            actor=request_user(request),
            meeting=meeting,
            reason=data["reason"],
        )
        return self._detail(request, meeting.pk)

    @extend_schema(request=ConfirmSerializer, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def share(self, request: Request, pk: str) -> Response:
        """Share the agenda with the panel's member agencies (coordinator). Send
        `{"confirm": true}`; nothing is sent to anyone."""
        meeting = self._coordinated(request, pk)
        validated(ConfirmSerializer, request.data, request)
        call(
            agenda_share,
            request=request,
            object_type=MEETING,
            object_id=meeting.pk,
            actor=request_user(request),
            meeting=meeting,
        )
        return self._detail(request, meeting.pk)

    @extend_schema(request=AttendanceInputSerializer, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str) -> Response:
        """Record the register: for each of the panel's agencies (by code), present,
        apologies or absent, and who came (coordinator, from the meeting's day)."""
        meeting = self._coordinated(request, pk)
        entries = validated(AttendanceInputSerializer, request.data, request)["attendance"]
        codes = [entry["agency"] for entry in entries]
        agencies = {agency.code: agency for agency in Agency.objects.filter(code__in=codes)}
        unknown = [code for code in codes if code not in agencies]
        if unknown:
            raise serializers.ValidationError(
                {"attendance": [f"No agency has the code {unknown[0]!r}."]}
            )
        call(
            attendance_record,
            request=request,
            object_type=MEETING,
            object_id=meeting.pk,
            actor=request_user(request),
            meeting=meeting,
            entries=[
                AttendanceEntry(
                    agency=agencies[entry["agency"]],
                    status=entry["status"],
                    attendees=entry["attendees"],
                )
                for entry in entries
            ],
        )
        return self._detail(request, meeting.pk)

    @extend_schema(request=ConfirmSerializer, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def minutes(self, request: Request, pk: str) -> Response:
        """Close the meeting and publish its minutes to the agencies that see the panel
        (coordinator). Send `{"confirm": true}`; after this the meeting does not change."""
        meeting = self._coordinated(request, pk)
        validated(ConfirmSerializer, request.data, request)
        call(
            minutes_publish,
            request=request,
            object_type=MEETING,
            object_id=meeting.pk,
            actor=request_user(request),
            meeting=meeting,
        )
        return self._detail(request, meeting.pk)
