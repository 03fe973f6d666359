"""Reads of nominals for the person asking: visibility, the profile, flags and history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypedDict

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import HttpRequest
from django.utils import timezone

from accounts.access import refuse
from accounts.http import request_user
from accounts.models import AuditEvent, ObjectType, User
from accounts.permissions import is_governance_lead
from offenders.models import ENGAGEMENT_KINDS, CaseEvent, Nominal, OffenceType, RiskScore
from panels.models import SHARED_STATUSES, CohortMembership, LeadPanel, Panel, RagReview

NOMINAL = ObjectType.NOMINAL


def nominals_for(user: User) -> QuerySet[Nominal]:
    """The one starting point for every list, search, export and API read of nominals."""
    return Nominal.objects.visible_to(user)


def rag_reviews_for(user: User) -> QuerySet[RagReview]:
    """RAG reviews by panels the user may see, of people the user may see."""
    return RagReview.objects.filter(
        panel__in=Panel.objects.visible_to(user).values("pk"),
        nominal__in=nominals_for(user).values("pk"),
    )


class PersonVisible(TypedDict):
    """What a `person_visible` annotation adds to a row about a person."""

    person_visible: bool


def person_visible(user: User, *, field: str = "nominal_id") -> Exists:
    """For rows about a person (agenda items, case actions...): whether the user may see
    that person, as an annotation, so a list names only the people its reader sees."""
    return Exists(nominals_for(user).filter(pk=OuterRef(field)))


class MergedAway(Exception):
    """The record was merged into another; callers redirect to the survivor."""

    def __init__(self, survivor: Nominal) -> None:
        self.survivor = survivor


def nominals_watched_by(user: User) -> QuerySet[Nominal]:
    """The records whose access log ("who has viewed this") the user may be shown: for an
    information governance lead, every record their agency's casework staff may see
    (without the lead seeing its content); for anyone else, the records they see."""
    if is_governance_lead(user):
        return Nominal.objects.related_to(user.agency)
    return nominals_for(user)


def nominal_for(
    request: HttpRequest, pk: int, *, among: QuerySet[Nominal] | None = None
) -> Nominal:
    """The nominal if the user may see it; 404 (logged) whether hidden or missing.

    `among` replaces the user's visible nominals where a page has its own rule (see
    `nominals_watched_by`). A merged-away record the user could have reached raises
    MergedAway with the survivor.
    """
    reachable = among if among is not None else nominals_for(request_user(request))
    nominal = (
        reachable.select_related("owning_agency", "lead_professional__agency", "created_by")
        .filter(pk=pk)
        .first()
    )
    if nominal is None:
        merged = Nominal.objects.filter(pk=pk, merged_into__isnull=False).first()
        if merged is not None:
            survivor = _final_survivor(merged)
            if reachable.filter(pk=survivor.pk).exists():
                raise MergedAway(survivor)
        refuse(request, object_type=NOMINAL, object_id=pk)
    return nominal


def _final_survivor(nominal: Nominal) -> Nominal:
    seen = {nominal.pk}
    while (survivor := nominal.merged_into) is not None:
        nominal = survivor
        if nominal.pk in seen:  # a loop would be a bug; stop rather than spin
            break
        seen.add(nominal.pk)
    return nominal


@dataclass(frozen=True)
class PanelRow:
    """One panel the person is on, as the viewer may see it."""

    panel: Panel
    visible: bool
    membership: CohortMembership | None  # only when visible
    current_rag: RagReview | None  # only when visible
    lead: bool = False  # agreed as lead panel for a person on several panels


def panel_rows(user: User, nominal: Nominal) -> list[PanelRow]:
    """Panels with status and current RAG; panels the viewer may not see say only that the
    person is known there, and who coordinates it (never any content)."""
    visible_ids = set(Panel.objects.visible_to(user).values_list("pk", flat=True))
    memberships = (
        CohortMembership.objects.filter(nominal=nominal, status__in=SHARED_STATUSES)
        .annotate(
            is_lead=Exists(
                LeadPanel.objects.filter(
                    nominal_id=OuterRef("nominal_id"), panel_id=OuterRef("panel_id")
                )
            )
        )
        .select_related("panel__coordinating_agency")
        .order_by("panel__name", "-referred_on")
    )
    reviews = RagReview.objects.filter(nominal=nominal, panel_id__in=visible_ids).order_by(
        "panel_id", "-reviewed_on", "-pk"
    )
    latest: dict[int, RagReview] = {}
    for review in reviews:
        latest.setdefault(review.panel_id, review)
    rows: dict[int, PanelRow] = {}
    for membership in memberships:
        if membership.panel_id in rows:
            continue
        visible = membership.panel_id in visible_ids
        rows[membership.panel_id] = PanelRow(
            panel=membership.panel,
            visible=visible,
            membership=membership if visible else None,
            current_rag=latest.get(membership.panel_id) if visible else None,
            lead=membership.is_lead,
        )
    return list(rows.values())


def rag_history(user: User, nominal: Nominal) -> list[RagReview]:
    visible = Panel.objects.visible_to(user).values("pk")
    return list(
        RagReview.objects.filter(nominal=nominal, panel__in=visible)
        .select_related("panel", "author")
        .order_by("reviewed_on", "pk")
    )


def case_actions_on_record(user: User, nominal: Nominal) -> list[Any]:
    """The case actions panels have set about the person, for the profile: only those of
    panels the user may see (the rule of `CaseAction.objects.visible_to`, reached through
    the person so this app need not import the meetings app), open ones first, then by
    due date."""
    return list(
        nominal.case_actions.visible_to(user)
        .select_related("panel", "owner_agency", "owner")
        .order_by(
            Case(When(status="open", then=Value(0)), default=Value(1), output_field=IntegerField()),
            "due",
            "pk",
        )
    )


def waiting_merges(nominal: Nominal) -> list[Any]:
    """Merge requests for this record still waiting for agencies to agree (from the
    cross-reference, reached through the person so this app need not import it)."""
    requests = nominal.merge_requests_kept.model.objects
    return list(
        requests.filter(Q(survivor=nominal) | Q(duplicate=nominal), status="waiting").order_by("pk")
    )


def timeline(
    nominal: Nominal, *, agency_id: int | None = None, kind: str | None = None
) -> QuerySet[CaseEvent]:
    events = CaseEvent.objects.filter(nominal=nominal).select_related("agency", "author")
    if agency_id:
        events = events.filter(agency_id=agency_id)
    if kind:
        events = events.filter(kind=kind)
    return events


@dataclass(frozen=True)
class Flags:
    in_iom_scope: bool
    iom_scope_reason: str
    not_engaged_3_months: bool
    not_engaged_6_months: bool
    last_engagement: date | None
    ogrs_recorded: bool = True

    @property
    def scope_text(self) -> str:
        """IOM scope in a few words. Without an OGRS score scope cannot be judged, which is
        not the same as being outside it."""
        if not self.ogrs_recorded:
            return "OGRS not recorded"
        return "In IOM scope" if self.in_iom_scope else "Not in IOM scope"

    @property
    def engagement_text(self) -> str:
        """Engagement in a few words, agreeing with the last visit or treatment shown beside
        it: nobody reads as engaged when no visit or treatment is recorded."""
        if self.not_engaged_6_months:
            return "Not engaged for 6 months or more"
        if self.not_engaged_3_months:
            return "Not engaged for 3 months or more"
        if self.last_engagement is None:
            return "No visit or treatment recorded yet"
        return "Engaged in the last 3 months"


def derived_flags(nominal: Nominal, *, today: date) -> Flags:
    """Flags computed from the record, never stored, so they cannot go stale.

    IOM scope (pan-London rule from the papers): OGRS 75% or more, or 50-74% with a
    robbery or burglary offence. Engagement: the last visit or treatment event.
    """
    latest_risk = (
        RiskScore.objects.filter(nominal=nominal, ogrs_percent__isnull=False)
        .order_by("-assessed_on")
        .first()
    )
    ogrs = latest_risk.ogrs_percent if latest_risk else None
    acquisitive = nominal.offences.filter(offence_type__in=ACQUISITIVE_OFFENCES).exists()
    last = (
        CaseEvent.objects.filter(nominal=nominal, kind__in=ENGAGEMENT_KINDS)
        .order_by("-occurred_on")
        .values_list("occurred_on", flat=True)
        .first()
    )
    return flags_from(
        ogrs=ogrs,
        acquisitive=acquisitive,
        last_engagement=last,
        created_at=nominal.created_at,
        today=today,
    )


# The offences that bring an OGRS of 50-74% into IOM scope.
ACQUISITIVE_OFFENCES = [OffenceType.ROBBERY, OffenceType.BURGLARY]
NO_OGRS = "No OGRS score is recorded, so whether the person is in IOM scope cannot be checked"


def flags_from(
    *,
    ogrs: int | None,
    acquisitive: bool,
    last_engagement: date | None,
    created_at: datetime,
    today: date,
) -> Flags:
    """The rules behind `derived_flags`, from facts already read, so that a list (the
    cohort tracker) can read the facts for many people at once and apply the same rules."""
    if ogrs is None:
        in_scope, reason = False, NO_OGRS
    elif ogrs >= 75:
        in_scope, reason = True, f"OGRS {ogrs}% (75% or more)"
    elif ogrs >= 50 and acquisitive:
        in_scope, reason = True, f"OGRS {ogrs}% with a robbery or burglary offence"
    elif ogrs >= 50:
        in_scope, reason = False, f"OGRS {ogrs}% but no robbery or burglary offence"
    else:
        in_scope, reason = False, f"OGRS {ogrs}% (below 50%)"
    # With no contact recorded yet, the clock starts when the record was created, so a
    # person recorded this morning is not already "not engaged for 6 months".
    since = today - (last_engagement or timezone.localtime(created_at).date())
    return Flags(
        in_iom_scope=in_scope,
        iom_scope_reason=reason,
        not_engaged_3_months=since > timedelta(days=91),
        not_engaged_6_months=since > timedelta(days=182),
        last_engagement=last_engagement,
        ogrs_recorded=ogrs is not None,
    )


def change_history(nominal: Nominal) -> QuerySet[AuditEvent]:
    """Every recorded change to the record and those merged into it, newest first."""
    ids = [str(nominal.pk), *(str(pk) for pk in merged_ids(nominal))]
    return AuditEvent.objects.filter(object_type=NOMINAL, object_id__in=ids).select_related(
        "actor__agency"
    )


def merged_ids(nominal: Nominal) -> list[int]:
    """Ids of every record merged (directly or through others) into this one."""
    found: list[int] = []
    frontier = [nominal.pk]
    while frontier:
        children = list(
            Nominal.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True)
        )
        found.extend(children)
        frontier = children
    return found


def profile_prefetch() -> list[Prefetch]:
    return [
        Prefetch("identifiers"),
        Prefetch("aliases"),
        Prefetch("needs"),
        Prefetch("offences"),
        Prefetch("custody"),
        Prefetch("risk_scores"),
    ]
