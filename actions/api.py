"""The action plan over the API: plans, their actions and steps with each step's current
RAG, and the steps' progress updates, through the same selectors and services as the pages.

Everyone on the staff of a plan's agencies reads it, committee officers included: the plan
holds no personal data, and a member of staff is named only to their own agency's staff
(`person_label`). A record of a plan the caller does not see answers 404, logged. Progress
is added by staff of the step's lead agency and by whoever edits the plan
(`may_update_step`); anyone else who sees the step gets 403, logged.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import require
from accounts.api import CASEWORK, call
from accounts.http import request_user
from accounts.models import Agency, User
from accounts.permissions import ANY_STAFF
from actions.models import Action, ActionPlan, ActionStep, ProgressUpdate, Rag
from actions.permissions import may_update_step
from actions.selectors.plans import (
    ACTION_RAG_RULE,
    STEP,
    ObjectiveRows,
    ProgressStep,
    StepRow,
    action_for,
    action_rag,
    actions_visible_to,
    person_label,
    plan_for,
    plan_table,
    plans_for,
    step_for,
    step_history,
    step_lead,
    steps_visible_to,
    updates_visible_to,
    with_flags,
)
from actions.services.plans import PROGRESS_MAX_LENGTH, progress_add
from core.api import VisibleRecordField, int_param, validated
from panels.api import AgencyRefSerializer

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# Everyone who sees a plan reads it; progress is written by casework roles, and of those
# only by the ones `may_update_step` allows for the step in hand.
READ = ANY_STAFF
WRITE = CASEWORK


class _StepRags(TypedDict):
    """The current RAGs of an action's steps, from which its own RAG is derived."""

    step_rags: list[str]


type RatedAction = WithAnnotations[Action, _StepRags]


def _viewer(serializer: serializers.BaseSerializer) -> User:
    return request_user(serializer.context["request"])


def _today(serializer: serializers.BaseSerializer) -> date:
    return serializer.context.get("today") or timezone.localdate()


# --- Output --------------------------------------------------------------------------------


class NumberedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()


class ProgressUpdateSerializer(serializers.ModelSerializer):
    """A progress update: never changed once recorded; a correction is a newer update."""

    author = serializers.SerializerMethodField(
        help_text="The author's name for their own agency's staff; otherwise their agency."
    )
    author_agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = ProgressUpdate
        fields = ["id", "step", "written_on", "text", "rag", "author", "author_agency"]
        read_only_fields = fields

    def get_author(self, update: ProgressUpdate) -> str:
        return person_label(update.author, _viewer(self), agency=update.author_agency)


class PlanStepSerializer(serializers.ModelSerializer):
    """A step as it sits in its action: its lead, its due date (its own or its action's),
    its current RAG (its latest update's), the flags the plan's filter uses, and the text
    of its latest progress update."""

    lead = serializers.SerializerMethodField(
        help_text="The lead as the plan words it, and the named person for their own "
        "agency's staff."
    )
    lead_agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    due_on = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField(help_text="Past its due date and not complete.")
    needs_update = serializers.BooleanField(
        help_text="Not complete, and no progress update for the plan's needs_update_days."
    )
    latest_progress = serializers.CharField(source="latest_text", allow_null=True)

    class Meta:
        model = ActionStep
        fields = [
            "id",
            "number",
            "text",
            "lead",
            "lead_text",
            "lead_agency",
            "due_on",
            "current_rag",
            "last_update_on",
            "overdue",
            "needs_update",
            "latest_progress",
        ]
        read_only_fields = fields

    def get_lead(self, step: ActionStep) -> str:
        return step_lead(step, _viewer(self))


class StepSerializer(PlanStepSerializer):
    plan = serializers.IntegerField(source="action.objective.plan_id")

    class Meta(PlanStepSerializer.Meta):
        # A step on its own also says whose plan and action it belongs to.
        fields = ["id", "plan", "action", *PlanStepSerializer.Meta.fields[1:]]
        read_only_fields = fields


class StepDetailSerializer(StepSerializer):
    action = NumberedRefSerializer()
    history = ProgressUpdateSerializer(many=True, help_text="Every progress update, newest first.")

    class Meta(StepSerializer.Meta):
        fields = [*StepSerializer.Meta.fields, "history"]
        read_only_fields = fields


class ActionSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="objective.plan_id")
    objective = NumberedRefSerializer()
    rag = serializers.SerializerMethodField(help_text=ACTION_RAG_RULE)

    class Meta:
        model = Action
        fields = [
            "id",
            "plan",
            "objective",
            "number",
            "title",
            "description",
            "outcomes",
            "timescale",
            "due",
            "strategic_links",
            "rag",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Rag.choices))
    def get_rag(self, plan_action: RatedAction) -> str:
        return action_rag(plan_action.step_rags).value


class ActionDetailSerializer(ActionSerializer):
    steps = PlanStepSerializer(many=True, source="flagged_steps")

    class Meta(ActionSerializer.Meta):
        fields = [*ActionSerializer.Meta.fields, "steps"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    owner_agency = AgencyRefSerializer()
    owner = serializers.SerializerMethodField(
        help_text="The plan owner's name for their own agency's staff; otherwise their agency."
    )
    agencies = AgencyRefSerializer(many=True, help_text="The partnership: its staff see the plan.")
    action_count = serializers.IntegerField()
    step_count = serializers.IntegerField()

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "title",
            "strategy",
            "starts_on",
            "ends_on",
            "owner_agency",
            "owner",
            "agencies",
            "needs_update_days",
            "action_count",
            "step_count",
        ]
        read_only_fields = fields

    def get_owner(self, plan: ActionPlan) -> str:
        return person_label(plan.owner, _viewer(self)) if plan.owner else ""


class _StepRowSerializer(PlanStepSerializer):
    """A step of the plan's table (a `StepRow`), shaped as any other step."""

    def to_representation(self, row: StepRow) -> dict[str, Any]:
        return super().to_representation(row.step)


class _ActionRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="action.id")
    number = serializers.IntegerField(source="action.number")
    title = serializers.CharField(source="action.title")
    outcomes = serializers.CharField(source="action.outcomes")
    timescale = serializers.CharField(source="action.timescale")
    due = serializers.DateField(source="action.due", allow_null=True)
    rag = serializers.ChoiceField(choices=Rag.choices, help_text=ACTION_RAG_RULE)
    steps = _StepRowSerializer(many=True)


class _ObjectiveRowsSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="objective.id")
    number = serializers.IntegerField(source="objective.number")
    title = serializers.CharField(source="objective.title")
    actions = _ActionRowSerializer(many=True)


class PlanDetailSerializer(PlanSerializer):
    """The plan as the committee paper lays it out: objectives, their actions (with the
    RAG derived from their steps), and each action's steps with their current RAG."""

    objectives = serializers.SerializerMethodField()

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "objectives"]
        read_only_fields = fields

    @extend_schema_field(_ObjectiveRowsSerializer(many=True))
    def get_objectives(self, plan: ActionPlan) -> list[dict[str, Any]]:
        rows: list[ObjectiveRows] = plan_table(plan, viewer=_viewer(self), today=_today(self))
        # drf-stubs type `Serializer(many=True)` as the serializer itself; DRF builds a
        # ListSerializer, whose data is a list.
        return _ObjectiveRowsSerializer(rows, many=True, context=self.context).data  # type: ignore[return-value]


# --- Input ---------------------------------------------------------------------------------


class StepChoiceSerializer(serializers.Serializer):
    step = VisibleRecordField(
        visible=steps_visible_to,
        model=ActionStep,
        error_messages={"does_not_exist": "Select a step of a plan you can see."},
    )


class ProgressInputSerializer(serializers.Serializer):
    written_on = serializers.DateField(
        required=False,
        help_text="The day the update describes: today or earlier; today if left out.",
    )
    rag = serializers.ChoiceField(
        choices=Rag.choices, error_messages={"invalid_choice": "Select the RAG."}
    )
    text = serializers.CharField(
        max_length=PROGRESS_MAX_LENGTH, error_messages={"blank": "Enter the progress to date"}
    )


class ProgressCreateSerializer(StepChoiceSerializer, ProgressInputSerializer):
    """What POST plan-updates/ takes: the step, and the update."""


# --- Shared reads --------------------------------------------------------------------------


def _flagged(steps: QuerySet[ActionStep], today: date) -> QuerySet[ProgressStep]:
    """Steps with the plan's flags and their latest update's text, ready for the serializers."""
    latest = ProgressUpdate.objects.filter(step=OuterRef("pk")).order_by("-written_on", "-pk")
    return (
        with_flags(steps, today)
        .annotate(latest_text=Subquery(latest.values("text")[:1]))
        .select_related("lead_agency", "lead_person__agency")
    )


FLAG_VALUES = ["0", "1", "false", "true"]


def _flag_param(request: Request, name: str) -> bool:
    """`?overdue=1` narrows the list; `0` or leaving it out does not; anything else is a 400."""
    value = request.query_params.get(name)
    if value is not None and value not in FLAG_VALUES:
        raise ValidationError({name: ["Send 1 to show only these steps, or leave it out."]})
    return value in ("1", "true")


def _add_progress(request: Request, step: ActionStep) -> Response:
    """Record progress on a step the caller may update, from the request's body."""
    data = validated(ProgressInputSerializer, request.data, request)
    today = timezone.localdate()
    update = call(
        progress_add,
        request=request,
        object_type=STEP,
        object_id=step.pk,
        actor=request_user(request),
        step=step,
        written_on=data.get("written_on") or today,
        rag=data["rag"],
        text=data["text"],
        today=today,
    )
    update = ProgressUpdate.objects.select_related("author__agency", "author_agency").get(
        pk=update.pk
    )
    return Response(
        ProgressUpdateSerializer(update, context={"request": request}).data,
        status=status.HTTP_201_CREATED,
    )


def _may_update(request: Request, step: ActionStep) -> None:
    """403 (logged) for a caller who sees the step but does not lead it or edit the plan.
    Asked before the body is read, so the answer does not depend on it."""
    require(
        request, may_update_step(request_user(request), step), object_type=STEP, object_id=step.pk
    )


class _PlanViewSet(viewsets.GenericViewSet):
    lookup_value_regex = "[0-9]+"

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}


# --- Views ---------------------------------------------------------------------------------


class PlanViewSet(_PlanViewSet):
    """The plans of the partnerships the caller's agency belongs to."""

    serializer_class = PlanSerializer
    allowed_roles = {"list": READ, "retrieve": READ}

    def get_queryset(self) -> QuerySet[ActionPlan]:
        return (
            plans_for(request_user(self.request))
            .select_related("owner__agency")
            .prefetch_related(Prefetch("agencies", queryset=Agency.objects.order_by("name")))
        )

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses=PlanDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        """The plan with its objectives, actions and steps, each step with its current RAG."""
        plan = self.get_queryset().get(pk=plan_for(request, int(pk)).pk)
        return Response(PlanDetailSerializer(plan, context=self.get_serializer_context()).data)


class PlanActionViewSet(_PlanViewSet):
    """The actions of the plans the caller sees; `?plan=` narrows to one plan."""

    serializer_class = ActionSerializer
    allowed_roles = {"list": READ, "retrieve": READ}

    def get_queryset(self) -> QuerySet[RatedAction]:
        return (
            actions_visible_to(request_user(self.request))
            .select_related("objective")
            .annotate(
                step_rags=ArrayAgg(
                    "steps__current_rag", filter=Q(steps__isnull=False), default=Value([])
                )
            )
            .order_by("objective__plan_id", "objective__number", "number", "pk")
        )

    @extend_schema(parameters=[OpenApiParameter("plan", OpenApiTypes.INT)])
    def list(self, request: Request) -> Response:
        actions = self.get_queryset()
        plan = int_param(request, "plan")
        if plan is not None:
            actions = actions.filter(objective__plan_id=plan)
        page = self.paginate_queryset(actions)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses=ActionDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        """The action with its steps, each with its lead, current RAG and flags."""
        steps = _flagged(ActionStep.objects.all(), timezone.localdate()).order_by("number", "pk")
        plan_action = (
            self.get_queryset()
            .prefetch_related(Prefetch("steps", queryset=steps, to_attr="flagged_steps"))
            .get(pk=action_for(request, int(pk)).pk)
        )
        return Response(
            ActionDetailSerializer(plan_action, context=self.get_serializer_context()).data
        )


class PlanStepViewSet(_PlanViewSet):
    """The steps of the plans the caller sees, in the plans' order; `?plan=`,
    `?lead_agency=` (an agency's code), `?rag=`, `?overdue=1` and `?needs_update=1`
    narrow the list."""

    serializer_class = StepSerializer
    allowed_roles = {"list": READ, "retrieve": READ, "updates": WRITE}

    def get_queryset(self) -> QuerySet[ProgressStep]:
        return (
            _flagged(steps_visible_to(request_user(self.request)), timezone.localdate())
            .select_related("action__objective")
            .order_by(
                "action__objective__plan_id",
                "action__objective__number",
                "action__number",
                "number",
                "pk",
            )
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("plan", OpenApiTypes.INT),
            OpenApiParameter("lead_agency", OpenApiTypes.STR, description="An agency's code."),
            OpenApiParameter("rag", OpenApiTypes.STR, enum=Rag.values),
            OpenApiParameter("overdue", OpenApiTypes.STR, enum=FLAG_VALUES),
            OpenApiParameter("needs_update", OpenApiTypes.STR, enum=FLAG_VALUES),
        ]
    )
    def list(self, request: Request) -> Response:
        steps = self.get_queryset()
        plan = int_param(request, "plan")
        if plan is not None:
            steps = steps.filter(action__objective__plan_id=plan)
        lead = request.query_params.get("lead_agency", "")
        if lead:
            steps = steps.filter(lead_agency__code=lead)
        rag = request.query_params.get("rag", "")
        if rag:
            if rag not in Rag.values:
                raise ValidationError({"rag": [f"Choose one of: {', '.join(Rag.values)}."]})
            steps = steps.filter(current_rag=rag)
        if _flag_param(request, "overdue"):
            steps = steps.filter(overdue=True)
        if _flag_param(request, "needs_update"):
            steps = steps.filter(needs_update=True)
        page = self.paginate_queryset(steps)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses=StepDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        """The step with the full history of its progress updates, newest first."""
        step = (
            self.get_queryset()
            .prefetch_related(step_history())
            .get(pk=step_for(request, int(pk)).pk)
        )
        return Response(StepDetailSerializer(step, context=self.get_serializer_context()).data)

    @extend_schema(request=ProgressInputSerializer, responses={201: ProgressUpdateSerializer})
    @action(detail=True, methods=["post"])
    def updates(self, request: Request, pk: str) -> Response:
        """Record progress on this step (its lead agency's staff, or whoever edits the
        plan); the same as POST plan-updates/ naming the step."""
        step = step_for(request, int(pk))
        _may_update(request, step)
        return _add_progress(request, step)


class ProgressUpdateViewSet(_PlanViewSet):
    """Progress updates on the steps of the plans the caller sees, newest first; `?step=`
    narrows to one step's history."""

    serializer_class = ProgressUpdateSerializer
    allowed_roles = {"list": READ, "create": WRITE}

    def get_queryset(self) -> QuerySet[ProgressUpdate]:
        return (
            updates_visible_to(request_user(self.request))
            .select_related("author__agency", "author_agency")
            .order_by("-written_on", "-pk")
        )

    @extend_schema(parameters=[OpenApiParameter("step", OpenApiTypes.INT)])
    def list(self, request: Request) -> Response:
        updates = self.get_queryset()
        step = int_param(request, "step")
        if step is not None:
            updates = updates.filter(step_id=step)
        page = self.paginate_queryset(updates)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=ProgressCreateSerializer, responses={201: ProgressUpdateSerializer})
    def create(self, request: Request) -> Response:
        """Record progress on a step (its lead agency's staff, or whoever edits the plan).
        A step of a plan the caller does not see is refused like one that does not exist."""
        step = validated(StepChoiceSerializer, request.data, request)["step"]
        step = step_for(request, step.pk)
        _may_update(request, step)
        return _add_progress(request, step)
