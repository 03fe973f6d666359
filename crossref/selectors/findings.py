"""Reads for cross-referencing: the runs, the findings a coordinator reviews, the side by side
comparison of two records that may be one person, and the monthly overlap report.

Who sees what, in one place:
- runs: any panel coordinator (a run holds counts and timings, nothing about a person);
- findings: the coordinators of the panels a finding names (`MatchFinding.panels`), for the
  panels they coordinate and may see; nobody else (partners, committee officers,
  administrators, other boroughs) sees any. A finding outside that answers 404;
- a record in a finding or on the overlap report is shown in full only where
  `nominals_for(user)` includes it; otherwise the reader is told only which panels the
  person is known to and whom to contact, never the record's content.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, TypedDict, cast

from django.contrib.postgres.fields import ArrayField
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    PositiveIntegerField,
    Q,
    QuerySet,
    Subquery,
)
from django.http import HttpRequest

from accounts.access import refuse, visible_or_404
from accounts.audit import log_access, log_access_many
from accounts.http import request_user
from accounts.models import ObjectType, Purpose, User
from accounts.permissions import person_label
from crossref.models import (
    CrossReferenceRun,
    FindingKind,
    MatchFinding,
    MatchFindingQuerySet,
    OverlapEntry,
    RunStatus,
)
from crossref.permissions import reviews_crossref
from matching.linkage import evidence_strength
from offenders.models import Nominal
from offenders.selectors import PersonVisible, nominals_for, person_visible
from panels.models import CohortMembership, LeadPanel, MembershipStatus, Panel

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _PeopleVisible(TypedDict):
    """Whether the reader may see each record a finding names (`_with_people`)."""

    a_visible: bool
    b_visible: bool


class _SincePrevious(PersonVisible):
    """An overlap row against the previous run's row for the same person (`_compared`)."""

    was_listed: bool
    previous_panels: list[int] | None
    previous_lead: int | None


type FindingWithPeople = WithAnnotations[MatchFinding, _PeopleVisible]
type ShownEntry = WithAnnotations[OverlapEntry, PersonVisible]
type ComparedEntry = WithAnnotations[OverlapEntry, _SincePrevious]

FINDING = ObjectType.FINDING
RUN = ObjectType.CROSSREF_RUN
NOMINAL = ObjectType.NOMINAL
PAGE_SIZE = 50


# --- Who reviews -------------------------------------------------------------------------------


def coordinated_panels(user: User) -> QuerySet[Panel]:
    """The panels the user coordinates and may see (as `panels.permissions.can_coordinate`)."""
    if not reviews_crossref(user):
        return Panel.objects.none()
    return Panel.objects.visible_to(user).filter(coordinating_agency_id=user.agency_id)


def coordinated_panel_ids(user: User) -> list[int]:
    return list(coordinated_panels(user).values_list("pk", flat=True))


# --- Runs ----------------------------------------------------------------------------------------


def runs_for(user: User) -> QuerySet[CrossReferenceRun]:
    """Every month's run for a coordinator, newest first; none for anyone else."""
    if not reviews_crossref(user):
        return CrossReferenceRun.objects.none()
    return CrossReferenceRun.objects.select_related("model", "requested_by__agency").order_by(
        "-month"
    )


def parse_month(text: str) -> date | None:
    """The first day of the month written as "2026-03"; None for anything else."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError):
        return None


def run_for_month(request: HttpRequest, month: str) -> CrossReferenceRun:
    """The run for a month ("2026-03"), or 404 (logged) when there is none."""
    first = parse_month(month)
    run = runs_for(request_user(request)).filter(month=first).first() if first else None
    if run is None:
        refuse(request, object_type=RUN, object_id=month)
    return run


def complete_runs(user: User) -> list[CrossReferenceRun]:
    """The months with an overlap report to read, newest first."""
    return list(runs_for(user).filter(status=RunStatus.COMPLETE))


def previous_run(run: CrossReferenceRun) -> CrossReferenceRun | None:
    """The latest complete run before this one: "last month" for the overlap report."""
    return (
        CrossReferenceRun.objects.filter(month__lt=run.month, status=RunStatus.COMPLETE)
        .order_by("-month")
        .first()
    )


def requested_by_text(run: CrossReferenceRun, reader: User) -> str:
    """Who asked for the run: a name for the reader's own agency's staff, else the agency."""
    if run.requested_by is None:
        return "Monthly schedule"
    return person_label(run.requested_by, reader)


# --- Findings -----------------------------------------------------------------------------------


def findings_visible_to(user: User) -> MatchFindingQuerySet:
    """Findings naming a panel the user coordinates: the one starting point for every page,
    decision and export about findings."""
    panel_ids = coordinated_panel_ids(user)
    if not panel_ids:
        return MatchFinding.objects.none()
    return MatchFinding.objects.filter(panels__overlap=panel_ids)


def _with_people(findings: QuerySet[MatchFinding], user: User) -> QuerySet[FindingWithPeople]:
    """Each finding with its records and whether the user may see each (two EXISTS)."""
    return findings.select_related("nominal_a", "nominal_b", "lead_panel", "run").annotate(
        a_visible=person_visible(user, field="nominal_a_id"),
        b_visible=person_visible(user, field="nominal_b_id"),
    )


def finding_for(request: HttpRequest, pk: int) -> FindingWithPeople:
    """The finding if it names a panel the user coordinates; otherwise 404 (logged)."""
    findings = _with_people(
        findings_visible_to(request_user(request)), request_user(request)
    ).select_related("resolved_by__agency", "last_seen_run")
    return visible_or_404(request, findings, pk, object_type=FINDING)


def inbox(user: User, *, kind: str = "") -> QuerySet[FindingWithPeople]:
    """Open findings for the user's panels, strongest first."""
    findings = findings_visible_to(user).open()
    if kind:
        findings = findings.filter(kind=kind)
    return _with_people(findings, user).order_by("-score", "pk")


def run_findings(user: User, run: CrossReferenceRun) -> QuerySet[FindingWithPeople]:
    """The findings the run raised or saw again, that the user may see, strongest first."""
    findings = findings_visible_to(user).filter(Q(run=run) | Q(last_seen_run=run))
    return _with_people(findings, user).order_by("-score", "pk")


def open_finding_counts(user: User) -> dict[str, int]:
    """Open findings for the user's panels, by kind, in one query."""
    counts = (
        findings_visible_to(user)
        .open()
        .aggregate(
            duplicate=Count("pk", filter=Q(kind=FindingKind.DUPLICATE)),
            overlap=Count("pk", filter=Q(kind=FindingKind.OVERLAP)),
        )
    )
    return {**counts, "total": counts["duplicate"] + counts["overlap"]}


def shown_people(findings: Iterable[FindingWithPeople]) -> list[int]:
    """Ids of the records a list of findings names to its reader (for the access log)."""
    ids = []
    for finding in findings:
        if finding.a_visible:
            ids.append(finding.nominal_a_id)
        if finding.nominal_b_id and finding.b_visible:
            ids.append(finding.nominal_b_id)
    return ids


def log_people_listed(request: HttpRequest, findings: Iterable[FindingWithPeople]) -> None:
    """One access-log row for each person a list of findings names to its reader."""
    log_access_many(
        request=request,
        object_type=NOMINAL,
        object_ids=shown_people(findings),
        purpose=Purpose.DATA_QUALITY,
    )


# --- "Known to": panels and whom to contact ------------------------------------------------------


@dataclass(frozen=True)
class KnownTo:
    """A panel named with its coordinating agency, the contact for anything about it."""

    panel_id: int
    name: str
    contact: str

    def __str__(self) -> str:
        return f"{self.name} (contact {self.contact})"


def _panel_directory() -> dict[int, KnownTo]:
    """Every panel's name and contact, in one query: a partnership has tens of panels."""
    return {
        panel.pk: KnownTo(panel.pk, panel.name, panel.coordinating_agency.name)
        for panel in Panel.objects.select_related("coordinating_agency")
    }


def known_to_text(known: Iterable[KnownTo], *, fallback_contact: str = "") -> str:
    """The one line a reader gets about a person whose record they may not see."""
    known = list(known)
    if not known:
        return f"Recorded by {fallback_contact}; contact {fallback_contact}"
    panels = " and ".join(item.name for item in known)
    contacts = ", ".join(dict.fromkeys(item.contact for item in known))
    return f"Known to {panels}; contact {contacts}"


# --- A duplicate finding's two records side by side -----------------------------------------------


@dataclass
class RecordSide:
    """One record of a pair as the reader may see it: everything, or only "known to"."""

    pk: int
    visible: bool
    nominal: Nominal | None = None  # only when visible
    identifiers: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    panels: list[KnownTo] = field(default_factory=list)  # active panels
    known_to: str = ""  # only when not visible


@dataclass(frozen=True)
class ComparisonRow:
    label: str
    a: str
    b: str
    same: bool | None  # None when one side is not shown


@dataclass(frozen=True)
class Comparison:
    a: RecordSide
    b: RecordSide
    rows: list[ComparisonRow]

    @property
    def sides(self) -> list[RecordSide]:
        return [self.a, self.b]

    @property
    def shown_ids(self) -> list[int]:
        return [side.pk for side in self.sides if side.visible]

    @property
    def both_visible(self) -> bool:
        return self.a.visible and self.b.visible


def _active_panels(nominal_ids: list[int]) -> dict[int, list[KnownTo]]:
    panels: dict[int, list[KnownTo]] = defaultdict(list)
    memberships = (
        CohortMembership.objects.filter(nominal_id__in=nominal_ids, status=MembershipStatus.ACTIVE)
        .select_related("panel__coordinating_agency")
        .order_by("panel__name")
    )
    for membership in memberships:
        panel = membership.panel
        known = KnownTo(panel.pk, panel.name, panel.coordinating_agency.name)
        if known not in panels[membership.nominal_id]:
            panels[membership.nominal_id].append(known)
    return panels


def _date(value: date | None, approximate: bool = False) -> str:
    if value is None:
        return "Not known"
    text = f"{value:%-d %B %Y}"
    return f"{text} (approximate)" if approximate else text


def _fields(nominal: Nominal, side: RecordSide) -> dict[str, str]:
    return {
        "Given names": nominal.given_names,
        "Family name": nominal.family_name,
        "Date of birth": _date(nominal.date_of_birth, nominal.dob_approximate),
        "Gender": nominal.get_gender_display(),
        "Postcode": nominal.postcode or "Not recorded",
        "Identifiers": "; ".join(side.identifiers) or "None",
        "Aliases": "; ".join(side.aliases) or "None",
        "Panels": ", ".join(str(item) for item in side.panels) or "None",
        "Recorded by": nominal.owning_agency.name,
    }


NOT_SHOWN = "Not shown: you cannot see this record"


def comparison(user: User, finding: MatchFinding) -> Comparison:
    """A duplicate finding's two records: the fields of each the user may see, or only the
    panels it is known to (with whom to contact) where they may not. Five queries."""
    if finding.nominal_b_id is None:
        raise ValueError("Only a duplicate finding names two records to compare")
    ids = [finding.nominal_a_id, finding.nominal_b_id]
    visible = {
        nominal.pk: nominal
        for nominal in nominals_for(user)
        .filter(pk__in=ids)
        .select_related("owning_agency")
        .prefetch_related("identifiers", "aliases")
    }
    panels = _active_panels(ids)
    owners = dict(Nominal.objects.filter(pk__in=ids).values_list("pk", "owning_agency__name"))
    sides = []
    for pk in ids:
        nominal = visible.get(pk)
        if nominal is None:
            sides.append(
                RecordSide(
                    pk=pk,
                    visible=False,
                    known_to=known_to_text(panels[pk], fallback_contact=owners.get(pk, "")),
                )
            )
            continue
        sides.append(
            RecordSide(
                pk=pk,
                visible=True,
                nominal=nominal,
                identifiers=[str(identifier) for identifier in nominal.identifiers.all()],
                aliases=[
                    str(alias)
                    + (f", born {_date(alias.date_of_birth)}" if alias.date_of_birth else "")
                    for alias in nominal.aliases.all()
                ],
                panels=panels[pk],
            )
        )
    a, b = sides
    a_fields = _fields(a.nominal, a) if a.nominal else {}
    b_fields = _fields(b.nominal, b) if b.nominal else {}
    labels = list(a_fields or b_fields)
    rows = [
        ComparisonRow(
            label=label,
            a=a_fields.get(label, NOT_SHOWN),
            b=b_fields.get(label, NOT_SHOWN),
            same=(a_fields[label] == b_fields[label]) if a.visible and b.visible else None,
        )
        for label in labels
    ]
    return Comparison(a=a, b=b, rows=rows)


def finding_panels(finding: MatchFinding) -> list[KnownTo]:
    """The panels a finding names, each with whom to contact (an overlap's panels are named
    even where the reader may not see them: the point is to know the person is known there)."""
    directory = {
        panel.pk: KnownTo(panel.pk, panel.name, panel.coordinating_agency.name)
        for panel in Panel.objects.filter(pk__in=finding.panels)
        .select_related("coordinating_agency")
        .order_by("name")
    }
    return list(directory.values())


# --- The explanation in plain English --------------------------------------------------------------


@dataclass(frozen=True)
class ExplanationItem:
    field: str
    text: str
    band: str
    weight: float | None


def evidence_band(weight: float | None) -> str:
    """How much one comparison counted, in words, as the engine words it (None: a rule
    decided the pair, not the weights)."""
    if weight is None:
        return "Decided by a rule"
    return evidence_strength(weight).capitalize()


def explanation(finding: MatchFinding, *, quote: bool = True) -> list[ExplanationItem]:
    """Each comparison in words, with how much it counted. The job's sentences quote both
    records ("Jordan and Jordon are spelling variants"), so where the reader may not see one
    of them (`quote=False`) only the field compared is named."""
    items = []
    for entry in finding.explanation or []:
        weight = entry.get("weight")
        weight = float(weight) if isinstance(weight, int | float) else None
        field_name = str(entry.get("field") or "A detail")
        items.append(
            ExplanationItem(
                field=field_name,
                text=str(entry.get("text") or field_name) if quote else field_name,
                band=evidence_band(weight),
                weight=weight,
            )
        )
    return items


# --- A finding as its reader is shown it -----------------------------------------------------------


@dataclass(frozen=True)
class FindingShown:
    """A finding as its page (and the API) shows it to the reader: a possible duplicate's
    two records side by side (`pair`), or an overlap's panels and agreed lead; the
    explanation quoted only where the reader sees every record it quotes."""

    finding: FindingWithPeople
    explanation: list[ExplanationItem]
    quoted: bool
    panels: list[KnownTo]
    pair: Comparison | None = None
    known_to: str = ""  # an overlap's person the reader may not see: where they are known
    lead: LeadPanel | None = None


def finding_shown(request: HttpRequest, finding: FindingWithPeople) -> FindingShown:
    """What the reader is shown of `finding`, with the access log rows that showing it
    writes: the finding, and each person whose record is shown."""
    log_access(request=request, object_type=FINDING, object_id=finding.pk)
    panels = finding_panels(finding)
    if finding.kind == FindingKind.DUPLICATE:
        pair = comparison(request_user(request), finding)
        log_access_many(
            request=request,
            object_type=NOMINAL,
            object_ids=pair.shown_ids,
            purpose=Purpose.DATA_QUALITY,
        )
        return FindingShown(
            finding=finding,
            explanation=explanation(finding, quote=pair.both_visible),
            quoted=pair.both_visible,
            panels=panels,
            pair=pair,
        )
    seen = bool(finding.a_visible)
    if seen:
        log_access(
            request=request,
            object_type=NOMINAL,
            object_id=finding.nominal_a_id,
            purpose=Purpose.PANEL_PREPARATION,
        )
    return FindingShown(
        finding=finding,
        explanation=explanation(finding, quote=seen),
        quoted=seen,
        panels=panels,
        known_to="" if seen else known_to_text(panels),
        lead=LeadPanel.objects.filter(nominal_id=finding.nominal_a_id)
        .select_related("panel")
        .first(),
    )


# --- The overlap report -----------------------------------------------------------------------------


@dataclass
class OverlapRow:
    """One person on more than one panel, as the reader may see them."""

    nominal_id: int
    visible: bool
    name: str  # the person's name, or the "known to" line when not visible
    date_of_birth: date | None
    panels: list[KnownTo]
    lead: KnownTo | None
    compared: bool  # there was an earlier run to compare with
    new: bool = False
    joined: list[KnownTo] = field(default_factory=list)
    left: list[KnownTo] = field(default_factory=list)
    lead_changed: bool = False
    previous_lead: KnownTo | None = None

    @property
    def changes(self) -> list[str]:
        if not self.compared:
            return []
        if self.new:
            return ["New to the report"]
        lines = []
        if self.joined:
            lines.append("Joined " + ", ".join(item.name for item in self.joined))
        if self.left:
            lines.append("Left " + ", ".join(item.name for item in self.left))
        if self.lead_changed:
            if self.lead is None:
                lines.append("Lead panel no longer agreed")
            elif self.previous_lead is None:
                lines.append(f"Lead panel agreed: {self.lead.name}")
            else:
                lines.append(
                    f"Lead panel changed from {self.previous_lead.name} to {self.lead.name}"
                )
        return lines


@dataclass
class LeftRow:
    """A person on the previous report who is no longer on more than one panel."""

    nominal_id: int
    visible: bool
    name: str
    panels: list[KnownTo]


@dataclass
class OverlapReport:
    run: CrossReferenceRun
    previous: CrossReferenceRun | None
    total: int
    new: int | None
    changed: int | None
    left_count: int
    page: Page | None = None
    rows: list[OverlapRow] = field(default_factory=list)
    left: list[LeftRow] = field(default_factory=list)

    @property
    def shown_ids(self) -> list[int]:
        return [row.nominal_id for row in self.rows if row.visible] + [
            row.nominal_id for row in self.left if row.visible
        ]


def _entries(user: User, run: CrossReferenceRun) -> QuerySet[OverlapEntry]:
    panel_ids = coordinated_panel_ids(user)
    if not panel_ids:
        return OverlapEntry.objects.none()
    return OverlapEntry.objects.filter(run=run, panels__overlap=panel_ids)


def _compared(
    entries: QuerySet[ShownEntry], previous: CrossReferenceRun
) -> QuerySet[ComparedEntry]:
    earlier = OverlapEntry.objects.filter(run=previous, nominal_id=OuterRef("nominal_id"))
    return entries.annotate(
        was_listed=Exists(earlier),
        previous_panels=Subquery(
            earlier.values("panels")[:1], output_field=ArrayField(PositiveIntegerField())
        ),
        previous_lead=Subquery(earlier.values("lead_panel_id")[:1], output_field=IntegerField()),
    )


# An earlier row whose panels or lead panel differ. Arrays are compared as sets (each holds
# the other), and a lead panel agreed or withdrawn counts as a change.
_CHANGED = Q(was_listed=True) & (
    ~Q(panels__contains=F("previous_panels"))
    | ~Q(panels__contained_by=F("previous_panels"))
    | Q(lead_panel__isnull=True, previous_lead__isnull=False)
    | Q(lead_panel__isnull=False, previous_lead__isnull=True)
    | (
        Q(lead_panel__isnull=False, previous_lead__isnull=False)
        & ~Q(lead_panel_id=F("previous_lead"))
    )
)


def _ordered(entries: QuerySet) -> QuerySet:
    return entries.select_related("nominal").order_by(
        "nominal__family_name", "nominal__given_names", "nominal_id"
    )


def _row(entry: ShownEntry, directory: dict[int, KnownTo], compared: bool) -> OverlapRow:
    panels = sorted(
        (directory[pk] for pk in entry.panels if pk in directory), key=lambda item: item.name
    )
    visible = bool(entry.person_visible)
    row = OverlapRow(
        nominal_id=entry.nominal_id,
        visible=visible,
        name=entry.nominal.full_name if visible else known_to_text(panels),
        date_of_birth=entry.nominal.date_of_birth if visible else None,
        panels=panels,
        lead=directory.get(entry.lead_panel_id) if entry.lead_panel_id else None,
        compared=compared,
    )
    if compared:
        # With an earlier run to compare with, `_compared` annotated the entry.
        since = cast("ComparedEntry", entry)
        if not since.was_listed:
            row.new = True
        else:
            before = set(since.previous_panels or [])
            now = set(since.panels)
            row.joined = [item for item in panels if item.panel_id in now - before]
            row.left = sorted(
                (directory[pk] for pk in before - now if pk in directory),
                key=lambda item: item.name,
            )
            row.lead_changed = since.lead_panel_id != since.previous_lead
            row.previous_lead = directory.get(since.previous_lead) if since.previous_lead else None
    return row


def _left_entries(
    user: User, run: CrossReferenceRun, previous: CrossReferenceRun
) -> QuerySet[ShownEntry]:
    still_listed = OverlapEntry.objects.filter(run=run).values("nominal_id")
    return (
        _entries(user, previous)
        .exclude(nominal_id__in=still_listed)
        .annotate(person_visible=person_visible(user))
    )


def _left_row(entry: ShownEntry, directory: dict[int, KnownTo]) -> LeftRow:
    panels = sorted(
        (directory[pk] for pk in entry.panels if pk in directory), key=lambda item: item.name
    )
    visible = bool(entry.person_visible)
    return LeftRow(
        nominal_id=entry.nominal_id,
        visible=visible,
        name=entry.nominal.full_name if visible else known_to_text(panels),
        panels=panels,
    )


def overlap_report(
    user: User, run: CrossReferenceRun, *, page_number: int | str | None = 1
) -> OverlapReport:
    """One page (50 people) of the month's overlap report for the user's panels, with what
    changed since the previous run, and the people who have left it. A fixed number of
    queries whatever the report's length."""
    previous = previous_run(run)
    entries = _entries(user, run).annotate(person_visible=person_visible(user))
    if previous is not None:
        entries = _compared(entries, previous)
        counts = entries.aggregate(
            total=Count("pk"),
            new=Count("pk", filter=Q(was_listed=False)),
            changed=Count("pk", filter=_CHANGED),
        )
        left = _left_entries(user, run, previous)
        left_count = left.count()
    else:
        counts = {"total": entries.count(), "new": None, "changed": None}
        left, left_count = None, 0
    directory = _panel_directory()
    paginator = Paginator(_ordered(entries), PAGE_SIZE, allow_empty_first_page=True)
    paginator.count = counts["total"]  # counted above, with the other figures
    page = paginator.get_page(page_number)
    report = OverlapReport(
        run=run,
        previous=previous,
        total=counts["total"],
        new=counts["new"],
        changed=counts["changed"],
        left_count=left_count,
        page=page,
        rows=[_row(entry, directory, previous is not None) for entry in page.object_list],
    )
    if left is not None and left_count:
        report.left = [_left_row(entry, directory) for entry in _ordered(left)[:PAGE_SIZE]]
    return report


def overlap_report_all(
    user: User, run: CrossReferenceRun
) -> tuple[list[OverlapRow], list[LeftRow]]:
    """Every row of the report, and everyone who left it, for an export."""
    previous = previous_run(run)
    entries = _entries(user, run).annotate(person_visible=person_visible(user))
    if previous is not None:
        entries = _compared(entries, previous)
    directory = _panel_directory()
    rows = [_row(entry, directory, previous is not None) for entry in _iterate(_ordered(entries))]
    left = (
        [
            _left_row(entry, directory)
            for entry in _iterate(_ordered(_left_entries(user, run, previous)))
        ]
        if previous is not None
        else []
    )
    return rows, left


def _iterate(entries: QuerySet) -> Iterator:
    return entries.iterator(chunk_size=2000)
