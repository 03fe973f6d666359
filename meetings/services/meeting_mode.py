"""Writes for running a meeting: attendance, each agenda item's outcome (notes, RAG
decision, escalation, discussed) and closing the meeting by publishing its minutes.

Only the panel's coordinator runs a meeting. A meeting goes scheduled -> in progress
(with the first thing recorded on or after its day) -> held (when the coordinator closes
it by publishing the minutes); after that nothing about it changes. Cancelled meetings
are never run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit
from accounts.models import Agency, User, Verb
from accounts.notifications import casework_staff, send
from meetings.minutes import build_minutes
from meetings.models import AgendaItem, Attendance, Meeting, MeetingKind, MeetingStatus
from meetings.selectors.meeting_mode import AttendanceStatus, meeting_agencies
from meetings.services.case_actions import ActionInput, case_action_create, case_action_validate
from panels.models import RAG_BY_SCHEME, Rag, RagReview, RagScheme
from panels.permissions import can_coordinate
from panels.selectors import agencies_seeing_panel


@dataclass(frozen=True)
class AttendanceEntry:
    agency: Agency
    status: str  # an AttendanceStatus value
    attendees: str


@dataclass(frozen=True)
class ItemOutcome:
    notes: str
    rag: str  # "" when the panel made no RAG decision
    escalate: bool
    discussed: bool


def meeting_open_for_recording(meeting: Meeting, *, today: date) -> str:
    """Why the meeting cannot be recorded today, or "" when it can."""
    if meeting.status == MeetingStatus.CANCELLED:
        return "This meeting was cancelled, so nothing can be recorded for it"
    if meeting.status == MeetingStatus.HELD:
        return "This meeting is closed and its minutes are published, so it cannot change"
    if meeting.date > today:
        return (
            f"This meeting is on {meeting.date:%-d %B %Y}. Attendance and decisions are "
            "recorded from that day"
        )
    return ""


def _check_runnable(actor: User, meeting: Meeting, today: date) -> None:
    if not can_coordinate(actor, meeting.panel):
        raise PermissionDenied
    reason = meeting_open_for_recording(meeting, today=today)
    if reason:
        raise ValidationError(reason)


def _start(meeting: Meeting) -> bool:
    """The first record made at a scheduled meeting starts it."""
    if meeting.status != MeetingStatus.SCHEDULED:
        return False
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.save(update_fields=["status"])
    return True


def attendance_problems(
    *, agencies: list[Agency], entries: list[AttendanceEntry]
) -> dict[str, list[str]]:
    """Every problem with a register, by the field it is about (`<code>-status`,
    `<code>-attendees`): each of the panel's agencies answered, and the names of who came
    from each agency that attended."""
    panel_agencies = {agency.pk for agency in agencies}
    given = {entry.agency.pk: entry for entry in entries}
    errors: dict[str, list[str]] = {}
    for agency in agencies:
        entry = given.get(agency.pk)
        if entry is None or entry.status not in AttendanceStatus.values:
            errors[f"{agency.code}-status"] = [f"Select whether {agency.name} attended"]
        elif entry.status == AttendanceStatus.PRESENT and not entry.attendees.strip():
            errors[f"{agency.code}-attendees"] = [
                f"Enter who attended from {agency.name}, with their roles"
            ]
    if set(given) - panel_agencies:
        errors["__all__"] = ["Attendance can only be recorded for the panel's agencies"]
    return errors


def attendance_record(
    *, actor: User, meeting: Meeting, entries: list[AttendanceEntry], today: date | None = None
) -> list[Attendance]:
    """Record which agencies attended, sent apologies or were absent, and who came.

    Every agency of the panel is answered at once, so the register is never half-taken.
    """
    today = today or timezone.localdate()
    _check_runnable(actor, meeting, today)
    agencies = {agency.pk: agency for agency in meeting_agencies(meeting.panel)}
    given = {entry.agency.pk: entry for entry in entries}
    errors = attendance_problems(agencies=list(agencies.values()), entries=entries)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        started = _start(meeting)
        existing = {row.agency_id: row for row in meeting.attendance.all()}
        rows = []
        for agency_id, agency in agencies.items():
            entry = given[agency_id]
            row = existing.get(agency_id) or Attendance(meeting=meeting, agency=agency)
            row.present = entry.status == AttendanceStatus.PRESENT
            row.apologies = entry.status == AttendanceStatus.APOLOGIES
            row.attendees = entry.attendees.strip()
            row.full_clean(validate_unique=False, validate_constraints=False)
            row.save()
            rows.append(row)
        by_status: dict[str, list[str]] = {status: [] for status in AttendanceStatus.values}
        for agency_id, agency in agencies.items():
            by_status[given[agency_id].status].append(agency.code)
        audit(
            actor=actor,
            verb=Verb.ATTENDANCE_RECORDED,
            target=meeting,
            detail={**by_status, "meeting_started": started},
        )
    return rows


def agenda_item_record(
    *,
    actor: User,
    item: AgendaItem,
    outcome: ItemOutcome,
    action: ActionInput | None = None,
    today: date | None = None,
) -> AgendaItem:
    """Record an agenda item's outcome, and a new case action if the panel set one.

    The RAG decision is the person's review at this meeting: recorded once as a RagReview
    dated the meeting's day, and changed in place if the panel changes its mind, so the
    person's RAG history has one entry per meeting. Once recorded, a decision can be
    changed but not removed.
    """
    today = today or timezone.localdate()
    meeting = item.meeting
    panel = meeting.panel
    _check_runnable(actor, meeting, today)
    errors: dict[str, list[str]] = {}
    allowed = RAG_BY_SCHEME[RagScheme(panel.rag_scheme)]
    if outcome.rag and outcome.rag not in allowed:
        names = ", ".join(Rag(rag).label for rag in allowed[:-1])
        errors["rag"] = [f"Select {names} or {Rag(allowed[-1]).label}"]
    if outcome.escalate and meeting.kind != MeetingKind.MID_MONTH:
        errors["escalate"] = ["Only a mid-month panel escalates a case to the main panel"]
    if action is not None:
        try:
            case_action_validate(panel, action, today=today)
        except ValidationError as error:
            errors |= error.message_dict
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        started = _start(meeting)
        changes: dict[str, list[object]] = {}
        for field, value in (
            ("notes", outcome.notes.strip()),
            ("escalate", outcome.escalate),
            ("discussed", outcome.discussed),
        ):
            if getattr(item, field) != value:
                changes[field] = [getattr(item, field), value]
                setattr(item, field, value)
        if outcome.rag:
            _record_rag(actor=actor, item=item, rag=outcome.rag)
        item.full_clean(validate_unique=False, validate_constraints=False)
        item.save()
        audit(
            actor=actor,
            verb=Verb.ITEM_DISCUSSED,
            target=item,
            detail={
                # The notes themselves stay on the item; the audit says that they changed.
                "changes": {k: v for k, v in changes.items() if k != "notes"},
                "notes_changed": "notes" in changes,
                "meeting_started": started,
            },
        )
        if action is not None:
            case_action_create(actor=actor, agenda_item=item, data=action, today=today)
    return item


def _record_rag(*, actor: User, item: AgendaItem, rag: str) -> None:
    review = item.rag_review
    before = review.rag if review is not None else None
    if before == rag:
        return
    if review is None:
        review = RagReview(
            nominal_id=item.nominal_id,
            panel=item.meeting.panel,
            meeting=item.meeting,
            reviewed_on=item.meeting.date,
        )
    review.rag = rag
    review.author = actor
    review.full_clean()
    review.save()
    item.rag_review = review
    item.rag_decided = rag
    audit(
        actor=actor,
        verb=Verb.RAG_RECORDED,
        target=review,
        detail={"from": before, "to": rag, "meeting": item.meeting_id, "item": item.pk},
    )


def minutes_publish(*, actor: User, meeting: Meeting, now: datetime | None = None) -> Meeting:
    """Close the meeting and publish its minutes to the agencies that see the panel.

    The minutes are kept as they stand now (Meeting.minutes holds them as a JSON
    document, see panels/minutes.py), so later changes to a person's record do not
    rewrite what the panel minuted. The meeting is then held: nothing about it changes.
    """
    if not can_coordinate(actor, meeting.panel):
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        # Two coordinators pressing the button at once publish once.
        meeting = Meeting.objects.select_for_update().select_related("panel").get(pk=meeting.pk)
        reason = meeting_open_for_recording(meeting, today=timezone.localdate(now))
        if reason:
            raise ValidationError(reason)
        if not meeting.attendance.exists():
            raise ValidationError("Record who attended before closing the meeting")
        document = build_minutes(meeting)
        meeting.minutes = json.dumps(document, ensure_ascii=False)
        meeting.minutes_published_on = now
        meeting.status = MeetingStatus.HELD
        meeting.full_clean(validate_unique=False, validate_constraints=False)
        meeting.save(update_fields=["minutes", "minutes_published_on", "status"])
        items = document["items"]
        panel = meeting.panel
        send(
            casework_staff(agency.pk for agency in agencies_seeing_panel(panel)),
            kind="minutes_published",
            key=f"{meeting.pk}",
            text=f"Minutes of {panel.name}, {meeting.date:%-d %B %Y}, are published",
            url=reverse("meetings:meeting", args=[meeting.pk]),
        )
        audit(
            actor=actor,
            verb=Verb.MINUTES_PUBLISHED,
            target=meeting,
            detail={
                "status": MeetingStatus.HELD,
                "items": len(items),
                "discussed": sum(1 for item in items if item["discussed"]),
                "actions": sum(len(item["actions"]) for item in items),
            },
        )
    return meeting
