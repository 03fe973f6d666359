"""Writes for the action plan: setting a plan up and changing its settings, its actions and
their steps, and recording progress on a step.

Who may do what is decided in `actions.selectors.plans` (`may_edit_plan`,
`may_update_step`); each service checks it again, so the pages and the API share one rule.
A progress update is never edited: a correction is a newer update. The step keeps its
latest update's RAG and date (`step_refresh_latest`), so the plan's table, its filters and
the reminder job read one row per step.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from accounts.audit import audit
from accounts.models import CASEWORK_ROLES, Agency, Role, User, Verb
from accounts.permissions import user_may_see_casework
from actions.models import Action, ActionPlan, ActionStep, Objective, ProgressUpdate, Rag
from actions.permissions import may_edit_plan, may_update_step

PROGRESS_MAX_LENGTH = 5000
EARLIEST_YEAR = 2000

PLAN_FIELDS = ("title", "strategy", "starts_on", "ends_on", "needs_update_days", "owner_id")
ACTION_FIELDS = ("title", "description", "outcomes", "timescale", "due", "strategic_links")
STEP_FIELDS = ("text", "lead_text", "lead_agency_id", "lead_person_id", "due")


class StaleEdit(ValidationError):
    """Someone else changed the record after the form was opened: nothing was saved."""


def version_of(record: models.Model) -> str:
    """A short fingerprint of a plan, action or step's editable details as they are now.
    A form carries the one it was opened with, so a change made meanwhile by someone else
    is refused rather than overwritten."""
    if isinstance(record, Objective):
        values: dict[str, Any] = {"title": record.title}
    elif isinstance(record, ActionPlan):
        values = {name: getattr(record, name) for name in PLAN_FIELDS}
        values["agencies"] = sorted(record.agencies.values_list("pk", flat=True))
    elif isinstance(record, Action):
        values = {name: getattr(record, name) for name in ACTION_FIELDS}
    else:
        values = {name: getattr(record, name) for name in STEP_FIELDS}
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def check_version(record: models.Model, seen_version: str | None) -> None:
    if seen_version is not None and seen_version != version_of(record):
        raise StaleEdit(
            "Someone else changed these details after you opened the page, so nothing was "
            "saved. The page now shows their changes: make yours again."
        )


def _is_working_staff(user: User, agency: Agency) -> bool:
    return user.agency_id == agency.pk and user.is_active and bool(user.roles & CASEWORK_ROLES)


def _changed(record: models.Model, values: dict[str, Any]) -> list[str]:
    """Set the values on the record and return the names of those that differ."""
    changed = []
    for name, value in values.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed.append(name)
    return changed


# --- The plan -------------------------------------------------------------------------------


def _plan_period_problems(starts_on: date | None, ends_on: date | None) -> dict[str, str]:
    if starts_on and ends_on and ends_on < starts_on:
        return {"ends_on": "The plan must end on or after the day it starts"}
    return {}


def _check_plan_period(starts_on: date | None, ends_on: date | None) -> None:
    errors = _plan_period_problems(starts_on, ends_on)
    if errors:
        raise ValidationError(errors)


def plan_create(
    *,
    actor: User,
    title: str,
    agencies: Iterable[Agency],
    strategy: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    needs_update_days: int = 60,
) -> ActionPlan:
    """A coordinator sets up a plan for their partnership: their agency owns it, they are
    its owner, and the staff of the agencies named (their own always included) see it."""
    if not (user_may_see_casework(actor) and actor.has_role(Role.COORDINATOR)):
        raise PermissionDenied
    _check_plan_period(starts_on, ends_on)
    partnership = {agency.pk: agency for agency in agencies if agency.active}
    partnership[actor.agency_id] = actor.agency
    with transaction.atomic():
        plan = ActionPlan(
            title=title.strip(),
            strategy=strategy.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            needs_update_days=needs_update_days,
            owner_agency=actor.agency,
            owner=actor,
        )
        plan.full_clean()
        plan.save()
        plan.agencies.set(partnership.values())
        audit(
            actor=actor,
            verb=Verb.PLAN_CREATED,
            target=plan,
            detail={"agencies": sorted(agency.code for agency in partnership.values())},
        )
    return plan


def plan_settings_problems(
    plan: ActionPlan,
    *,
    starts_on: date | None,
    ends_on: date | None,
    owner: User | None,
    agencies: Iterable[Agency] | None,
) -> dict[str, str]:
    """Every problem with a plan's new settings, by field, named together: an end before
    the start, an owner who is not the owning agency's staff, and a partnership that leaves
    out the owning agency or an agency leading a step. `agencies` is None when the choice
    could not be read, and is then not checked."""
    errors = _plan_period_problems(starts_on, ends_on)
    if owner is not None and not _is_working_staff(owner, plan.owner_agency):
        errors["owner"] = f"Select a member of staff of {plan.owner_agency.name}, or nobody"
    if agencies is None:
        return errors
    chosen = {agency.pk for agency in agencies}
    leading = (
        Agency.objects.filter(action_steps__action__objective__plan=plan)
        .exclude(pk__in=chosen)
        .distinct()
    )
    dropped_leads = sorted(agency.name for agency in leading)
    if plan.owner_agency_id not in chosen:
        errors["agencies"] = f"{plan.owner_agency.name} owns the plan, so it stays in it"
    elif dropped_leads:
        errors["agencies"] = (
            f"{', '.join(dropped_leads)} lead{'s' if len(dropped_leads) == 1 else ''} "
            "steps of the plan: give those steps another lead before removing "
            f"{'it' if len(dropped_leads) == 1 else 'them'}"
        )
    return errors


def plan_update(
    *,
    actor: User,
    plan: ActionPlan,
    title: str,
    agencies: Iterable[Agency],
    owner: User | None,
    strategy: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    needs_update_days: int = 60,
    seen_version: str | None = None,
) -> ActionPlan:
    """The owner (or an owning-agency coordinator) changes the plan's settings: its title,
    period, partnership, owner and how long a step may go without an update.

    The owning agency stays in the partnership, and so does every agency leading a step:
    its staff could not otherwise open the step they are to update. The owner is one of
    the owning agency's staff, or nobody (its coordinators then edit the plan)."""
    if not may_edit_plan(actor, plan):
        raise PermissionDenied
    chosen = {agency.pk: agency for agency in agencies}
    with transaction.atomic():
        current = ActionPlan.objects.select_for_update().get(pk=plan.pk)
        check_version(current, seen_version)
        errors = plan_settings_problems(
            plan, starts_on=starts_on, ends_on=ends_on, owner=owner, agencies=chosen.values()
        )
        if errors:
            raise ValidationError(errors)
        changed = _changed(
            current,
            {
                "title": title.strip(),
                "strategy": strategy.strip(),
                "starts_on": starts_on,
                "ends_on": ends_on,
                "needs_update_days": needs_update_days,
                "owner": owner,
            },
        )
        current.full_clean()
        current.save()
        before = set(current.agencies.values_list("pk", flat=True))
        if before != set(chosen):
            current.agencies.set(chosen.values())
            changed.append("agencies")
        if changed:
            audit(
                actor=actor,
                verb=Verb.PLAN_CHANGED,
                target=current,
                detail={
                    "changed": changed,
                    "added": sorted(a.code for pk, a in chosen.items() if pk not in before),
                    "removed": sorted(
                        Agency.objects.filter(pk__in=before - set(chosen)).values_list(
                            "code", flat=True
                        )
                    ),
                },
            )
    return current


# --- Actions and steps ----------------------------------------------------------------------


def action_update(
    *,
    actor: User,
    action: Action,
    title: str,
    outcomes: str = "",
    timescale: str = "",
    due: date | None = None,
    description: str = "",
    strategic_links: str = "",
    seen_version: str | None = None,
) -> Action:
    """The owner changes an action: its wording, outcomes and timescale (as written, and
    the date it ends on, which its steps without a date of their own are due by)."""
    if not may_edit_plan(actor, action.objective.plan):
        raise PermissionDenied
    with transaction.atomic():
        current = Action.objects.select_for_update().get(pk=action.pk)
        check_version(current, seen_version)
        changed = _changed(
            current,
            {
                "title": title.strip(),
                "description": description.strip(),
                "outcomes": outcomes.strip(),
                "timescale": timescale.strip(),
                "due": due,
                "strategic_links": strategic_links.strip(),
            },
        )
        current.full_clean()
        current.save()
        if changed:
            audit(
                actor=actor, verb=Verb.ACTION_CHANGED, target=current, detail={"changed": changed}
            )
    return current


def check_step_lead(plan: ActionPlan, lead_agency: Agency | None, lead_person: User | None) -> None:
    """Refuse a step's lead that breaks the rules of `step_lead_problems`."""
    errors = step_lead_problems(plan, lead_agency, lead_person)
    if errors:
        raise ValidationError(errors)


def step_lead_problems(
    plan: ActionPlan, lead_agency: Agency | None, lead_person: User | None
) -> dict[str, str]:
    """A step's lead is one of the plan's agencies, and its named lead one of that agency's
    staff who works on the partnership's business: what is wrong, by field."""
    errors: dict[str, str] = {}
    if lead_agency is not None and not plan.agencies.filter(pk=lead_agency.pk).exists():
        errors["lead_agency"] = "Select one of the plan's agencies"
    elif lead_person is not None and (
        lead_agency is None or not _is_working_staff(lead_person, lead_agency)
    ):
        errors["lead_person"] = (
            f"Select a member of staff of {lead_agency.name}, or nobody"
            if lead_agency is not None
            else "Select the lead agency first, or nobody"
        )
    return errors


def step_update(
    *,
    actor: User,
    step: ActionStep,
    text: str,
    lead_text: str = "",
    lead_agency: Agency | None = None,
    lead_person: User | None = None,
    due: date | None = None,
    seen_version: str | None = None,
) -> ActionStep:
    """The owner changes a step: its wording, its lead (an agency of the partnership and
    optionally one of its staff; the lead as the plan words it) and its due date."""
    plan = step.action.objective.plan
    if not may_edit_plan(actor, plan):
        raise PermissionDenied
    check_step_lead(plan, lead_agency, lead_person)
    with transaction.atomic():
        current = ActionStep.objects.select_for_update().get(pk=step.pk)
        check_version(current, seen_version)
        changed = _changed(
            current,
            {
                "text": text.strip(),
                "lead_text": lead_text.strip(),
                "lead_agency": lead_agency,
                "lead_person": lead_person,
                "due": due,
            },
        )
        current.full_clean()
        current.save()
        if changed:
            audit(
                actor=actor,
                verb=Verb.STEP_CHANGED,
                target=current,
                detail={
                    "changed": changed,
                    "lead_agency": lead_agency.code if lead_agency else None,
                },
            )
    return current


# --- Progress -------------------------------------------------------------------------------


def step_refresh_latest(step: ActionStep) -> ActionStep:
    """Set the step's current RAG and last update date from its latest update by date
    written (the later-entered one on a tie); Not started when it has none. Call inside
    the transaction that added the updates."""
    latest = step.updates.order_by("-written_on", "-pk").first()
    step.current_rag = latest.rag if latest else Rag.NOT_STARTED
    step.last_update_on = latest.written_on if latest else None
    step.save(update_fields=["current_rag", "last_update_on"])
    return step


def progress_add(
    *,
    actor: User,
    step: ActionStep,
    written_on: date,
    rag: str,
    text: str,
    today: date | None = None,
) -> ProgressUpdate:
    """Record progress on a step: what was done, the date it describes, and the RAG.

    Staff of the step's lead agency update their own steps; the owner and owning-agency
    coordinators any step. An update dated before the latest one joins the history
    without changing the step's current RAG."""
    if not may_update_step(actor, step):
        raise PermissionDenied
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    text = text.strip()
    if not text:
        errors["text"] = "Enter the progress to date"
    elif len(text) > PROGRESS_MAX_LENGTH:
        errors["text"] = f"The progress must be {PROGRESS_MAX_LENGTH:,} characters or fewer"
    if rag not in Rag.values:
        errors["rag"] = "Select the RAG"
    if written_on > today:
        errors["written_on"] = "The date of the update must be today or in the past"
    elif written_on.year < EARLIEST_YEAR:
        errors["written_on"] = f"The date of the update must be in or after {EARLIEST_YEAR}"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # One writer at a time per step, so two updates at once leave the latest current.
        locked = ActionStep.objects.select_for_update().get(pk=step.pk)
        update = ProgressUpdate(
            step=locked,
            written_on=written_on,
            text=text,
            rag=rag,
            author=actor,
            author_agency=actor.agency,
        )
        update.full_clean()
        update.save()
        step_refresh_latest(locked)
        audit(
            actor=actor,
            verb=Verb.PROGRESS_RECORDED,
            target=update,
            detail={"step": locked.pk, "rag": rag, "written_on": written_on.isoformat()},
        )
    step.current_rag, step.last_update_on = locked.current_rag, locked.last_update_on
    return update
