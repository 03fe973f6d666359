"""Reads of the action plan for the person asking, starting from
`ActionPlan.objects.visible_to(user)`: the plans list, one get-or-404 helper per object,
the plan's table with its filters, the summary of actions and steps by RAG, and the steps
an agency leads that need an update or are overdue.

Who may change what is said here too, once, for the pages, the API and the services:
the plan owner and the owning agency's coordinators edit everything; staff of a step's
lead agency add progress updates to that step.

A step is *overdue* when the day after its due date (its own, or else its action's) has
come and it is not Complete. A step *needs an update* when it is not Complete and has had
no progress update for the plan's `needs_update_days`; a step never updated counts from
the plan's start (or the day it was set up), so a plan set up today is not flagged at once.
Both flags are SQL expressions (`with_flags`), so the plan's filter, the dashboard and the
reminder job give the same answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal, TypedDict

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.http import HttpRequest

from accounts.access import visible_or_404
from accounts.http import request_user
from accounts.models import Agency, ObjectType, User
from accounts.permissions import person_label
from actions.models import Action, ActionPlan, ActionStep, Objective, ProgressUpdate, Rag

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

PLAN = ObjectType.ACTION_PLAN
ACTION = ObjectType.PLAN_ACTION
STEP = ObjectType.ACTION_STEP
OBJECTIVE = ObjectType.PLAN_OBJECTIVE

# The five-level scale, worst first.
SCALE_WORST_FIRST = (Rag.RED, Rag.AMBER_RED, Rag.AMBER_GREEN, Rag.GREEN)
# The order summaries and filters list the RAGs in.
RAG_ORDER = (*SCALE_WORST_FIRST, Rag.COMPLETE, Rag.NOT_STARTED)

ACTION_RAG_RULE = (
    "An action's RAG is the worst RAG of its unfinished steps (Red, then Amber-Red, "
    "Amber-Green, Green). It is Complete when all its steps are complete, and Not started "
    "when it has no steps or none of its unfinished steps has started."
)


def action_rag(step_rags: Iterable[str]) -> Rag:
    """An action's RAG, derived from its steps' current RAGs (`ACTION_RAG_RULE`):

    - the worst five-level RAG among the steps that are not complete;
    - Complete when there are steps and every one is complete;
    - Not started when there are no steps, or the unfinished steps are all not started.
    """
    rags = [Rag(rag) for rag in step_rags]
    if rags and all(rag == Rag.COMPLETE for rag in rags):
        return Rag.COMPLETE
    for rag in SCALE_WORST_FIRST:
        if rag in rags:
            return rag
    return Rag.NOT_STARTED


# --- Who may do what ---------------------------------------------------------------------


# --- Lists and get-or-404 ----------------------------------------------------------------


def plans_for(user: User) -> QuerySet[ActionPlan]:
    """The plans the user sees, with their counts of actions and steps, for the index."""
    return (
        ActionPlan.objects.visible_to(user)
        .select_related("owner_agency")
        .annotate(
            action_count=Count("objectives__actions", distinct=True),
            step_count=Count("objectives__actions__steps", distinct=True),
        )
        .order_by("-starts_on", "title", "pk")
    )


def actions_visible_to(user: User) -> QuerySet[Action]:
    return Action.objects.filter(
        objective__plan__in=ActionPlan.objects.visible_to(user).values("pk")
    )


def steps_visible_to(user: User) -> QuerySet[ActionStep]:
    return ActionStep.objects.filter(
        action__objective__plan__in=ActionPlan.objects.visible_to(user).values("pk")
    )


def updates_visible_to(user: User) -> QuerySet[ProgressUpdate]:
    return ProgressUpdate.objects.filter(
        step__action__objective__plan__in=ActionPlan.objects.visible_to(user).values("pk")
    )


def plan_for(request: HttpRequest, pk: int) -> ActionPlan:
    """The plan if the user sees it; otherwise 404 (logged), whether or not it exists."""
    return visible_or_404(
        request,
        ActionPlan.objects.visible_to(request_user(request)).select_related(
            "owner_agency", "owner__agency"
        ),
        pk,
        object_type=PLAN,
    )


def objective_for(request: HttpRequest, pk: int) -> Objective:
    """The objective if the user sees its plan; otherwise 404 (logged)."""
    visible = Objective.objects.filter(
        plan__in=ActionPlan.objects.visible_to(request_user(request)).values("pk")
    ).select_related("plan__owner_agency", "plan__owner__agency")
    return visible_or_404(request, visible, pk, object_type=OBJECTIVE)


def action_for(request: HttpRequest, pk: int) -> Action:
    """The action if the user sees its plan; otherwise 404 (logged)."""
    return visible_or_404(
        request,
        actions_visible_to(request_user(request)).select_related(
            "objective__plan__owner_agency", "objective__plan__owner__agency"
        ),
        pk,
        object_type=ACTION,
    )


def step_for(request: HttpRequest, pk: int) -> ActionStep:
    """The step if the user sees its plan; otherwise 404 (logged)."""
    return visible_or_404(
        request,
        steps_visible_to(request_user(request)).select_related(
            "action__objective__plan__owner_agency",
            "action__objective__plan__owner__agency",
            "lead_agency",
            "lead_person__agency",
        ),
        pk,
        object_type=STEP,
    )


# --- Flags ---------------------------------------------------------------------------------


class StepFlags(TypedDict):
    """What `with_flags` adds to each step."""

    due_on: date | None
    counted_from: date | None
    stale_on_or_before: date
    overdue: bool
    needs_update: bool


class StepFlagsAndProgress(StepFlags):
    """A flagged step with the text of its latest progress update, if it has one."""

    latest_text: str | None


class StepFlagsAndHistory(StepFlags):
    """A flagged step with all its progress updates, newest first."""

    history: list[ProgressUpdate]


type FlaggedStep = WithAnnotations[ActionStep, StepFlags]
type ProgressStep = WithAnnotations[ActionStep, StepFlagsAndProgress]
type HistoryStep = WithAnnotations[ActionStep, StepFlagsAndHistory]


def with_flags(steps: QuerySet[ActionStep], today: date) -> QuerySet[FlaggedStep]:
    """Steps annotated with `due_on` (their own due date, or else their action's),
    `overdue` and `needs_update`, as the module's docstring defines them."""
    plan = "action__objective__plan__"
    unfinished = ~Q(current_rag=Rag.COMPLETE)
    return steps.annotate(
        due_on=Coalesce("due", "action__due"),
        counted_from=Coalesce("last_update_on", f"{plan}starts_on", TruncDate(f"{plan}created_at")),
        # Each plan sets its own interval, so the cut-off is worked out per row.
        stale_on_or_before=ExpressionWrapper(
            Value(today, output_field=DateField()) - F(f"{plan}needs_update_days"),
            output_field=DateField(),
        ),
    ).annotate(
        overdue=Case(
            When(unfinished & Q(due_on__lt=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        needs_update=Case(
            When(
                unfinished & Q(counted_from__lte=F("stale_on_or_before")),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


# --- The plan's table ------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanFilter:
    """What the plan's table is narrowed to. The step filters (lead agency, RAG, overdue,
    needs update) keep the actions with at least one matching step, showing those steps."""

    objective: int | None = None
    lead_agency: int | None = None
    rag: tuple[str, ...] = ()
    overdue: bool = False
    needs_update: bool = False

    @property
    def narrows_steps(self) -> bool:
        return bool(self.lead_agency or self.rag or self.overdue or self.needs_update)

    @property
    def narrowed(self) -> bool:
        return self.narrows_steps or self.objective is not None

    def matches(self, step: FlaggedStep) -> bool:
        """Whether a step from `with_flags` passes the step filters."""
        return (
            (self.lead_agency is None or step.lead_agency_id == self.lead_agency)
            and (not self.rag or step.current_rag in self.rag)
            and (not self.overdue or step.overdue)
            and (not self.needs_update or step.needs_update)
        )


@dataclass(frozen=True)
class StepRow:
    step: ProgressStep
    lead: str  # the lead as the viewer may read it

    @property
    def rag(self) -> Rag:
        return Rag(self.step.current_rag)


@dataclass(frozen=True)
class ActionRow:
    action: Action
    rag: Rag  # derived from all its steps, shown or not
    steps: list[StepRow]  # the steps that match the filter
    step_count: int  # all its steps


@dataclass(frozen=True)
class ObjectiveRows:
    objective: Objective
    actions: list[ActionRow] = field(default_factory=list)


def step_lead(step: ActionStep, viewer: User) -> str:
    """The step's lead: as the plan words it, or else the lead agency; with the named
    person where the viewer may read their name."""
    lead = step.lead_text or (step.lead_agency.name if step.lead_agency else "")
    person = step.lead_person
    if person is not None and person.agency_id == viewer.agency_id:
        name = person.get_full_name() or person.username
        return f"{lead} ({name})" if lead else person_label(person, viewer)
    return lead or "Not set"


def plan_steps(
    plan: ActionPlan, *, today: date, objective: int | None = None
) -> list[ProgressStep]:
    """Every step of the plan (or one objective), flagged, with its latest update's text,
    in the plan's order. One query."""
    latest = ProgressUpdate.objects.filter(step=OuterRef("pk")).order_by("-written_on", "-pk")
    steps = ActionStep.objects.filter(action__objective__plan=plan)
    if objective is not None:
        steps = steps.filter(action__objective_id=objective)
    return list(
        with_flags(steps, today)
        .annotate(latest_text=Subquery(latest.values("text")[:1]))
        .select_related("lead_agency", "lead_person__agency")
        .order_by("action_id", "number", "pk")
    )


def plan_table(
    plan: ActionPlan, *, viewer: User, today: date, filters: PlanFilter | None = None
) -> list[ObjectiveRows]:
    """The plan as the committee paper lays it out: objectives, their actions, each
    action's numbered steps with lead, latest progress and RAG. Three queries whatever
    the plan's size."""
    filters = filters or PlanFilter()
    objectives = Objective.objects.filter(plan=plan).order_by("number", "pk")
    actions = Action.objects.filter(objective__plan=plan).order_by(
        "objective__number", "number", "pk"
    )
    if filters.objective is not None:
        objectives = objectives.filter(pk=filters.objective)
        actions = actions.filter(objective_id=filters.objective)
    steps_by_action: dict[int, list[ProgressStep]] = {}
    for step in plan_steps(plan, today=today, objective=filters.objective):
        steps_by_action.setdefault(step.action_id, []).append(step)

    table = {objective.pk: ObjectiveRows(objective) for objective in objectives}
    for action in actions:
        steps = steps_by_action.get(action.pk, [])
        shown = [step for step in steps if filters.matches(step)]
        if filters.narrows_steps and not shown:
            continue
        table[action.objective_id].actions.append(
            ActionRow(
                action=action,
                rag=action_rag(step.current_rag for step in steps),
                steps=[StepRow(step, step_lead(step, viewer)) for step in shown],
                step_count=len(steps),
            )
        )
    rows = list(table.values())
    if filters.narrows_steps:
        rows = [row for row in rows if row.actions]
    return rows


def objective_choices(plan: ActionPlan) -> list[Objective]:
    return list(Objective.objects.filter(plan=plan).order_by("number", "pk"))


def lead_agency_choices(plan: ActionPlan) -> list[Agency]:
    """The agencies that lead at least one of the plan's steps."""
    return list(
        Agency.objects.filter(action_steps__action__objective__plan=plan)
        .distinct()
        .order_by("name")
    )


# --- An action's page ------------------------------------------------------------------------


def step_history() -> Prefetch[Literal["updates"], QuerySet[ProgressUpdate], Literal["history"]]:
    """Each step's progress updates, newest first, with their authors, in `history`."""
    updates = ProgressUpdate.objects.select_related("author__agency", "author_agency").order_by(
        "-written_on", "-pk"
    )
    return Prefetch("updates", queryset=updates, to_attr="history")


def action_steps(action: Action, *, today: date) -> list[HistoryStep]:
    """The action's steps, flagged, each with its full history of updates (newest first,
    with their authors) in `history`. Two queries."""
    steps = list(
        with_flags(ActionStep.objects.filter(action=action), today)
        .select_related("lead_agency", "lead_person__agency")
        .prefetch_related(step_history())
        .order_by("number", "pk")
    )
    for step in steps:
        # The action as loaded by the caller, with its plan: each step's rules read it.
        step.action = action
    return steps


# --- Summary by RAG --------------------------------------------------------------------------


@dataclass(frozen=True)
class RagCount:
    rag: Rag
    actions: int
    steps: int

    @property
    def label(self) -> str:
        return self.rag.label


@dataclass(frozen=True)
class RagSummary:
    """How many of a plan's actions and steps are at each RAG (actions by `action_rag`)."""

    rows: list[RagCount]
    actions: int
    steps: int

    def actions_at(self, rag: Rag) -> int:
        return next(row.actions for row in self.rows if row.rag == rag)

    def steps_at(self, rag: Rag) -> int:
        return next(row.steps for row in self.rows if row.rag == rag)


def plan_rag_summary(plan: ActionPlan) -> RagSummary:
    """Counts of the plan's actions (by their derived RAG) and steps (by their current
    RAG) at each RAG, every RAG listed even at zero, in `RAG_ORDER`. One query."""
    actions = Action.objects.filter(objective__plan=plan).annotate(
        rags=ArrayAgg("steps__current_rag", filter=Q(steps__isnull=False), default=Value([]))
    )
    action_counts: Counter[Rag] = Counter()
    step_counts: Counter[str] = Counter()
    for rags in actions.values_list("rags", flat=True):
        action_counts[action_rag(rags)] += 1
        step_counts.update(rags)
    return RagSummary(
        rows=[RagCount(rag, action_counts[rag], step_counts[rag.value]) for rag in RAG_ORDER],
        actions=sum(action_counts.values()),
        steps=sum(step_counts.values()),
    )


# --- Steps needing attention -----------------------------------------------------------------


def steps_needing_attention(agency: Agency, today: date) -> QuerySet[FlaggedStep]:
    """Steps the agency leads, in plans its staff see, that are overdue or need an
    update, flagged (`with_flags`), in plan order; for the dashboard and the reminders."""
    steps = ActionStep.objects.filter(
        lead_agency=agency,
        action__objective__plan__agencies=agency,
        action__objective__plan__archived_on__isnull=True,
    )
    return (
        with_flags(steps, today)
        .filter(Q(overdue=True) | Q(needs_update=True))
        .select_related("action__objective__plan", "lead_person")
        .order_by(
            "action__objective__plan__title",
            "action__objective__plan_id",
            "action__objective__number",
            "action__number",
            "number",
        )
    )


@dataclass(frozen=True)
class PlanAttention:
    """One plan's steps led by an agency that need its attention."""

    plan_id: int
    title: str
    steps: int
    needs_update: int
    overdue: int


def attention_by_plan(agency: Agency, today: date) -> list[PlanAttention]:
    """`steps_needing_attention` counted per plan, for the dashboard. One query."""
    titles: dict[int, str] = {}
    counts: dict[int, Counter[str]] = {}
    rows = steps_needing_attention(agency, today).values_list(
        "action__objective__plan_id", "action__objective__plan__title", "overdue", "needs_update"
    )
    for plan_id, title, overdue, needs_update in rows:
        titles.setdefault(plan_id, title)
        entry = counts.setdefault(plan_id, Counter())
        entry["steps"] += 1
        entry["needs_update"] += int(needs_update)
        entry["overdue"] += int(overdue)
    return [
        PlanAttention(
            plan_id=pk,
            title=titles[pk],
            steps=entry["steps"],
            needs_update=entry["needs_update"],
            overdue=entry["overdue"],
        )
        for pk, entry in counts.items()
    ]
