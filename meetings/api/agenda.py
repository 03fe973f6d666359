"""Agenda items over the API: the coordinator adds people with a reason, changes the
reason, reorders, removes, and records each item's decision; everyone who sees the agenda
reads it."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import require, visible_or_404
from accounts.api import CASEWORK, COORDINATORS, call, logged_page
from accounts.audit import log_access
from accounts.http import request_user
from accounts.models import ObjectType
from core.api import AnsweredBooleanField, VisibleRecordField, at_least_one, int_param, validated
from meetings.api.meetings import (
    AGENDA_ITEM,
    MEETING,
    NOMINAL,
    AgendaItemSerializer,
    agenda_items_for,
)
from meetings.models import AgendaReason, Meeting
from meetings.selectors.meetings import VisibleAgendaItem
from meetings.services.agenda import (
    agenda_item_add,
    agenda_item_change,
    agenda_item_move,
    agenda_item_remove,
)
from meetings.services.meeting_mode import ItemOutcome, agenda_item_record
from offenders.models import Nominal
from offenders.selectors import nominals_for
from panels.models import Rag
from panels.permissions import can_coordinate


class AgendaItemCreateSerializer(serializers.Serializer):
    meeting = VisibleRecordField(
        visible=Meeting.objects.visible_to,
        model=Meeting,
        error_messages={"does_not_exist": "Select a meeting you can see."},
    )
    nominal = VisibleRecordField(
        visible=nominals_for,
        model=Nominal,
        error_messages={"does_not_exist": "Select someone on the panel's cohort."},
    )
    reason = serializers.ChoiceField(choices=AgendaReason.choices)
    reason_detail = serializers.CharField(max_length=300, allow_blank=True, default="")


class AgendaItemChangeSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=AgendaReason.choices, required=False)
    reason_detail = serializers.CharField(max_length=300, allow_blank=True, required=False)


class AgendaMoveSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class DecisionSerializer(serializers.Serializer):
    """The panel's outcome for the item. Notes and escalation left out keep their current
    value; a RAG decision left out (or blank) records none."""

    discussed = AnsweredBooleanField()
    notes = serializers.CharField(max_length=10000, allow_blank=True, required=False)
    rag = serializers.ChoiceField(choices=Rag.choices, allow_blank=True, required=False)
    escalate = AnsweredBooleanField(
        required=False, help_text="Mid-month meetings only: take the case to the main panel."
    )


class AgendaItemViewSet(viewsets.GenericViewSet):
    """`?meeting=<id>` narrows the list to one agenda, in its order. The panel's
    coordinator builds the agenda and records each item's decision."""

    serializer_class = AgendaItemSerializer
    lookup_value_regex = "[0-9]+"
    allowed_roles = {
        "list": CASEWORK,
        "retrieve": CASEWORK,
        "create": COORDINATORS,
        "partial_update": COORDINATORS,
        "destroy": COORDINATORS,
        "move": COORDINATORS,
        "decision": COORDINATORS,
    }

    def get_queryset(self) -> QuerySet[VisibleAgendaItem]:
        return agenda_items_for(request_user(self.request))

    def list(self, request: Request) -> Response:
        items = self.get_queryset().order_by("meeting_id", "position", "pk")
        meeting = int_param(request, "meeting")
        if meeting is not None:
            items = items.filter(meeting_id=meeting)
        return logged_page(self, request, items, object_type=ObjectType.AGENDA_ITEM_LIST)

    def _item(self, request: Request, pk: str) -> VisibleAgendaItem:
        return visible_or_404(request, self.get_queryset(), pk, object_type=AGENDA_ITEM)

    def _coordinated(self, request: Request, pk: str) -> VisibleAgendaItem:
        """The item, if the caller coordinates its panel (403 if they only see it)."""
        item = self._item(request, pk)
        require(
            request,
            can_coordinate(request_user(request), item.meeting.panel),
            object_type=AGENDA_ITEM,
            object_id=item.pk,
        )
        return item

    def _answer(self, item_pk: int, code: int = status.HTTP_200_OK) -> Response:
        item = self.get_queryset().get(pk=item_pk)
        return Response(self.get_serializer(item).data, status=code)

    def retrieve(self, request: Request, pk: str) -> Response:
        item = self._item(request, pk)
        if item.person_visible:
            log_access(request=request, object_type=NOMINAL, object_id=item.nominal_id)
        return Response(self.get_serializer(item).data)

    @extend_schema(request=AgendaItemCreateSerializer, responses={201: AgendaItemSerializer})
    def create(self, request: Request) -> Response:
        """Add someone on the panel's cohort to the end of a meeting's agenda, with the
        reason (coordinator)."""
        data = validated(AgendaItemCreateSerializer, request.data, request)
        meeting = data["meeting"]
        require(
            request,
            can_coordinate(request_user(request), meeting.panel),
            object_type=MEETING,
            object_id=meeting.pk,
        )
        item = call(
            agenda_item_add,
            request=request,
            object_type=MEETING,
            object_id=meeting.pk,
            actor=request_user(request),
            meeting=meeting,
            nominal=data["nominal"],
            reason=data["reason"],
            reason_detail=data["reason_detail"],
        )
        return self._answer(item.pk, status.HTTP_201_CREATED)

    @extend_schema(request=AgendaItemChangeSerializer, responses=AgendaItemSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change why the person is on the agenda (coordinator)."""
        item = self._coordinated(request, pk)
        data = validated(AgendaItemChangeSerializer, request.data, request)
        at_least_one(data, ("reason", "reason_detail"))
        call(
            agenda_item_change,
            request=request,
            object_type=AGENDA_ITEM,
            object_id=item.pk,
            actor=request_user(request),
            item=item,
            reason=data.get("reason", item.reason),
            reason_detail=data.get("reason_detail", item.reason_detail),
        )
        return self._answer(item.pk)

    def destroy(self, request: Request, pk: str) -> Response:
        """Take the person off the agenda, unless the panel has discussed them (coordinator)."""
        item = self._coordinated(request, pk)
        call(
            agenda_item_remove,
            request=request,
            object_type=AGENDA_ITEM,
            object_id=item.pk,
            actor=request_user(request),
            item=item,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=AgendaMoveSerializer, responses=AgendaItemSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str) -> Response:
        """Move the item one place up or down the agenda (coordinator); the first item does
        not move up, nor the last down."""
        item = self._coordinated(request, pk)
        data = validated(AgendaMoveSerializer, request.data, request)
        call(
            agenda_item_move,
            request=request,
            object_type=AGENDA_ITEM,
            object_id=item.pk,
            actor=request_user(request),
            item=item,
            direction=data["direction"],
        )
        return self._answer(item.pk)

    @extend_schema(request=DecisionSerializer, responses=AgendaItemSerializer)
    @action(detail=True, methods=["post"])
    def decision(self, request: Request, pk: str) -> Response:
        """Record the panel's outcome for the item at the meeting: discussed, notes, a RAG
        decision (kept as the person's RAG review) and escalation (coordinator, from the
        meeting's day until its minutes are published)."""
        item = self._coordinated(request, pk)
        data = validated(DecisionSerializer, request.data, request)
        outcome = ItemOutcome(
            notes=data.get("notes", item.notes),
            rag=data.get("rag", ""),
            escalate=data.get("escalate", item.escalate),
            discussed=data["discussed"],
        )
        call(
            agenda_item_record,
            request=request,
            object_type=AGENDA_ITEM,
            object_id=item.pk,
            actor=request_user(request),
            item=item,
            outcome=outcome,
        )
        return self._answer(item.pk)
