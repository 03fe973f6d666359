"""A real worker killed in the middle of a cross-reference run: the run (or, with its chunks
spread over tasks, the chunk it held) is delivered again to a new worker, which carries on
from the chunks already done and finishes with exactly the findings an uninterrupted run
makes."""

from __future__ import annotations

import math
import random
import signal
import time
from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.db import connection

from config.celery import app
from crossref.models import CrossReferenceRun, MatchFinding, RunStatus
from crossref.selectors.records import load_people
from crossref.services import run as crossref_run
from crossref.services.run import run_crossref
from matching.linkage import candidate_pairs
from offenders.models import Identifier, Nominal
from offenders.services import match_fields
from panels.models import CohortMembership, MembershipStatus, PanelKind
from tests.factories import make_panel
from tests.people import corrupt, generate_people
from tests.workers import real_worker, wait_for

pytestmark = [
    pytest.mark.worker,
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
    pytest.mark.django_db(transaction=True),
]

CHUNKS = 12
PAUSE_MS = 500
# Short, so the message of the killed worker is handed on as soon as the next one starts.
VISIBILITY_SECONDS = 3


def _population(partnership, *, people: int = 500, copies: int = 150, seed: int = 23) -> None:
    """`people` generated people and `copies` of some of them as another agency typed them
    (a typo, a nickname, swapped names, a transposed date, no identifiers), written in bulk;
    some on one panel, a few on two."""
    actor = partnership.coordinator
    generated = generate_people(people, seed)
    rng = random.Random(seed)
    records = list(generated)
    for person in rng.sample(generated, copies):
        kind = rng.choice(("typo", "nickname", "swap", "dob_transposed", "missing_identifiers"))
        try:
            records.append(replace(corrupt(person, rng, kind), identifiers={}))
        except ValueError:
            continue
    nominals = []
    for record in records:
        search_name, keys = match_fields(record.given, record.family, record.dob)
        nominals.append(
            Nominal(
                given_names=record.given,
                family_name=record.family,
                date_of_birth=record.dob,
                dob_approximate=record.dob_approximate,
                gender=record.gender,
                postcode=record.postcode,
                owning_agency=actor.agency,
                created_by=actor,
                search_name=search_name,
                match_keys=keys,
            )
        )
    Nominal.objects.bulk_create(nominals)
    Identifier.objects.bulk_create(
        Identifier(nominal=nominal, kind=kind, value=value, recorded_by_agency=actor.agency)
        for nominal, record in zip(nominals, records, strict=True)
        for kind, value in record.identifiers.items()
        if kind in ("pnc", "crn")
    )
    mappa = make_panel(
        partnership.probation, [partnership.council], name="Test MAPPA panel", kind=PanelKind.MAPPA
    )
    start = date(2026, 1, 12)
    CohortMembership.objects.bulk_create(
        CohortMembership(
            nominal=nominal,
            panel=panel,
            status=MembershipStatus.ACTIVE,
            referred_on=start - timedelta(days=7),
            start=start,
        )
        for index, nominal in enumerate(nominals[:40])
        for panel in ([partnership.panel, mappa] if index % 8 == 0 else [partnership.panel])
    )


def _findings() -> list[tuple[str, int, int | None]]:
    return list(MatchFinding.objects.values_list("kind", "nominal_a_id", "nominal_b_id"))


def _lock_held(run_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
            "AND objid = %s AND granted",
            [crossref_run._RUN_LOCK_CLASS, run_id],
        )
        return cursor.fetchone()[0] > 0


def test_a_run_survives_its_worker_being_killed(partnership, monkeypatch):
    _population(partnership)
    pairs = len(candidate_pairs(load_people().records))
    assert pairs >= 5 * CHUNKS
    # Read by the workers' settings: small chunks, each followed by a pause, so the run is
    # still going when its worker is killed.
    monkeypatch.setenv("CROSSREF_CHUNK_PAIRS", str(math.ceil(pairs / CHUNKS)))
    monkeypatch.setenv("CROSSREF_CHUNK_PAUSE_MS", str(PAUSE_MS))
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", str(VISIBILITY_SECONDS))
    # The whole run in the one task, as it is when chunks are not shared among workers.
    monkeypatch.setenv("CROSSREF_SPREAD_CHUNKS", "0")
    # Both workers consume the same queue, as a deployment's workers do.
    run = CrossReferenceRun.objects.create(month=date(2026, 3, 1))

    def progress() -> CrossReferenceRun:
        run.refresh_from_db()
        return run

    with real_worker() as (queue, first):
        app.send_task("crossref.tasks.cross_reference", args=[run.pk], queue=queue)
        wait_for(
            lambda: progress().chunks_done >= 1,
            worker=first,
            seconds=90,
            what="the first worker did not finish a chunk",
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    killed_at = progress().chunks_done
    assert run.status == RunStatus.RUNNING
    assert 1 <= killed_at < run.chunks_total == CHUNKS
    model = run.model
    # The killed worker's database session ends, and its lock on the run with it.
    wait_for(lambda: not _lock_held(run.pk), worker=None, seconds=30, what="the lock stayed held")
    time.sleep(VISIBILITY_SECONDS + 1)

    with real_worker(queue) as (_queue, second):
        wait_for(
            lambda: progress().status == RunStatus.COMPLETE,
            worker=second,
            seconds=120,
            what="the second worker did not complete the run",
        )
    assert run.attempts == 2
    assert run.chunks_done == run.chunks_total
    assert run.model == model  # carried on with the model the first attempt fitted
    assert run.error == ""
    resumed = _findings()
    assert len(resumed) == len(set(resumed))
    assert run.counts["duplicates_raised"] == sum(1 for kind, *_ in resumed if kind == "duplicate")
    assert run.counts["overlaps_raised"] == 5

    # The same month run without interruption, from nothing, in this process.
    MatchFinding.objects.all().delete()
    CrossReferenceRun.objects.all().delete()
    whole = run_crossref(CrossReferenceRun.objects.create(month=date(2026, 3, 1)).pk)
    assert whole.status == RunStatus.COMPLETE and whole.model == model
    assert set(_findings()) == set(resumed)
    assert whole.counts["duplicates_raised"] == run.counts["duplicates_raised"] > 10


def test_a_run_spread_over_chunk_tasks_survives_a_worker_being_killed(partnership, monkeypatch):
    _population(partnership)
    pairs = len(candidate_pairs(load_people().records))
    monkeypatch.setenv("CROSSREF_CHUNK_PAIRS", str(math.ceil(pairs / CHUNKS)))
    monkeypatch.setenv("CROSSREF_CHUNK_PAUSE_MS", str(PAUSE_MS))
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", str(VISIBILITY_SECONDS))
    monkeypatch.setenv("CROSSREF_SPREAD_CHUNKS", "1")
    run = CrossReferenceRun.objects.create(month=date(2026, 3, 1))

    def progress() -> CrossReferenceRun:
        run.refresh_from_db()
        return run

    with real_worker() as (queue, first):
        app.send_task("crossref.tasks.cross_reference", args=[run.pk], queue=queue)
        wait_for(
            lambda: progress().chunks_done >= 1,
            worker=first,
            seconds=90,
            what="the first worker did not finish a chunk",
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    killed_at = progress().chunks_done
    assert run.status == RunStatus.RUNNING
    assert 1 <= killed_at < run.chunks_total == CHUNKS
    time.sleep(VISIBILITY_SECONDS + 1)

    # The chunk the killed worker held is delivered again, with the chunks still queued.
    with real_worker(queue) as (_queue, second):
        wait_for(
            lambda: progress().status == RunStatus.COMPLETE,
            worker=second,
            seconds=120,
            what="the second worker did not complete the run",
        )
    assert run.chunks_done == run.chunks_total and run.error == ""
    spread = _findings()
    assert len(spread) == len(set(spread))
    assert run.counts["duplicates_raised"] == sum(1 for kind, *_ in spread if kind == "duplicate")

    MatchFinding.objects.all().delete()
    CrossReferenceRun.objects.all().delete()
    whole = run_crossref(CrossReferenceRun.objects.create(month=date(2026, 3, 1)).pk)
    assert set(_findings()) == set(spread)
    assert whole.counts["duplicates_raised"] == run.counts["duplicates_raised"] > 10
