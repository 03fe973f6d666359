"""The monthly cross-reference run: people recorded twice, and people on several panels.

`request_run` queues this month's run (from beat on the 1st, or a coordinator's button);
`run_crossref` does the work in the worker, in phases, each timed into `run.durations`:

- load: every nominal not merged away, as the matching engine's `PersonRecord`;
- block: candidate pairs (`matching.linkage.block`), shared out into chunks; blocks of a
  name too common to compare whole are split or skipped, and counted;
- estimate: the model's parameters, fitted once per run and kept as a `LinkageModel`;
- score: each chunk not yet done is scored and its findings written in the same transaction
  that marks it done, so a chunk is either wholly done or done again;
- group: the open duplicate findings grouped per person (`matching.linkage.group_people`),
  each finding marked with its group, so a person recorded three times reads as one;
- overlaps: people active on more than one panel, the month's overlap rows and findings.

Pairs are scored in columns (`matching.columnar`), and only the pairs kept are explained in
words (`matching.linkage.score_with`); a chunk's findings are copied into a table of the
session and written with one INSERT ... SELECT, with the chunk marked done in the same
transaction.

`spread_crossref` does the same with the chunks shared among workers: it loads, blocks and
fits, stores each chunk's pairs with it and sends a task per chunk; each reads only the
people in its pairs; the worker that finds every chunk done sends the finishing task, which
groups and builds the overlaps. The monthly task takes that way when
`CROSSREF_SPREAD_CHUNKS` is on (the default); `run_crossref` does it all in one process.

A worker killed mid-run is no loss: every task is acknowledged late and handed to another
worker, which calls its service again; chunks already done are skipped, and the rest are
scored with the model the run already fitted. One open finding per pair is enforced by the
database, so a chunk scored twice, or a month run twice, never raises a finding twice.
"""

from __future__ import annotations

import json
import math
import time
import traceback
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from celery import group
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit
from accounts.models import User, Verb
from accounts.notifications import coordinators_of, send
from core.db import connection_lost, retry_on_lost_connection
from core.jobs import enqueue
from crossref.models import (
    CrossReferenceChunk,
    CrossReferenceRun,
    FindingKind,
    FindingStatus,
    LinkageModel,
    MatchFinding,
    OverlapEntry,
    RunStatus,
    RunTrigger,
)
from crossref.permissions import may_request_run
from crossref.selectors.records import People, load_people, people_on_several_panels
from matching.columnar import Columns, score_pairs
from matching.linkage import (
    ENGINE,
    LinkageParameters,
    block,
    estimate_parameters,
    group_people,
    score_with,
)
from matching.records import POSSIBLE_THRESHOLD, Decision, MatchResult
from panels.models import LeadPanel, Panel

# Advisory locks taken as (class, run id); any constant works, it only has to be the same
# for every worker. Held for the session, so a killed worker's lock goes with its connection.
_RUN_LOCK_CLASS = 7_341_005
DEFAULT_CHUNK_PAIRS = 100_000
_BATCH = 2_000


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


# --- Asking for a run ----------------------------------------------------------------------


@contextmanager
def _run_lock(run_id: int) -> Iterator[bool]:
    """Hold the run's session-level advisory lock while working: True if this process has
    it, False if another worker is running the run."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_RUN_LOCK_CLASS, run_id])
        locked = bool(cursor.fetchone()[0])
    try:
        yield locked
    finally:
        if locked:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_RUN_LOCK_CLASS, run_id])
            except DatabaseError:
                # The session could not release it: ending the session does.
                if not connection.in_atomic_block:
                    connection.close()


def _being_worked_on(run_id: int) -> bool:
    with _run_lock(run_id) as locked:
        return not locked


def _carry_on(progress: _Progress) -> None:
    """After PostgreSQL dropped the connection mid-chunk: take the run's lock back (or stop,
    if another worker has the run), and count from what was committed, since the chunk's
    findings and counts went, or stayed, together."""
    _lock_again(progress.run.pk)
    progress.counts = dict(CrossReferenceRun.objects.get(pk=progress.run.pk).counts)


class RunTakenOver(Exception):
    """This worker lost its database session, and with it the run's lock, and another worker
    has the run now: this one stops."""


def _lock_again(run_id: int) -> None:
    """After a new database session: take the run's lock back, or stop if it is taken."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_RUN_LOCK_CLASS, run_id])
        if not cursor.fetchone()[0]:
            raise RunTakenOver(run_id)


def _reset(run: CrossReferenceRun) -> None:
    """Start a finished month again from nothing: chunks recreated, model fitted anew."""
    run.chunks.all().delete()
    run.model = None
    run.chunks_total = run.chunks_done = 0
    run.counts, run.durations = {}, {}
    run.started_at = run.finished_at = None
    run.attempts = 0


def request_run(
    *, actor: User | None, month: date | None = None, trigger: str = RunTrigger.ON_DEMAND
) -> CrossReferenceRun:
    """Queue the cross-reference for `month` (this month by default) and send it to a worker
    once committed. `actor` None is the monthly schedule.

    One run per month: a run in progress is returned as it is; a failed run or one whose
    worker was lost carries on from its last chunk; a complete month asked for again on
    demand is run again from the start (the schedule leaves a complete month alone).
    """
    if actor is not None and not may_request_run(actor):
        raise PermissionDenied
    month = (month or timezone.localdate()).replace(day=1)
    with transaction.atomic():
        run, created = CrossReferenceRun.objects.select_for_update().get_or_create(
            month=month, defaults={"trigger": trigger, "requested_by": actor}
        )
        if not created:
            if run.status == RunStatus.RUNNING and _being_worked_on(run.pk):
                return run
            if run.status == RunStatus.COMPLETE:
                if trigger == RunTrigger.SCHEDULED:
                    return run
                _reset(run)
            if run.status == RunStatus.QUEUED and trigger == RunTrigger.SCHEDULED:
                return run
        run.status = RunStatus.QUEUED
        run.trigger = trigger
        run.requested_by = actor
        run.queued_at = timezone.now()
        run.error = ""
        run.full_clean()
        run.save()
        audit(
            actor=actor,
            verb=Verb.CROSSREF_REQUESTED,
            target=run,
            detail={"month": month.isoformat(), "trigger": trigger},
        )
        enqueue("crossref.tasks.cross_reference", run.pk)
    return run


# --- Doing it --------------------------------------------------------------------------------


@dataclass
class _Progress:
    """What the run has counted and timed so far, saved with each step."""

    run: CrossReferenceRun
    counts: dict[str, int]
    durations: dict[str, float]
    started: float = field(default_factory=time.perf_counter)
    earlier_total: float = 0.0
    phase: str = "load"  # the step under way, named if it fails

    @classmethod
    def of(cls, run: CrossReferenceRun) -> _Progress:
        durations = dict(run.durations)
        return cls(run, dict(run.counts), durations, earlier_total=durations.get("total", 0.0))

    def add_time(self, phase: str, seconds: float) -> None:
        # A run resumed after a lost worker adds its time to what the first attempt spent.
        self.durations[phase] = round(self.durations.get(phase, 0.0) + seconds, 3)
        self.tick()

    def tick(self) -> None:
        self.durations["total"] = round(self.earlier_total + time.perf_counter() - self.started, 3)

    def add(self, **counts: int) -> None:
        for name, value in counts.items():
            self.counts[name] = self.counts.get(name, 0) + value

    def save(self, *fields: str) -> None:
        self.run.counts, self.run.durations = self.counts, self.durations
        self.run.save(update_fields=["counts", "durations", *fields])


@contextmanager
def _timed(progress: _Progress, phase: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    progress.add_time(phase, time.perf_counter() - started)


def run_crossref(run_id: int) -> CrossReferenceRun:
    """Do the run's work in this process, or carry on with it after a lost worker; returns
    the run.

    Returns at once if another worker holds the run, and leaves a complete or failed run
    alone (`request_run` queues those again). `spread_crossref` does the same work with
    the chunks shared among workers.
    """
    with _run_lock(run_id) as locked:
        run = CrossReferenceRun.objects.get(pk=run_id)
        if not locked or run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
            return run
        progress = _Progress.of(run)
        try:
            _start(progress)
            people, pairs, params = _prepare(progress)
            chunks = _chunks(run, people, pairs)
            progress.save("chunks_total")
            progress.phase = "score"
            _score(progress, people, params, chunks)
            _conclude(progress, people, params)
        except RunTakenOver:
            return CrossReferenceRun.objects.get(pk=run_id)
        except Exception as error:
            if connection_lost(error):
                # Nothing can be recorded without a connection; the task carries on from the
                # last chunk done once PostgreSQL is back (crossref/tasks.py).
                raise
            _fail(run_id, error, progress.phase)
            raise
    return run


def _start(progress: _Progress) -> None:
    run = progress.run
    run.status = RunStatus.RUNNING
    run.attempts += 1
    run.started_at = run.started_at or timezone.now()
    run.save(update_fields=["status", "attempts", "started_at"])


def _prepare(progress: _Progress) -> tuple[People, list[tuple[int, int]], LinkageParameters]:
    """Read every person, block, and fit the model (or take the one the run fitted)."""
    run = progress.run
    progress.phase = "load"
    with _timed(progress, "load"):
        people = load_people()
    progress.counts |= {
        "nominals": len(people),
        "active_memberships": people.active_memberships,
    }
    progress.save()

    progress.phase = "block"
    with _timed(progress, "block"):
        blocking = block(people.records)
        pairs = blocking.pairs
    progress.counts |= {
        "candidate_pairs": len(pairs),
        "common_name_blocks_split": blocking.split_blocks,
        "common_name_blocks_skipped": blocking.skipped_blocks,
        "records_in_skipped_blocks": blocking.skipped_records,
    }
    progress.save()

    progress.phase = "estimate"
    with _timed(progress, "estimate"):
        params = _model(run, people, pairs)
    progress.save("model")
    return people, pairs, params


def _conclude(progress: _Progress, people: People, params: LinkageParameters) -> None:
    """Once every chunk is scored: group the findings per person, the overlaps, and the
    run marked complete with the coordinators told."""
    run = progress.run
    progress.counts |= _chunk_counts(run)
    progress.phase = "group"
    with _timed(progress, "group"):
        _group(progress, people, params)

    progress.phase = "overlaps"
    with _timed(progress, "overlaps"):
        _overlaps(progress)
        _close_merged(progress)

    progress.phase = "finish"
    with transaction.atomic():
        progress.tick()
        run.status = RunStatus.COMPLETE
        run.finished_at = timezone.now()
        run.error = ""
        progress.save("status", "finished_at", "error")
        audit(
            actor=None,
            verb=Verb.CROSSREF_COMPLETED,
            target=run,
            detail={"counts": progress.counts},
        )
        _tell_coordinators(run)


# --- Spread over workers ---------------------------------------------------------------------


def spread_crossref(run_id: int) -> CrossReferenceRun:
    """Do the run with its chunks shared among workers: read, block and fit here, store
    each chunk's candidate pairs with it, and send one task per chunk not done
    (`crossref.tasks.cross_reference_chunk`); the worker that finds every chunk done sends
    the finishing task (`finish_spread_run`). More workers, on more machines, score more
    chunks at once.

    Delivered again after a lost worker, it sends the chunks not done yet (a chunk done
    twice writes nothing the second time); a run already prepared is not read again.
    """
    with _run_lock(run_id) as locked:
        run = CrossReferenceRun.objects.get(pk=run_id)
        if not locked or run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
            return run
        progress = _Progress.of(run)
        try:
            _start(progress)
            todo = list(run.chunks.filter(done_at__isnull=True).order_by("number"))
            if not run.chunks_total or run.model is None or any(c.pair_ids is None for c in todo):
                people, pairs, params = _prepare(progress)
                by_chunk = _chunks(run, people, pairs)
                progress.save("chunks_total")
                todo = list(run.chunks.filter(done_at__isnull=True).order_by("number"))
                ids = np.asarray(people.ids, dtype=np.int64)
                for chunk in todo:
                    positions = np.asarray(by_chunk.get(chunk.number, []), dtype=np.int64)
                    chunk.pair_ids = ids[positions.reshape(-1, 2)].tobytes()
                CrossReferenceChunk.objects.bulk_update(todo, ["pair_ids"], batch_size=50)
                progress.durations["prepared"] = progress.durations.get("total", 0.0)
                progress.save()
        except Exception as error:
            if not connection_lost(error):  # a lost connection is waited for (crossref/tasks.py)
                _fail(run_id, error, progress.phase)
            raise
    _send_chunks(run_id, [chunk.number for chunk in todo])
    return run


def _send_chunks(run_id: int, numbers: list[int]) -> None:
    from crossref.tasks import cross_reference_chunk, finish_cross_reference

    if not numbers:
        finish_cross_reference.delay(run_id)
        return
    group(cross_reference_chunk.s(run_id, number) for number in numbers).apply_async()


def score_spread_chunk(run_id: int, number: int) -> bool:
    """Score one chunk of a spread run, in whatever worker has it: read the chunk's pairs
    and only the people in them, score, write the findings and mark the chunk done in one
    transaction. Whichever chunk finds every chunk done sends the finishing task (a chunk
    delivered again after its worker was lost checks again, so the finish is never
    missed; it runs once). Returns whether the chunk was scored here."""
    run = CrossReferenceRun.objects.select_related("model").get(pk=run_id)
    if run.status != RunStatus.RUNNING or run.model is None:
        return False
    chunk = CrossReferenceChunk.objects.get(run=run, number=number)
    scored = False
    if chunk.done_at is None and chunk.pair_ids is not None:
        pair_ids = np.frombuffer(chunk.pair_ids, dtype=np.int64).reshape(-1, 2)
        people = load_people(only=set(pair_ids.ravel().tolist()))
        position = {nominal_id: index for index, nominal_id in enumerate(people.ids)}
        # A record merged away since the run was prepared has nothing left to compare.
        pairs = [
            (position[a], position[b])
            for a, b in pair_ids.tolist()
            if a in position and b in position
        ]
        params = LinkageParameters.from_json(run.model.parameters)
        known = _Known.load(ids=people.ids)
        threshold = float(_setting("CROSSREF_MIN_SCORE", POSSIBLE_THRESHOLD))
        scored = (
            _score_chunk(
                run, people, Columns.of(people.records), params, number, pairs, known, threshold
            )
            is not None
        )
    pause = float(_setting("CROSSREF_CHUNK_PAUSE_SECONDS", 0))
    if pause and scored:
        time.sleep(pause)  # only ever set by tests that need a run to take a while
    if _count_done(run_id) >= run.chunks_total:
        from crossref.tasks import finish_cross_reference

        finish_cross_reference.delay(run_id)
    return scored


def finish_spread_run(run_id: int) -> CrossReferenceRun:
    """The last step of a spread run, once every chunk is done: group per person, the
    overlaps, complete. Held by the run's lock, and a no-op for a run already complete, so
    sending it twice does it once."""
    with _run_lock(run_id) as locked:
        run = CrossReferenceRun.objects.get(pk=run_id)
        if not locked or run.status != RunStatus.RUNNING or run.model is None:
            return run
        if _count_done(run_id) < run.chunks_total:
            return run  # sent early by a stale message: the last chunk sends it again
        progress = _Progress.of(run)
        # The chunks ran in other processes, some at once: their time is summed, and the
        # total is the run's wall time from its start.
        progress.durations["score"] = round(sum(run.chunks.values_list("seconds", flat=True)), 3)
        try:
            progress.phase = "load"
            with _timed(progress, "load"):
                people = load_people()
            params = LinkageParameters.from_json(run.model.parameters)
            _conclude(progress, people, params)
        except Exception as error:
            if not connection_lost(error):  # a lost connection is waited for (crossref/tasks.py)
                _fail(run_id, error, progress.phase)
            raise
        if run.started_at is not None:
            progress.durations["total"] = round(
                (timezone.now() - run.started_at).total_seconds(), 3
            )
            progress.save()
    return run


def _count_done(run_id: int) -> int:
    """Chunks done, also written to the run for its progress bar."""
    done = CrossReferenceChunk.objects.filter(run_id=run_id, done_at__isnull=False).count()
    CrossReferenceRun.objects.filter(pk=run_id).update(chunks_done=done)
    return done


def _chunk_counts(run: CrossReferenceRun) -> dict[str, int]:
    """What the chunks counted, summed over every chunk done (by any worker, any attempt)."""
    totals = dict.fromkeys(_CHUNK_COUNTS, 0)
    for counts in run.chunks.filter(done_at__isnull=False).values_list("counts", flat=True):
        for name in _CHUNK_COUNTS:
            totals[name] += int(counts.get(name, 0))
    return totals


def _tell_coordinators(run: CrossReferenceRun) -> None:
    """The coordinators of every panel with an open finding hear that the run has finished
    (once per run; the notification names the month, never a person)."""
    panel_ids = {
        panel_id
        for panels in MatchFinding.objects.open().values_list("panels", flat=True)
        for panel_id in panels
    }
    agencies = Panel.objects.filter(pk__in=panel_ids).values_list(
        "coordinating_agency_id", flat=True
    )
    send(
        coordinators_of(set(agencies)),
        kind="crossref_findings",
        key=f"{run.pk}",
        text=f"The cross-reference for {run.month:%B %Y} has open findings for your panels",
        url=reverse("crossref:inbox"),
    )


def _fail(run_id: int, error: Exception, phase: str) -> None:
    """Mark the run failed with what went wrong and where, never the message itself: an
    engine or database message can quote a name or a date of birth."""
    frame = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    where = f" at {Path(frame.filename).name} line {frame.lineno}" if frame else ""
    CrossReferenceRun.objects.filter(pk=run_id).update(
        status=RunStatus.FAILED,
        error=f"{type(error).__name__} in the {phase} step{where}.",
        finished_at=timezone.now(),
    )


# --- Blocking and the model ------------------------------------------------------------------


def _chunk_of(a: int, b: int, total: int) -> int:
    """The chunk a pair of nominal ids belongs to.

    Taken from the two ids rather than the pair's place in the list, so a record added or
    edited while a run is interrupted does not move the other pairs between chunks when the
    run resumes (a pair that only appears then may land in a chunk already done; next
    month's run compares it).
    """
    mixed = ((a * 0x9E3779B97F4A7C15) ^ b) * 0xBF58476D1CE4E5B9 & 0xFFFF_FFFF_FFFF_FFFF
    return (mixed >> 16) % total


def _chunks(
    run: CrossReferenceRun, people: People, pairs: list[tuple[int, int]]
) -> dict[int, list[tuple[int, int]]]:
    """The candidate pairs by chunk number, each chunk's pairs in order; the chunk rows are
    made the first time only (a resumed run keeps its number of chunks)."""
    if not (run.chunks_total and run.chunks.exists()):
        size = max(1, int(_setting("CROSSREF_CHUNK_PAIRS", DEFAULT_CHUNK_PAIRS)))
        run.chunks_total = math.ceil(len(pairs) / size)
        CrossReferenceChunk.objects.bulk_create(
            [CrossReferenceChunk(run=run, number=n) for n in range(run.chunks_total)],
            ignore_conflicts=True,
        )
    by_chunk: dict[int, list[tuple[int, int]]] = defaultdict(list)
    ids, total = people.ids, run.chunks_total
    for i, j in pairs:
        by_chunk[_chunk_of(ids[i], ids[j], total)].append((i, j))
    return by_chunk


def _model(
    run: CrossReferenceRun, people: People, pairs: list[tuple[int, int]]
) -> LinkageParameters:
    """The run's fitted model: estimated on its first attempt and stored, so every chunk of
    the run, on every attempt, is scored by the same parameters."""
    if run.model is not None:
        return LinkageParameters.from_json(run.model.parameters)
    params = estimate_parameters(people.records, pairs)
    model, _ = LinkageModel.objects.get_or_create(
        version=params.version,
        defaults={
            "engine": ENGINE,
            "parameters": params.to_json(),
            "trained_on_pairs": params.trained_on_pairs,
        },
    )
    run.model = model
    return LinkageParameters.from_json(model.parameters)


# --- Scoring ---------------------------------------------------------------------------------


_CHUNK_COUNTS = (
    "duplicates_raised",
    "duplicates_still_open",
    "duplicates_left_dismissed",
    "duplicates_awaiting_merge",
)


@dataclass(frozen=True)
class _Known:
    """Duplicate findings already made: open ones (by pair), confirmed ones waiting for the
    merge, and the record versions of each pair's latest dismissal."""

    open: dict[tuple[int, int], int]
    confirmed: set[tuple[int, int]]
    dismissed: dict[tuple[int, int], tuple[int, int | None]]
    # The run that raised each open finding, and when.
    raised_by: dict[tuple[int, int], tuple[int, datetime]]

    @classmethod
    def load(cls, ids: list[int] | None = None) -> _Known:
        """The findings about any record (or, with `ids`, about those records)."""
        open_: dict[tuple[int, int], int] = {}
        confirmed: set[tuple[int, int]] = set()
        dismissed: dict[tuple[int, int], tuple[int, int | None]] = {}
        raised_by: dict[tuple[int, int], tuple[int, datetime]] = {}
        findings = MatchFinding.objects.filter(
            kind=FindingKind.DUPLICATE,
            status__in=[FindingStatus.OPEN, FindingStatus.CONFIRMED, FindingStatus.DISMISSED],
        )
        if ids is not None:
            findings = findings.filter(nominal_a_id__in=ids, nominal_b_id__in=ids)
        rows = findings.order_by(F("resolved_at").asc(nulls_first=True), "pk").values_list(
            "pk",
            "nominal_a_id",
            "nominal_b_id",
            "status",
            "a_version",
            "b_version",
            "run_id",
            "created_at",
        )
        for pk, a, b, status, a_version, b_version, run_id, created in rows.iterator(
            chunk_size=_BATCH
        ):
            if status == FindingStatus.OPEN:
                open_[(a, b)] = pk
                raised_by[(a, b)] = (run_id, created)
            elif status == FindingStatus.CONFIRMED:
                confirmed.add((a, b))
            else:  # the latest dismissal of the pair is the one that counts
                dismissed[(a, b)] = (a_version, b_version)
        return cls(open_, confirmed, dismissed, raised_by)


def _explanation(result: MatchResult) -> list[dict[str, Any]]:
    return [
        {
            "field": item.field,
            "level": item.level,
            "weight": round(item.weight, 2),
            "text": item.text,
        }
        for item in result.explanation
    ]


def _score(
    progress: _Progress,
    people: People,
    params: LinkageParameters,
    chunks: dict[int, list[tuple[int, int]]],
) -> None:
    """Score every chunk not done yet, each in its own transaction."""
    run = progress.run
    known = _Known.load()
    threshold = float(_setting("CROSSREF_MIN_SCORE", POSSIBLE_THRESHOLD))
    pause = float(_setting("CROSSREF_CHUNK_PAUSE_SECONDS", 0))
    todo = list(
        CrossReferenceChunk.objects.filter(run=run, done_at__isnull=True)
        .order_by("number")
        .values_list("number", flat=True)
    )
    started = time.perf_counter()
    columns = Columns.of(people.records) if todo else None
    progress.add_time("score", time.perf_counter() - started)
    for number in todo:
        started = time.perf_counter()
        counts = retry_on_lost_connection(
            partial(
                _score_chunk,
                run,
                people,
                columns,
                params,
                number,
                chunks.get(number, []),
                known,
                threshold,
            ),
            what=f"chunk {number} of cross-reference run {run.pk}",
            after_reconnect=partial(_carry_on, progress),
        )
        if counts is not None:
            progress.add(**counts)
        run.chunks_done = _count_done(run.pk)
        progress.add_time("score", time.perf_counter() - started)
        progress.save("chunks_done")
        if pause:
            time.sleep(pause)  # only ever set by tests that need a run to take a while


# The findings a chunk keeps are copied into this table of the session (COPY), then
# written with one INSERT ... SELECT and one UPDATE ... FROM: no row goes through the ORM.
_STAGING = "crossref_finding_rows"
_STAGED = (
    "id",
    "nominal_a_id",
    "nominal_b_id",
    "a_version",
    "b_version",
    "panels",
    "score",
    "decision",
    "rule",
    "explanation",
)


def _score_chunk(
    run: CrossReferenceRun,
    people: People,
    columns: Columns | None,
    params: LinkageParameters,
    number: int,
    pairs: list[tuple[int, int]],
    known: _Known,
    threshold: float,
) -> dict[str, int] | None:
    """Score one chunk's pairs (positions in `people`) in columns, explain the pairs kept,
    and write their findings and the chunk's being done in one transaction; what it
    counted, or None if the chunk was already done (by another worker, or an attempt that
    lost its worker after committing)."""
    started = time.perf_counter()
    ids, versions, panels, records = people.ids, people.versions, people.panels, people.records
    rows: list[tuple[Any, ...]] = []
    left_dismissed = awaiting_merge = still_open = raised_before = 0
    if pairs:
        columns = columns if columns is not None else Columns.of(records)
        both = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        scores = score_pairs(columns, both[:, 0], both[:, 1], params)
        kept = both[scores >= threshold].tolist()
    else:
        kept = []
    for i, j in kept:
        pair = (ids[i], ids[j])
        if pair in known.confirmed:
            awaiting_merge += 1
            continue
        if pair not in known.open and known.dismissed.get(pair) == (versions[i], versions[j]):
            left_dismissed += 1  # dismissed, and neither record has changed since
            continue
        result = score_with(records[i], records[j], params)
        existing = known.open.get(pair)
        if existing is not None:
            # Raised by this run on an earlier attempt at the chunk: it counts as raised (a
            # month run again from the start has started since).
            by_run, raised_at = known.raised_by[pair]
            if by_run == run.pk and run.started_at is not None and raised_at >= run.started_at:
                raised_before += 1
            else:
                still_open += 1
        rows.append(
            (
                existing,
                pair[0],
                pair[1],
                versions[i],
                versions[j],
                sorted(set(panels[i]) | set(panels[j])),
                result.score,
                Decision(result.decision).value,
                result.rule or "",
                json.dumps(_explanation(result)),
            )
        )

    with transaction.atomic():
        chunk = CrossReferenceChunk.objects.select_for_update().get(run=run, number=number)
        if chunk.done_at is not None:
            return None
        raised = _write_findings(run, params.version, rows) + raised_before
        counts = {
            "duplicates_raised": raised,
            "duplicates_still_open": still_open,
            "duplicates_left_dismissed": left_dismissed,
            "duplicates_awaiting_merge": awaiting_merge,
        }
        chunk.pairs = len(pairs)
        chunk.findings = raised + still_open
        chunk.counts = counts
        chunk.seconds = round(time.perf_counter() - started, 3)
        chunk.done_at = timezone.now()
        chunk.save(update_fields=["pairs", "findings", "counts", "seconds", "done_at"])
    return counts


def _write_findings(run: CrossReferenceRun, model_version: str, rows: list[tuple]) -> int:
    """Write a chunk's findings: new pairs inserted (a pair already open, raised since the
    known findings were read, keeps its one open finding), pairs still open from an earlier
    month refreshed with what this run saw. Returns the findings inserted."""
    if not rows:
        return 0
    table = MatchFinding._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGING} ("  # noqa: S608 - constant names
            "id bigint, nominal_a_id bigint, nominal_b_id bigint, a_version integer, "
            "b_version integer, panels integer[], score double precision, "
            "decision varchar(10), rule varchar(40), explanation jsonb"
            ") ON COMMIT DELETE ROWS"
        )
        # Emptied first as well: a transaction that wraps several chunks (a test's) commits
        # nothing in between.
        cursor.execute(f"DELETE FROM {_STAGING}")  # noqa: S608 - a constant name
        with cursor.cursor.copy(f"COPY {_STAGING} ({', '.join(_STAGED)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        values: dict[str, Any] = {"run": run.pk, "model": model_version, "now": timezone.now()}
        cursor.execute(
            f"INSERT INTO {table} (run_id, last_seen_run_id, kind, nominal_a_id, "  # noqa: S608
            "nominal_b_id, a_version, b_version, panels, score, decision, rule, explanation, "
            "model_version, status, resolution_note, created_at) "
            "SELECT %(run)s, %(run)s, 'duplicate', nominal_a_id, nominal_b_id, a_version, "
            "b_version, panels, score, decision, rule, explanation, %(model)s, 'open', '', "
            f"%(now)s FROM {_STAGING} WHERE id IS NULL ORDER BY nominal_a_id, nominal_b_id "
            "ON CONFLICT DO NOTHING",
            values,
        )
        raised = cursor.rowcount
        cursor.execute(
            f"UPDATE {table} AS finding SET last_seen_run_id = %(run)s, "  # noqa: S608
            "a_version = row.a_version, b_version = row.b_version, panels = row.panels, "
            "score = row.score, decision = row.decision, rule = row.rule, "
            "explanation = row.explanation, model_version = %(model)s "
            f"FROM {_STAGING} AS row WHERE row.id IS NOT NULL AND finding.id = row.id",
            values,
        )
    return raised


# --- Grouping per person ---------------------------------------------------------------------

# Findings at or above this join records into one person's group: the engines' match line.
GROUP_THRESHOLD = 0.5


def _group(progress: _Progress, people: People, params: LinkageParameters) -> None:
    """Mark each open duplicate finding with the group of records it belongs to (the
    lowest record id of the group), or none; counts the groups of three or more records.

    Done whole after every chunk is scored, from the findings in the database, so a run
    resumed after a lost worker groups exactly as one that never stopped.
    """
    position = {nominal_id: index for index, nominal_id in enumerate(people.ids)}
    findings = list(
        MatchFinding.objects.open()
        .filter(kind=FindingKind.DUPLICATE)
        .values_list("pk", "nominal_a_id", "nominal_b_id", "score", "person_group")
    )
    matches = [
        (position[a], position[b], score)
        for _pk, a, b, score, _group in findings
        if a in position and b in position and score >= GROUP_THRESHOLD
    ]
    groups = group_people(people.records, matches, params, threshold=GROUP_THRESHOLD)
    group_of: dict[int, int] = {}
    for members in groups:
        ids = sorted(people.ids[index] for index in members)
        group_of |= dict.fromkeys(ids, ids[0])
    changed = []
    for pk, a, b, _score, before in findings:
        after = group_of.get(a) if group_of.get(a) == group_of.get(b) else None
        if after != before:
            changed.append(MatchFinding(pk=pk, person_group=after))
    with transaction.atomic():
        MatchFinding.objects.bulk_update(changed, ["person_group"], batch_size=_BATCH)
        progress.counts["people_recorded_three_times_or_more"] = sum(
            1 for members in groups if len(members) > 2
        )
        progress.save()


# --- Overlaps --------------------------------------------------------------------------------


def _panel_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _overlap_explanation(
    panels: list[int], names: dict[int, str], lead: tuple[int, list[int] | None] | None
) -> list[dict[str, Any]]:
    shown = [names.get(pk, f"panel {pk}") for pk in panels]
    items = [
        {
            "field": "Panels",
            "level": "several",
            "weight": 0.0,
            "text": f"Active on {len(panels)} panels: {_panel_list(shown)}",
        }
    ]
    if lead is not None:
        lead_panel, agreed_on = lead
        lead_name = names.get(lead_panel, f"panel {lead_panel}")
        if lead_panel not in panels:
            text = f"{lead_name} was agreed as lead panel, but they are no longer active on it"
        else:
            before = [names.get(pk, f"panel {pk}") for pk in agreed_on or []]
            text = (
                f"{lead_name} was agreed as lead panel when they were on {_panel_list(before)}; "
                "their panels have changed since"
            )
        items.append({"field": "Lead panel", "level": "changed", "weight": 0.0, "text": text})
    return items


def _close_merged(progress: _Progress) -> None:
    """Findings about two records that have since been merged (here or on the person's
    record) have nothing left to decide: they are marked merged."""
    merged = (
        MatchFinding.objects.filter(
            kind=FindingKind.DUPLICATE,
            status__in=[FindingStatus.OPEN, FindingStatus.CONFIRMED],
        )
        .filter(Q(nominal_a__merged_into=F("nominal_b")) | Q(nominal_b__merged_into=F("nominal_a")))
        .update(
            status=FindingStatus.MERGED,
            resolved_at=timezone.now(),
            resolution_note=(
                f"Found merged by the cross-reference for {progress.run.month:%B %Y}."
            ),
        )
    )
    progress.counts["duplicates_found_merged"] = merged
    progress.save()


def _overlaps(progress: _Progress) -> None:
    """The month's overlap rows, replaced whole, and an open finding for each person on
    several panels unless one is open already, their agreed lead panel still stands (the
    lead is still one of their panels and the panels are those it was agreed for), or a
    coordinator decided no action was needed for the same panels."""
    run = progress.run
    people = people_on_several_panels()
    leads = {
        nominal_id: (panel_id, agreed_on)
        for nominal_id, panel_id, agreed_on in LeadPanel.objects.values_list(
            "nominal_id", "panel_id", "finding__panels"
        )
    }
    open_findings = dict(
        MatchFinding.objects.open()
        .filter(kind=FindingKind.OVERLAP)
        .values_list("nominal_a_id", "pk")
    )
    # "No action needed" stands while the person is on the same panels it was decided for.
    no_action = {
        nominal_id: sorted(panels)
        for nominal_id, panels in MatchFinding.objects.filter(
            kind=FindingKind.OVERLAP, status=FindingStatus.NO_ACTION
        )
        .order_by("resolved_at")
        .values_list("nominal_a_id", "panels")
    }
    raised_by_run = set(
        MatchFinding.objects.filter(
            kind=FindingKind.OVERLAP, run=run, created_at__gte=run.started_at
        ).values_list("nominal_a_id", flat=True)
    )
    names = dict(Panel.objects.values_list("pk", "name"))
    entries: list[OverlapEntry] = []
    new: list[MatchFinding] = []
    seen: list[MatchFinding] = []
    with_lead = 0
    for nominal_id, version, panels in people:
        lead = leads.get(nominal_id)
        lead_panel = lead[0] if lead is not None and lead[0] in panels else None
        entries.append(
            OverlapEntry(run=run, nominal_id=nominal_id, panels=panels, lead_panel_id=lead_panel)
        )
        # A lead agreed without a finding (agreed_on None) stands while its panel does.
        agreed_on = lead[1] if lead is not None else None
        lead_stands = lead_panel is not None and (agreed_on is None or sorted(agreed_on) == panels)
        if lead_stands and nominal_id not in open_findings:
            with_lead += 1
            continue
        if no_action.get(nominal_id) == sorted(panels) and nominal_id not in open_findings:
            continue
        finding = MatchFinding(
            pk=open_findings.get(nominal_id),
            run=run,
            last_seen_run=run,
            kind=FindingKind.OVERLAP,
            nominal_a_id=nominal_id,
            a_version=version,
            panels=panels,
            score=1.0,
            decision=Decision.DEFINITE.value,
            rule="several_panels",
            explanation=_overlap_explanation(panels, names, None if lead_stands else lead),
        )
        (seen if finding.pk else new).append(finding)

    with transaction.atomic():
        OverlapEntry.objects.filter(run=run).delete()
        OverlapEntry.objects.bulk_create(entries, batch_size=_BATCH)
        MatchFinding.objects.bulk_create(new, ignore_conflicts=True, batch_size=_BATCH)
        MatchFinding.objects.bulk_update(
            seen, ["last_seen_run", "a_version", "panels", "explanation"], batch_size=_BATCH
        )
        # An open overlap whose person is no longer on several panels has nothing left to
        # decide: it is closed, saying why, so the inbox holds only live questions.
        # The month's overlap rows, just written, say who still is (a subquery, rather than
        # every such person's id sent back to the database).
        still_overlapping = OverlapEntry.objects.filter(run=run).values("nominal_id")
        closed = (
            MatchFinding.objects.open()
            .filter(kind=FindingKind.OVERLAP)
            .exclude(nominal_a_id__in=still_overlapping)
            .update(
                status=FindingStatus.DISMISSED,
                resolved_at=timezone.now(),
                resolution_note=(
                    "Closed by the cross-reference for "
                    f"{run.month:%B %Y}: no longer on more than one panel."
                ),
            )
        )
        # Findings this run raised on an attempt that was interrupted count as raised.
        again = sum(1 for finding in seen if finding.nominal_a_id in raised_by_run)
        progress.counts |= {
            "people_on_several_panels": len(people),
            "overlaps_raised": len(new) + again,
            "overlaps_still_open": len(seen) - again,
            "overlaps_with_lead": with_lead,
            "overlaps_closed": closed,
        }
        progress.save()
