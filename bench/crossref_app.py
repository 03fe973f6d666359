"""The cross-reference job end to end inside the app, for the benchmark: the generated linkage
data set (bench.linkage_data) loaded into PostgreSQL, then the month's run asked for and
done (`crossref.services.run.request_run` and `run_crossref`): read every nominal,
block, fit the model, score, write findings, build the overlap rows. Used by
bench/crossref.py, in a scratch database of its own per size.

The data goes in with COPY, as the synthetic partnership's does (bench.synthetic), with
search names and match keys from `offenders.services.match_fields`, as the services store
them: one borough's partnership (demo.borough.ensure_borough: agencies, five panels,
coordinators), each record owned by its agency and active on its panels.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from unittest import mock

from django.db import connection, models, transaction

from bench.crossref_engines import Quality
from bench.linkage_data import PANEL_KINDS, LinkageDataset
from crossref.models import CrossReferenceRun, FindingKind, MatchFinding, OverlapEntry
from crossref.services import run as run_service
from crossref.services.run import request_run, run_crossref
from demo.borough import Borough, ensure_borough
from matching.identifiers import validate_identifier
from matching.records import PersonRecord
from offenders.models import Alias, Identifier, Nominal
from offenders.services import match_fields, search_name_of
from panels.models import CohortMembership, MembershipStatus

# Who wrote each agency's records: the demo staff account of that agency.
_WRITER = {
    "council": "coordinator",
    "police": "police",
    "probation": "probation",
    "drugs": "drugs",
    "housing": "housing",
    "health": "health",
}
_CREATED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
_REFERRED = date(2025, 10, 1)
_PASSWORD = "crossref-bench-password-not-secret"  # noqa: S105


@dataclass
class EndToEndResult:
    nominals: int
    memberships: int
    load_seconds: float  # putting the data set into PostgreSQL: set-up, not the job
    request_seconds: float
    run_seconds: float  # run_crossref, wall time
    status: str
    durations: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    # Duplicate findings at the job's own threshold, and those scoring 0.5 or more.
    findings: Quality = field(default_factory=lambda: Quality(0, 0, 0))
    findings_at_half: Quality = field(default_factory=lambda: Quality(0, 0, 0))
    overlap_rows: int = 0
    expected_overlaps: int = 0  # records active on two or three panels

    @property
    def seconds(self) -> float:
        return self.request_seconds + self.run_seconds


def _copy(model: type[models.Model], objects: Iterable[models.Model]) -> None:
    """Append the objects' rows with COPY, every concrete column (ids set by the caller for
    nominals, by the sequence for the rest)."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if model is Nominal or not f.primary_key  # the others take their id from the sequence
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objects:
            copy.write_row([getattr(obj, f.attname) for f in fields])


def _reserve_ids(count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s) "
            "ORDER BY 1",
            [Nominal._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


class _Rows:
    """The data set's rows for each table, made one record at a time as COPY takes them (a
    million nominals never sit in memory as model instances)."""

    def __init__(self, data: LinkageDataset, ids: list[int], borough: Borough) -> None:
        self.data, self.ids = data, ids
        self.agency = {code: a.pk for code, a in borough.agencies.items()}
        self.writer = {code: borough.staff[name].pk for code, name in _WRITER.items()}
        self.panels = [borough.panels[kind] for kind in PANEL_KINDS]
        self.coordinator = {
            borough.agencies["council"].pk: borough.staff["coordinator"].pk,
            borough.agencies["probation"].pk: borough.staff["mappa"].pk,
        }

    def _records(self) -> Iterator[tuple[int, PersonRecord, str, tuple[int, ...]]]:
        """(nominal id, record, owning agency's code, panels) for each record."""
        data = self.data
        yield from zip(self.ids, data.records, data.agencies, data.panels, strict=True)

    def nominals(self) -> Iterator[Nominal]:
        for pk, record, owner, _ in self._records():
            names = [
                Alias(given_names=a.given, family_name=a.family, date_of_birth=a.dob)
                for a in record.aliases
            ]
            search_name, keys = match_fields(record.given, record.family, record.dob, names)
            yield Nominal(
                pk=pk,
                given_names=record.given,
                family_name=record.family,
                date_of_birth=record.dob,
                dob_approximate=record.dob_approximate,
                gender=record.gender or "unknown",
                postcode=record.postcode,
                owning_agency_id=self.agency[owner],
                created_by_id=self.writer[owner],
                created_at=_CREATED,
                updated_at=_CREATED,
                search_name=search_name,
                match_keys=keys,
            )

    def aliases(self) -> Iterator[Alias]:
        for pk, record, owner, _ in self._records():
            for alias in record.aliases:
                yield Alias(
                    nominal_id=pk,
                    given_names=alias.given,
                    family_name=alias.family,
                    date_of_birth=alias.dob,
                    search_name=search_name_of(alias.given, alias.family),
                    recorded_by_agency_id=self.agency[owner],
                )

    def identifiers(self) -> Iterator[Identifier]:
        for pk, record, owner, _ in self._records():
            for kind, value in record.identifiers.items():
                yield Identifier(
                    nominal_id=pk,
                    kind=kind,
                    value=validate_identifier(kind, value),
                    recorded_by_agency_id=self.agency[owner],
                    created_at=_CREATED,
                )

    def memberships(self) -> Iterator[CohortMembership]:
        decided = _REFERRED + timedelta(days=14)
        for pk, _, owner, panels in self._records():
            for index in panels:
                panel = self.panels[index]
                coordinator = self.coordinator[panel.coordinating_agency_id]
                yield CohortMembership(
                    nominal_id=pk,
                    panel_id=panel.pk,
                    status=MembershipStatus.ACTIVE,
                    referred_on=_REFERRED,
                    referred_by_id=coordinator,
                    referring_agency_id=self.agency[owner],
                    decided_by_id=coordinator,
                    decided_on=decided,
                    start=decided,
                )


def load_dataset(data: LinkageDataset) -> list[int]:
    """The data set as nominals of one borough, with identifiers, aliases and active
    memberships; returns the nominal id of each record, in record order."""
    borough = ensure_borough(borough="Linkford", code="lf", password=_PASSWORD, with_devices=False)
    with transaction.atomic():
        ids = _reserve_ids(len(data.records))
        rows = _Rows(data, ids, borough)
        _copy(Nominal, rows.nominals())
        _copy(Alias, rows.aliases())
        _copy(Identifier, rows.identifiers())
        _copy(CohortMembership, rows.memberships())
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # planner statistics, as a live database has them
    return ids


def run_end_to_end(data: LinkageDataset, *, month: date | None = None) -> EndToEndResult:
    """Load the data set, then time asking for the month's run and doing it in process (the
    worker's task is caught and its body called here, so only the job's work is timed)."""
    started = time.perf_counter()
    ids = load_dataset(data)
    load_seconds = time.perf_counter() - started

    sent: list[int] = []
    started = time.perf_counter()
    # Caught where the run asks for its job, so nothing goes to a broker.
    with mock.patch.object(run_service, "enqueue", lambda _task, run_id: sent.append(run_id)):
        run = request_run(actor=None, month=month)
    request_seconds = time.perf_counter() - started
    if sent != [run.pk]:
        raise RuntimeError(f"The run was sent {sent!r}, not once as run {run.pk}.")
    started = time.perf_counter()
    run = run_crossref(run.pk)
    run_seconds = time.perf_counter() - started
    run = CrossReferenceRun.objects.get(pk=run.pk)

    position = {pk: index for index, pk in enumerate(ids)}
    found = [
        ((position[a], position[b]), score)
        for a, b, score in MatchFinding.objects.filter(
            kind=FindingKind.DUPLICATE, last_seen_run=run
        ).values_list("nominal_a_id", "nominal_b_id", "score")
    ]
    return EndToEndResult(
        nominals=len(ids),
        memberships=sum(len(panels) for panels in data.panels),
        load_seconds=load_seconds,
        request_seconds=request_seconds,
        run_seconds=run_seconds,
        status=run.status,
        durations=dict(run.durations),
        counts=dict(run.counts),
        findings=Quality.of((pair for pair, _ in found), data.true_pairs),
        findings_at_half=Quality.of(
            (pair for pair, score in found if score >= 0.5), data.true_pairs
        ),
        overlap_rows=OverlapEntry.objects.filter(run=run).count(),
        expected_overlaps=data.on_several_panels(),
    )
