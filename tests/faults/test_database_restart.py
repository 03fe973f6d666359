"""PostgreSQL drops the connection of a worker in the middle of a cross-reference run, as a
restart or a fail-over does to every client: the worker reconnects, takes the run's lock
back and carries on from the chunk it was on, and the run completes with exactly the
findings of a run never interrupted."""

from __future__ import annotations

import math
from datetime import date

import pytest
from django.db import connection

from config.celery import app
from crossref.models import CrossReferenceRun, MatchFinding, RunStatus
from crossref.selectors.records import load_people
from crossref.services import run as crossref_run
from crossref.services.run import run_crossref
from crossref.tasks import cross_reference
from matching.linkage import candidate_pairs
from tests.factories import make_nominal
from tests.panels.test_crossref_worker import _findings, _population
from tests.workers import real_worker, wait_for

pytestmark = [
    pytest.mark.worker,
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
    pytest.mark.django_db(transaction=True),
]

CHUNKS = 10
PAUSE_MS = 400


def _lock_holder(run_id: int) -> int | None:
    """The database session (its process id) holding the run's lock: the worker's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
            "AND objid = %s AND granted",
            [crossref_run._RUN_LOCK_CLASS, run_id],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _terminate(pid: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0] is True


def test_a_run_completes_when_postgresql_drops_the_workers_connection(partnership, monkeypatch):
    _population(partnership)
    pairs = len(candidate_pairs(load_people().records))
    assert pairs >= 5 * CHUNKS
    # Read by the worker's settings: small chunks with a pause after each, so the run is
    # still scoring when its connection is ended, twice.
    monkeypatch.setenv("CROSSREF_CHUNK_PAIRS", str(math.ceil(pairs / CHUNKS)))
    # The run in one worker, which holds the run's lock while it scores; the chunk tasks of
    # a spread run wait out a lost connection the same way (crossref/tasks.py).
    monkeypatch.setenv("CROSSREF_SPREAD_CHUNKS", "0")
    monkeypatch.setenv("CROSSREF_CHUNK_PAUSE_MS", str(PAUSE_MS))
    run = CrossReferenceRun.objects.create(month=date(2026, 3, 1))

    def progress() -> CrossReferenceRun:
        run.refresh_from_db()
        return run

    ended: list[int] = []
    with real_worker() as (queue, worker):
        app.send_task("crossref.tasks.cross_reference", args=[run.pk], queue=queue)
        for chunks in (2, 5):
            wait_for(
                lambda chunks=chunks: (
                    progress().chunks_done >= chunks and _lock_holder(run.pk) not in (None, *ended)
                ),
                worker=worker,
                seconds=90,
                what=f"the worker did not get to chunk {chunks} on a connection of its own",
            )
            assert progress().status == RunStatus.RUNNING
            pid = _lock_holder(run.pk)
            assert pid is not None
            _terminate(pid)
            ended.append(pid)
        wait_for(
            lambda: progress().status == RunStatus.COMPLETE,
            worker=worker,
            seconds=120,
            what="the run did not complete after its connection was ended",
        )
        # The same worker process carried on: it was not restarted or replaced.
        assert worker.poll() is None

    # Carried on within the one attempt, chunk by chunk, with the model it had fitted.
    assert run.attempts == 1 and run.error == ""
    assert run.chunks_done == run.chunks_total == CHUNKS
    model = run.model
    resumed = _findings()
    assert len(resumed) == len(set(resumed))
    assert run.counts["duplicates_raised"] == sum(1 for kind, *_ in resumed if kind == "duplicate")

    # The same month run without interruption, from nothing, in this process.
    MatchFinding.objects.all().delete()
    CrossReferenceRun.objects.all().delete()
    whole = run_crossref(CrossReferenceRun.objects.create(month=date(2026, 3, 1)).pk)
    assert whole.status == RunStatus.COMPLETE and whole.model == model
    assert set(_findings()) == set(resumed)
    assert whole.counts == run.counts


def test_a_run_whose_connection_ends_before_it_scores_is_carried_on(
    partnership, monkeypatch, settings
):
    """Lost while reading the records (before any chunk): the task waits, takes the run
    again on a new connection and completes it as a second attempt."""
    make_nominal(partnership.coordinator, on_panel=partnership.panel)
    run = CrossReferenceRun.objects.create(month=date(2026, 3, 1))
    real_load = crossref_run.load_people
    calls: list[int] = []

    def load_once_cut_off():
        calls.append(1)
        if len(calls) == 1:
            with connection.cursor() as cursor:
                # What a restart does to every client: the session ends mid-query.
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        return real_load()

    monkeypatch.setattr(crossref_run, "load_people", load_once_cut_off)
    settings.CROSSREF_SPREAD_CHUNKS = False  # one process: the records are read once a try
    result = cross_reference.apply(args=[run.pk]).get()

    run.refresh_from_db()
    assert result["status"] == RunStatus.COMPLETE == run.status
    assert len(calls) == 2 and run.attempts == 2 and run.error == ""
    assert run.chunks_done == run.chunks_total
