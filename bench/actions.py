"""The action plan's part of `make bench`: two plans of the first borough, one the size of
the source paper's (3 objectives, 15 actions, 4 steps each) and one ten times larger, each
step with three progress updates. Their pages are measured like the others: the plan's
table, an action's page and the DOCX export, whose queries must not grow with the plan.

`measure_docx_export` (run by `run_bench --docx-only`) times the Word export itself at
150, 600 and 2,400 steps: the milliseconds per step must stay the same as the plan grows.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Agency, AgencyKind, User
from accounts.services import agency_create
from actions.exports import plan_docx
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


def _plan(
    name: str,
    objectives: int,
    actions: int,
    owner: User,
    leads: list[Agency],
    *,
    steps: int = STEPS_PER_ACTION,
) -> ActionPlan:
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
        for s in range(1, steps + 1)
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


# --- The Word export's time against the plan's length ----------------------------------------

# Steps in the plans timed: 10 objectives of 5, 20 and 80 actions of 3 steps, so each
# objective's merged cell spans more rows as the plan grows, as a real plan's would.
DOCX_STEPS = (150, 600, 2400)
DOCX_OBJECTIVES = 10
DOCX_STEPS_PER_ACTION = 3
DOCX_TODAY = date(2026, 6, 30)


@dataclass
class DocxTiming:
    steps: int
    actions: int
    objectives: int
    queries: int
    document_bytes: int
    samples_ms: list[float] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def ms_per_step(self) -> float:
        return self.median_ms / self.steps


def _docx_people() -> tuple[User, list[Agency]]:
    """An owner and three lead agencies for the plans, made here (the run is undone)."""
    leads = [
        agency_create(actor=None, name=f"Bench {kind.label}", code=f"bench-{kind.value}", kind=kind)
        for kind in (AgencyKind.COUNCIL, AgencyKind.POLICE, AgencyKind.PROBATION)
    ]
    owner = User.objects.create(username="bench-plan-owner", agency=leads[0], first_name="Bench")
    return owner, leads


def measure_docx_export(
    *,
    repeat: int,
    steps: tuple[int, ...] = DOCX_STEPS,
    render: Callable[..., bytes] = plan_docx,
    log: Callable[[str], None] = lambda _line: None,
) -> list[DocxTiming]:
    """Time `render` (the DOCX export, `plan_docx`) on plans of each number of `steps`,
    `repeat` times each, in-process: the plan's reads, the document and its saving.

    Everything is made inside one transaction that is rolled back at the end, so the
    database (the one configured) is left as it was.
    """
    timings = []
    with transaction.atomic():
        owner, leads = _docx_people()
        for count in steps:
            actions = count // DOCX_STEPS_PER_ACTION // DOCX_OBJECTIVES
            plan = _plan(
                f"{count} steps",
                DOCX_OBJECTIVES,
                actions,
                owner,
                leads,
                steps=DOCX_STEPS_PER_ACTION,
            )
            render(plan, viewer=owner, today=DOCX_TODAY)  # warm-up
            with CaptureQueriesContext(connection) as queries:
                content = render(plan, viewer=owner, today=DOCX_TODAY)
            timing = DocxTiming(
                steps=count,
                actions=actions * DOCX_OBJECTIVES,
                objectives=DOCX_OBJECTIVES,
                queries=len(queries),
                document_bytes=len(content),
            )
            for _ in range(repeat):
                started = time.perf_counter()
                render(plan, viewer=owner, today=DOCX_TODAY)
                timing.samples_ms.append((time.perf_counter() - started) * 1000)
            log(f"DOCX export, {count} steps: {timing.median_ms:.0f} ms")
            timings.append(timing)
        transaction.set_rollback(True)
    return timings


DOCX_HEADING = "## Action plan: the Word export against the plan's length"


def docx_lines(timings: list[DocxTiming], *, before: list[DocxTiming] | None = None) -> list[str]:
    """The section's table: time, time per step, the time each step added since the
    shorter plan (the same at every length when the export is linear, whatever it costs
    once per document) and queries at each length; with `before` (the same plans timed
    with an earlier export), its times beside."""
    lines = [
        "| steps | actions | median ms | ms per step | ms per step added | queries "
        "| document bytes |"
        + (" before: median ms | before: ms per step added |" if before else ""),
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |" + (" ---: | ---: |" if before else ""),
    ]
    for index, timing in enumerate(timings):
        row = (
            f"| {timing.steps:,} | {timing.actions:,} | {timing.median_ms:.1f} "
            f"| {timing.ms_per_step:.3f} | {_added(timings, index)} | {timing.queries} "
            f"| {timing.document_bytes:,} |"
        )
        if before:
            row += f" {before[index].median_ms:.1f} | {_added(before, index)} |"
        lines.append(row)
    return lines


def _added(timings: list[DocxTiming], index: int) -> str:
    if index == 0:
        return "–"
    shorter, longer = timings[index - 1], timings[index]
    return f"{(longer.median_ms - shorter.median_ms) / (longer.steps - shorter.steps):.3f}"


def marginal_growth(timings: list[DocxTiming]) -> float:
    """How many times more each step added between the two longest plans than between
    the two shortest: about 1 when the time grows in step with the rows."""
    first = (timings[1].median_ms - timings[0].median_ms) / (timings[1].steps - timings[0].steps)
    last = (timings[-1].median_ms - timings[-2].median_ms) / (timings[-1].steps - timings[-2].steps)
    return last / first
