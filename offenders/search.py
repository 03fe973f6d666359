"""Finding people: the search page, the duplicate check before a record is created, and
the choice of the other record in a merge all run through here.

Two steps, the same for all three:

1. Candidates come from the database through indexes only: the trigram GIN index on the
   normalised name (the `%` operator: a `similarity() > x` filter would scan every row),
   the match-keys GIN index (nicknames, swapped names, sound-alike names, dates of birth),
   aliases' trigram index, the date of birth, and identifiers by exact normalised value.
2. Each candidate is scored against what was typed with `matching.scoring.score`, the
   scorer imports and cross-referencing use too, and its per-field explanation becomes the
   plain-English "why it matched".

Every query starts from a queryset the caller chose: `nominals_for(user)` for anything that
is shown, so a record the user may not see is never a result.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from matching.identifiers import IDENTIFIER_KINDS, validate_identifier
from matching.keys import match_keys, record_match_keys
from matching.names import normalise_name
from matching.records import (
    POSSIBLE_THRESHOLD,
    AliasName,
    Decision,
    FieldComparison,
    MatchResult,
    PersonRecord,
)
from matching.scoring import score
from offenders.models import UNIQUE_IDENTIFIER_KINDS, Alias, Identifier, IdentifierKind, Nominal
from offenders.records import RECORD_FIELDS, nominal_record, record_from_row
from offenders.records import person_record as person_record_of
from offenders.selectors import nominals_for
from panels.models import SHARED_STATUSES, CohortMembership, Panel

# Lower than pg_trgm's default 0.3 so a typo in a short name still finds it; the scorer,
# not the threshold, decides what is shown.
TRIGRAM_THRESHOLD = 0.2
# Candidates taken from each route (trigram, match keys, aliases, date of birth). The best
# by trigram similarity come first, so a common name loses only its weakest candidates.
CANDIDATES_PER_ROUTE = 200
# At most this many results are listed; the page says when there were more.
RESULT_LIMIT = 200
# Below this a candidate shares too little with the search to be worth listing. Typing one
# name alone scores 0.03 for an exact family name, 0.008 for an exact given name and 0.0035
# for a sound-alike family name; a given name that agrees while the family name differs
# scores 0.0003, and is left out.
SEARCH_FLOOR = 0.002

SORTS = {
    "relevance": "Best match",
    "name": "Name",
    "dob": "Date of birth",
}

# Levels of a field comparison that count for the match, and those that count against it.
_AGREEING_LEVELS = {"same", "used", "swapped"}
_DISAGREEING_LEVELS = {"different", "conflict"}


@dataclass
class SearchHit:
    """One person found, with how well and why they matched what was typed."""

    nominal: Nominal
    result: MatchResult
    by_identifier: bool = False
    panels: list[Panel] = field(default_factory=list)

    @property
    def score(self) -> float:
        # An exact identifier is the surest match there is, whatever the names say.
        return 1.0 if self.by_identifier else self.result.score

    @property
    def decision(self) -> Decision:
        return Decision.DEFINITE if self.by_identifier else self.result.decision

    @property
    def reasons(self) -> list[str]:
        """What agreed, as the scorer put it ("Given name: Bill is a short form of William")."""
        return [
            item.text
            for item in self.result.explanation
            if item.weight > 0 or item.level in _AGREEING_LEVELS
        ]

    @property
    def differences(self) -> list[str]:
        return [
            item.text
            for item in self.result.explanation
            if item.weight < 0 or item.level in _DISAGREEING_LEVELS
        ]

    @property
    def why(self) -> str:
        return "; ".join(self.reasons) or "Only weakly similar"


@dataclass(frozen=True)
class Probe:
    """What was typed, as the scorer and the indexes take it."""

    records: tuple[PersonRecord, ...]  # one per reading of the name
    search_name: str  # normalised, for the trigram index
    keys: frozenset[str]  # match keys of every reading, straight and swapped
    dob: date | None
    identifiers: tuple[tuple[str, str], ...]  # (kind, normalised value), every reading

    @property
    def empty(self) -> bool:
        return not (self.search_name or self.dob or self.identifiers)


def name_readings(name: str) -> list[tuple[str, str]]:
    """(given, family) readings of a name typed in one box.

    "Smith, John" is family first. Otherwise the last word is the family name. One word
    alone could be either, so both readings are tried; swapped names need no reading of
    their own, because the scorer and the match keys already compare both ways round.
    """
    name = " ".join(name.split())
    if not name:
        return []
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return [(given, family)]
    words = name.split(" ")
    if len(words) == 1:
        return [("", words[0]), (words[0], "")]
    return [(" ".join(words[:-1]), words[-1])]


def identifier_readings(text: str) -> list[tuple[str, str]]:
    """Every kind the text is a valid identifier of, with its normalised value.

    "08/56560Z" reads as a PNC ID (and as a local reference, which takes any text).
    """
    text = text.strip()
    if not text:
        return []
    readings = []
    for kind in IDENTIFIER_KINDS:
        try:
            readings.append((kind, validate_identifier(kind, text)))
        except ValueError:
            continue
    return readings


def make_probe(
    *,
    name: str = "",
    given_names: str = "",
    family_name: str = "",
    date_of_birth: date | None = None,
    dob_approximate: bool = False,
    gender: str = "",
    postcode: str = "",
    identifier: str = "",
    identifiers: Iterable[tuple[str, str]] = (),
) -> Probe:
    """A probe from a one-box name (search) or separate given and family names (create).

    `identifier` is free text tried as every kind; `identifiers` are (kind, value) pairs
    already known by kind, as on the create form.
    """
    if given_names or family_name:
        readings = [(given_names.strip(), family_name.strip())]
    else:
        readings = name_readings(name)
    known = [(kind, validate_identifier(kind, value)) for kind, value in identifiers]
    all_identifiers = tuple(dict.fromkeys([*known, *identifier_readings(identifier)]))
    # The scorer rules on the identifiers that belong to one person; a local reference is
    # found by the index below but says nothing to the scorer.
    scored_ids = {kind: value for kind, value in all_identifiers if kind != IdentifierKind.LOCAL}
    records = tuple(
        person_record_of(
            given=given,
            family=family,
            dob=date_of_birth,
            dob_approximate=dob_approximate,
            gender=gender,
            postcode=postcode,
            identifiers=scored_ids,
        )
        for given, family in readings or [("", "")]
    )
    keys: set[str] = set()
    for given, family in readings:
        keys |= match_keys(given, family, date_of_birth)
        keys |= match_keys(family, given, date_of_birth)
    joined = " ".join(part for reading in readings[:1] for part in reading if part)
    return Probe(
        records=records,
        search_name=normalise_name(joined) if joined else "",
        keys=frozenset(keys),
        dob=date_of_birth,
        identifiers=all_identifiers,
    )


def _dob_variants(dob: date) -> list[date]:
    """The date, and the date with day and month swapped when that is a date too."""
    variants = [dob]
    if dob.day <= 12 and dob.day != dob.month:
        variants.append(dob.replace(month=dob.day, day=dob.month))
    return variants


def _candidate_ids(base: QuerySet[Nominal], probe: Probe) -> tuple[set[int], set[int]]:
    """(ids of candidates, ids found by an exact identifier), all within `base`.

    Runs in its own transaction so the lower trigram threshold applies to these queries
    only (`set_config(..., true)` is SET LOCAL).
    """
    found: set[int] = set()
    by_identifier: set[int] = set()
    base = base.order_by()
    with transaction.atomic():
        if probe.search_name:
            with connection.cursor() as cursor:
                # JIT compilation costs more than these index lookups take; the planner
                # turns it on because it over-estimates the rows `%` will match.
                cursor.execute(
                    "SELECT set_config('pg_trgm.similarity_threshold', %s, true), "
                    "set_config('jit', 'off', true)",
                    [str(TRIGRAM_THRESHOLD)],
                )
            similar = TrigramSimilarity("search_name", probe.search_name)
            found.update(
                base.filter(search_name__trigram_similar=probe.search_name)
                .annotate(similarity=similar)
                .order_by("-similarity", "pk")
                .values_list("pk", flat=True)[:CANDIDATES_PER_ROUTE]
            )
            found.update(
                Alias.objects.filter(
                    search_name__trigram_similar=probe.search_name,
                    nominal__in=base.values("pk"),
                )
                .annotate(similarity=similar)
                .order_by("-similarity", "pk")
                .values_list("nominal_id", flat=True)[:CANDIDATES_PER_ROUTE]
            )
        if probe.keys:
            keyed = base.filter(match_keys__overlap=sorted(probe.keys))
            if probe.search_name:
                keyed = keyed.annotate(
                    similarity=TrigramSimilarity("search_name", probe.search_name)
                ).order_by("-similarity", "pk")
            found.update(keyed.values_list("pk", flat=True)[:CANDIDATES_PER_ROUTE])
        if probe.dob:
            # An alias's other date of birth is in the record's match keys already, with
            # the alias's initials; the date alone is matched on the record itself.
            dobs = _dob_variants(probe.dob)
            found.update(
                base.filter(date_of_birth__in=dobs).values_list("pk", flat=True)[
                    :CANDIDATES_PER_ROUTE
                ]
            )
        if probe.identifiers:
            wanted = _identifier_q(probe.identifiers)
            by_identifier.update(
                base.filter(
                    pk__in=Identifier.objects.filter(wanted).values("nominal_id")
                ).values_list("pk", flat=True)[:CANDIDATES_PER_ROUTE]
            )
    return found | by_identifier, by_identifier


def person_record(nominal: Nominal) -> PersonRecord:
    """A nominal as the scorer takes it (two queries, for its identifiers and aliases)."""
    return nominal_record(nominal)


def _best(probe: Probe, record: PersonRecord) -> MatchResult:
    return max((score(reading, record) for reading in probe.records), key=lambda r: r.score)


def _identifier_result(
    result: MatchResult, identifiers: list[tuple[str, str]], probe: Probe
) -> MatchResult:
    """Put the identifier that was found first in the explanation (a local reference is not
    something the scorer compares, so it would otherwise go unmentioned)."""
    wanted = set(probe.identifiers)
    extra = tuple(
        FieldComparison(
            IdentifierKind(kind).label, "same", 0.0, f"{IdentifierKind(kind).label}: same ({value})"
        )
        for kind, value in identifiers
        if (kind, value) in wanted
        and not any(item.text.endswith(f"({value})") for item in result.explanation)
    )
    return MatchResult(
        result.score, result.decision, extra + result.explanation, result.rule, result.model_version
    )


def _ranked(base: QuerySet[Nominal], probe: Probe, *, floor: float) -> list[SearchHit]:
    """Candidates scored against the probe, best first, those below `floor` left out.

    Candidates are scored from plain rows (a few hundred at most, so building model objects
    and prefetching for each would cost more than the scoring); only the hits are loaded.
    """
    ids, by_identifier = _candidate_ids(base, probe)
    if not ids:
        return []
    # Visibility again, on the rows scored: `base` is applied here as well as in retrieval.
    rows = list(base.filter(pk__in=ids).order_by().values_list(*RECORD_FIELDS))
    identifiers: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for nominal_id, kind, value in Identifier.objects.filter(nominal_id__in=ids).values_list(
        "nominal_id", "kind", "value"
    ):
        identifiers[nominal_id].append((kind, value))
    aliases: dict[int, list[AliasName]] = defaultdict(list)
    for nominal_id, given, family, dob in Alias.objects.filter(nominal_id__in=ids).values_list(
        "nominal_id", "given_names", "family_name", "date_of_birth"
    ):
        aliases[nominal_id].append(AliasName(given, family, dob))

    results: dict[int, MatchResult] = {}
    for row in rows:
        pk = row[0]
        result = _best(probe, record_from_row(row, identifiers[pk], aliases[pk]))
        if pk in by_identifier:
            results[pk] = _identifier_result(result, identifiers[pk], probe)
        elif result.score >= floor:
            results[pk] = result
    nominals = base.filter(pk__in=results).select_related("owning_agency").order_by()
    hits = [
        SearchHit(nominal, results[nominal.pk], by_identifier=nominal.pk in by_identifier)
        for nominal in nominals
    ]
    hits.sort(key=lambda hit: (-hit.score, hit.nominal.family_name, hit.nominal.given_names))
    return hits


def _attach_panels(user: User, hits: list[SearchHit]) -> None:
    """The panels each person is on that the viewer may see, in one query."""
    by_nominal = {hit.nominal.pk: hit for hit in hits}
    memberships = (
        CohortMembership.objects.filter(
            nominal_id__in=by_nominal,
            status__in=SHARED_STATUSES,
            panel__in=Panel.objects.visible_to(user).values("pk"),
        )
        .select_related("panel")
        .order_by("panel__name")
    )
    for membership in memberships:
        panels = by_nominal[membership.nominal_id].panels
        if membership.panel not in panels:
            panels.append(membership.panel)


def search_nominals(
    user: User, *, name: str = "", date_of_birth: date | None = None, identifier: str = ""
) -> list[SearchHit]:
    """People the user may see who match a name, a date of birth or an identifier, best
    match first, each with the reasons it matched. At most RESULT_LIMIT + 1 are returned,
    so callers can say that there were more."""
    probe = make_probe(name=name, date_of_birth=date_of_birth, identifier=identifier)
    if probe.empty:
        return []
    hits = _ranked(nominals_for(user), probe, floor=SEARCH_FLOOR)[: RESULT_LIMIT + 1]
    _attach_panels(user, hits)
    return hits


def sort_hits(hits: list[SearchHit], sort: str) -> list[SearchHit]:
    """Hits in the order asked for; relevance is the order they come in."""
    if sort == "name":
        return sorted(
            hits,
            key=lambda hit: (
                normalise_name(hit.nominal.family_name),
                normalise_name(hit.nominal.given_names),
                hit.nominal.pk,
            ),
        )
    if sort == "dob":
        return sorted(
            hits,
            key=lambda hit: (
                hit.nominal.date_of_birth is None,
                hit.nominal.date_of_birth or date.min,
                normalise_name(hit.nominal.family_name),
                hit.nominal.pk,
            ),
        )
    return hits


@dataclass(frozen=True)
class DuplicateCheck:
    """Before a record is created: who it may already be."""

    visible: list[SearchHit]  # possible matches the user may open, best first
    hidden_count: int  # possible matches on records the user may not see: a number only
    # Identifier kinds entered that are already recorded for someone the user cannot see.
    hidden_identifier_kinds: list[str]
    # Identifier kinds entered that are already recorded for someone in `visible`.
    visible_identifier_kinds: list[str]

    @property
    def found_any(self) -> bool:
        return bool(self.visible or self.hidden_count)


def duplicate_check(
    user: User,
    *,
    given_names: str,
    family_name: str,
    date_of_birth: date | None,
    dob_approximate: bool = False,
    gender: str = "",
    postcode: str = "",
    identifiers: Iterable[tuple[str, str]] = (),
) -> DuplicateCheck:
    """Possible existing records of the person about to be created (score at least
    "possible"): those the user may see, with why, and only a count of those they may not.

    The count comes from the same matching run against every current record outside the
    user's visibility; nothing but the number leaves this function.
    """
    identifiers = list(identifiers)
    probe = make_probe(
        given_names=given_names,
        family_name=family_name,
        date_of_birth=date_of_birth,
        dob_approximate=dob_approximate,
        gender=gender,
        postcode=postcode,
        identifiers=identifiers,
    )
    visible_base = nominals_for(user)
    visible = [
        hit
        for hit in _ranked(visible_base, probe, floor=POSSIBLE_THRESHOLD)
        if hit.score >= POSSIBLE_THRESHOLD
    ]
    _attach_panels(user, visible)
    # NOT EXISTS, checked per candidate the indexes return, rather than NOT IN, which
    # would build the whole of the user's visible set first.
    hidden_base = Nominal.objects.filter(merged_into__isnull=True).exclude(
        Exists(visible_base.filter(pk=OuterRef("pk")))
    )
    hidden = _ranked(hidden_base, probe, floor=POSSIBLE_THRESHOLD)
    hidden_count = sum(1 for hit in hidden if hit.score >= POSSIBLE_THRESHOLD)

    # Which of the entered identifiers are taken already, and whether by a record the user
    # can see (then it is listed) or not (then they are only told it is taken).
    taken = {
        (kind, value): nominal_id
        for kind, value, nominal_id in Identifier.objects.filter(
            _identifier_q(probe.identifiers, unique_only=True)
        ).values_list("kind", "value", "nominal_id")
    }
    visible_ids = set(visible_base.filter(pk__in=set(taken.values())).values_list("pk", flat=True))
    hidden_kinds = sorted({kind for (kind, _), pk in taken.items() if pk not in visible_ids})
    visible_kinds = sorted({kind for (kind, _), pk in taken.items() if pk in visible_ids})
    return DuplicateCheck(
        visible=visible,
        hidden_count=hidden_count,
        hidden_identifier_kinds=hidden_kinds,
        visible_identifier_kinds=visible_kinds,
    )


def _identifier_q(identifiers: Iterable[tuple[str, str]], *, unique_only: bool = False) -> Q:
    """Identifiers with any of these (kind, value) pairs; none if there are none."""
    wanted = Q(pk__in=[])
    for kind, value in identifiers:
        if unique_only and kind not in UNIQUE_IDENTIFIER_KINDS:
            continue
        wanted |= Q(kind=kind, value=value)
    return wanted


def _probe_from_record(record: PersonRecord) -> Probe:
    keys = record_match_keys(record) | match_keys(record.family, record.given, record.dob)
    return Probe(
        records=(record,),
        search_name=normalise_name(f"{record.given} {record.family}"),
        keys=frozenset(keys),
        dob=record.dob,
        identifiers=tuple(
            (kind, value)
            for kind, value in record.identifiers.items()
            if kind in UNIQUE_IDENTIFIER_KINDS
        ),
    )


def possible_duplicates_of(user: User, nominal: Nominal) -> list[SearchHit]:
    """Other records the user may see that may be the same person (score at least
    "possible"), best first: the suggestions on the merge page."""
    record = person_record(nominal)
    base = nominals_for(user).exclude(pk=nominal.pk)
    hits = [
        hit
        for hit in _ranked(base, _probe_from_record(record), floor=POSSIBLE_THRESHOLD)
        if hit.score >= POSSIBLE_THRESHOLD
    ][:RESULT_LIMIT]
    _attach_panels(user, hits)
    return hits
