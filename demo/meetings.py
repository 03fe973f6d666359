"""The demo borough's panel work: last month's IOM main panel, held and minuted with RAG
decisions and case actions, and next month's agenda built from the builder's suggestions
and shared; then this month's cross-reference, with one man recorded twice by two agencies
and the demo people who are on more than one panel. Made through the services, so the demo
obeys the rules the pages do; only the past meeting itself is written directly, because
rules create meetings ahead, and the addresses, which have no service of their own."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from crossref.models import CrossReferenceRun, RunStatus, RunTrigger
from crossref.services.run import run_crossref
from meetings.models import Meeting, MeetingKind, MeetingStatus
from meetings.schedule import nth_weekday
from meetings.selectors.agenda import agenda_builder
from meetings.selectors.meeting_mode import AttendanceStatus, meeting_agencies
from meetings.services.agenda import NewItem, agenda_items_add, agenda_share
from meetings.services.case_actions import ActionInput
from meetings.services.meeting_mode import (
    AttendanceEntry,
    ItemOutcome,
    agenda_item_record,
    attendance_record,
    minutes_publish,
)
from offenders.models import Address, Nominal
from offenders.services import nominal_create
from panels.models import CohortMembership, MembershipStatus, PanelKind

PRESENT = {"council", "police", "probation", "drugs"}
# What the panel decided for the first three people discussed: RAG, notes, and the agency
# asked to act (with days from the meeting to the due date; the first is already overdue).
DECISIONS = [
    (
        "red",
        "Arrested twice since the last panel; missed two probation appointments.",
        "police",
        14,
    ),
    ("amber", "Engaging with the drug service; housing remains unstable.", "drugs", 60),
    ("green", "Completed the first month of treatment; in work two days a week.", "probation", 45),
]


def _last_month_meeting_day(today: date) -> date:
    first_of_this_month = today.replace(day=1)
    last_month = first_of_this_month - timedelta(days=1)
    first_wednesday = nth_weekday(last_month.year, last_month.month, week=1, weekday=2)
    if first_wednesday is None:
        raise AssertionError("every month has a first Wednesday")
    return first_wednesday


# One man recorded twice: probation supervises "Tom Garvey" on the IOM cohort; the police
# hold "Thomas Garvey" from a custody record, with the day and month of birth the other way
# round and without the CRN. (given, family, date of birth, recording agency, CRN)
RECORDED_TWICE = [
    ("Tom", "Garvey", date(1990, 4, 7), "probation", "T552190"),
    ("Thomas", "Garvey", date(1990, 7, 4), "police", None),
]
GARVEY_ADDRESS = ("Flat 3, 41 Ferry Road", "KM2 7QT")


def ensure_demo_meetings(borough) -> int:
    """Hold last month's IOM main panel and build next month's agenda, once, and
    cross-reference this month. Returns how many agenda items were added."""
    added = _hold_and_plan_meetings(borough)
    ensure_demo_cross_reference(borough)
    return added


@transaction.atomic
def _record_twice(borough) -> None:
    today = timezone.localdate()
    line, postcode = GARVEY_ADDRESS
    for given, family, dob, agency, crn in RECORDED_TWICE:
        if Nominal.objects.filter(
            given_names=given, family_name=family, date_of_birth=dob
        ).exists():
            continue
        actor = borough.staff[agency]
        nominal = nominal_create(
            actor=actor,
            given_names=given,
            family_name=family,
            date_of_birth=dob,
            gender="male",
            postcode=postcode,
            identifiers=[("crn", crn)] if crn else [],
        )
        Address.objects.create(
            nominal=nominal,
            line=line,
            postcode=postcode,
            from_date=today - timedelta(days=400),
            recorded_by_agency=actor.agency,
        )
        if crn:
            CohortMembership.objects.create(
                nominal=nominal,
                panel=borough.panels[PanelKind.IOM],
                status=MembershipStatus.ACTIVE,
                referred_on=today - timedelta(days=120),
                referred_by=actor,
                reason="Released on licence; referred by the offender manager",
                start=today - timedelta(days=110),
            )


def ensure_demo_cross_reference(borough) -> CrossReferenceRun:
    """Record the demo's man recorded twice, once, and run this month's cross-reference
    here and now (no worker is needed to seed the demo) unless it is done already."""
    _record_twice(borough)
    run, _ = CrossReferenceRun.objects.get_or_create(
        month=timezone.localdate().replace(day=1), defaults={"trigger": RunTrigger.SCHEDULED}
    )
    if run.status == RunStatus.COMPLETE:
        return run
    if run.status == RunStatus.FAILED:
        CrossReferenceRun.objects.filter(pk=run.pk).update(status=RunStatus.QUEUED, error="")
    return run_crossref(run.pk)


@transaction.atomic
def _hold_and_plan_meetings(borough) -> int:
    panel = borough.panels[PanelKind.IOM]
    coordinator = borough.staff["coordinator"]
    if Meeting.objects.filter(panel=panel, status=MeetingStatus.HELD).exists():
        return 0
    today = timezone.localdate()
    held_on = _last_month_meeting_day(today)
    meeting = Meeting.objects.create(
        panel=panel,
        kind=MeetingKind.MAIN,
        date=held_on,
        location=f"{borough.name} Civic Centre, committee room 2",
    )
    attendance_record(
        actor=coordinator,
        meeting=meeting,
        entries=[
            AttendanceEntry(
                agency=agency,
                status=AttendanceStatus.PRESENT
                if agency.code.split("-")[-1] in PRESENT
                else AttendanceStatus.APOLOGIES,
                attendees=f"{agency.name} panel lead"
                if agency.code.split("-")[-1] in PRESENT
                else "",
            )
            for agency in meeting_agencies(panel)
        ],
        today=held_on,
    )
    suggested = agenda_builder(coordinator, meeting, today=held_on)
    entries = _first_of_each(suggested, limit=len(DECISIONS))
    items = agenda_items_add(actor=coordinator, meeting=meeting, entries=entries)
    agencies = {agency.code.split("-")[-1]: agency for agency in meeting_agencies(panel)}
    for item, (rag, notes, owner, due_in) in zip(items, DECISIONS, strict=False):
        agenda_item_record(
            actor=coordinator,
            item=item,
            outcome=ItemOutcome(notes=notes, rag=rag, escalate=False, discussed=True),
            action=ActionInput(
                description=f"Follow up: {notes.split(';')[0].lower()}",
                owner_agency=agencies.get(owner, panel.coordinating_agency),
                owner=None,
                due=held_on + timedelta(days=due_in),
            ),
            today=held_on,
        )
    minutes_publish(actor=coordinator, meeting=meeting)
    added = len(items)

    upcoming = (
        Meeting.objects.filter(panel=panel, kind=MeetingKind.MAIN, date__gt=today)
        .order_by("date")
        .first()
    )
    if upcoming is not None:
        entries = _first_of_each(agenda_builder(coordinator, upcoming), limit=5)
        added += len(agenda_items_add(actor=coordinator, meeting=upcoming, entries=entries))
        if added:
            agenda_share(actor=coordinator, meeting=upcoming)
    return added


def _first_of_each(builder, *, limit: int) -> list[NewItem]:
    """One suggestion from each reason in turn, each person once, up to `limit`."""
    chosen: dict[int, NewItem] = {}
    groups = [list(group.suggestions) for group in builder.groups]
    while len(chosen) < limit and any(groups):
        for suggestions in groups:
            while suggestions:
                suggestion = suggestions.pop(0)
                if suggestion.nominal.pk not in chosen:
                    chosen[suggestion.nominal.pk] = NewItem(
                        nominal=suggestion.nominal,
                        reason=suggestion.reason,
                        reason_detail=suggestion.detail,
                    )
                    break
            if len(chosen) >= limit:
                break
    return list(chosen.values())
