"""Writes a planned history to the database in bulk.

The history is hundreds of people and thousands of reviews, so it goes in with bulk_create
rather than through the services one row at a time (seed_demo runs on every `make run`).
The rows are the ones the services would write: search names and match keys from
`offenders.services.match_fields`, and each held meeting tied to the rule that made it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from demo.history.people import Person
from demo.history.records import History
from meetings.models import AgendaItem, Attendance, Meeting, MeetingRule, MeetingStatus
from meetings.selectors.meeting_mode import meeting_agencies
from offenders.models import CaseEvent, CustodyEpisode, Identifier, Need, Nominal, Offence
from offenders.services import match_fields
from panels.models import CohortMembership, MembershipStatus, Panel, RagReview

# Agencies that send someone to every meeting; the others now and then send apologies.
ALWAYS_THERE = {"council", "police", "probation", "drugs"}
# Reasons in the order the coordinator puts them on an agenda.
AGENDA_ORDER = ["escalated", "new_referral", "red_rag", "review_due"]


def write_history(
    history: History,
    people: list[Person],
    *,
    panels: dict[str, Panel],
    rules: dict[tuple[str, str], MeetingRule],
    staff: dict[str, User],
    today: date,
) -> int:
    """Write everything planned; returns how many meetings were held."""
    coordinator = staff["coordinator"]
    nominals = _people(history, people, staff, today=today)
    _memberships(history, nominals, panels, staff)
    meetings = _meetings(history, panels, rules, today=today)
    _attendance(meetings.values(), panels)
    reviews = RagReview.objects.bulk_create(
        RagReview(
            nominal=nominals[d.person.reference],
            panel=panels[d.panel],
            meeting=meetings[(d.panel, d.meeting, d.day)],
            rag=d.rag,
            reviewed_on=d.day,
            author=coordinator,
            note=d.notes,
        )
        for d in history.discussions
    )
    position: Counter[tuple[str, str, date]] = Counter()
    items = []
    ordered = sorted(
        zip(history.discussions, reviews, strict=True),
        key=lambda pair: (
            pair[0].day,
            AGENDA_ORDER.index(pair[0].reason),
            pair[0].person.reference,
        ),
    )
    for discussion, review in ordered:
        key = (discussion.panel, discussion.meeting, discussion.day)
        position[key] += 1
        items.append(
            AgendaItem(
                meeting=meetings[key],
                nominal=nominals[discussion.person.reference],
                reason=discussion.reason,
                reason_detail=discussion.detail,
                position=position[key],
                notes=discussion.notes,
                rag_decided=discussion.rag,
                rag_review=review,
                escalate=discussion.escalate,
                discussed=True,
                added_by=coordinator,
            )
        )
    AgendaItem.objects.bulk_create(items)
    _minutes(history, meetings)
    offences = dict(
        zip(
            (id(o) for o in history.offences),
            Offence.objects.bulk_create(
                Offence(
                    nominal=nominals[o.person.reference],
                    offence_type=o.offence_type,
                    committed_on=o.day,
                    outcome=o.outcome,
                    recorded_by_agency=staff[o.agency].agency,
                )
                for o in history.offences
            ),
            strict=True,
        )
    )
    CustodyEpisode.objects.bulk_create(
        CustodyEpisode(
            nominal=nominals[c.person.reference],
            entered_on=c.entered,
            released_on=c.released,
            reason=c.reason,
            offence=offences[id(c.offence)] if c.offence else None,
            establishment=c.establishment,
            recorded_by_agency=staff["probation"].agency,
        )
        for c in history.custody
    )
    CaseEvent.objects.bulk_create(
        CaseEvent(
            nominal=nominals[e.person.reference],
            kind=e.kind,
            occurred_on=e.day,
            summary=e.summary,
            agency=staff[e.author].agency,
            author=staff[e.author],
        )
        for e in history.events
    )
    return len(meetings)


def _people(
    history: History, people: list[Person], staff: dict[str, User], *, today: date
) -> dict[str, Nominal]:
    """Each person is recorded by the agency that first referred them."""
    recorder: dict[str, User] = {}
    for stay in sorted(history.stays, key=lambda s: s.referred_on):
        recorder.setdefault(stay.person.reference, staff[stay.referred_by])
    rows = []
    for person in people:
        search_name, keys = match_fields(person.given, person.family, person.born)
        user = recorder[person.reference]
        rows.append(
            Nominal(
                given_names=person.given,
                family_name=person.family,
                date_of_birth=person.born,
                gender=person.gender,
                ethnicity=person.ethnicity,
                postcode=person.postcode,
                ward=person.ward,
                owning_agency=user.agency,
                created_by=user,
                search_name=search_name,
                match_keys=keys,
            )
        )
    nominals = {
        p.reference: n for p, n in zip(people, Nominal.objects.bulk_create(rows), strict=True)
    }
    council = staff["coordinator"].agency
    Identifier.objects.bulk_create(
        Identifier(
            nominal=nominals[p.reference],
            kind="local",
            value=p.reference,
            recorded_by_agency=council,
        )
        for p in people
    )
    Need.objects.bulk_create(
        Need(
            nominal=nominals[p.reference],
            pathway=pathway,
            level=level,
            updated_on=today - timedelta(days=30 + index % 90),
            updated_by=staff["probation"],
        )
        for index, p in enumerate(people)
        for pathway, level in p.needs
    )
    return nominals


def _memberships(
    history: History,
    nominals: dict[str, Nominal],
    panels: dict[str, Panel],
    staff: dict[str, User],
) -> None:
    coordinator = staff["coordinator"]
    CohortMembership.objects.bulk_create(
        CohortMembership(
            nominal=nominals[s.person.reference],
            panel=panels[s.panel],
            status=MembershipStatus.ACTIVE if s.end is None else MembershipStatus.EXITED,
            referred_on=s.referred_on,
            referred_by=staff[s.referred_by],
            referring_agency=staff[s.referred_by].agency,
            reason=s.reason,
            decided_by=coordinator,
            decided_on=s.start,
            start=s.start,
            end=s.end,
            exit_reason=s.exit_reason,
            iom_strand=s.iom_strand,
            statutory=s.statutory,
            ogrs_band=s.ogrs_band,
            consent_to_share=s.consent_to_share,
            consent_on=s.start if s.consent_to_share else None,
            treatment_requirement=s.requirement,
            treatment_start=s.treatment_start,
            treatment_completed=s.treatment_completed,
        )
        for s in history.stays
    )


def _meetings(
    history: History,
    panels: dict[str, Panel],
    rules: dict[tuple[str, str], MeetingRule],
    *,
    today: date,
) -> dict[tuple[str, str, date], Meeting]:
    """One held meeting for every meeting day someone was discussed at."""
    now = timezone.now()
    days = sorted({(d.panel, d.meeting, d.day) for d in history.discussions})
    made = Meeting.objects.bulk_create(
        Meeting(
            panel=panels[panel],
            rule=rules[(panel, kind)],
            occurrence=day,
            kind=kind,
            date=day,
            starts_at=rules[(panel, kind)].starts_at,
            location=rules[(panel, kind)].location,
            status=MeetingStatus.HELD,
            agenda_shared_on=_at(day - timedelta(days=5), time(9, 30)),
            minutes_published_on=min(_at(day + timedelta(days=3), time(16, 0)), now),
        )
        for panel, kind, day in days
    )
    return dict(zip(days, made, strict=True))


def _attendance(meetings, panels: dict[str, Panel]) -> None:
    agencies = {panel.pk: meeting_agencies(panel) for panel in panels.values()}
    rows = []
    for meeting in meetings:
        for index, agency in enumerate(agencies[meeting.panel_id]):
            there = (
                agency.code.split("-")[-1] in ALWAYS_THERE
                or (meeting.date.toordinal() + index) % 4 != 0
            )
            rows.append(
                Attendance(
                    meeting=meeting,
                    agency=agency,
                    present=there,
                    apologies=not there,
                    attendees=f"{agency.name} panel lead" if there else "",
                )
            )
    Attendance.objects.bulk_create(rows)


def _minutes(history: History, meetings: dict[tuple[str, str, date], Meeting]) -> None:
    discussed: Counter[tuple[str, str, date]] = Counter()
    escalated: Counter[tuple[str, str, date]] = Counter()
    joined: defaultdict[tuple[str, str, date], int] = defaultdict(int)
    for d in history.discussions:
        key = (d.panel, d.meeting, d.day)
        discussed[key] += 1
        escalated[key] += d.escalate
        joined[key] += d.reason == "new_referral"
    for key, meeting in meetings.items():
        text = f"{discussed[key]} people discussed and their RAG reviewed."
        if escalated[key]:
            text += f" {escalated[key]} escalated to the main panel."
        if joined[key]:
            text += f" {joined[key]} new referrals accepted onto the cohort."
        meeting.minutes = text
    Meeting.objects.bulk_update(meetings.values(), ["minutes"])


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=UTC)
