"""A nominal's profile, the purpose of access asked before it, its change history and
who has viewed it.

Nothing about the person is shown until the user has said why they are opening the record
today; every read is then written to the access log with that purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.views.decorators.http import require_POST, require_safe

from accounts.access import require
from accounts.audit import log_access
from accounts.http import AuthenticatedHttpRequest
from accounts.models import AccessLog, Agency, AuditEvent, Purpose, Verb
from accounts.permissions import is_governance_lead
from offenders import selectors
from offenders.forms import RecordNumberForm
from offenders.models import (
    Alias,
    CaseEvent,
    EventKind,
    Gender,
    Identifier,
    IdentifierKind,
    Need,
    NeedLevel,
    Nominal,
    Pathway,
)
from offenders.permissions import can_edit_identity
from offenders.selectors import NOMINAL, MergedAway, nominal_for
from panels.models import Rag, RagReview

# The session remembers, per record, the purpose given and the day it was given on:
# {"<pk>": ["case_management", "2026-03-01"]}.
PURPOSES_KEY = "access_purposes"

# Pages that may ask for the purpose and return to themselves once it is given.
RETURN_ROUTES = ("profile", "edit", "event-create", "identifier-create", "alias-create", "needs")

ENFORCEMENT_KINDS = [EventKind.ARREST, EventKind.WARNING_LETTER, EventKind.BREACH, EventKind.RECALL]

TIMELINE_PAGE_SIZE = 50


def purpose_today(request: AuthenticatedHttpRequest, pk: int) -> str | None:
    """The purpose the user gave for this record today, if any."""
    stored = request.session.get(PURPOSES_KEY, {}).get(str(pk))
    today = timezone.localdate().isoformat()
    if stored and stored[1] == today and stored[0] in Purpose.values:
        return stored[0]
    return None


def remember_purpose(request: AuthenticatedHttpRequest, pk: int, purpose: str) -> None:
    today = timezone.localdate().isoformat()
    # Drop earlier days' purposes so the session does not grow through a long day.
    kept = {
        key: value
        for key, value in request.session.get(PURPOSES_KEY, {}).items()
        if value[1] == today
    }
    kept[str(pk)] = [purpose, today]
    request.session[PURPOSES_KEY] = kept


def ask_purpose(
    request: AuthenticatedHttpRequest, nominal: Nominal, *, then: str = "profile", error: str = ""
) -> HttpResponse:
    """The one-click question asked before any of the record is shown: nothing personal."""
    return render(
        request,
        "offenders/purpose.html",
        {
            "pk": nominal.pk,
            "purposes": Purpose.choices,
            "then": then,
            "error": error,
            "nav_section": "Nominals",
        },
        status=400 if error else 200,
    )


def to_survivor(request: AuthenticatedHttpRequest, merged: MergedAway, route: str) -> HttpResponse:
    messages.info(
        request,
        "The record you opened was merged with another record of the same person. "
        "This is the record now kept for them.",
    )
    return redirect(f"offenders:{route}", pk=merged.survivor.pk)


@login_required
@require_POST
def access_purpose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        nominal = nominal_for(request, pk)
    except MergedAway as merged:
        return to_survivor(request, merged, "profile")
    then = request.POST.get("then", "profile")
    if then not in RETURN_ROUTES:
        then = "profile"
    purpose = request.POST.get("purpose", "")
    if purpose not in Purpose.values:
        return ask_purpose(
            request, nominal, then=then, error="Select why you are opening this record"
        )
    remember_purpose(request, nominal.pk, purpose)
    return redirect(f"offenders:{then}", pk=nominal.pk)


@login_required
@require_safe
def nominal_profile(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        nominal = nominal_for(request, pk)
    except MergedAway as merged:
        return to_survivor(request, merged, "profile")
    purpose = purpose_today(request, nominal.pk)
    if purpose is None:
        return ask_purpose(request, nominal)
    log_access(request=request, object_type=NOMINAL, object_id=nominal.pk, purpose=purpose)
    context = _profile_context(request, nominal)
    context["purpose"] = Purpose(purpose).label
    return render(request, "offenders/profile.html", context)


def _profile_context(request: AuthenticatedHttpRequest, nominal: Nominal) -> dict:
    """Everything on the profile, in a fixed number of queries however long the record."""
    user = request.user
    # One query per relation, joined to what it shows: a chained lookup such as
    # "aliases__recorded_by_agency" runs its second query only when the first finds rows,
    # so a record with no alias would ask one query fewer than one with some.
    prefetch_related_objects(
        [nominal],
        Prefetch("identifiers", Identifier.objects.select_related("recorded_by_agency")),
        Prefetch("aliases", Alias.objects.select_related("recorded_by_agency")),
        Prefetch("needs", Need.objects.select_related("updated_by__agency")),
        "offences",
        "custody",
        "risk_scores",
    )
    needs = {need.pathway: need for need in nominal.needs.all()}
    risk_scores = list(nominal.risk_scores.all())

    agency_id = _int_or_none(request.GET.get("agency"))
    kind = request.GET.get("kind") or None
    if kind not in EventKind.values:
        kind = None
    events = Paginator(
        selectors.timeline(nominal, agency_id=agency_id, kind=kind), TIMELINE_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    recorded_by = Agency.objects.filter(
        pk__in=CaseEvent.objects.filter(nominal=nominal).values("agency_id")
    ).order_by("name")

    reviews = selectors.rag_history(user, nominal)
    return {
        "nominal": nominal,
        "nav_section": "Nominals",
        "gender": Gender(nominal.gender).label if nominal.gender in Gender.values else "",
        "identifiers": nominal.identifiers.all(),
        "aliases": nominal.aliases.all(),
        "panel_rows": selectors.panel_rows(user, nominal),
        "rag_charts": rag_charts(reviews),
        "rag_reviews": reviews,
        "needs": [(label, needs.get(value)) for value, label in Pathway.choices],
        "custody": nominal.custody.all(),
        "case_actions": selectors.case_actions_on_record(user, nominal),
        "waiting_merges": selectors.waiting_merges(nominal),
        "today": timezone.localdate(),
        "offences": nominal.offences.all(),
        "enforcement": selectors.timeline(nominal).filter(kind__in=ENFORCEMENT_KINDS),
        "latest_risk": risk_scores[0] if risk_scores else None,
        "flags": selectors.derived_flags(nominal, today=timezone.localdate()),
        "events": events,
        "event_agencies": recorded_by,
        "event_kinds": EventKind.choices,
        "chosen_agency": agency_id,
        "chosen_kind": kind,
        "filtered": bool(agency_id or kind),
        "can_edit_identity": can_edit_identity(user, nominal),
        "can_see_viewers": is_governance_lead(user),
    }


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


# RAG history chart: Red high, Green low, as partners read a rising or falling risk.
RAG_SCORE = {Rag.RED: 3, Rag.AMBER: 2, Rag.GREEN: 1}
# GOV.UK Frontend's red, orange and green.
RAG_COLOUR = {Rag.RED: "#ca3535", Rag.AMBER: "#f47738", Rag.GREEN: "#0f7a52"}
CHART_WIDTH, CHART_HEIGHT = 640, 190
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 80, 30, 20, 40


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    colour: str
    review: RagReview


@dataclass(frozen=True)
class RagChart:
    """One panel's RAG reviews over time, laid out for an inline SVG."""

    panel_name: str
    points: list[ChartPoint]
    polyline: str
    levels: list[tuple[str, float]]  # (label, y) for each horizontal grid line
    first: date
    last: date
    latest: str
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = CHART_LEFT
    right_edge: int = CHART_WIDTH - CHART_RIGHT
    axis_y: int = CHART_HEIGHT - CHART_BOTTOM + 10
    label_y: int = CHART_HEIGHT - 8


def rag_charts(reviews: list[RagReview]) -> list[RagChart]:
    """One chart per panel, each review a point at Red 3, Amber 2 or Green 1."""
    by_panel: dict[int, list[RagReview]] = {}
    for review in reviews:
        by_panel.setdefault(review.panel_id, []).append(review)
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM

    def y_of(score: int) -> float:
        return round(CHART_TOP + (3 - score) * plot_height / 2, 1)

    charts = []
    for panel_reviews in by_panel.values():
        first, last = panel_reviews[0].reviewed_on, panel_reviews[-1].reviewed_on
        span = (last - first).days
        points = []
        for review in panel_reviews:
            if span:
                x = CHART_LEFT + (review.reviewed_on - first).days / span * plot_width
            else:
                x = CHART_LEFT + plot_width / 2
            points.append(
                ChartPoint(
                    x=round(x, 1),
                    y=y_of(RAG_SCORE[Rag(review.rag)]),
                    colour=RAG_COLOUR[Rag(review.rag)],
                    review=review,
                )
            )
        charts.append(
            RagChart(
                panel_name=panel_reviews[0].panel.name,
                points=points,
                polyline=" ".join(f"{p.x},{p.y}" for p in points),
                levels=[(rag.label, y_of(score)) for rag, score in RAG_SCORE.items()],
                first=first,
                last=last,
                latest=Rag(panel_reviews[-1].rag).label,
            )
        )
    return charts


@login_required
@require_safe
def change_history(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        nominal = nominal_for(request, pk)
    except MergedAway as merged:
        return to_survivor(request, merged, "history")
    log_access(
        request=request,
        object_type=NOMINAL,
        object_id=nominal.pk,
        purpose=purpose_today(request, nominal.pk) or "",
    )
    page = Paginator(selectors.change_history(nominal), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "offenders/history.html",
        {
            "nominal": nominal,
            "page": page,
            "rows": [(event, describe_change(event), _identifier_kind(event)) for event in page],
            "can_see_viewers": is_governance_lead(request.user),
            "nav_section": "Nominals",
        },
    )


def _field_label(field: str) -> str:
    """The model's own label for an identity field, as the edit form shows it."""
    try:
        model_field = Nominal._meta.get_field(field)
    except FieldDoesNotExist:
        model_field = None
    if isinstance(model_field, models.Field):
        return str(capfirst(model_field.verbose_name))
    return field.replace("_", " ").capitalize()


def _shown(field: str, value: object) -> str:
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field == "gender" and value in Gender.values:
        return Gender(value).label
    if field == "date_of_birth" and isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%-d %B %Y")
        except ValueError:
            return value
    return str(value)


def _identifier_kind(event: AuditEvent) -> tuple[str, str] | None:
    """(kind, label) of an added identifier: the page spells out its abbreviation."""
    kind = (event.detail or {}).get("kind")
    if event.verb != Verb.IDENTIFIER_ADDED or kind is None:
        return None
    return kind, dict(IdentifierKind.choices).get(kind, kind)


def describe_change(event: AuditEvent) -> list[str]:
    """What changed, in words, from the audit row's detail."""
    detail = event.detail or {}
    lines: list[str] = []
    for field in detail.get("fields") or []:
        lines.append(f"{_field_label(field)} changed")
    # Rows written before the audit held field names only still carry the values.
    for field, pair in (detail.get("changes") or {}).items():
        before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        label = _field_label(field)
        lines.append(f"{label}: {_shown(field, before)} → {_shown(field, after)}")
    if event.verb == Verb.NEED_SET and "pathway" in detail:
        levels: dict[str | None, str] = dict(NeedLevel.choices)
        pathway = dict(Pathway.choices).get(detail["pathway"], detail["pathway"])
        before = levels.get(detail.get("from"), "Not assessed")
        after = levels.get(detail.get("to"), detail.get("to"))
        lines.append(f"{pathway}: {before} → {after}")
    if event.verb == Verb.EVENT_ADDED and "kind" in detail:
        lines.append(dict(EventKind.choices).get(detail["kind"], detail["kind"]))
    if "merged" in detail:
        lines.append(f"Record {detail['merged']} was merged into this record")
    if "into" in detail:
        lines.append(f"This record was merged into record {detail['into']}")
    return lines


@login_required
@require_safe
def viewers(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Who has opened the record: for the information governance leads of the agencies
    whose staff may see it. A lead who does no casework reaches it by record number and
    is shown the log, not the person."""
    user = request.user
    try:
        nominal = nominal_for(request, pk, among=selectors.nominals_watched_by(user))
    except MergedAway as merged:
        return to_survivor(request, merged, "viewers")
    require(request, is_governance_lead(user), object_type=NOMINAL, object_id=nominal.pk)
    log_access(
        request=request,
        object_type=NOMINAL,
        object_id=nominal.pk,
        purpose=purpose_today(request, nominal.pk) or "",
    )
    ids = [str(nominal.pk), *(str(other) for other in selectors.merged_ids(nominal))]
    reads = AccessLog.objects.filter(object_type=NOMINAL, object_id__in=ids).select_related(
        "user", "agency"
    )
    page = Paginator(reads, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "offenders/viewers.html",
        {
            "nominal": nominal,
            # The person's name and the links to their record, only for those who see it.
            "sees_record": selectors.nominals_for(user).filter(pk=nominal.pk).exists(),
            "page": page,
            "can_see_viewers": True,
            "nav_section": "Nominals",
        },
    )


@login_required
@require_safe
def viewers_find(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Information governance leads open a record's access log by its number, as a
    subject access request or a complaint names it, without opening the record."""
    require(request, is_governance_lead(request.user), object_type=NOMINAL)
    form = RecordNumberForm(request.GET if "record" in request.GET else None)
    if form.is_valid():
        return redirect("offenders:viewers", form.cleaned_data["record"])
    return render(request, "offenders/viewers_find.html", {"form": form, "nav_section": "Sharing"})
