"""Set-up shared by the meeting mode, case action and dashboard tests: meetings and agenda
items are written directly, as the agenda builder would leave them."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from accounts.models import Agency, User
from meetings.models import AgendaItem, AgendaReason, CaseAction, Meeting, MeetingKind
from offenders.models import Nominal
from panels.models import Panel
from tests.factories import make_nominal

FAMILY_NAMES = [
    "Ashby",
    "Barker",
    "Collins",
    "Dawson",
    "Ellis",
    "Fenwick",
    "Garner",
    "Hughes",
    "Irving",
    "Jarvis",
]


def make_meeting(
    panel: Panel, *, on: date | None = None, kind: str = MeetingKind.MAIN, **fields: object
) -> Meeting:
    return Meeting.objects.create(panel=panel, date=on or timezone.localdate(), kind=kind, **fields)


def make_people(actor: User, panel: Panel, count: int, *, prefix: str = "") -> list[Nominal]:
    """People on the panel's cohort, with distinct names and dates of birth."""
    return [
        make_nominal(
            actor,
            given_names=f"{prefix}Person{number}",
            family_name=FAMILY_NAMES[number % len(FAMILY_NAMES)],
            date_of_birth=date(1980, 1, 1) + timedelta(days=number * 40),
            on_panel=panel,
        )
        for number in range(count)
    ]


def add_items(meeting: Meeting, people: list[Nominal]) -> list[AgendaItem]:
    return [
        AgendaItem.objects.create(
            meeting=meeting, nominal=person, reason=AgendaReason.REVIEW_DUE, position=number
        )
        for number, person in enumerate(people, start=1)
    ]


def make_action(
    item: AgendaItem, owner_agency: Agency, *, due: date, created_by: User, **fields: object
) -> CaseAction:
    return CaseAction.objects.create(
        panel=item.meeting.panel,
        nominal=item.nominal,
        agenda_item=item,
        description=fields.pop("description", "Arrange a joint home visit"),
        owner_agency=owner_agency,
        due=due,
        created_by=created_by,
        **fields,
    )


def date_fields(name: str, value: date) -> dict[str, str]:
    """A GOV.UK date input's three boxes, as a browser posts them."""
    return {
        f"{name}-day": str(value.day),
        f"{name}-month": str(value.month),
        f"{name}-year": str(value.year),
    }


def item_post(**fields: str) -> dict[str, str]:
    """An item form as the coordinator submits it: discussed, nothing else unless given."""
    return {"discussed": "yes", "notes": "", **fields}
