"""Reads for the monthly list import: who may open an import, the existing records each row
may be, the joiners and leavers a list would make, and the per-row outcome report.

Candidates are found the way the rest of the system finds people (offenders/search.py and
the cross-referencing job): the blocking keys of `matching.scoring` (`match_keys`,
`record_match_keys`) through the GIN index on `Nominal.match_keys`, then `score` on each
candidate. Here it is done for a chunk of rows at a time, so a list of thousands of rows
costs a handful of queries per chunk rather than several per row.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import BooleanField, Count, QuerySet
from django.db.models.expressions import RawSQL
from django.http import HttpRequest

from accounts.access import refuse, require
from accounts.http import request_user
from accounts.models import ObjectType, User
from cohorts.importing import row_name
from cohorts.models import CohortImport, ImportRow, ImportStatus, RowOutcome
from matching.keys import match_keys, record_match_keys
from matching.records import POSSIBLE_THRESHOLD, AliasName, Decision, MatchResult, PersonRecord
from matching.scoring import score
from offenders.models import UNIQUE_IDENTIFIER_KINDS, Alias, Identifier, Nominal
from offenders.records import RECORD_FIELDS, record_from_row
from offenders.selectors import nominals_for
from panels.models import CohortMembership, MembershipStatus, Panel
from panels.permissions import can_coordinate
from panels.selectors import panel_for

IMPORT = ObjectType.COHORT_IMPORT
PANEL = ObjectType.PANEL

# Rows matched together: each chunk costs about six queries whatever its size.
CHUNK_ROWS = 2000
# Records sharing any of the rows' blocking keys. `match_keys && array` would compare each
# of a record's keys with every key of a list's thousands (PostgreSQL's && is a nested
# loop unless it uses the GIN index, and the planner uses the index or not by the table's
# size); `= ANY` of a constant array is a hash lookup, so the cost is a few lookups per
# record the user may see, whatever the list's length.
_SHARES_A_KEY = (
    "EXISTS (SELECT 1 FROM unnest(offenders_nominal.match_keys) AS key "
    "WHERE key = ANY(%s::varchar[]))"
)
# The most candidates scored for one row, those sharing most blocking keys first (the
# search takes as many from each of its routes).
CANDIDATES_PER_ROW = 200
# The most candidates kept on a queued row for the coordinator to choose from.
CANDIDATES_SHOWN = 5

_AGREEING_LEVELS = {"same", "used", "swapped"}
_DISAGREEING_LEVELS = {"different", "conflict"}


# --- Who may open an import ---------------------------------------------------------------


def coordinated_panel_for(request: HttpRequest, pk: int) -> Panel:
    """The panel if the user coordinates it: 404 (logged) when they may not see it or it
    does not exist, 403 (logged) when they see it but do not coordinate it."""
    panel = panel_for(request, pk)
    require(
        request, can_coordinate(request_user(request), panel), object_type=PANEL, object_id=panel.pk
    )
    return panel


def import_for(request: HttpRequest, pk: int) -> CohortImport:
    """The import if the user coordinates its panel: 404 (logged) when its panel is hidden
    from them or it does not exist, 403 (logged) for the panel's other viewers."""
    cohort_import = (
        CohortImport.objects.filter(
            pk=pk, panel__in=Panel.objects.visible_to(request_user(request)).values("pk")
        )
        .select_related("panel__coordinating_agency", "uploaded_by", "committed_by")
        .first()
    )
    if cohort_import is None:
        refuse(request, object_type=IMPORT, object_id=pk)
    require(
        request,
        can_coordinate(request_user(request), cohort_import.panel),
        object_type=IMPORT,
        object_id=pk,
    )
    return cohort_import


@dataclass(frozen=True)
class ImportListed:
    """An import as the panel's list of imports shows it."""

    cohort_import: CohortImport
    counts: dict[str, int]  # rows by outcome, and how many were not imported


def imports_of(panel: Panel) -> list[ImportListed]:
    """The panel's imports, newest first, each with its rows counted by outcome (two
    queries)."""
    imports = list(panel.imports.select_related("uploaded_by", "committed_by"))
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for import_id, outcome, rows in (
        ImportRow.objects.filter(cohort_import__panel=panel)
        .values_list("cohort_import_id", "outcome")
        .annotate(rows=Count("pk"))
        .order_by()
    ):
        counts[import_id][outcome] = rows
    not_imported = (RowOutcome.INVALID, RowOutcome.DUPLICATE, RowOutcome.SKIPPED)
    listed = []
    for cohort_import in imports:
        found = counts.get(cohort_import.pk, {})
        found["not_imported"] = sum(found.get(outcome, 0) for outcome in not_imported)
        listed.append(ImportListed(cohort_import, found))
    return listed


def latest_committed_month(panel: Panel) -> date | None:
    """The month of the panel's most recent imported list, if any."""
    return (
        panel.imports.filter(status="committed")
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )


# --- Candidates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """An existing record a row may be, how sure the scorer is, and whether the coordinator
    may see it (identifier matches come from every record; the rest only from visible ones)."""

    nominal_id: int
    result: MatchResult
    visible: bool
    by_identifier: bool

    @property
    def score(self) -> float:
        # A shared identifier the scorer accepts is the surest match there is.
        if self.by_identifier and self.result.decision == Decision.DEFINITE:
            return 1.0
        return self.result.score

    def stored(self) -> dict:
        """As kept on the row: the record's number and the reasons, nothing from the record
        itself, so the page shows the record only if the coordinator may still see it."""
        return {
            "id": self.nominal_id,
            "score": round(self.score, 4),
            "decision": self.result.decision.value,
            "by_identifier": self.by_identifier,
            "reasons": [
                item.text
                for item in self.result.explanation
                if item.weight > 0 or item.level in _AGREEING_LEVELS
            ],
            "differences": [
                item.text
                for item in self.result.explanation
                if item.weight < 0 or item.level in _DISAGREEING_LEVELS
            ],
        }


def probe_keys(record: PersonRecord) -> set[str]:
    """A row's blocking keys: its own, and with given and family names swapped, as the
    search builds them for a record (swapped names are a common recording error). A date of
    birth read from an age or a year is a year band: the years either side count too."""
    keys = record_match_keys(record) | match_keys(record.family, record.given, record.dob)
    if record.dob is not None and record.dob_approximate:
        for years in (-1, 1):
            near = _shifted(record.dob, years)
            keys |= match_keys(record.given, record.family, near)
    return keys


def _shifted(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def find_candidates(
    user: User,
    probes: Sequence[PersonRecord],
    on_progress: Callable[[int, int], None] | None = None,
) -> list[list[Candidate]]:
    """For each row (as a PersonRecord), the existing records it may be, best first.

    - A shared PNC ID, CRO number, CRN, prison or NHS number is looked up among every
      record: the list's source agency is authoritative for its identifiers.
    - Everything else comes only from records the user may see (`nominals_for`), through
      the blocking keys, and is kept when the scorer says at least "possible".
    """
    found: list[list[Candidate]] = []
    for start in range(0, len(probes), CHUNK_ROWS):
        found += _chunk_candidates(user, probes[start : start + CHUNK_ROWS])
        if on_progress is not None:
            on_progress(len(found), len(probes))
    return found


def _chunk_candidates(user: User, probes: Sequence[PersonRecord]) -> list[list[Candidate]]:
    visible_base = nominals_for(user).order_by()
    # 1. Identifiers, among all current records.
    wanted = {
        (kind, value)
        for probe in probes
        for kind, value in probe.identifiers.items()
        if kind in UNIQUE_IDENTIFIER_KINDS
    }
    owner: dict[tuple[str, str], int] = {}
    if wanted:
        for kind, value, nominal_id in Identifier.objects.filter(
            kind__in=UNIQUE_IDENTIFIER_KINDS,
            value__in=sorted({value for _, value in wanted}),
            nominal__merged_into__isnull=True,
        ).values_list("kind", "value", "nominal_id"):
            if (kind, value) in wanted:
                owner[(kind, value)] = nominal_id

    # 2. Blocking keys, among the records the user may see.
    keys_of = [probe_keys(probe) for probe in probes]
    all_keys = sorted(set().union(*keys_of))
    rows: dict[int, tuple] = {}
    holders: dict[str, list[int]] = defaultdict(list)
    if all_keys:
        wanted_keys = set(all_keys)
        # Fixed SQL; the keys are a query parameter.
        shares_a_key = RawSQL(_SHARES_A_KEY, [all_keys], output_field=BooleanField())  # noqa: S611
        with transaction.atomic(), connection.cursor() as cursor:
            # JIT compilation costs more than this query takes (as for the search's).
            cursor.execute("SELECT set_config('jit', 'off', true)")
            found = list(
                visible_base.alias(shares_a_key=shares_a_key)
                .filter(shares_a_key=True)
                .values_list(*RECORD_FIELDS, "match_keys")
            )
        for row in found:
            rows[row[0]] = row
            for key in row[7]:
                if key in wanted_keys:
                    holders[key].append(row[0])
    visible = set(rows)

    # 3. Records found by identifier only: their details to score, and whether visible.
    by_identifier = set(owner.values())
    extra = by_identifier - visible
    if extra:
        for row in Nominal.objects.filter(pk__in=extra, merged_into__isnull=True).values_list(
            *RECORD_FIELDS
        ):
            rows[row[0]] = row
        visible |= set(visible_base.filter(pk__in=extra).values_list("pk", flat=True))

    chosen: list[tuple[set[int], list[int]]] = []
    for probe, keys in zip(probes, keys_of, strict=True):
        hits = {
            owner[(kind, value)]
            for kind, value in probe.identifiers.items()
            if (kind, value) in owner
        }
        shared = Counter(pk for key in keys for pk in holders.get(key, ()))
        ranked = sorted(shared, key=lambda pk: (-shared[pk], pk))[:CANDIDATES_PER_ROW]
        chosen.append((hits, [pk for pk in dict.fromkeys([*hits, *ranked]) if pk in rows]))

    ids = {pk for _, pks in chosen for pk in pks}
    identifiers: dict[int, list[tuple[str, str]]] = defaultdict(list)
    aliases: dict[int, list[AliasName]] = defaultdict(list)
    if ids:
        for nominal_id, kind, value in Identifier.objects.filter(nominal_id__in=ids).values_list(
            "nominal_id", "kind", "value"
        ):
            identifiers[nominal_id].append((kind, value))
        for nominal_id, given, family, born in Alias.objects.filter(nominal_id__in=ids).values_list(
            "nominal_id", "given_names", "family_name", "date_of_birth"
        ):
            aliases[nominal_id].append(AliasName(given, family, born))
    people = {pk: record_from_row(rows[pk], identifiers[pk], aliases[pk]) for pk in ids}

    result: list[list[Candidate]] = []
    for probe, (hits, pks) in zip(probes, chosen, strict=True):
        candidates = []
        for pk in pks:
            match = score(probe, people[pk])
            if pk in hits or match.score >= POSSIBLE_THRESHOLD:
                candidates.append(Candidate(pk, match, pk in visible, pk in hits))
        candidates.sort(key=lambda candidate: (-candidate.score, candidate.nominal_id))
        result.append(candidates)
    return result


# --- Joiners and leavers ----------------------------------------------------------------------

LISTED = (RowOutcome.LINKED, RowOutcome.CREATED)


def active_members(panel: Panel) -> QuerySet[CohortMembership]:
    return CohortMembership.objects.filter(panel=panel, status=MembershipStatus.ACTIVE)


def leaving_memberships(cohort_import: CohortImport) -> QuerySet[CohortMembership]:
    """Active members not on the list. Someone who joined after the month began joined
    after the list was drawn up, so is not counted as leaving."""
    listed = cohort_import.rows.filter(outcome__in=LISTED, nominal__isnull=False)
    return (
        active_members(cohort_import.panel)
        .exclude(nominal_id__in=listed.values("nominal_id"))
        .exclude(start__gt=cohort_import.month)
    )


@dataclass
class ListedRow:
    """A row of the list for a page: its number, the name as the list gives it, and the
    record it is linked to (None for a new person)."""

    row: ImportRow
    name: str

    @property
    def decided(self) -> bool:
        """The coordinator settled this row (it had candidates), and may change that."""
        return bool(self.row.candidates) and self.row.outcome != RowOutcome.QUEUED


@dataclass
class ImportPreview:
    counts: dict[str, int]
    queue: list[ListedRow]
    joiners: list[ListedRow]
    staying: int
    leavers: list[CohortMembership]
    not_imported: list[ListedRow]  # invalid, duplicate or left out, with the reason

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def first_queued(self) -> ImportRow | None:
        return self.queue[0].row if self.queue else None


def import_preview(cohort_import: CohortImport) -> ImportPreview:
    """What committing the list would do, in a fixed number of queries."""
    mapping = cohort_import.mapping
    rows = list(cohort_import.rows.defer("explanation"))
    active = set(active_members(cohort_import.panel).values_list("nominal_id", flat=True))
    counts: dict[str, int] = dict.fromkeys(RowOutcome.values, 0)
    queue, joiners, not_imported = [], [], []
    staying = 0
    for row in rows:
        counts[row.outcome] = counts.get(row.outcome, 0) + 1
        listed = ListedRow(row, row_name(row.values, mapping))
        if row.outcome == RowOutcome.QUEUED:
            queue.append(listed)
        elif row.outcome in LISTED:
            if row.nominal_id in active:
                staying += 1
            else:
                joiners.append(listed)
        else:
            not_imported.append(listed)
    leavers = list(
        leaving_memberships(cohort_import)
        .select_related("nominal")
        .order_by("nominal__family_name", "nominal__given_names", "pk")
    )
    return ImportPreview(
        counts=counts,
        queue=queue,
        joiners=joiners,
        staying=staying,
        leavers=leavers,
        not_imported=not_imported,
    )


# --- A queued row's candidates --------------------------------------------------------------


@dataclass
class ShownCandidate:
    nominal: Nominal
    stored: dict
    panels: list[Panel]


def shown_candidates(user: User, row: ImportRow) -> tuple[list[ShownCandidate], int]:
    """The row's candidates the user may see now, with the panels they may see each on, and
    how many others there are (a number only: nothing of a hidden record is shown)."""
    stored = {entry["id"]: entry for entry in row.candidates}
    nominals = (
        nominals_for(user)
        .filter(pk__in=stored)
        .select_related("owning_agency")
        .prefetch_related("identifiers")
    )
    panels: dict[int, list[Panel]] = defaultdict(list)
    for membership in (
        CohortMembership.objects.filter(
            nominal_id__in=stored,
            status__in=[MembershipStatus.REFERRED, MembershipStatus.ACTIVE],
            panel__in=Panel.objects.visible_to(user).values("pk"),
        )
        .select_related("panel")
        .order_by("panel__name")
    ):
        panels[membership.nominal_id].append(membership.panel)
    shown = [
        ShownCandidate(nominal, stored[nominal.pk], panels[nominal.pk]) for nominal in nominals
    ]
    shown.sort(key=lambda item: (-item.stored["score"], item.nominal.pk))
    return shown, len(stored) - len(shown)


# --- The outcome report -----------------------------------------------------------------------


def outcome_rows(cohort_import: CohortImport) -> Iterator[ImportRow]:
    """Every row of the list in order, for the report page and the CSV."""
    return cohort_import.rows.order_by("number").iterator(chunk_size=2000)


@dataclass(frozen=True)
class EarlierImport:
    """The same panel's list for the same month, imported before: what this one changes."""

    earlier: CohortImport
    new_people: list[Nominal]  # on this list, not on the earlier one (those the user sees)
    new_count: int
    missing_people: list[Nominal]  # on the earlier list, not on this one
    missing_count: int


DIFFERENCE_SHOWN = 20


def earlier_import_of_month(user: User, cohort_import: CohortImport) -> EarlierImport | None:
    """The latest committed list of the panel for the same month, and who differs between
    it and this one, by the records the rows matched; None when the month is new."""
    earlier = (
        CohortImport.objects.filter(
            panel_id=cohort_import.panel_id,
            month=cohort_import.month,
            status=ImportStatus.COMMITTED,
        )
        .exclude(pk=cohort_import.pk)
        .select_related("committed_by")
        .order_by("-committed_at")
        .first()
    )
    if earlier is None:
        return None

    def people(of: CohortImport) -> set[int]:
        return set(of.rows.filter(nominal__isnull=False).values_list("nominal_id", flat=True))

    now, before = people(cohort_import), people(earlier)
    added, missing = now - before, before - now
    visible = nominals_for(user).order_by("family_name", "given_names", "pk")
    return EarlierImport(
        earlier=earlier,
        new_people=list(visible.filter(pk__in=added)[:DIFFERENCE_SHOWN]),
        new_count=len(added),
        missing_people=list(visible.filter(pk__in=missing)[:DIFFERENCE_SHOWN]),
        missing_count=len(missing),
    )
