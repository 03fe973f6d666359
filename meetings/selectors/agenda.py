"""The agenda builder's suggestions: who the panel should discuss at a meeting, and why.

Every reason is worked out for the whole cohort at once, in a fixed number of queries
however many people are on it. The non-engagement rule is the one the profile uses
(`offenders.selectors.flags_from`), applied to facts read here for everyone together.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from meetings.models import AgendaItem, AgendaReason, Meeting, MeetingKind, MeetingStatus
from meetings.selectors.meetings import previous_meeting_date
from offenders.models import ENGAGEMENT_KINDS, CaseEvent, Identifier, Nominal
from offenders.selectors import flags_from, nominals_for, rag_reviews_for
from panels.models import CohortMembership, MembershipStatus, Panel, Rag

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
    builder = agenda_builder(user, meeting, today=today)
    return SuggestionCounts(
        groups=[
            GroupCount(reason=group.reason, label=group.label, count=len(group.suggestions))
            for group in builder.groups
        ],
        addable=len(builder.addable),
    )


def agenda_suggestion_group(
    user: User, meeting: Meeting, reason: str, *, today: date | None = None
) -> SuggestionGroup:
    """Everyone suggested for one reason, in the builder's order (empty when nobody is)."""
    group = agenda_builder(user, meeting, today=today).group(reason)
    return group or SuggestionGroup(reason=reason, label=AgendaReason(reason).label)


def agenda_builder(user: User, meeting: Meeting, *, today: date | None = None) -> AgendaBuilder:
    """Suggestions for the meeting's agenda, each with its reason, leaving out anyone
    already on it. A person may be suggested for more than one reason."""
    today = today or timezone.localdate()
    panel = meeting.panel
    memberships = list(
        CohortMembership.objects.visible_to(user)
        .filter(panel=panel, status__in=ON_COHORT, nominal__in=nominals_for(user).values("pk"))
        .select_related("nominal", "referring_agency")
        .order_by("nominal__family_name", "nominal__given_names", "nominal_id", "-referred_on")
    )
    on_agenda = set(meeting.items.values_list("nominal_id", flat=True))
    cohort: dict[int, CohortMembership] = {}
    for membership in memberships:
        if membership.nominal_id not in on_agenda:
            # An active membership wins over a fresh referral of the same person.
            current = cohort.get(membership.nominal_id)
            if current is None or membership.status == MembershipStatus.ACTIVE:
                cohort[membership.nominal_id] = membership
    active = {
        pk: membership.nominal
        for pk, membership in cohort.items()
        if membership.status == MembershipStatus.ACTIVE
    }

    found: dict[str, list[Suggestion]] = defaultdict(list)
    _new_referrals(meeting, cohort, found)
    _reviews(user, meeting, active, found)
    _other_panels(user, panel, active, found)
    _not_engaged(active, today, found)
    if meeting.kind == MeetingKind.MAIN:
        _escalations(meeting, active, found)

    groups = [
        SuggestionGroup(reason=reason, label=AgendaReason(reason).label, suggestions=found[reason])
        for reason in SUGGESTED_REASONS
        if found[reason]
    ]
    return AgendaBuilder(
        groups=groups, addable=[membership.nominal for membership in cohort.values()]
    )


def _new_referrals(
    meeting: Meeting, cohort: dict[int, CohortMembership], found: dict[str, list[Suggestion]]
) -> None:
    """Referrals awaiting a decision, and people accepted since the previous meeting (or,
    for a panel's first meeting, within one review interval before it)."""
    since = previous_meeting_date(meeting) or (
        meeting.date - timedelta(days=meeting.panel.review_interval_days)
    )
    for membership in cohort.values():
        if membership.status == MembershipStatus.REFERRED:
            by = f" by {membership.referring_agency.name}" if membership.referring_agency else ""
            detail = f"Referred{by} on {_day(membership.referred_on)}, awaiting a decision"
        else:
            accepted = membership.decided_on or membership.start
            if accepted is None or not since <= accepted <= meeting.date:
                continue
            detail = f"Accepted onto the cohort on {_day(accepted)}"
        found[AgendaReason.NEW_REFERRAL].append(
            Suggestion(membership.nominal, AgendaReason.NEW_REFERRAL, detail)
        )


def _reviews(
    user: User, meeting: Meeting, active: dict[int, Nominal], found: dict[str, list[Suggestion]]
) -> None:
    """Red RAG: the latest review on this panel is Red. Review due: no review on this panel
    within the panel's review interval before the meeting."""
    latest = {
        review.nominal_id: review
        for review in rag_reviews_for(user)
        .filter(
            panel_id=meeting.panel_id, nominal_id__in=list(active), reviewed_on__lte=meeting.date
        )
        .order_by("nominal_id", "-reviewed_on", "-pk")
        .distinct("nominal_id")
        .only("nominal_id", "rag", "reviewed_on")
    }
    interval = meeting.panel.review_interval_days
    due_before = meeting.date - timedelta(days=interval)
    for pk, nominal in active.items():
        review = latest.get(pk)
        if review is not None and review.rag == Rag.RED:
            found[AgendaReason.RED_RAG].append(
                Suggestion(
                    nominal,
                    AgendaReason.RED_RAG,
                    f"Red at the review on {_day(review.reviewed_on)}",
                )
            )
        if review is None:
            detail = "Not reviewed by this panel yet"
        elif review.reviewed_on < due_before:
            detail = (
                f"Last reviewed on {_day(review.reviewed_on)}, more than {interval} days "
                "before the meeting"
            )
        else:
            continue
        found[AgendaReason.REVIEW_DUE].append(Suggestion(nominal, AgendaReason.REVIEW_DUE, detail))


def _other_panels(
    user: User, panel: Panel, active: dict[int, Nominal], found: dict[str, list[Suggestion]]
) -> None:
    """Active on another panel's cohort too. The other panel is named only to those who
    may see it; everyone else is told only that the person is known elsewhere."""
    visible_panels = set(Panel.objects.visible_to(user).values_list("pk", flat=True))
    elsewhere: dict[int, list[Panel]] = defaultdict(list)
    for membership in (
        CohortMembership.objects.filter(nominal_id__in=list(active), status=MembershipStatus.ACTIVE)
        .exclude(panel=panel)
        .select_related("panel")
        .order_by("panel__name")
    ):
        if membership.panel not in elsewhere[membership.nominal_id]:
            elsewhere[membership.nominal_id].append(membership.panel)
    for pk, nominal in active.items():
        panels = elsewhere.get(pk)
        if not panels:
            continue
        named = [other.name for other in panels if other.pk in visible_panels]
        hidden = len(panels) - len(named)
        parts = []
        if named:
            parts.append("Also on " + _and(named))
        if hidden:
            known = "another panel" if hidden == 1 else f"{hidden} other panels"
            parts.append(("and known to " if named else "Also known to ") + known)
        found[AgendaReason.OTHER_PANELS].append(
            Suggestion(nominal, AgendaReason.OTHER_PANELS, " ".join(parts))
        )


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _not_engaged(
    active: dict[int, Nominal], today: date, found: dict[str, list[Suggestion]]
) -> None:
    """Not engaged for 6 months or more, else for 3 months or more: the profile's rule."""
    last_contact = dict(
        CaseEvent.objects.filter(nominal_id__in=list(active), kind__in=ENGAGEMENT_KINDS)
        .values("nominal_id")
        .annotate(last=Max("occurred_on"))
        .values_list("nominal_id", "last")
    )
    for pk, nominal in active.items():
        last = last_contact.get(pk)
        flags = flags_from(
            ogrs=None,
            acquisitive=False,
            last_engagement=last,
            created_at=nominal.created_at,
            today=today,
        )
        if flags.not_engaged_6_months:
            reason = AgendaReason.NOT_ENGAGED_6
        elif flags.not_engaged_3_months:
            reason = AgendaReason.NOT_ENGAGED_3
        else:
            continue
        if last is not None:
            detail = f"Last visit or treatment on {_day(last)}"
        else:
            recorded = timezone.localtime(nominal.created_at).date()
            detail = f"No visit or treatment recorded since the record was made on {_day(recorded)}"
        found[reason].append(Suggestion(nominal, reason, detail))


def _escalations(
    meeting: Meeting, active: dict[int, Nominal], found: dict[str, list[Suggestion]]
) -> None:
    """People the mid-month panel escalated since the last main panel meeting."""
    last_main = previous_meeting_date(meeting, kind=MeetingKind.MAIN)
    items = (
        AgendaItem.objects.filter(
            meeting__panel_id=meeting.panel_id,
            meeting__kind=MeetingKind.MID_MONTH,
            meeting__date__lt=meeting.date,
            escalate=True,
            nominal_id__in=list(active),
        )
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting")
        .order_by("meeting__date")
    )
    if last_main is not None:
        items = items.filter(meeting__date__gt=last_main)
    escalated: dict[int, AgendaItem] = {}
    for item in items:
        escalated[item.nominal_id] = item  # the latest escalation for each person
    for pk, nominal in active.items():
        escalation = escalated.get(pk)
        if escalation is not None:
            detail = f"Escalated from the mid-month panel on {_day(escalation.meeting.date)}"
            found[AgendaReason.ESCALATED].append(
                Suggestion(nominal, AgendaReason.ESCALATED, detail)
            )


def agenda_addable(user: User, meeting: Meeting) -> QuerySet[Nominal]:
    """Everyone the coordinator may put on the agenda with a reason of their own: on the
    panel's cohort or referred to it, a record the user sees, and not on the agenda yet."""
    cohort = (
        CohortMembership.objects.visible_to(user)
        .filter(panel_id=meeting.panel_id, status__in=ON_COHORT)
        .values("nominal_id")
    )
    return (
        nominals_for(user)
        .filter(pk__in=cohort)
        .exclude(pk__in=AgendaItem.objects.filter(meeting=meeting).values("nominal_id"))
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
    or any other), by family name; at most `limit` of them. Two queries at most."""
    words = query.split()
    if not words:
        return PickerResults(people=[], more=False)
    by_name = Q()
    for word in words:
        by_name &= Q(given_names__icontains=word) | Q(family_name__icontains=word)
    by_identifier = Q(
        pk__in=Identifier.objects.filter(value__iexact=query.strip()).values("nominal_id")
    )
    found = list(
        agenda_addable(user, meeting)
        .filter(by_name | by_identifier)
        .order_by("family_name", "given_names", "pk")[: limit + 1]
    )
    return PickerResults(people=found[:limit], more=len(found) > limit)
