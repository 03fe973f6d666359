"""Reads of case actions for the person asking, starting from CaseAction.objects.visible_to.

An action is seen by the agencies that see its panel; when access to the panel lapses, so
does sight of its actions. The person an action is about is named only where
`nominals_for(user)` shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import HttpRequest

from accounts.access import visible_or_404
from accounts.http import request_user
from accounts.models import AuditEvent, ObjectType, Role, User, Verb
from meetings.models import CaseAction, CaseActionStatus, CaseActionUpdate
from offenders.selectors import PersonVisible, person_visible
from panels.models import CohortMembership, MembershipStatus, Panel

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

type VisibleCaseAction = WithAnnotations[CaseAction, PersonVisible]

CASE_ACTION = ObjectType.CASE_ACTION


def _with_person(actions: QuerySet[CaseAction], user: User) -> QuerySet[VisibleCaseAction]:
    return actions.select_related(
        "panel", "nominal", "owner_agency", "owner", "agenda_item__meeting"
    ).annotate(person_visible=person_visible(user))


def case_actions_for(
    user: User, *, scope: str = "mine", status: str = "", panel: int | None = None
) -> QuerySet[VisibleCaseAction]:
    """The actions list: the user's agency's actions (or all the panels' they see), open
    ones first, each group by due date, so overdue actions lead."""
    actions = CaseAction.objects.visible_to(user)
    if scope == "mine":
        actions = actions.filter(owner_agency_id=user.agency_id)
    if status:
        actions = actions.filter(status=status)
    if panel is not None:
        actions = actions.filter(panel_id=panel)
    return _with_person(actions, user).order_by(
        Case(
            When(status=CaseActionStatus.OPEN, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        "due",
        "pk",
    )


@dataclass(frozen=True)
class AgencyActions:
    actions: list[VisibleCaseAction]  # the first few, overdue first
    open_count: int
    overdue_count: int


def open_actions_for_agency(user: User, *, today: date, limit: int = 10) -> AgencyActions:
    """The user's agency's open actions for the dashboard: soonest due (so overdue) first."""
    mine = CaseAction.objects.visible_to(user).filter(
        owner_agency_id=user.agency_id, status=CaseActionStatus.OPEN
    )
    counts = mine.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due__lt=today)),
    )
    actions = list(_with_person(mine, user).order_by("due", "pk")[:limit])
    return AgencyActions(
        actions=actions, open_count=counts["open"], overdue_count=counts["overdue"]
    )


def case_action_for(request: HttpRequest, pk: int) -> VisibleCaseAction:
    """The action if the user sees its panel; otherwise 404 (logged), as if missing."""
    return visible_or_404(
        request,
        _with_person(
            CaseAction.objects.visible_to(request_user(request)), request_user(request)
        ).select_related("panel__coordinating_agency", "created_by__agency"),
        pk,
        object_type=CASE_ACTION,
    )


@dataclass(frozen=True)
class HistoryEntry:
    event: AuditEvent
    who: str  # a name for the reader's own agency's staff; otherwise the agency
    lines: list[str]


def case_action_history(action: CaseAction, reader: User) -> list[HistoryEntry]:
    """What happened to the action, newest first: set, changed, updates, done, cancelled.

    Staff of other agencies are shown by their agency only: names of another agency's
    staff belong on a person's record, not on shared lists.
    """
    events = AuditEvent.objects.filter(
        object_type=CASE_ACTION,
        object_id=str(action.pk),
        verb__in=[Verb.CASE_ACTION_CREATED, Verb.CASE_ACTION_UPDATED],
    ).select_related("actor__agency")
    # What was written is kept with the action; its audit rows name it by id.
    written = dict(CaseActionUpdate.objects.filter(action=action).values_list("pk", "text"))
    entries = []
    for event in events:
        actor = event.actor
        if actor is None:
            who = "The system"
        elif actor.agency_id == reader.agency_id:
            who = f"{actor.get_full_name() or actor.username}, {actor.agency.name}"
        else:
            who = actor.agency.name
        entries.append(HistoryEntry(event=event, who=who, lines=_describe(event, written)))
    return entries


def _describe(event: AuditEvent, written: dict[int, str]) -> list[str]:
    detail = event.detail or {}
    if event.verb == Verb.CASE_ACTION_CREATED:
        return ["Action set by the panel"]
    lines = []
    status = detail.get("status")
    if status == CaseActionStatus.DONE:
        done_on = detail.get("completed_on", "")
        try:
            done_on = date.fromisoformat(done_on).strftime("%-d %B %Y")
        except ValueError:
            pass
        lines.append(f"Marked as done, on {done_on}")
    elif status == CaseActionStatus.CANCELLED:
        lines.append("Cancelled by the coordinator")
    labels = {
        "description": "What needs to be done",
        "owner_agency": "Agency",
        "owner": "Named person",
        "due": "Due date",
    }
    for key in detail.get("changes", {}):
        lines.append(f"{labels.get(key, key)} changed")
    if detail.get("update_id") in written:
        lines.append(written[detail["update_id"]])
    elif detail.get("update"):
        # Rows written before the words were kept with the action held them here.
        lines.append(detail["update"])
    return lines


@dataclass(frozen=True)
class ReferralsWaiting:
    panel_id: int
    panel_name: str
    count: int


def referrals_awaiting_decision(user: User) -> list[ReferralsWaiting]:
    """For a coordinator: referrals to their panels not yet accepted or declined, by panel.
    One query; an empty list for anyone who coordinates nothing."""
    if not user.has_role(Role.COORDINATOR):
        return []
    panels = Panel.objects.visible_to(user).filter(coordinating_agency_id=user.agency_id)
    rows = (
        CohortMembership.objects.filter(panel__in=panels, status=MembershipStatus.REFERRED)
        .values("panel_id", "panel__name")
        .annotate(count=Count("pk"))
        .order_by("panel__name")
    )
    return [
        ReferralsWaiting(
            panel_id=row["panel_id"], panel_name=row["panel__name"], count=row["count"]
        )
        for row in rows
    ]
