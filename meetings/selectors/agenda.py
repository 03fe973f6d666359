"""The agenda builder's suggestions: who the panel should discuss at a meeting, and why.

Every reason is worked out for the whole cohort at once, in a fixed number of queries
however many people are on it. The non-engagement rule is the one the profile uses
(`offenders.selectors.flags_from`), applied to facts read here for everyone together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from matching.identifiers import validate_identifier
from meetings.models import AgendaItem, AgendaReason, Meeting, MeetingKind, MeetingStatus
from meetings.selectors.meetings import previous_meeting_date
from offenders.models import ENGAGEMENT_KINDS, CaseEvent, Identifier, IdentifierKind, Nominal
from offenders.selectors import flags_from, nominals_for
from panels.models import CohortMembership, MembershipStatus, Panel, Rag, RagReview

# The order the builder lists its suggestions in.
SUGGESTED_REASONS = (
    AgendaReason.NEW_REFERRAL,
    AgendaReason.RED_RAG,
    AgendaReason.REVIEW_DUE,
    AgendaReason.OTHER_PANELS,
    AgendaReason.NOT_ENGAGED_6,
    AgendaReason.NOT_ENGAGED_3,
    AgendaReason.ESCALATED,
)
# Who may be put on a panel's agenda: its cohort, and those referred to it.
ON_COHORT = (MembershipStatus.REFERRED, MembershipStatus.ACTIVE)
# The person picker lists at most this many matches: a coordinator narrows a longer list
# by typing more of the name, not by reading it.
PICKER_LIMIT = 20


def _day(value: date) -> str:
    return f"{value:%-d %B %Y}"


def _on(words: str, day: date) -> Why:
    """`words` with the day written into its {}, when asked."""
    return partial(_write, words, day)


def _write(words: str, day: date) -> str:
    return words.format(_day(day))


def _said(words: str) -> Why:
    return partial(str, words)


@dataclass(frozen=True)
class Suggestion:
    nominal: Nominal
    reason: str
    detail: str


@dataclass
class SuggestionGroup:
    reason: str
    label: str
    suggestions: list[Suggestion] = field(default_factory=list)


@dataclass
class AgendaBuilder:
    """What the builder shows: suggestions by reason, and everyone on the cohort who is
    not on the agenda yet (for adding someone with a reason of the coordinator's own)."""

    groups: list[SuggestionGroup]
    addable: list[Nominal]

    def group(self, reason: str) -> SuggestionGroup | None:
        return next((group for group in self.groups if group.reason == reason), None)

    @property
    def count(self) -> int:
        return sum(len(group.suggestions) for group in self.groups)


@dataclass(frozen=True)
class _Member:
    """The facts about one person on the cohort that the reasons look at: read as plain
    values, so weighing a cohort of a thousand builds no model instances."""

    nominal_id: int
    created_at: datetime
    status: str
    referred_on: date
    decided_on: date | None
    start: date | None
    referring_agency: str | None


# Per reason, (person, why) in the cohort's order (by family name, then given names). Why
# is put into words only for the people a page shows: the builder counts, and a thousand
# dates written out for a count cost more than the count.
type Why = Callable[[], str]
type _Found = dict[str, list[tuple[int, Why]]]


@dataclass(frozen=True)
class Suggested:
    """Everyone suggested, as record ids and the words saying why: the builder counts
    them, and a group's page loads the records of the people on it only."""

    found: _Found
    cohort: list[int]  # everyone who may be added, suggested or not, in the cohort's order

    def ids(self, reason: str) -> list[tuple[int, Why]]:
        return self.found.get(reason, [])


def agenda_suggested(user: User, meeting: Meeting, *, today: date | None = None) -> Suggested:
    """Suggestions for the meeting's agenda, each with its reason, leaving out anyone
    already on it. A person may be suggested for more than one reason. Every reason is
    weighed for the whole cohort in a fixed number of queries, none of them over more
    than the panel's own members."""
    today = today or timezone.localdate()
    cohort = _cohort(user, meeting)
    active = {
        pk: member for pk, member in cohort.items() if member.status == MembershipStatus.ACTIVE
    }
    found: _Found = defaultdict(list)
    # The facts below are read for the panel's active members by a subquery rather than a
    # list of their ids: a thousand ids bound into each query cost more than the query.
    # Rows about anyone not in `active` (not visible, or on the agenda) are never looked at.
    _new_referrals(meeting, cohort, found)
    _reviews(meeting, active, found)
    _other_panels(user, meeting, active, found)
    _not_engaged(meeting, active, today, found)
    if meeting.kind == MeetingKind.MAIN:
        _escalations(meeting, active, found)
    return Suggested(found=dict(found), cohort=list(cohort))


def _cohort(user: User, meeting: Meeting) -> dict[int, _Member]:
    """Everyone on the cohort or referred to it whose record the user sees and who is not on
    the agenda, by family name. The panel's memberships are read, then the user's sight of
    the panel's members in a query of its own, which PostgreSQL starts from the panel: asked
    as one query, it weighs every nominal the user might see, however small the panel."""
    on_agenda = AgendaItem.objects.filter(meeting=meeting).values("nominal_id")
    rows = list(
        CohortMembership.objects.visible_to(user)
        .filter(panel_id=meeting.panel_id, status__in=ON_COHORT)
        .exclude(nominal_id__in=on_agenda)
        .order_by("nominal__family_name", "nominal__given_names", "nominal_id", "-referred_on")
        .values_list(
            "nominal_id",
            "nominal__created_at",
            "status",
            "referred_on",
            "decided_on",
            "start",
            "referring_agency__name",
        )
    )
    seen = set(
        nominals_for(user)
        .filter(
            pk__in=CohortMembership.objects.filter(
                panel_id=meeting.panel_id, status__in=ON_COHORT
            ).values("nominal_id")
        )
        .values_list("pk", flat=True)
    )
    cohort: dict[int, _Member] = {}
    for row in rows:
        member = _Member(*row)
        if member.nominal_id not in seen:
            continue
        # An active membership wins over a fresh referral of the same person.
        current = cohort.get(member.nominal_id)
        if current is None or member.status == MembershipStatus.ACTIVE:
            cohort[member.nominal_id] = member
    return cohort


def _new_referrals(meeting: Meeting, cohort: dict[int, _Member], found: _Found) -> None:
    """Referrals awaiting a decision, and people accepted since the previous meeting (or,
    for a panel's first meeting, within one review interval before it)."""
    since = previous_meeting_date(meeting) or (
        meeting.date - timedelta(days=meeting.panel.review_interval_days)
    )
    for member in cohort.values():
        why: Why
        if member.status == MembershipStatus.REFERRED:
            why = partial(_referred, member)
        else:
            accepted = member.decided_on or member.start
            if accepted is None or not since <= accepted <= meeting.date:
                continue
            why = _on("Accepted onto the cohort on {}", accepted)
        found[AgendaReason.NEW_REFERRAL].append((member.nominal_id, why))


def _referred(member: _Member) -> str:
    by = f" by {member.referring_agency}" if member.referring_agency else ""
    return f"Referred{by} on {_day(member.referred_on)}, awaiting a decision"


def _active_members(meeting: Meeting) -> QuerySet[CohortMembership, Any]:
    return CohortMembership.objects.filter(
        panel_id=meeting.panel_id, status=MembershipStatus.ACTIVE
    ).values("nominal_id")


def _reviews(meeting: Meeting, active: dict[int, _Member], found: _Found) -> None:
    """Red RAG: the latest review on this panel is Red. Review due: no review on this panel
    within the panel's review interval before the meeting."""
    # Reviews by the meeting's own panel (which the coordinator sees) of people whose
    # records were read through the user's sight above: nothing here they may not see.
    latest = {
        nominal_id: (rag, reviewed_on)
        for nominal_id, rag, reviewed_on in RagReview.objects.filter(
            panel_id=meeting.panel_id,
            nominal_id__in=_active_members(meeting),
            reviewed_on__lte=meeting.date,
        )
        .order_by("nominal_id", "-reviewed_on", "-pk")
        .distinct("nominal_id")
        .values_list("nominal_id", "rag", "reviewed_on")
    }
    interval = meeting.panel.review_interval_days
    due_before = meeting.date - timedelta(days=interval)
    for pk in active:
        review = latest.get(pk)
        if review is not None and review[0] == Rag.RED:
            found[AgendaReason.RED_RAG].append((pk, _on("Red at the review on {}", review[1])))
        if review is None:
            why = _said("Not reviewed by this panel yet")
        elif review[1] < due_before:
            why = _on(
                f"Last reviewed on {{}}, more than {interval} days before the meeting", review[1]
            )
        else:
            continue
        found[AgendaReason.REVIEW_DUE].append((pk, why))


def _other_panels(user: User, meeting: Meeting, active: dict[int, _Member], found: _Found) -> None:
    """Active on another panel's cohort too. The other panel is named only to those who
    may see it; everyone else is told only that the person is known elsewhere."""
    visible_panels = set(Panel.objects.visible_to(user).values_list("pk", flat=True))
    elsewhere: dict[int, dict[int, str]] = defaultdict(dict)
    for nominal_id, panel_id, name in (
        CohortMembership.objects.filter(
            nominal_id__in=_active_members(meeting), status=MembershipStatus.ACTIVE
        )
        .exclude(panel_id=meeting.panel_id)
        .order_by("panel__name")
        .values_list("nominal_id", "panel_id", "panel__name")
    ):
        elsewhere[nominal_id][panel_id] = name
    for pk in active:
        panels = elsewhere.get(pk)
        if not panels:
            continue
        named = [name for panel_id, name in panels.items() if panel_id in visible_panels]
        hidden = len(panels) - len(named)
        parts = []
        if named:
            parts.append("Also on " + _and(named))
        if hidden:
            known = "another panel" if hidden == 1 else f"{hidden} other panels"
            parts.append(("and known to " if named else "Also known to ") + known)
        found[AgendaReason.OTHER_PANELS].append((pk, _said(" ".join(parts))))


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _not_engaged(meeting: Meeting, active: dict[int, _Member], today: date, found: _Found) -> None:
    """Not engaged for 6 months or more, else for 3 months or more: the profile's rule."""
    last_contact = dict(
        CaseEvent.objects.filter(nominal_id__in=_active_members(meeting), kind__in=ENGAGEMENT_KINDS)
        .values("nominal_id")
        .annotate(last=Max("occurred_on"))
        .values_list("nominal_id", "last")
    )
    for pk, member in active.items():
        last = last_contact.get(pk)
        flags = flags_from(
            ogrs=None,
            acquisitive=False,
            last_engagement=last,
            created_at=member.created_at,
            today=today,
        )
        if flags.not_engaged_6_months:
            reason = AgendaReason.NOT_ENGAGED_6
        elif flags.not_engaged_3_months:
            reason = AgendaReason.NOT_ENGAGED_3
        else:
            continue
        if last is not None:
            why = _on("Last visit or treatment on {}", last)
        else:
            recorded = timezone.localtime(member.created_at).date()
            why = _on("No visit or treatment recorded since the record was made on {}", recorded)
        found[reason].append((pk, why))


def _escalations(meeting: Meeting, active: dict[int, _Member], found: _Found) -> None:
    """People the mid-month panel escalated since the last main panel meeting."""
    last_main = previous_meeting_date(meeting, kind=MeetingKind.MAIN)
    items = (
        AgendaItem.objects.filter(
            meeting__panel_id=meeting.panel_id,
            meeting__kind=MeetingKind.MID_MONTH,
            meeting__date__lt=meeting.date,
            escalate=True,
            nominal_id__in=_active_members(meeting),
        )
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .order_by("meeting__date")
    )
    if last_main is not None:
        items = items.filter(meeting__date__gt=last_main)
    # The latest escalation for each person.
    escalated = dict(items.values_list("nominal_id", "meeting__date"))
    for pk in active:
        on = escalated.get(pk)
        if on is not None:
            found[AgendaReason.ESCALATED].append(
                (pk, _on("Escalated from the mid-month panel on {}", on))
            )


@dataclass(frozen=True)
class GroupCount:
    reason: str
    label: str
    count: int


@dataclass(frozen=True)
class SuggestionCounts:
    """What the builder page shows of its suggestions: how many for each reason, and how
    many people on the cohort could still be added with a reason of the coordinator's own."""

    groups: list[GroupCount]
    addable: int

    @property
    def count(self) -> int:
        return sum(group.count for group in self.groups)


def agenda_suggestion_counts(
    user: User, meeting: Meeting, *, today: date | None = None
) -> SuggestionCounts:
    """How many people are suggested for each reason (reasons with nobody left out)."""
    suggested = agenda_suggested(user, meeting, today=today)
    return SuggestionCounts(
        groups=[
            GroupCount(reason=reason, label=AgendaReason(reason).label, count=len(people))
            for reason in SUGGESTED_REASONS
            if (people := suggested.ids(reason))
        ],
        addable=len(suggested.cohort),
    )


def suggestions_of(reason: str, people: list[tuple[int, Why]]) -> list[Suggestion]:
    """The suggestions for these (record id, why) pairs, with their records, in one query."""
    records = Nominal.objects.in_bulk([pk for pk, _ in people])
    return [Suggestion(records[pk], reason, why()) for pk, why in people if pk in records]


def agenda_builder(user: User, meeting: Meeting, *, today: date | None = None) -> AgendaBuilder:
    """Every suggestion with its person's record, and everyone who may be added: for the
    demo's agendas and for adding a whole group. Pages list a group a page at a time."""
    suggested = agenda_suggested(user, meeting, today=today)
    records = Nominal.objects.in_bulk(suggested.cohort)
    groups = [
        SuggestionGroup(
            reason=reason,
            label=AgendaReason(reason).label,
            suggestions=[Suggestion(records[pk], reason, why()) for pk, why in people],
        )
        for reason in SUGGESTED_REASONS
        if (people := suggested.ids(reason))
    ]
    return AgendaBuilder(groups=groups, addable=[records[pk] for pk in suggested.cohort])


def _addable_memberships(user: User, meeting: Meeting) -> QuerySet[CohortMembership]:
    return (
        CohortMembership.objects.visible_to(user)
        .filter(panel_id=meeting.panel_id, status__in=ON_COHORT)
        .exclude(nominal_id__in=AgendaItem.objects.filter(meeting=meeting).values("nominal_id"))
    )


def agenda_addable(user: User, meeting: Meeting) -> QuerySet[Nominal]:
    """Everyone the coordinator may put on the agenda with a reason of their own: on the
    panel's cohort or referred to it, a record the user sees, and not on the agenda yet."""
    return nominals_for(user).filter(
        pk__in=_addable_memberships(user, meeting).values("nominal_id")
    )


@dataclass(frozen=True)
class PickerResults:
    people: list[Nominal]
    more: bool  # more people match than are listed


def agenda_people_search(
    user: User, meeting: Meeting, query: str, *, limit: int = PICKER_LIMIT
) -> PickerResults:
    """The person picker: people who may be added to the agenda whose names hold every word
    typed (in either name, in any order), or who hold the identifier typed (a PNC ID, CRN
    or any other), by family name; at most `limit` of them. Two queries: the panel's
    matching members first, then the user's sight of those records alone (see `_cohort`)."""
    words = query.split()
    if not words:
        return PickerResults(people=[], more=False)
    by_name = Q()
    for word in words:
        by_name &= Q(nominal__given_names__icontains=word) | Q(nominal__family_name__icontains=word)
    by_identifier = Q(
        nominal_id__in=Identifier.objects.filter(value__in=_identifier_forms(query.strip())).values(
            "nominal_id"
        )
    )
    matching = set(
        _addable_memberships(user, meeting)
        .filter(by_name | by_identifier)
        .values_list("nominal_id", flat=True)
    )
    found = list(
        nominals_for(user)
        .filter(pk__in=matching)
        .order_by("family_name", "given_names", "pk")[: limit + 1]
    )
    return PickerResults(people=found[:limit], more=len(found) > limit)


def _identifier_forms(typed: str) -> set[str]:
    """What an identifier typed into the picker may be stored as: as typed, in capitals,
    and as each kind of identifier normalises it. Looked up exactly, by the index."""
    forms = {typed, typed.upper()}
    for kind in IdentifierKind.values:
        try:
            forms.add(validate_identifier(kind, typed))
        except ValueError:
            continue
    return forms
