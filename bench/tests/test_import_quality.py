"""Monthly-list matching quality (bench/import_quality.py): the figures are counted right on a
hand-made case, and the measure runs end to end through the real import on a small
generated borough."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from bench.import_quality import (
    HEADING,
    KNOWN_KINDS,
    LINKED_RIGHT,
    LINKED_WRONG,
    NEW_CREATED,
    NEW_KINDS,
    NEW_LINKED,
    NEW_QUEUED,
    NOT_MATCHED,
    NOT_OFFERED,
    OFFERED_FIRST,
    OFFERED_LATER,
    ImportQuality,
    ListRow,
    MatchedRow,
    agency_list,
    classify,
    measure_import_quality,
    merge_section,
    report_lines,
    tally,
)
from bench.synthetic import borough_people, generate, generated_nominal_ids, plan_partnership
from tests.people import generate_people

TODAY = date(2026, 12, 7)


def _known(expected: int, kind: str = "as recorded") -> ListRow:
    return ListRow({}, kind, expected)


def _new(kind: str = "unrelated") -> ListRow:
    return ListRow({}, kind, None)


@pytest.mark.parametrize(
    ("row", "matched", "outcome"),
    [
        (_known(7), MatchedRow("linked", 7, ()), LINKED_RIGHT),
        (_known(7), MatchedRow("linked", 8, ()), LINKED_WRONG),
        (_known(7), MatchedRow("queued", None, (7, 8)), OFFERED_FIRST),
        (_known(7), MatchedRow("queued", None, (8, 7)), OFFERED_LATER),
        (_known(7), MatchedRow("queued", None, (8, 9)), NOT_OFFERED),
        (_known(7), MatchedRow("created", None, ()), NOT_OFFERED),
        (_known(7), MatchedRow("invalid", None, ()), NOT_MATCHED),
        (_new(), MatchedRow("created", None, ()), NEW_CREATED),
        (_new(), MatchedRow("queued", None, (8,)), NEW_QUEUED),
        (_new(), MatchedRow("linked", 8, ()), NEW_LINKED),
    ],
)
def test_each_row_is_classified_against_the_person_it_was_made_from(row, matched, outcome):
    assert classify(row, matched) == outcome


def test_the_issue_figures_are_counted_on_rows_whose_person_exists():
    rows = [
        *(_known(pk, "typo in one name") for pk in range(1, 8)),  # 7 linked right
        _known(8, "age only"),  # offered first
        _known(9, "age only"),  # offered second
        _known(10, "age only"),  # made a new record
        _new(),
        _new("namesake born in another year"),
    ]
    matched = [
        *(MatchedRow("linked", pk, ()) for pk in range(1, 8)),
        MatchedRow("queued", None, (8, 3)),
        MatchedRow("queued", None, (4, 9)),
        MatchedRow("created", None, ()),
        MatchedRow("created", None, ()),
        MatchedRow("linked", 5, ()),  # a namesake taken for someone on record
    ]
    result = tally("separate name columns", 10, rows, matched)

    assert result.known_total() == 10
    assert result.right_linked_or_first == pytest.approx(0.8)
    assert result.linked_without_decision == pytest.approx(0.7)
    assert result.wrong_links == 1
    assert result.share((LINKED_RIGHT, OFFERED_FIRST), "age only") == pytest.approx(1 / 3)
    assert not result.meets_targets()
    # The figures survive the file --import-quality-save writes.
    assert ImportQuality.from_dict(result.as_dict()) == result


def test_the_report_sets_the_previous_engine_beside_the_new_one():
    before = ImportQuality(
        "separate name columns",
        10,
        10,
        known={"age only": Counter({LINKED_RIGHT: 5, NOT_OFFERED: 5})},
    )
    now = ImportQuality(
        "separate name columns",
        10,
        10,
        known={"age only": Counter({LINKED_RIGHT: 9, OFFERED_FIRST: 1})},
    )
    lines = report_lines([now], command="bench", seed=1, previous=[before])
    assert (
        "| figure | separate name columns: previous engine | separate name columns: now |" in lines
    )
    assert "| right record linked or offered first (target 99 %) | 50.0% | 100.0% |" in lines
    assert "| linked without a decision (target 70 %) | 50.0% | 90.0% |" in lines

    report = "# Benchmarks\n\n## Search\n\ntext\n\n## Interpretation\n\nend\n"
    merged = merge_section(report, "\n".join(lines))
    assert merged.index(HEADING) < merged.index("## Interpretation")
    # Run again, the section is replaced, not added twice.
    assert merge_section(merged, "\n".join(lines)).count(HEADING) == 1


def test_the_list_is_the_same_for_the_same_seed_and_holds_every_kind():
    people = generate_people(200, 5)
    ids = list(range(1000, 1200))
    listed = agency_list(people, ids, rows=60, seed=2, today=TODAY)
    assert listed == agency_list(people, ids, rows=60, seed=2, today=TODAY)
    assert {row.kind for row in listed if row.expected} == set(KNOWN_KINDS)
    assert {row.kind for row in listed if row.expected is None} == set(NEW_KINDS)
    assert sum(row.expected is not None for row in listed) == 42
    by_id = dict(zip(ids, people, strict=True))
    for row in listed:
        if row.kind == "age only":
            assert row.cells["DOB"] == "" and row.cells["Age"].isdigit()
        if row.kind == "names reversed":
            person = by_id[row.expected]
            assert (row.cells["Surname"], row.cells["Forename"]) == (person.given, person.family)
        if row.kind.startswith("sibling"):
            assert any(row.cells["Surname"] == person.family for person in people)


@pytest.mark.django_db
def test_the_measure_runs_through_the_real_import():
    generate(nominals=120, seed=4, password="synthetic-test-password")  # noqa: S106
    plan = plan_partnership(120, 4)[0]
    results = measure_import_quality(plan, rows=44, seed=4)

    assert [result.layout for result in results] == [
        "separate name columns",
        "one whole-name column",
    ]
    for result in results:
        assert (result.known_total(), result.new_total()) == (31, 13)
        # Rows typed exactly as recorded are linked to their own record without a decision.
        assert result.known["as recorded"] == Counter({LINKED_RIGHT: 3})
    # The whole name split back into its parts matches as the separate columns do.
    assert results[0].known == results[1].known
    # Sanity: the borough's records are the people the list was drawn from.
    assert len(generated_nominal_ids(plan)) == len(borough_people(plan)) == 120
