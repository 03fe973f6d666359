"""The cross-referencing benchmarks, run small for correctness only: never an assertion about
speed, nor that our engine beats the anchors.

The precision, recall and F1 arithmetic is checked on a hand-made example; the generated data
set keeps its promises (ground truth, one record per identifier, one to three corruptions);
a tiny generated set goes through all three engines and through the monthly job end to end
in a scratch database (not the test database, so `django_db_blocker` rather than `db`); and
a slice of FEBRL4 shows the two files' records are numbered alike for every engine.
"""

from __future__ import annotations

import os

import pytest

from bench.crossref import (
    CrossrefResult,
    DatasetResult,
    EngineScore,
    crossref_lines,
    measure_febrl4,
    run_crossref_benchmarks,
    score_run,
)
from bench.crossref_engines import (
    AS_IS,
    ONE_TO_ONE,
    OURS,
    RECORDLINKAGE,
    SPLINK,
    EngineRun,
    Quality,
)
from bench.linkage_data import CORRUPTION_COUNTS, PANEL_KINDS, linkage_dataset
from bench.runner import scratch_databases

PEOPLE = 300
NOMINALS = 420  # 300 people, 120 of them recorded twice
ENGINES = {OURS, SPLINK, RECORDLINKAGE}


def test_precision_recall_and_f1_are_counted_by_hand():
    # Pairs in either order are the same pair; (5, 6) is a false match; (7, 8) and
    # (9, 10) are missed.
    quality = Quality.of(
        predicted=[(1, 2), (4, 3), (5, 6)], truth=[(2, 1), (3, 4), (7, 8), (9, 10)]
    )
    assert (quality.true_positives, quality.false_positives, quality.false_negatives) == (2, 1, 2)
    assert quality.precision == pytest.approx(2 / 3)
    assert quality.recall == pytest.approx(2 / 4)
    assert quality.f1 == pytest.approx(2 * (2 / 3) * (1 / 2) / (2 / 3 + 1 / 2))  # 4/7
    assert quality.f1 == pytest.approx(4 / 7)
    nothing = Quality.of(predicted=[], truth=[(1, 2)])
    assert (nothing.precision, nothing.recall, nothing.f1) == (0.0, 0.0, 0.0)
    perfect = Quality.of(predicted=[(2, 1)], truth=[(1, 2)])
    assert (perfect.precision, perfect.recall, perfect.f1) == (1.0, 1.0, 1.0)


def test_a_capped_run_is_scored_on_the_true_pairs_among_its_records():
    truth = [(0, 1), (2, 3), (4, 9)]
    run = EngineRun(RECORDLINKAGE, AS_IS, {(0, 1), (2, 5)}, 1.0, 10, records=6)
    score = score_run(run, truth, records=10)
    assert score.capped
    # (4, 9) is beyond the first six records: neither found nor missed.
    assert (score.quality.true_positives, score.quality.false_negatives) == (1, 1)
    assert score.quality.false_positives == 1
    whole = score_run(EngineRun(SPLINK, AS_IS, {(0, 1)}, 1.0, 10, records=10), truth, records=10)
    assert not whole.capped and whole.quality.false_negatives == 2


def _score(engine: str, f1_hits: int, *, capped: bool = False) -> EngineScore:
    # f1_hits true pairs found of 10, no false ones.
    quality = Quality(f1_hits, 0, 10 - f1_hits)
    return EngineScore(engine, AS_IS, quality, 1.0, 100, 20, "how", capped=capped)


def test_the_report_says_by_how_much_our_engine_differs_from_the_best_anchor():
    ahead = DatasetResult("Ahead", "deduplicate one file", 20, 10, AS_IS)
    ahead.scores = [_score(OURS, 9), _score(SPLINK, 8), _score(RECORDLINKAGE, 6)]
    behind = DatasetResult("Behind", "deduplicate one file", 20, 10, AS_IS)
    # A capped anchor is not comparable, however well it did on its slice.
    behind.scores = [
        _score(OURS, 7),
        _score(SPLINK, 8),
        _score(RECORDLINKAGE, 10, capped=True),
    ]
    assert ahead.best_anchor().engine == SPLINK
    assert ahead.difference() == pytest.approx(ahead.ours().quality.f1 - 16 / 18)
    assert behind.best_anchor().engine == SPLINK
    text = "\n".join(crossref_lines(CrossrefResult(seed=1, datasets=[ahead, behind])))
    difference = ahead.difference()
    assert f"differs by {difference:+.4f}; reached it." in text
    assert f"differs by {behind.difference():+.4f}; did NOT reach it." in text
    assert f"| Behind | {RECORDLINKAGE} | as is | 20 (capped) |" in text


def test_the_generated_set_holds_its_ground_truth():
    data = linkage_dataset(NOMINALS, seed=3)
    assert len(data.records) == NOMINALS
    assert data.people == PEOPLE
    assert len(data.true_pairs) == NOMINALS - PEOPLE
    for i, j in data.true_pairs:
        assert i < j and data.person_of[i] == data.person_of[j]
        assert data.agencies[i] != data.agencies[j]  # recorded again by another agency
        second = j if data.corruptions[j] else i
        assert CORRUPTION_COUNTS[0] <= len(data.corruptions[second]) <= CORRUPTION_COUNTS[-1]
    # Every record of one person is in a true pair; nobody else's records are.
    by_person: dict[int, list[int]] = {}
    for index, person in enumerate(data.person_of):
        by_person.setdefault(person, []).append(index)
    assert {tuple(records) for records in by_person.values() if len(records) == 2} == set(
        data.true_pairs
    )
    # A number belongs to one record, as the database allows.
    numbers = [(k, v) for record in data.records for k, v in record.identifiers.items()]
    assert len(numbers) == len(set(numbers))
    for panels in data.panels:
        assert 1 <= len(panels) <= 3 and len(set(panels)) == len(panels)
        assert all(0 <= panel < len(PANEL_KINDS) for panel in panels)
    assert 0 < data.on_several_panels() < NOMINALS * 0.3
    # The same arguments give the same data; records are shuffled, not in pairs.
    assert linkage_dataset(NOMINALS, seed=3) == data
    assert sum(1 for i, j in data.true_pairs if j == i + 1) < len(data.true_pairs) / 4


@pytest.fixture(scope="module")
def crossref(django_db_blocker, as_database_owner) -> CrossrefResult:
    # Scratch databases, created and migrated: the owner role's work.
    with (
        django_db_blocker.unblock(),
        as_database_owner(),
        scratch_databases(f"tandem_xref_{os.getpid()}") as fresh,
    ):
        return run_crossref_benchmarks(sizes=[NOMINALS], seed=1, fresh=fresh, febrl=False)


def test_every_engine_answers_on_the_generated_set(crossref: CrossrefResult):
    _agency, generated = crossref.datasets
    assert generated.records == NOMINALS and generated.true_pairs == NOMINALS - PEOPLE
    assert {score.engine for score in generated.scores} == ENGINES
    for score in generated.scores:
        assert not score.error, score
        assert not score.capped and score.records == NOMINALS
        assert 0.0 <= score.quality.f1 <= 1.0
        assert score.quality.true_positives + score.quality.false_negatives == NOMINALS - PEOPLE
        assert score.seconds > 0 and score.candidate_pairs > 0
    ours = generated.ours()
    # Our engine finds the planted pairs, and little else.
    assert ours.quality.recall >= 0.9
    assert ours.quality.precision >= 0.9
    assert generated.difference() is not None
    # Only ours says which pairs it compared and groups its matches into people.
    assert ours.pair_completeness >= 0.95 and ours.clustered.f1 >= 0.9
    assert all(s.clustered is None for s in generated.scores if s.engine != OURS)


def test_the_agency_typed_set_is_compared_nearly_whole_by_ours_alone(crossref: CrossrefResult):
    agency, _generated = crossref.datasets
    assert agency.name == f"Generated, agency-typed, {NOMINALS} nominals"
    assert agency.data["without a date of birth"] >= NOMINALS / 5
    (ours,) = agency.scores
    assert ours.engine == OURS and not ours.error
    assert ours.pair_completeness >= 0.95
    assert 0.0 < ours.clustered.precision <= 1.0


def test_the_job_runs_end_to_end_on_the_generated_set(crossref: CrossrefResult):
    (run,) = crossref.end_to_end
    assert run.status == "complete"
    assert run.nominals == NOMINALS
    assert run.counts["nominals"] == NOMINALS
    assert run.counts["active_memberships"] == run.memberships
    assert run.counts["candidate_pairs"] > 0
    # Every record on two or three panels has its overlap row.
    assert run.overlap_rows == run.expected_overlaps > 0
    # The findings it wrote are the planted pairs, scored against the same ground truth.
    assert run.findings.recall >= 0.9
    assert run.findings_at_half.precision >= 0.9
    for phase in ("load", "block", "estimate", "score", "group", "overlaps", "total"):
        assert phase in run.durations


def test_the_report_has_the_cross_referencing_section(crossref: CrossrefResult):
    text = "\n".join(crossref_lines(crossref))
    assert "## Cross-referencing" in text
    for engine in ENGINES:
        assert f"| Generated, {NOMINALS} nominals | {engine} | as is | {NOMINALS} |" in text
    assert f"- **Generated, {NOMINALS} nominals**: our engine (as is) F1" in text
    assert "### The generated data sets" in text
    assert "### End to end inside the app" in text
    assert f"| {NOMINALS} | complete |" in text
    assert "| pair completeness |" in text and "| clustered F1 |" in text
    assert f"| Generated, agency-typed, {NOMINALS} nominals | {OURS} | as is |" in text


def test_febrl4_records_are_numbered_alike_for_every_engine():
    febrl = measure_febrl4(lambda _line: None, records_per_file=150)
    assert febrl.records == 300 and febrl.true_pairs == 150
    assert {(s.engine, s.variant) for s in febrl.scores} == {
        (engine, variant) for engine in ENGINES for variant in (AS_IS, ONE_TO_ONE)
    }
    for score in febrl.scores:
        assert not score.error, score
        # Positions mapped wrongly would make every found pair a false one.
        assert score.quality.f1 >= 0.9, score
    assert febrl.ours().variant == ONE_TO_ONE
