"""Access matrix rows for the action plan's pages (vocabulary in dsl.py).

- The council's plan (`w.plans`) is seen by the staff of its partnership: the council,
  police, probation and housing. Committee officers see it (a plan holds no personal
  data, and they report on it); so does the system administrator, as staff of the
  council, one of the plan's agencies. The other borough's plan (`w.outsider_plans`) is
  seen by the other borough's staff only. Everyone else gets 404, logged.
- Reading the plan, an action and the exports: whoever sees the plan. The page of the
  Word document made in the background too (it shows the viewer's own, if any; an empty
  POST asks for nothing). Its download is the requester's alone, since the document holds
  their view of the plan: the plan's owner (the council's coordinator; the other
  borough's for theirs) downloads theirs; everyone else, seeing the plan or not, 404.
- The plan's settings, changing an action or a step: the plan owner (the council's
  coordinator; the other borough's coordinator for theirs). Others who see the plan 403.
  An empty POST shows the form's errors.
- Adding a progress update: staff of the step's lead agency who work on the partnership's
  business (probation's partner on the council's step; the other borough's partner on
  theirs) and the owner. Others who see the plan 403.
"""

from __future__ import annotations

from tests.security.dsl import (
    OUTSIDERS,
    PARTNERSHIP,
    ByPersona,
    Kwargs,
    Record,
    Redirect,
    Route,
    missing,
    page,
    pk_at,
    read_only,
    seen_by,
)

# Record -> (URL arguments, who sees it, who edits it, who adds progress to its step).
PlanRecord = tuple[Kwargs, tuple[str, ...], tuple[str, ...], tuple[str, ...]]

COUNCIL_EDITORS = ("coordinator",)
ELSEWHERE_EDITORS = ("outsider_coordinator",)
# The council's step is led by probation; the other borough's by the other borough.
COUNCIL_STEP_UPDATERS = ("coordinator", "member_partner")
ELSEWHERE_STEP_UPDATERS = ("outsider_coordinator", "outsider_partner")


def _records(path: str) -> dict[str, PlanRecord]:
    """The council's and the other borough's record at `path` of their PlanWork, and a
    missing one."""
    return {
        "council-plan": (
            pk_at(f"plans.{path}"),
            PARTNERSHIP,
            COUNCIL_EDITORS,
            COUNCIL_STEP_UPDATERS,
        ),
        "elsewhere-plan": (
            pk_at(f"outsider_plans.{path}"),
            OUTSIDERS,
            ELSEWHERE_EDITORS,
            ELSEWHERE_STEP_UPDATERS,
        ),
        "missing": (missing, (), (), ()),
    }


def _only(allowed: tuple[str, ...], viewers: tuple[str, ...]) -> ByPersona:
    """200 for `allowed`, 403 for the others who see the plan, 404 for everyone else."""
    refused = {persona: 403 for persona in viewers if persona not in allowed}
    return page(404, **refused, **dict.fromkeys(allowed, 200))


def _reading(name: str, path: str, audited_as: str) -> Route:
    return Route(
        name,
        audited_as=audited_as,
        records={
            label: Record(kwargs, read_only(seen_by(viewers)))
            for label, (kwargs, viewers, _, _) in _records(path).items()
        },
    )


def _export_page() -> Route:
    records = {}
    for label, (kwargs, viewers, _, _) in _records("plan").items():
        expected = seen_by(viewers)
        records[label] = Record(kwargs, {"GET": expected, "POST": expected})
    return Route("actions:plan-export", audited_as="actions.actionplan", records=records)


def _export_download() -> Route:
    records = {
        label: Record(kwargs, read_only(seen_by(requesters)))
        for label, (kwargs, _, requesters, _) in _records("plan").items()
    }
    return Route("actions:plan-export-download", audited_as="actions.actionplan", records=records)


def _editing(name: str, path: str, audited_as: str) -> Route:
    records = {}
    for label, (kwargs, viewers, editors, _) in _records(path).items():
        expected = _only(editors, viewers)
        records[label] = Record(kwargs, {"GET": expected, "POST": expected})
    return Route(name, audited_as=audited_as, records=records)


def _progress() -> Route:
    records = {}
    for label, (kwargs, viewers, _, updaters) in _records("step").items():
        expected = _only(updaters, viewers)
        records[label] = Record(kwargs, {"GET": expected, "POST": expected})
    return Route("actions:progress-add", audited_as="actions.actionstep", records=records)


def _moving(name: str, path: str, audited_as: str) -> Route:
    """A move posted without the outline's order fingerprint changes nothing: editors are
    sent back to the outline; others who see the plan 403; everyone else 404."""
    outlines = {
        "council-plan": "/action-plan/{w.plans.plan.pk}/outline/",
        "elsewhere-plan": "/action-plan/{w.outsider_plans.plan.pk}/outline/",
        "missing": "",
    }
    records = {}
    for label, (kwargs, viewers, editors, _) in _records(path).items():
        refused = {persona: 403 for persona in viewers if persona not in editors}
        expected = page(404, **refused, **dict.fromkeys(editors, Redirect(outlines[label])))
        records[label] = Record(kwargs, {"GET": page(405), "POST": expected})
    return Route(name, audited_as=audited_as, records=records)


# Setting up a plan: coordinators of an agency doing casework; everyone else 403.
_PLAN_NEW = Route(
    "actions:plan-new",
    expect={
        method: page(403, coordinator=200, outsider_coordinator=200) for method in ("GET", "POST")
    },
)

PLAN_ROUTES: tuple[Route, ...] = (
    _PLAN_NEW,
    _editing("actions:plan-outline", "plan", "actions.actionplan"),
    _editing("actions:plan-archive", "plan", "actions.actionplan"),
    _editing("actions:objective-edit", "objective", "actions.objective"),
    _editing("actions:objective-remove", "objective", "actions.objective"),
    _editing("actions:action-new", "objective", "actions.objective"),
    _editing("actions:step-new", "action", "actions.action"),
    _editing("actions:action-objective", "action", "actions.action"),
    _editing("actions:action-remove", "action", "actions.action"),
    _editing("actions:step-remove", "step", "actions.actionstep"),
    _moving("actions:objective-move", "objective", "actions.objective"),
    _moving("actions:action-move", "action", "actions.action"),
    _moving("actions:step-move", "step", "actions.actionstep"),
    _reading("actions:plan", "plan", "actions.actionplan"),
    _reading("actions:plan-docx", "plan", "actions.actionplan"),
    _reading("actions:plan-xlsx", "plan", "actions.actionplan"),
    _export_page(),
    _export_download(),
    _reading("actions:action", "action", "actions.action"),
    _editing("actions:plan-settings", "plan", "actions.actionplan"),
    _editing("actions:action-edit", "action", "actions.action"),
    _editing("actions:step-edit", "step", "actions.actionstep"),
    _progress(),
)
