"""The benchmark runner, run small for correctness only: never an assertion about speed.

It builds its own scratch databases (not the test database), so the test asks pytest-django
for database access with `django_db_blocker` rather than the `db` fixture. The two sizes
make one and two boroughs, so the system administrator's agreement list doubles in rows
while its query count must not move.
"""

from __future__ import annotations

import math
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from reporting.benchmarks import PAGES, BenchResult, render_markdown, run_benchmarks

SIZES = [200, 3500]


@pytest.fixture(scope="module")
def bench(django_db_blocker) -> BenchResult:
    with django_db_blocker.unblock():
        return run_benchmarks(sizes=SIZES, seed=1, repeat=5, command="smoke", warm_up=1)


def test_every_page_is_measured_at_every_size(bench: BenchResult):
    assert [size.nominals for size in bench.sizes] == SIZES
    assert [size.boroughs for size in bench.sizes] == [1, 2]
    for size in bench.sizes:
        assert [result.page for result in size.pages] == list(PAGES)
        # The trivial row pools the baseline paired with each page.
        assert len(size.trivial.samples_ms) == 5 * len(PAGES)
        for result in size.pages:
            assert len(result.samples_ms) == len(result.baseline.samples_ms) == 5
            for ratio in size.ratio(result):
                assert ratio > 0 and math.isfinite(ratio)
            assert result.queries > 0


def test_queries_stay_flat_as_the_data_grows(bench: BenchResult):
    small, large = bench.sizes
    assert large.counts["agreements"] == 2 * small.counts["agreements"]
    assert large.counts["access log"] > small.counts["access log"]
    assert {r.page.label: r.queries for r in small.pages} == {
        r.page.label: r.queries for r in large.pages
    }
    assert all(bench.queries_flat().values())


def test_report_has_a_row_for_every_page(bench: BenchResult):
    markdown = render_markdown(bench)
    for page in PAGES:
        # Once per size table, once in the queries table.
        assert markdown.count(f"| {page.label} |") == len(SIZES) + 1
    assert "Trivial view (baseline)" in markdown
    assert "## Interpretation" in markdown


def test_command_writes_the_report(django_db_blocker, tmp_path: Path):
    output = tmp_path / "benchmarks.md"
    with django_db_blocker.unblock():
        call_command(
            "run_bench", "--sizes", "100", "--repeat", "2", f"--output={output}", stdout=StringIO()
        )
    text = output.read_text()
    assert "python manage.py run_bench --sizes 100 --seed 1 --repeat 2" in text
    for page in PAGES:
        assert f"| {page.label} |" in text
