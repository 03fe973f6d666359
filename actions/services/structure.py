"""Writes that shape the plan: adding, renaming, reordering and removing its objectives,
actions and steps, and archiving the plan.

Objectives, actions and steps are numbered from 1 within their parent, and the numbers are
what the committee paper and the exports print, so they stay without gaps: a removal
closes the gap and a move swaps two neighbours. Every structural write locks the plan's
row first, so two editors' changes happen one after the other.

A page that moves or removes something carries the order of its parent's children as it
showed them (`order_of`): when someone else has added, moved or removed meanwhile, the
change is refused rather than applied to a list the editor has not seen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Max
from django.utils import timezone

from accounts.audit import audit
from accounts.models import Agency, User, Verb
from actions.models import Action, ActionPlan, ActionStep, Objective
from actions.permissions import may_edit_plan, may_manage_plan
from actions.services.plans import StaleEdit, check_step_lead, check_version

Item = Objective | Action | ActionStep


def _siblings(item: Item) -> models.QuerySet:
    if isinstance(item, Objective):
        return Objective.objects.filter(plan_id=item.plan_id)
    if isinstance(item, Action):
        return Action.objects.filter(objective_id=item.objective_id)
    return ActionStep.objects.filter(action_id=item.action_id)


def _plan_of(item: Item) -> ActionPlan:
    if isinstance(item, Objective):
        return item.plan
    if isinstance(item, Action):
        return item.objective.plan
    return item.action.objective.plan


def order_fingerprint(pks: Iterable[int]) -> str:
    """A short fingerprint of a list of records in order."""
    return hashlib.sha256(",".join(map(str, pks)).encode()).hexdigest()[:16]


def order_of(item: Item) -> str:
    """The fingerprint of the item and its siblings in their current order."""
    return order_fingerprint(_siblings(item).order_by("number").values_list("pk", flat=True))


def _lock(actor: User, plan: ActionPlan) -> ActionPlan:
    """The plan's row, locked for the rest of the transaction; refused to non-editors."""
    locked = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    if not may_edit_plan(actor, locked):
        raise PermissionDenied
    return locked


def _check_order(item: Item, seen_order: str | None) -> None:
    if seen_order is not None and seen_order != order_of(item):
        raise StaleEdit(
            "Someone else added, moved or removed part of the plan after you opened the page, "
            "so nothing was changed. The page now shows the plan as it is: try again."
        )


def _next_number(siblings: models.QuerySet) -> int:
    return (siblings.aggregate(top=Max("number"))["top"] or 0) + 1


def _close_gap(siblings: models.QuerySet, removed_number: int) -> None:
    """Number the items after a removed one down by one, lowest first: the uniqueness of
    numbers is checked row by row, so each moves into a number already freed."""
    for later in siblings.filter(number__gt=removed_number).order_by("number"):
        later.number -= 1
        later.save(update_fields=["number"])


def _label(item: Item) -> str:
    if isinstance(item, Objective):
        return f"Objective {item.number}"
    if isinstance(item, Action):
        return f"Action {item.objective.number}.{item.number}"
    return f"Step {item.number}"


# --- Adding ---------------------------------------------------------------------------------


def objective_add(*, actor: User, plan: ActionPlan, title: str) -> Objective:
    """A new objective at the end of the plan."""
    with transaction.atomic():
        locked = _lock(actor, plan)
        objective = Objective(
            plan=locked, number=_next_number(locked.objectives.all()), title=title.strip()
        )
        objective.full_clean()
        objective.save()
        audit(actor=actor, verb=Verb.OBJECTIVE_ADDED, target=objective, detail={"plan": plan.pk})
    return objective


def action_add(
    *,
    actor: User,
    objective: Objective,
    title: str,
    description: str = "",
    outcomes: str = "",
    timescale: str = "",
    due: date | None = None,
    strategic_links: str = "",
) -> Action:
    """A new action at the end of its objective."""
    with transaction.atomic():
        _lock(actor, objective.plan)
        action = Action(
            objective=objective,
            number=_next_number(objective.actions.all()),
            title=title.strip(),
            description=description.strip(),
            outcomes=outcomes.strip(),
            timescale=timescale.strip(),
            due=due,
            strategic_links=strategic_links.strip(),
        )
        action.full_clean()
        action.save()
        audit(
            actor=actor, verb=Verb.ACTION_ADDED, target=action, detail={"plan": objective.plan_id}
        )
    return action


def step_add(
    *,
    actor: User,
    action: Action,
    text: str,
    lead_text: str = "",
    lead_agency: Agency | None = None,
    lead_person: User | None = None,
    due: date | None = None,
) -> ActionStep:
    """A new step at the end of its action, Not started until its lead adds an update."""
    plan = action.objective.plan
    with transaction.atomic():
        _lock(actor, plan)
        check_step_lead(plan, lead_agency, lead_person)
        step = ActionStep(
            action=action,
            number=_next_number(action.steps.all()),
            text=text.strip(),
            lead_text=lead_text.strip(),
            lead_agency=lead_agency,
            lead_person=lead_person,
            due=due,
        )
        step.full_clean()
        step.save()
        audit(
            actor=actor,
            verb=Verb.STEP_ADDED,
            target=step,
            detail={"plan": plan.pk, "lead_agency": lead_agency.code if lead_agency else None},
        )
    return step


def objective_update(
    *, actor: User, objective: Objective, title: str, seen_version: str | None = None
) -> Objective:
    """Reword an objective."""
    with transaction.atomic():
        _lock(actor, objective.plan)
        current = Objective.objects.get(pk=objective.pk)
        check_version(current, seen_version)
        if current.title != title.strip():
            current.title = title.strip()
            current.full_clean()
            current.save(update_fields=["title"])
            audit(actor=actor, verb=Verb.OBJECTIVE_CHANGED, target=current)
    return current


# --- Moving and removing --------------------------------------------------------------------


def item_move(*, actor: User, item: Item, up: bool, seen_order: str | None = None) -> Item:
    """Swap an objective, action or step with its neighbour above (`up`) or below. At the
    top or bottom already, nothing changes."""
    with transaction.atomic():
        _lock(actor, _plan_of(item))
        current = type(item).objects.get(pk=item.pk)
        _check_order(current, seen_order)
        siblings = _siblings(current)
        neighbour = (
            siblings.filter(number__lt=current.number).order_by("-number").first()
            if up
            else siblings.filter(number__gt=current.number).order_by("number").first()
        )
        if neighbour is None:
            return current
        mine, theirs = current.number, neighbour.number
        # Through 0, a number never used, because numbers are unique within the parent.
        for record, number in ((current, 0), (neighbour, mine), (current, theirs)):
            record.number = number
            record.save(update_fields=["number"])
        audit(
            actor=actor,
            verb=Verb.PLAN_REORDERED,
            target=current,
            detail={"from": mine, "to": theirs},
        )
    return current


def removal_counts(item: Item) -> dict[str, int]:
    """What removing the item takes with it, for the page that asks to confirm."""
    if isinstance(item, Objective):
        return {"actions": item.actions.count()}
    steps = ActionStep.objects.filter(
        **({"action": item} if isinstance(item, Action) else {"pk": item.pk})
    )
    counted = steps.aggregate(steps=Count("pk", distinct=True), updates=Count("updates"))
    return {"steps": counted["steps"], "updates": counted["updates"]}


def item_remove(*, actor: User, item: Item, seen_order: str | None = None) -> None:
    """Remove an action or step with what it holds (its steps, their progress updates), or an
    objective once it has no actions; the numbers after it close up."""
    with transaction.atomic():
        plan = _lock(actor, _plan_of(item))
        current = type(item).objects.get(pk=item.pk)
        _check_order(current, seen_order)
        if isinstance(current, Objective) and current.actions.exists():
            raise ValidationError(
                "This objective still has actions. Remove them, or move them to another "
                "objective, before removing the objective."
            )
        counts = removal_counts(current)
        label, number, siblings = _label(current), current.number, _siblings(current)
        audit(
            actor=actor,
            verb=Verb.PLAN_PART_REMOVED,
            target=current,
            detail={"plan": plan.pk, "what": label, **counts},
        )
        # Steps go with their action, and progress updates with their step (CASCADE).
        current.delete()
        _close_gap(siblings, number)


def action_move_to(
    *, actor: User, action: Action, objective: Objective, seen_order: str | None = None
) -> Action:
    """Move an action to the end of another objective of the same plan."""
    if objective.plan_id != action.objective.plan_id:
        raise ValidationError({"objective": "Select one of this plan's objectives"})
    with transaction.atomic():
        _lock(actor, objective.plan)
        current = Action.objects.select_related("objective").get(pk=action.pk)
        _check_order(current, seen_order)
        if current.objective_id == objective.pk:
            return current
        old_siblings, old_number = _siblings(current), current.number
        before = current.objective.number
        current.objective = objective
        current.number = _next_number(objective.actions.all())
        current.save(update_fields=["objective", "number"])
        _close_gap(old_siblings, old_number)
        audit(
            actor=actor,
            verb=Verb.PLAN_REORDERED,
            target=current,
            detail={"from_objective": before, "to_objective": objective.number},
        )
    return current


# --- Archiving ------------------------------------------------------------------------------


def plan_archive(*, actor: User, plan: ActionPlan, archive: bool = True) -> ActionPlan:
    """Archive a finished plan (kept to read and export, changed by nobody, reminded to
    nobody), or bring an archived plan back."""
    with transaction.atomic():
        locked = ActionPlan.objects.select_for_update().get(pk=plan.pk)
        if not may_manage_plan(actor, locked):
            raise PermissionDenied
        if locked.archived == archive:
            return locked
        locked.archived_on = timezone.localdate() if archive else None
        locked.save(update_fields=["archived_on"])
        audit(
            actor=actor, verb=Verb.PLAN_ARCHIVED if archive else Verb.PLAN_RESTORED, target=locked
        )
    return locked
