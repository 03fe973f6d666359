"""Reads of panels' meetings, meeting rules and agendas for the person asking.

Each get-or-refuse helper answers 404 (with a logged refusal) for a record the user may
not see and for one that does not exist alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.access import visible_or_404
from accounts.http import request_user
from accounts.models import ObjectType, User
from meetings.models import AgendaItem, Meeting, MeetingRule, MeetingStatus
from offenders.models import Nominal
from offenders.selectors import PersonVisible, nominals_for
from panels.models import CohortMembership, MembershipStatus, Panel

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

type VisibleAgendaItem = WithAnnotations[AgendaItem, PersonVisible]

MEETING = ObjectType.MEETING
MEETING_RULE = ObjectType.MEETING_RULE
AGENDA_ITEM = ObjectType.AGENDA_ITEM

# How an agenda names someone the reader may not see.
UNSEEN_PERSON = "A person known to this panel"

# Meetings whose agenda may still change: not yet held, not cancelled.
OPEN_STATUSES = (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS)


def meeting_for(request: HttpRequest, pk: int) -> Meeting:
    """The meeting if the user sees its panel; otherwise 404, whether or not it exists."""
    return visible_or_404(
        request,
        Meeting.objects.visible_to(request_user(request)).select_related(
            "panel__coordinating_agency", "rule"
        ),
        pk,
        object_type=MEETING,
    )


def meeting_rule_for(request: HttpRequest, pk: int) -> MeetingRule:
    """The rule if the user sees its panel; otherwise 404."""
    return visible_or_404(
        request,
        MeetingRule.objects.filter(
            panel__in=Panel.objects.visible_to(request_user(request)).values("pk")
        ).select_related("panel__coordinating_agency"),
        pk,
        object_type=MEETING_RULE,
    )


def agenda_item_for(request: HttpRequest, pk: int) -> AgendaItem:
    """The agenda item if the user may see the agenda it is on; otherwise 404."""
    return visible_or_404(
        request,
        AgendaItem.objects.visible_to(request_user(request)).select_related(
            "meeting__panel__coordinating_agency", "nominal"
        ),
        pk,
        object_type=AGENDA_ITEM,
    )


def panel_rules(panel: Panel) -> QuerySet[MeetingRule]:
    """The panel's rules, those in use first."""
    return panel.meeting_rules.order_by("-active", "kind", "week", "weekday")


def upcoming_meetings(panel: Panel, *, today: date) -> QuerySet[Meeting]:
    """From today on, soonest first, cancelled ones included so partners see them."""
    return panel.meetings.filter(date__gte=today).order_by("date", "starts_at", "pk")


def past_meetings(panel: Panel, *, today: date) -> QuerySet[Meeting]:
    """Before today, most recent first."""
    return panel.meetings.filter(date__lt=today).order_by("-date", "-starts_at", "-pk")


def previous_meeting_date(meeting: Meeting, *, kind: str | None = None) -> date | None:
    """The date of the panel's last meeting before this one that was not cancelled
    (of the given kind, if one is given)."""
    earlier = Meeting.objects.filter(panel_id=meeting.panel_id, date__lt=meeting.date).exclude(
        status=MeetingStatus.CANCELLED
    )
    if kind is not None:
        earlier = earlier.filter(kind=kind)
    return earlier.order_by("-date").values_list("date", flat=True).first()


def agenda_open(meeting: Meeting) -> bool:
    return meeting.status in OPEN_STATUSES


@dataclass(frozen=True)
class AgendaRow:
    """One item of an agenda as the viewer may see it: `visible` is False for a person
    the viewer may not see, whose name and reason are then not shown."""

    item: AgendaItem
    visible: bool
    # No longer referred to or active on the panel's cohort: left (or declined) since they
    # were added, so the panel may not need to discuss them.
    left_cohort: bool = False

    @property
    def nominal(self) -> Nominal:
        return self.item.nominal

    @property
    def name(self) -> str:
        return self.item.nominal.full_name if self.visible else UNSEEN_PERSON


def agenda_rows(user: User, meeting: Meeting) -> list[AgendaRow]:
    """The meeting's agenda in order, each item marked with whether the user sees the
    person and whether they have left the cohort since; empty when the agenda is not the
    user's to see yet. Three queries."""
    items = list(
        AgendaItem.objects.visible_to(user)
        .filter(meeting=meeting)
        .select_related("nominal")
        .order_by("position", "pk")
    )
    if not items:
        return []
    seen = set(
        nominals_for(user)
        .filter(pk__in=[item.nominal_id for item in items])
        .values_list("pk", flat=True)
    )
    on_cohort = set(
        CohortMembership.objects.filter(
            panel_id=meeting.panel_id,
            nominal_id__in=[item.nominal_id for item in items],
            status__in=[MembershipStatus.REFERRED, MembershipStatus.ACTIVE],
        ).values_list("nominal_id", flat=True)
    )
    return [
        AgendaRow(
            item=item,
            visible=item.nominal_id in seen,
            left_cohort=item.nominal_id not in on_cohort,
        )
        for item in items
    ]


def person_name(user: User, nominal: Nominal) -> str:
    """The person's name if the user may see their record; otherwise only that they are
    known to the panel."""
    if nominals_for(user).filter(pk=nominal.pk).exists():
        return nominal.full_name
    return UNSEEN_PERSON
