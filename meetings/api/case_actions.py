"""Case actions over the API: what panels asked agencies to do, by when.

The panel's coordinator sets an action on an agenda item's person, changes or cancels it;
the owning agency's staff (and the coordinator) report progress and mark it done. The
same services and visibility rules as the action pages.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import require, visible_or_404
from accounts.api import CASEWORK, COORDINATORS, AgencyCodeField, call, logged_page
from accounts.audit import log_access
from accounts.http import request_user
from accounts.models import Agency, ObjectType, User
from core.api import VisibleRecordField, at_least_one, choice_param, int_param, validated
from meetings.models import AgendaItem, CaseAction, CaseActionStatus
from meetings.permissions import coordinates_action, may_report_on
from meetings.selectors.case_actions import case_action_history
from meetings.services.case_actions import (
    UPDATE_MAX_LENGTH,
    ActionInput,
    case_action_add_update,
    case_action_cancel,
    case_action_change,
    case_action_complete,
    case_action_create,
)
from offenders.api import NominalRefSerializer, with_person_visible

CASE_ACTION = ObjectType.CASE_ACTION
AGENDA_ITEM = ObjectType.AGENDA_ITEM


class CaseActionSerializer(serializers.ModelSerializer):
    """An action. The person it is about is given only to readers who see them
    (`person_visible`); others see what is to be done, by whom and by when."""

    nominal = NominalRefSerializer()
    person_visible = serializers.BooleanField(read_only=True)
    owner_agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    owner = serializers.SerializerMethodField()

    class Meta:
        model = CaseAction
        fields = [
            "id",
            "panel",
            "person_visible",
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

    def get_owner(self, case_action: CaseAction) -> str:
        """The named owner, for their own agency's staff; others see the owning agency."""
        user = request_user(self.context["request"])
        if case_action.owner is None or case_action.owner_agency_id != user.agency_id:
            return ""
        return case_action.owner.get_full_name()

    def to_representation(self, case_action: CaseAction) -> dict:
        data = super().to_representation(case_action)
        # Actions reach this serializer from `case_actions_for`, which says whether the
        # reader sees the person; anything else is treated as unseen.
        if not getattr(case_action, "person_visible", False):
            data |= {"nominal": None, "person_visible": False}
        return data


class HistorySerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="event.at")
    who = serializers.CharField(
        help_text="A name for the reader's own agency's staff; otherwise the agency."
    )
    lines = serializers.ListField(child=serializers.CharField())


def case_actions_for(user: User) -> QuerySet[CaseAction]:
    return with_person_visible(
        CaseAction.objects.visible_to(user).select_related(
            "panel", "nominal", "owner_agency", "owner"
        ),
        user,
    )


class OwnerField(serializers.PrimaryKeyRelatedField):
    """A named member of staff, by id; the service checks they work for the owning agency."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            queryset=User.objects.filter(is_active=True),
            allow_null=True,
            error_messages={
                "does_not_exist": "Select a member of staff of the owning agency, or no "
                "named person."
            },
            **kwargs,
        )


def _agency_field(**kwargs) -> AgencyCodeField:
    return AgencyCodeField(
        queryset=Agency.objects.filter(active=True),
        error_messages={"does_not_exist": "Select one of the agencies that see this panel"},
        **kwargs,
    )


class CaseActionCreateSerializer(serializers.Serializer):
    agenda_item = VisibleRecordField(
        visible=AgendaItem.objects.visible_to,
        model=AgendaItem,
        error_messages={"does_not_exist": "Select an agenda item you can see."},
    )
    description = serializers.CharField(
        max_length=2000, error_messages={"blank": "Enter what needs to be done"}
    )
    owner_agency = _agency_field(help_text="The owning agency's code.")
    owner = OwnerField(required=False, default=None)
    due = serializers.DateField(help_text="Today or later.")


class CaseActionChangeSerializer(serializers.Serializer):
    description = serializers.CharField(
        max_length=2000, required=False, error_messages={"blank": "Enter what needs to be done"}
    )
    owner_agency = _agency_field(required=False, help_text="The owning agency's code.")
    owner = OwnerField(required=False)
    due = serializers.DateField(required=False)


CHANGE_FIELDS = ("description", "owner_agency", "owner", "due")


class CompleteSerializer(serializers.Serializer):
    completed_on = serializers.DateField(help_text="The day it was done: today or earlier.")
    note = serializers.CharField(max_length=UPDATE_MAX_LENGTH, allow_blank=True, default="")


class UpdateSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=UPDATE_MAX_LENGTH, error_messages={"blank": "Enter what has happened"}
    )


class CancelActionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=UPDATE_MAX_LENGTH,
        error_messages={"blank": "Enter why the action is no longer needed"},
    )


class CaseActionViewSet(viewsets.GenericViewSet):
    """`?mine=1` lists the user's agency's actions; `?status=` and `?panel=` narrow it."""

    serializer_class = CaseActionSerializer
    lookup_value_regex = "[0-9]+"
    allowed_roles = {
        "list": CASEWORK,
        "retrieve": CASEWORK,
        "create": COORDINATORS,
        "partial_update": COORDINATORS,
        "cancel": COORDINATORS,
        # The owning agency's staff (any casework role) or the panel's coordinator.
        "complete": CASEWORK,
        "updates": CASEWORK,
    }

    def get_queryset(self):
        return case_actions_for(request_user(self.request))

    def list(self, request: Request) -> Response:
        actions = self.get_queryset().order_by("due", "pk")
        if request.query_params.get("mine") == "1":
            actions = actions.filter(owner_agency_id=request_user(request).agency_id)
        panel = int_param(request, "panel")
        if panel is not None:
            actions = actions.filter(panel_id=panel)
        wanted = choice_param(request, "status", CaseActionStatus.values)
        if wanted:
            actions = actions.filter(status=wanted)
        return logged_page(self, request, actions, object_type=ObjectType.CASE_ACTION_LIST)

    def _action(self, request: Request, pk: str) -> CaseAction:
        return visible_or_404(request, self.get_queryset(), pk, object_type=CASE_ACTION)

    def _allowed(self, request: Request, pk: str, allowed) -> CaseAction:
        """The action, if `allowed(user, action)`; 403 (logged) if the caller only sees it."""
        case_action = self._action(request, pk)
        require(
            request,
            allowed(request_user(request), case_action),
            object_type=CASE_ACTION,
            object_id=case_action.pk,
        )
        return case_action

    def _answer(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        case_action = self.get_queryset().get(pk=pk)
        return Response(self.get_serializer(case_action).data, status=code)

    def retrieve(self, request: Request, pk: str) -> Response:
        case_action = self._action(request, pk)
        log_access(request=request, object_type=CASE_ACTION, object_id=case_action.pk)
        if getattr(case_action, "person_visible", False):
            # The action names its person: their "who has viewed" page shows this read.
            log_access(
                request=request, object_type=ObjectType.NOMINAL, object_id=case_action.nominal_id
            )
        return Response(self.get_serializer(case_action).data)

    @extend_schema(request=CaseActionCreateSerializer, responses={201: CaseActionSerializer})
    def create(self, request: Request) -> Response:
        """Set an action on an agenda item's person, owned by one of the agencies that see
        the panel, with an optional named person of that agency (coordinator)."""
        data = validated(CaseActionCreateSerializer, request.data, request)
        item = data.pop("agenda_item")
        case_action = call(
            case_action_create,
            request=request,
            object_type=AGENDA_ITEM,
            object_id=item.pk,
            actor=request_user(request),
            agenda_item=item,
            data=ActionInput(**data),
        )
        return self._answer(case_action.pk, status.HTTP_201_CREATED)

    @extend_schema(request=CaseActionChangeSerializer, responses=CaseActionSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change what is to be done, by whom or by when (coordinator). Fields left out
        keep their value; moving the due date to today or later lifts the overdue flag."""
        case_action = self._allowed(request, pk, coordinates_action)
        data = validated(CaseActionChangeSerializer, request.data, request)
        at_least_one(data, CHANGE_FIELDS)
        owner_agency = data.get("owner_agency", case_action.owner_agency)
        # A new owning agency without a named person: nobody of the old agency stays named.
        default_owner = case_action.owner if owner_agency == case_action.owner_agency else None
        call(
            case_action_change,
            request=request,
            object_type=CASE_ACTION,
            object_id=case_action.pk,
            actor=request_user(request),
            action=case_action,
            data=ActionInput(
                description=data.get("description", case_action.description),
                owner_agency=owner_agency,
                owner=data.get("owner", default_owner),
                due=data.get("due", case_action.due),
            ),
        )
        return self._answer(case_action.pk)

    @extend_schema(request=CancelActionSerializer, responses=CaseActionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Withdraw an action that is no longer needed, saying why (coordinator)."""
        case_action = self._allowed(request, pk, coordinates_action)
        data = validated(CancelActionSerializer, request.data, request)
        call(
            case_action_cancel,
            request=request,
            object_type=CASE_ACTION,
            object_id=case_action.pk,
            actor=request_user(request),
            action=case_action,
            reason=data["reason"],
        )
        return self._answer(case_action.pk)

    @extend_schema(request=CompleteSerializer, responses=CaseActionSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        """Record that the action was done, and when (the owning agency or the coordinator)."""
        case_action = self._allowed(request, pk, may_report_on)
        data = validated(CompleteSerializer, request.data, request)
        call(
            case_action_complete,
            request=request,
            object_type=CASE_ACTION,
            object_id=case_action.pk,
            actor=request_user(request),
            action=case_action,
            completed_on=data["completed_on"],
            note=data["note"],
        )
        return self._answer(case_action.pk)

    @extend_schema(methods=["GET"], request=None, responses=HistorySerializer(many=True))
    @extend_schema(methods=["POST"], request=UpdateSerializer, responses={201: HistorySerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def updates(self, request: Request, pk: str) -> Response:
        """GET: what happened to the action, newest first (anyone who sees it). POST: report
        progress on an open action (the owning agency or the coordinator); what was
        reported cannot be changed afterwards."""
        if request.method == "GET":
            case_action = self._action(request, pk)
            log_access(request=request, object_type=CASE_ACTION, object_id=case_action.pk)
            history = case_action_history(case_action, request_user(request))
            return Response(HistorySerializer(history, many=True).data)
        case_action = self._allowed(request, pk, may_report_on)
        data = validated(UpdateSerializer, request.data, request)
        call(
            case_action_add_update,
            request=request,
            object_type=CASE_ACTION,
            object_id=case_action.pk,
            actor=request_user(request),
            action=case_action,
            text=data["text"],
        )
        newest = case_action_history(case_action, request_user(request))[0]
        return Response(HistorySerializer(newest).data, status=status.HTTP_201_CREATED)
