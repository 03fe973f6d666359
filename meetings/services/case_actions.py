"""Writes for case actions: what a panel asked an agency to do about a person, by a date.

The panel's coordinator sets an action at the meeting, and may later change or cancel it.
Staff of the owning agency (and the coordinator) report progress and mark it done. The
nightly job flags open actions that passed their due date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit
from accounts.models import CASEWORK_ROLES, Agency, User, Verb
from accounts.notifications import casework_staff, send
from meetings.models import AgendaItem, CaseAction, CaseActionStatus, CaseActionUpdate
from meetings.permissions import may_report_on
from meetings.selectors.meeting_mode import action_owner_agencies
from panels.models import Panel
from panels.permissions import can_coordinate

UPDATE_MAX_LENGTH = 2000


@dataclass(frozen=True)
class ActionInput:
    """What the coordinator types for a new action, or a changed one."""

    description: str
    owner_agency: Agency
    owner: User | None
    due: date


def case_action_problems(
    panel: Panel,
    *,
    description: str | None,
    owner_agency: Agency | None,
    owner: User | None,
    due: date | None,
    today: date,
    due_changed: bool = True,
) -> dict[str, list[str]]:
    """Every way an action breaks the rules, by the field it is about: a description, an
    owning agency that sees the panel, a named person (if any) of that agency, and a due
    date not in the past.

    A part given as None is not checked, so a form whose due date could not be read still
    hears, in the same answer, that its named person works for another agency.
    """
    errors: dict[str, list[str]] = {}
    if description is not None and not description.strip():
        errors["description"] = ["Enter what needs to be done"]
    if owner_agency is not None:
        # An agency that does not see the panel could not open the action it was given.
        allowed = {agency.pk for agency in action_owner_agencies(panel)}
        if owner_agency.pk not in allowed:
            errors["owner_agency"] = ["Select one of the agencies that see this panel"]
        elif owner is not None and (
            owner.agency_id != owner_agency.pk
            or not owner.is_active
            or not (owner.roles & CASEWORK_ROLES)
        ):
            errors["owner"] = [
                f"Select a member of staff of {owner_agency.name}, or no named person"
            ]
    if due is not None and due_changed and due < today:
        errors["due"] = ["The due date must be today or in the future"]
    return errors


def case_action_validate(
    panel: Panel, data: ActionInput, *, today: date, due_changed: bool = True
) -> None:
    """Refuse an action that breaks any of the rules, naming every problem at once."""
    errors = case_action_problems(
        panel,
        description=data.description,
        owner_agency=data.owner_agency,
        owner=data.owner,
        due=data.due,
        today=today,
        due_changed=due_changed,
    )
    if errors:
        raise ValidationError(errors)


def case_action_create(
    *, actor: User, agenda_item: AgendaItem, data: ActionInput, today: date | None = None
) -> CaseAction:
    """Set an action on an agenda item's person, owned by one of the panel's agencies.
    Actions are set at the meeting: not before its day, nor once it is closed or cancelled."""
    # meeting_mode calls this service, so its rule is imported here rather than at the top.
    from meetings.services.meeting_mode import meeting_open_for_recording

    panel = agenda_item.meeting.panel
    if not can_coordinate(actor, panel):
        raise PermissionDenied
    today = today or timezone.localdate()
    closed = meeting_open_for_recording(agenda_item.meeting, today=today)
    if closed:
        raise ValidationError(closed)
    case_action_validate(panel, data, today=today)
    with transaction.atomic():
        action = CaseAction(
            panel=panel,
            nominal_id=agenda_item.nominal_id,
            agenda_item=agenda_item,
            description=data.description.strip(),
            owner_agency=data.owner_agency,
            owner=data.owner,
            due=data.due,
            created_by=actor,
        )
        action.full_clean()
        action.save()
        send(
            [data.owner] if data.owner else casework_staff([data.owner_agency.pk]),
            kind="case_action_assigned",
            key=f"{action.pk}:assigned",
            text=f"A case action was set for {'you' if data.owner else data.owner_agency.name} "
            f"at {panel.name}, due {data.due:%-d %B %Y}",
            url=reverse("meetings:case-action", args=[action.pk]),
        )
        audit(
            actor=actor,
            verb=Verb.CASE_ACTION_CREATED,
            target=action,
            detail={
                "meeting": agenda_item.meeting_id,
                "owner_agency": data.owner_agency.code,
                "due": data.due.isoformat(),
            },
        )
    return action


def _open_for_changes(action: CaseAction) -> None:
    if action.status != CaseActionStatus.OPEN:
        raise ValidationError(f"This action is already {action.get_status_display().lower()}")


def case_action_change(
    *, actor: User, action: CaseAction, data: ActionInput, today: date | None = None
) -> CaseAction:
    """The coordinator changes what is to be done, by whom or by when.

    A due date moved to today or later lifts the overdue flag: the action is no longer late.
    """
    if not can_coordinate(actor, action.panel):
        raise PermissionDenied
    _open_for_changes(action)
    today = today or timezone.localdate()
    # An overdue action keeps its past date unless the coordinator moves it.
    case_action_validate(action.panel, data, today=today, due_changed=data.due != action.due)
    before = {
        "description": action.description,
        "owner_agency": action.owner_agency.code,
        "owner": action.owner_id,
        "due": action.due.isoformat(),
    }
    with transaction.atomic():
        action.description = data.description.strip()
        action.owner_agency = data.owner_agency
        action.owner = data.owner
        action.due = data.due
        if action.flagged_overdue_on and action.due >= today:
            action.flagged_overdue_on = None
        action.full_clean()
        action.save()
        after = {
            "description": action.description,
            "owner_agency": action.owner_agency.code,
            "owner": action.owner_id,
            "due": action.due.isoformat(),
        }
        # Which fields changed, not their values: the description is about the person, and
        # the append-only trail outlives a deletion of their record.
        changes = sorted(key for key in before if before[key] != after[key])
        audit(
            actor=actor,
            verb=Verb.CASE_ACTION_UPDATED,
            target=action,
            detail={"changes": changes},
        )
    return action


def case_action_cancel(*, actor: User, action: CaseAction, reason: str) -> CaseAction:
    """The coordinator withdraws an action that is no longer needed, saying why."""
    if not can_coordinate(actor, action.panel):
        raise PermissionDenied
    _open_for_changes(action)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the action is no longer needed"})
    with transaction.atomic():
        action.status = CaseActionStatus.CANCELLED
        action.full_clean()
        action.save(update_fields=["status"])
        audit(
            actor=actor,
            verb=Verb.CASE_ACTION_UPDATED,
            target=action,
            detail={
                "status": CaseActionStatus.CANCELLED,
                "update_id": _written(actor, action, reason),
            },
        )
    return action


def case_action_complete(
    *, actor: User, action: CaseAction, completed_on: date, note: str = ""
) -> CaseAction:
    """The owning agency (or the coordinator) records that the action was done, and when."""
    if not may_report_on(actor, action):
        raise PermissionDenied
    _open_for_changes(action)
    today = timezone.localdate()
    if completed_on > today:
        raise ValidationError({"completed_on": "The date it was done must be today or earlier"})
    if completed_on < timezone.localtime(action.created_at).date():
        raise ValidationError(
            {"completed_on": "The date it was done must be on or after the day it was set"}
        )
    with transaction.atomic():
        action.status = CaseActionStatus.DONE
        action.completed_on = completed_on
        action.full_clean()
        action.save(update_fields=["status", "completed_on"])
        detail: dict[str, str | int] = {
            "status": CaseActionStatus.DONE,
            "completed_on": completed_on.isoformat(),
        }
        if note.strip():
            detail["update_id"] = _written(actor, action, note.strip())
        audit(actor=actor, verb=Verb.CASE_ACTION_UPDATED, target=action, detail=detail)
    return action


def case_action_add_update(*, actor: User, action: CaseAction, text: str) -> CaseAction:
    """Report progress on an open action. Updates are kept in the action's audited history,
    newest first on its page, so nobody can change what was reported."""
    if not may_report_on(actor, action):
        raise PermissionDenied
    _open_for_changes(action)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Enter what has happened"})
    if len(text) > UPDATE_MAX_LENGTH:
        raise ValidationError(
            {"text": f"The update must be {UPDATE_MAX_LENGTH} characters or fewer"}
        )
    with transaction.atomic():
        audit(
            actor=actor,
            verb=Verb.CASE_ACTION_UPDATED,
            target=action,
            detail={"update_id": _written(actor, action, text)},
        )
    return action


def _written(actor: User, action: CaseAction, text: str) -> int:
    """Keep what was written with the action; the audit row names it by id (see
    CaseActionUpdate)."""
    return CaseActionUpdate.objects.create(action=action, text=text, written_by=actor).pk


# How far ahead an open action's owners are told it is due.
DUE_SOON = timedelta(days=3)


def _tell_owners(actions, stage: str, words: str) -> None:
    """Tell each action's named owner, or else its agency's casework staff, once per stage."""
    for action in actions.select_related("owner_agency", "owner", "panel"):
        send(
            [action.owner] if action.owner else casework_staff([action.owner_agency_id]),
            kind="case_action_due",
            key=f"{action.pk}:{stage}",
            text=f"A case action for {action.owner_agency.name} at {action.panel.name} {words} "
            f"(due {action.due:%-d %B %Y})",
            url=reverse("meetings:case-action", args=[action.pk]),
        )


def case_actions_flag_overdue(*, actor: User | None, today: date | None = None) -> dict[str, int]:
    """Flag open actions past their due date, each once: a second run the same night (or
    any later night) flags only actions that became overdue since.

    One audit row records the run when it flagged anything, with the actions it flagged.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        # Lock the rows so two runs at once cannot both flag (and both count) one action.
        newly = list(
            CaseAction.objects.overdue(today=today)
            .filter(flagged_overdue_on__isnull=True)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        flagged = CaseAction.objects.filter(pk__in=newly).update(flagged_overdue_on=today)
        _tell_owners(CaseAction.objects.filter(pk__in=newly), "overdue", "is overdue")
        _tell_owners(
            CaseAction.objects.filter(
                status=CaseActionStatus.OPEN, due__gte=today, due__lte=today + DUE_SOON
            ),
            "due-soon",
            "is due soon",
        )
        if flagged:
            audit(
                actor=actor,
                verb=Verb.CASE_ACTIONS_FLAGGED,
                target=ContentType.objects.get_for_model(CaseAction),
                detail={"flagged": flagged, "on": today.isoformat(), "actions": newly},
            )
        overdue = CaseAction.objects.overdue(today=today).count()
    return {"flagged": flagged, "overdue": overdue}
