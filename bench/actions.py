"""The action plan's part of `make bench`: two plans of the first borough, one the size of
the source paper's (3 objectives, 15 actions, 4 steps each) and one ten times larger, each
step with three progress updates. Their pages are measured like the others: the plan's
table, an action's page and the DOCX export, whose queries must not grow with the plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from accounts.models import Agency, User
from actions.models import Action, ActionPlan, ActionStep, Objective, ProgressUpdate, Rag
from bench.synthetic import BoroughPlan

PLAN_SHAPES = {"small": (3, 5), "large": (10, 15)}  # objectives, actions per objective
STEPS_PER_ACTION = 4
UPDATES_PER_STEP = 3
_RAGS = [Rag.GREEN, Rag.AMBER_GREEN, Rag.AMBER_RED, Rag.RED, Rag.COMPLETE]


@dataclass(frozen=True)
class PlanTargets:
    plan_small: int
    plan_large: int
    plan_action: int  # an action of the large plan


def _plan(name: str, objectives: int, actions: int, owner: User, leads: list[Agency]) -> ActionPlan:
    plan = ActionPlan.objects.create(
        title=f"Bench plan ({name})",
        owner_agency=owner.agency,
        owner=owner,
        starts_on=date(2025, 4, 1),
        ends_on=date(2030, 3, 31),
    )
    plan.agencies.set(leads)
    objective_rows = Objective.objects.bulk_create(
        Objective(plan=plan, number=o, title=f"Objective {o}") for o in range(1, objectives + 1)
    )
    action_rows = Action.objects.bulk_create(
        Action(
            objective=objective,
            number=a,
            title=f"Action {objective.number}.{a}",
            outcomes="Fewer people reoffending",
            timescale="March 2030",
            due=date(2030, 3, 31),
        )
        for objective in objective_rows
        for a in range(1, actions + 1)
    )
    step_rows = ActionStep.objects.bulk_create(
        ActionStep(
            action=action,
            number=s,
            text=f"Step {s} of {action.title}",
            lead_text=leads[(action.number + s) % len(leads)].name,
            lead_agency=leads[(action.number + s) % len(leads)],
            current_rag=_RAGS[(action.number + s) % len(_RAGS)],
            last_update_on=date(2026, 6, 1),
        )
        for action in action_rows
        for s in range(1, STEPS_PER_ACTION + 1)
    )
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            step=step,
            written_on=date(2026, 6, 1) - timedelta(days=60 * n),
            text=f"Update {n + 1} on {step.text}",
            rag=step.current_rag if n == 0 else _RAGS[(step.number + n) % len(_RAGS)],
            author=owner,
            author_agency=owner.agency,
        )
        for step in step_rows
        for n in range(UPDATES_PER_STEP)
    )
    return plan


def prepare_plans(plan: BoroughPlan) -> PlanTargets:
    owner = User.objects.get(username=f"{plan.code}-coordinator")
    leads = list(Agency.objects.filter(code__startswith=f"{plan.code}-").order_by("code"))
    made = {name: _plan(name, *shape, owner, leads) for name, shape in PLAN_SHAPES.items()}
    action = Action.objects.filter(objective__plan=made["large"]).order_by("pk").first()
    return PlanTargets(
        plan_small=made["small"].pk, plan_large=made["large"].pk, plan_action=action.pk
    )
