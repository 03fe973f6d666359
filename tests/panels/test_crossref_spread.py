"""The cross-reference with its chunks shared among workers (here, tasks run eagerly in this
process): the same findings as one process makes, and a chunk or the finish delivered twice
writes nothing twice."""

from __future__ import annotations

import math
from datetime import date

import pytest
from django.conf import settings

from accounts.models import AuditEvent, Verb
from crossref.models import CrossReferenceChunk, CrossReferenceRun, MatchFinding, RunStatus
from crossref.selectors.records import load_people
from crossref.services import run as crossref_run
from crossref.services.run import (
    finish_spread_run,
    run_crossref,
    score_spread_chunk,
    spread_crossref,
)
from crossref.tasks import cross_reference
from matching.linkage import candidate_pairs
from tests.panels.test_crossref_worker import _population

pytestmark = pytest.mark.django_db

MONTH = date(2026, 3, 1)
CHUNKS = 6


def _findings() -> set[tuple]:
    return {
        (kind, a, b, round(score, 9), decision, rule, str(explanation), tuple(panels))
        for kind, a, b, score, decision, rule, explanation, panels in MatchFinding.objects.values_list(
            "kind",
            "nominal_a_id",
            "nominal_b_id",
            "score",
            "decision",
            "rule",
            "explanation",
            "panels",
        )
    }


@pytest.fixture
def population(partnership, monkeypatch):
    _population(partnership, people=300, copies=100)
    pairs = len(candidate_pairs(load_people().records))
    monkeypatch.setattr(settings, "CROSSREF_CHUNK_PAIRS", math.ceil(pairs / CHUNKS))
    return pairs


def test_a_run_spread_over_chunk_tasks_finds_what_one_process_finds(population):
    whole = run_crossref(CrossReferenceRun.objects.create(month=MONTH).pk)
    expected = _findings()
    assert whole.status == RunStatus.COMPLETE and whole.counts["duplicates_raised"] > 10
    MatchFinding.objects.all().delete()
    CrossReferenceRun.objects.all().delete()
    completed = AuditEvent.objects.filter(verb=Verb.CROSSREF_COMPLETED).count()

    run = CrossReferenceRun.objects.create(month=MONTH)
    assert cross_reference.delay(run.pk).get()["status"] == RunStatus.COMPLETE
    run.refresh_from_db()

    assert run.chunks_total == run.chunks_done == CHUNKS
    assert _findings() == expected
    for name in ("candidate_pairs", "duplicates_raised", "overlaps_raised"):
        assert run.counts[name] == whole.counts[name]
    assert AuditEvent.objects.filter(verb=Verb.CROSSREF_COMPLETED).count() == completed + 1
    # Every chunk kept its own pairs and figures, so any worker could score it.
    chunks = list(run.chunks.all())
    assert all(chunk.pair_ids for chunk in chunks)
    assert sum(chunk.pairs for chunk in chunks) == population
    assert sum(c.counts["duplicates_raised"] for c in chunks) == run.counts["duplicates_raised"]


def test_a_chunk_or_the_finish_delivered_twice_writes_nothing_twice(population, monkeypatch):
    sent: list[tuple[int, list[int]]] = []
    monkeypatch.setattr(crossref_run, "_send_chunks", lambda run_id, numbers: sent.append(
        (run_id, numbers)
    ))  # fmt: skip
    run = spread_crossref(CrossReferenceRun.objects.create(month=MONTH).pk)
    assert sent == [(run.pk, list(range(CHUNKS)))]
    finishes: list[int] = []
    monkeypatch.setattr(
        "crossref.tasks.finish_cross_reference.delay", lambda run_id: finishes.append(run_id)
    )

    assert score_spread_chunk(run.pk, 0) is True
    first = _findings()
    assert first
    # Delivered again (the worker died before acknowledging it): nothing more is written.
    assert score_spread_chunk(run.pk, 0) is False
    assert _findings() == first
    # Even done again from the start, as a worker that had not seen it was done would: the
    # pairs already open are not raised a second time.
    chunk = CrossReferenceChunk.objects.get(run=run, number=0)
    chunk.done_at = None
    chunk.save()
    assert score_spread_chunk(run.pk, 0) is True
    assert _findings() == first
    chunk.refresh_from_db()
    assert chunk.counts["duplicates_raised"] == len(first)  # by this run, so still raised
    assert chunk.counts["duplicates_still_open"] == 0

    assert finishes == []  # not before every chunk is done
    for number in range(1, CHUNKS):
        score_spread_chunk(run.pk, number)
    assert finishes == [run.pk]
    pairs = MatchFinding.objects.values_list("kind", "nominal_a_id", "nominal_b_id")
    assert len(pairs) == len(set(pairs))

    # The finish sent twice (two chunks finishing at once both see every chunk done).
    assert finish_spread_run(run.pk).status == RunStatus.COMPLETE
    done = _findings()
    assert finish_spread_run(run.pk).status == RunStatus.COMPLETE
    assert _findings() == done
    assert AuditEvent.objects.filter(verb=Verb.CROSSREF_COMPLETED).count() == 1
    run.refresh_from_db()
    assert run.counts["duplicates_raised"] == MatchFinding.objects.filter(kind="duplicate").count()
