"""A meeting's minutes: produced from what the coordinator recorded in meeting mode.

While the meeting runs, the coordinator reads them as a draft built from the records.
When the coordinator closes the meeting, `build_minutes` is kept in Meeting.minutes as a
JSON document, so the minutes stay as the panel agreed them. Readers never get the
document as it is: `minutes_for_reader` names a person, with the notes and actions about
them, only when `nominals_for(reader)` shows the person to the reader.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch

from accounts.models import User
from meetings.models import CaseAction, Meeting
from meetings.selectors.meeting_mode import AttendanceStatus, attendance_rows, meeting_agencies
from offenders.selectors import nominals_for
from panels.models import Rag

# Bumped if the document's shape ever changes, so older minutes are still read correctly.
MINUTES_FORMAT = 1


def build_minutes(meeting: Meeting) -> dict[str, Any]:
    """The minutes as a document: the meeting, attendance, and each agenda item with its
    person, reason, notes, RAG decision, escalation and actions. A fixed number of queries
    however long the agenda."""
    agencies = meeting_agencies(meeting.panel)
    items = meeting.items.select_related("nominal").prefetch_related(
        Prefetch(
            "actions",
            CaseAction.objects.select_related("owner_agency", "owner").order_by("pk"),
        )
    )
    return {
        "format": MINUTES_FORMAT,
        "panel": meeting.panel.name,
        "kind": meeting.get_kind_display(),
        "date": meeting.date.isoformat(),
        "starts_at": str(meeting.starts_at)[:5],
        "location": meeting.location,
        "attendance": [
            {
                "agency": row.agency.name,
                "status": row.status,
                "attendees": row.attendees,
            }
            for row in attendance_rows(meeting, agencies)
        ],
        "items": [
            {
                "number": number,
                "nominal": item.nominal_id,
                "name": item.nominal.full_name,
                "reason": item.get_reason_display(),
                "reason_detail": item.reason_detail,
                "notes": item.notes,
                "rag": item.rag_decided,
                "escalated": item.escalate,
                "discussed": item.discussed,
                "actions": [
                    {
                        "id": action.pk,
                        "description": action.description,
                        "owner_agency": action.owner_agency.name,
                        "owner_agency_id": action.owner_agency_id,
                        "owner": action.owner.get_full_name() if action.owner else "",
                        "due": action.due.isoformat(),
                    }
                    for action in item.actions.all()
                ],
            }
            for number, item in enumerate(items.order_by("position", "pk"), start=1)
        ],
    }


@dataclass(frozen=True)
class MinutesAction:
    id: int
    description: str
    owner_agency: str
    owner: str  # "" when nobody is named, or the reader may not see the name
    due: date


@dataclass(frozen=True)
class MinutesItem:
    number: int
    visible: bool  # False: the reader may not see this person; nothing else is given
    nominal: int | None = None
    name: str = ""
    reason: str = ""
    reason_detail: str = ""
    notes: str = ""
    rag: str = ""
    rag_label: str = ""
    escalated: bool = False
    discussed: bool = False
    actions: list[MinutesAction] = field(default_factory=list)


@dataclass(frozen=True)
class AttendanceLine:
    agency: str
    status: str
    attendees: str

    @property
    def status_label(self) -> str:
        return AttendanceStatus(self.status).label if self.status else "Not recorded"


@dataclass(frozen=True)
class Minutes:
    panel: str
    kind: str
    date: date
    starts_at: str
    location: str
    attendance: list[AttendanceLine]
    items: list[MinutesItem]

    @property
    def hidden_count(self) -> int:
        return sum(1 for item in self.items if not item.visible)


def stored_minutes(meeting: Meeting) -> dict[str, Any]:
    """The published document."""
    return json.loads(meeting.minutes)


def minutes_for_reader(
    document: dict[str, Any], reader: User, *, names_all_staff: bool = False
) -> Minutes:
    """The minutes as this reader may read them.

    People the reader may not see are listed only as an item number. A named member of
    staff owning an action is shown to their own agency's staff and to the coordinator
    (`names_all_staff`); other readers see the owning agency.
    """
    ids = [item["nominal"] for item in document["items"]]
    visible = set(nominals_for(reader).filter(pk__in=ids).values_list("pk", flat=True))
    items = []
    for item in document["items"]:
        if item["nominal"] not in visible:
            items.append(MinutesItem(number=item["number"], visible=False))
            continue
        items.append(
            MinutesItem(
                number=item["number"],
                visible=True,
                nominal=item["nominal"],
                name=item["name"],
                reason=item["reason"],
                reason_detail=item["reason_detail"],
                notes=item["notes"],
                rag=item["rag"],
                rag_label=Rag(item["rag"]).label if item["rag"] else "",
                escalated=item["escalated"],
                discussed=item["discussed"],
                actions=[
                    MinutesAction(
                        id=action["id"],
                        description=action["description"],
                        owner_agency=action["owner_agency"],
                        owner=action["owner"]
                        if names_all_staff or action["owner_agency_id"] == reader.agency_id
                        else "",
                        due=date.fromisoformat(action["due"]),
                    )
                    for action in item["actions"]
                ],
            )
        )
    return Minutes(
        panel=document["panel"],
        kind=document["kind"],
        date=date.fromisoformat(document["date"]),
        starts_at=document["starts_at"],
        location=document["location"],
        attendance=[AttendanceLine(**line) for line in document["attendance"]],
        items=items,
    )
