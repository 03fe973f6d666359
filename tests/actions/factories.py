"""Shared set-up for action plan tests: plans built straight through the models, the way
an imported plan arrives, with progress kept in step as `progress_add` keeps it.

`make_plan(owner, agencies)` gives a plan owned by the owner's agency with one objective,
one action and one step led by the owner's agency; pass `objectives` to lay out more:

    make_plan(alice, [council, probation], objectives=[
        ("Information sharing", [
            ("Clear information sharing agreement", [
                ("Review current agreement", probation),
                ("Agree frequency of renewal", council),
            ]),
        ]),
    ])
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from accounts.models import Agency, User
from actions.models import Action, ActionPlan, ActionStep, Objective, ProgressUpdate, Rag
from actions.services.plans import step_refresh_latest

StepSpec = tuple[str, Agency | None]
ActionSpec = tuple[str, Sequence[StepSpec]]
ObjectiveSpec = tuple[str, Sequence[ActionSpec]]

ACTION_DUE = date(2030, 3, 31)


def make_plan(
    owner: User,
    agencies: Sequence[Agency],
    *,
    title: str = "Reducing reoffending action plan",
    objectives: Sequence[ObjectiveSpec] | None = None,
    starts_on: date | None = date(2026, 4, 1),
    ends_on: date | None = date(2030, 3, 31),
    needs_update_days: int = 60,
    action_due: date | None = ACTION_DUE,
    timescale: str = "March 2030",
) -> ActionPlan:
    """A plan owned by `owner` and their agency, seen by `agencies` (the owner's agency is
    always added). Objectives, actions and steps are numbered from 1 in the order given."""
    plan = ActionPlan.objects.create(
        title=title,
        strategy="Reducing Reoffending Strategy",
        owner_agency=owner.agency,
        owner=owner,
        starts_on=starts_on,
        ends_on=ends_on,
        needs_update_days=needs_update_days,
    )
    plan.agencies.set({owner.agency, *agencies})
    if objectives is None:
        objectives = [
            (
                "Information and intelligence development",
                [("Clear information sharing agreement", [("Review current agreement", None)])],
            )
        ]
    for o_number, (objective_title, actions) in enumerate(objectives, start=1):
        objective = Objective.objects.create(plan=plan, number=o_number, title=objective_title)
        for a_number, (action_title, steps) in enumerate(actions, start=1):
            action = Action.objects.create(
                objective=objective,
                number=a_number,
                title=action_title,
                outcomes=f"Outcomes of {action_title.lower()}",
                timescale=timescale,
                due=action_due,
            )
            for s_number, (text, lead) in enumerate(steps, start=1):
                ActionStep.objects.create(
                    action=action,
                    number=s_number,
                    text=text,
                    lead_agency=lead or owner.agency,
                    lead_text=(lead or owner.agency).name,
                )
    return plan


def make_large_plan(
    owner: User,
    agencies: Sequence[Agency],
    *,
    objectives: int,
    actions: int,
    steps: int,
    updates_per_step: int = 0,
    written_on: date = date(2026, 5, 1),
) -> ActionPlan:
    """A plan of the given shape, its steps' leads taken in turn from `agencies`, for
    query-count and export tests."""
    leads = list(agencies) or [owner.agency]
    plan = make_plan(
        owner,
        agencies,
        objectives=[
            (
                f"Objective {o}",
                [
                    (
                        f"Action {o}.{a}",
                        [
                            (f"Step {o}.{a}.{s}", leads[(o + a + s) % len(leads)])
                            for s in range(1, steps + 1)
                        ],
                    )
                    for a in range(1, actions + 1)
                ],
            )
            for o in range(1, objectives + 1)
        ],
    )
    rags = [Rag.GREEN, Rag.AMBER_GREEN, Rag.AMBER_RED, Rag.RED, Rag.COMPLETE]
    for index, step in enumerate(ActionStep.objects.filter(action__objective__plan=plan)):
        for n in range(updates_per_step):
            add_update(
                step,
                rag=rags[(index + n) % len(rags)],
                written_on=written_on,
                text=f"Update {n + 1} on {step.text}",
            )
    return plan


def steps_of(plan: ActionPlan) -> list[ActionStep]:
    """The plan's steps in the plan's order."""
    return list(
        ActionStep.objects.filter(action__objective__plan=plan)
        .select_related("action__objective__plan", "lead_agency")
        .order_by("action__objective__number", "action__number", "number")
    )


def add_update(
    step: ActionStep,
    *,
    rag: str,
    written_on: date,
    text: str = "Progress made",
    author: User | None = None,
) -> ProgressUpdate:
    """A progress update written straight to the database, the step kept in step with it."""
    update = ProgressUpdate.objects.create(
        step=step,
        written_on=written_on,
        text=text,
        rag=rag,
        author=author,
        author_agency=author.agency if author else None,
    )
    step_refresh_latest(step)
    return update
