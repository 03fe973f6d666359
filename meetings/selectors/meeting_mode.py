"""Reads for running a meeting and for its minutes, for the person asking.

Every read starts from the model's `visible_to(user)`; a meeting or agenda item the user
may not see answers 404 (logged), the same as one that does not exist. People are named
only where `nominals_for(user)` lets the user see them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from accounts.access import visible_or_404
from accounts.http import request_user
from accounts.models import CASEWORK_ROLES, Agency, ObjectType, User
from meetings.models import AgendaItem, Attendance, CaseAction, Meeting, MeetingStatus
from meetings.selectors.meetings import VisibleAgendaItem
from offenders.selectors import PersonVisible, person_visible
from panels.models import Panel
from panels.selectors import agencies_seeing_panel

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

MEETING = ObjectType.MEETING
AGENDA_ITEM = ObjectType.AGENDA_ITEM


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Absent"


def attendance_status(attendance: Attendance | None) -> str:
    """The one answer an Attendance row's two flags stand for ("" when not recorded)."""
    if attendance is None:
        return ""
    if attendance.present:
        return AttendanceStatus.PRESENT
    return AttendanceStatus.APOLOGIES if attendance.apologies else AttendanceStatus.ABSENT


def meeting_agencies(panel: Panel) -> list[Agency]:
    """The agencies whose attendance a meeting records: the coordinating agency and the
    panel's member agencies, by name."""
    return list(
        Agency.objects.filter(Q(pk=panel.coordinating_agency_id) | Q(member_panels=panel))
        .distinct()
        .order_by("name")
    )


def agenda_item_for(request: HttpRequest, pk: int) -> VisibleAgendaItem:
    """The agenda item if the user may see the agenda (see AgendaItem.visible_to)."""
    return visible_or_404(
        request,
        AgendaItem.objects.visible_to(request_user(request))
        .select_related("meeting__panel__coordinating_agency", "nominal", "rag_review")
        .annotate(person_visible=person_visible(request_user(request))),
        pk,
        object_type=AGENDA_ITEM,
    )


class _AgendaLine(PersonVisible):
    action_count: int


type AgendaLine = WithAnnotations[AgendaItem, _AgendaLine]


def meeting_agenda(meeting: Meeting, user: User) -> list[AgendaLine]:
    """The agenda in order, each item with its person (named only if the user sees them),
    its RAG decision and how many actions it set: one query however long the agenda."""
    return list(
        meeting.items.select_related("nominal")
        .annotate(action_count=Count("actions"), person_visible=person_visible(user))
        .order_by("position", "pk")
    )


@dataclass(frozen=True)
class AttendanceRow:
    agency: Agency
    status: str  # an AttendanceStatus value, or "" when not yet recorded
    attendees: str

    @property
    def status_label(self) -> str:
        return AttendanceStatus(self.status).label if self.status else "Not recorded"


def attendance_rows(meeting: Meeting, agencies: list[Agency]) -> list[AttendanceRow]:
    """Each of the meeting's agencies with its recorded attendance, if any."""
    recorded = {row.agency_id: row for row in meeting.attendance.all()}
    return [
        AttendanceRow(
            agency=agency,
            status=attendance_status(recorded.get(agency.pk)),
            attendees=recorded[agency.pk].attendees if agency.pk in recorded else "",
        )
        for agency in agencies
    ]


def neighbouring_items(item: AgendaItem) -> tuple[int | None, int | None]:
    """The ids of the items before and after this one on the agenda."""
    order = list(
        AgendaItem.objects.filter(meeting_id=item.meeting_id)
        .order_by("position", "pk")
        .values_list("pk", flat=True)
    )
    at = order.index(item.pk)
    return (order[at - 1] if at > 0 else None, order[at + 1] if at + 1 < len(order) else None)


def item_actions(item: AgendaItem) -> QuerySet[CaseAction]:
    """The actions the panel set on this item, oldest first."""
    return item.actions.select_related("owner_agency", "owner").order_by("pk")


def action_owner_agencies(panel: Panel) -> list[Agency]:
    """Agencies that may own the panel's actions: those that see the panel."""
    return agencies_seeing_panel(panel)


def action_owner_staff(agencies: list[Agency]) -> QuerySet[User]:
    """Active casework staff of the given agencies, for naming an action's owner."""
    return (
        User.objects.filter(
            is_active=True,
            agency__in=[agency.pk for agency in agencies],
            groups__name__in=CASEWORK_ROLES,
        )
        .distinct()
        .order_by("agency__name", "last_name", "first_name")
    )


def upcoming_meetings_for(user: User, *, today: date, limit: int = 6) -> list[Meeting]:
    """The next meetings of the panels the user sees, soonest first."""
    return list(
        Meeting.objects.visible_to(user)
        .filter(date__gte=today, status__in=[MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS])
        .select_related("panel")
        .order_by("date", "starts_at", "pk")[:limit]
    )
