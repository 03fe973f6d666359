"""The benchmark runner, run small for correctness only: never an assertion about speed.

It builds its own scratch databases (not the test database), so the test asks pytest-django
for database access with `django_db_blocker` rather than the `db` fixture. The two sizes
make one and two boroughs, so the system administrator's agreement list doubles in rows
while its query count must not move; the heavy record's profile must ask what the typical
one's does; search must find mistyped names as the issue asks (99 % in the top ten),
on a small probe set; and producing a report must ask the same queries at both sizes.
"""

from __future__ import annotations

import math
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from bench.access_log import LOGGED_PAGES, per_person_logging_off
from bench.runner import (
    FIGURES_API,
    FIGURES_DASHBOARD,
    HEAVY_PROFILE,
    LOGGING_HEADING,
    PAGES,
    PROFILE,
    REPORT_FIGURES,
    BenchResult,
    merge_logging_section,
    render_markdown,
    run_benchmarks,
)
from bench.search_quality import KINDS, MODES, NAME_KINDS

SIZES = [300, 3100]
REPEAT = 3
PROBES = 48
IMPORT_ROWS = 400
REPORT_RUNS = 2


@pytest.fixture(scope="module")
def bench(django_db_blocker, as_database_owner) -> BenchResult:
    # The runner creates, migrates and drops its own databases: the owner role's work.
    with django_db_blocker.unblock(), as_database_owner():
        return run_benchmarks(
            sizes=SIZES,
            seed=1,
            repeat=REPEAT,
            command="smoke",
            warm_up=1,
            quality_probes=PROBES,
            import_rows=IMPORT_ROWS,
            report_runs=REPORT_RUNS,
        )


def test_every_page_is_measured_at_every_size(bench: BenchResult):
    assert [size.nominals for size in bench.sizes] == SIZES
    assert [size.boroughs for size in bench.sizes] == [1, 2]
    for size in bench.sizes:
        assert [result.page for result in size.pages] == list(PAGES)
        # The trivial row pools the baseline paired with each page.
        assert len(size.trivial.samples_ms) == REPEAT * len(PAGES)
        for result in size.pages:
            assert len(result.samples_ms) == len(result.baseline.samples_ms) == REPEAT
            for ratio in size.ratio(result):
                assert ratio > 0 and math.isfinite(ratio)
            assert result.queries > 0


def test_queries_stay_flat_as_the_data_grows(bench: BenchResult):
    small, large = bench.sizes
    assert large.counts["agreements"] == 2 * small.counts["agreements"]
    assert large.counts["access log"] > small.counts["access log"]
    # The generated nominals, and the runner's heavy record.
    assert [size.counts["nominals"] for size in bench.sizes] == [n + 1 for n in SIZES]
    assert {r.page.label: r.queries for r in small.pages} == {
        r.page.label: r.queries for r in large.pages
    }
    assert all(bench.queries_flat().values())


def test_a_heavy_record_asks_the_queries_of_a_typical_one(bench: BenchResult):
    for size in bench.sizes:
        typical, heavy = size.records["typical"], size.records["heavy"]
        assert (typical.panels, typical.rag_reviews, typical.events, typical.aliases) == (
            1,
            2,
            4,
            0,
        )
        assert (heavy.panels, heavy.rag_reviews, heavy.events) == (5, 100, 200)
        assert heavy.identifiers + heavy.aliases == 20
        assert size.queries(PROFILE) == size.queries(HEAVY_PROFILE)
    assert bench.profile_flat()


def test_search_finds_mistyped_names(bench: BenchResult):
    for size in bench.sizes:
        with_dob, name_only = size.quality
        assert (with_dob.mode, name_only.mode) == MODES
        assert with_dob.kinds == KINDS
        assert with_dob.count(KINDS) == PROBES
        assert len(with_dob.samples_ms) == PROBES
        assert name_only.kinds == NAME_KINDS
        # The bar, on the name corruptions with the date of birth as the form takes.
        assert with_dob.rate(NAME_KINDS, top=10) >= 0.99
        assert with_dob.rate(KINDS, top=10) >= 0.99


def test_report_has_a_row_for_every_page(bench: BenchResult):
    markdown = render_markdown(bench)
    logged = {page.label for page in LOGGED_PAGES}
    for page in PAGES:
        # Once per size table, once in the queries table; and once per size in the access
        # log's tables for the pages measured there too.
        again = len(SIZES) if page.label in logged else 0
        assert markdown.count(f"| {page.label} |") == len(SIZES) + 1 + again
    assert "Trivial view (baseline)" in markdown
    assert "## Records profiled" in markdown
    assert "## Search quality" in markdown
    assert markdown.count("| **typo, nickname or swap** |") == len(SIZES)
    assert "Nominal profile and Nominal profile, heavy record: equal at every size." in markdown
    assert "## Interpretation" in markdown


def test_command_writes_the_report(django_db_blocker, as_database_owner, tmp_path: Path):
    output = tmp_path / "benchmarks.md"
    printed = StringIO()
    with django_db_blocker.unblock(), as_database_owner():
        call_command(
            "run_bench",
            "--sizes",
            "100",
            "--repeat",
            "2",
            "--probes",
            "8",
            # The cross-referencing section has its own smoke test (test_bench_crossref.py).
            "--no-crossref",
            f"--output={output}",
            stdout=printed,
        )
    text = output.read_text()
    # Each page's budget and whether it was met: in the report and printed by the command.
    budget_rows = [line for line in text.splitlines() if line.endswith(("| met |", "| NOT MET |"))]
    budget_rows += [line for line in text.splitlines() if "within the aim of 3x) |" in line]
    assert len(budget_rows) == len(PAGES)
    printed_lines = printed.getvalue().splitlines()
    assert "Page budget: median within 10x the trivial view's (aim 3x)" in printed_lines
    for page in PAGES:
        assert any(
            page.label in line and line.rstrip().endswith(("met", "MET", "3x)"))
            for line in printed_lines
        )
    assert "python manage.py run_bench --sizes 100 --seed 1 --repeat 2 --probes 8" in text
    assert "--no-crossref" in text
    for page in PAGES:
        assert f"| {page.label} |" in text


def test_the_cohort_tracker_asks_the_same_queries_for_50_and_1000_members(bench: BenchResult):
    for size in bench.sizes:
        queries = {
            page.page.label: page.queries
            for page in size.pages
            if "Cohort tracker" in page.page.label
        }
        assert len(queries) == 2
        assert len(set(queries.values())) == 1, queries


def test_the_monthly_list_import_accounts_for_every_row_and_links_nobody_wrongly(
    bench: BenchResult,
):
    for size in bench.sizes:
        run = size.monthly_import
        assert run is not None
        assert sum(run.outcomes.values()) == IMPORT_ROWS
        assert run.linked_wrong == 0
        # Known people typed as recorded (with their PNC ID) are certain links.
        assert run.linked_right >= run.held["known, as recorded"] * 0.9
        assert run.outcomes.get("created", 0) >= run.held["new"] * 0.9
    assert "## Panels: cohort tracker" in render_markdown(bench)


def test_an_action_plan_ten_times_larger_asks_the_same_queries(bench: BenchResult):
    for size in bench.sizes:
        by_label = {page.page.label: page.queries for page in size.pages}
        assert by_label["Action plan, 15 actions"] == by_label["Action plan, 150 actions"]


def test_the_figures_pages_are_measured_with_flat_queries(bench: BenchResult):
    assert FIGURES_DASHBOARD in PAGES and FIGURES_API in PAGES
    for page in (FIGURES_DASHBOARD, FIGURES_API):
        assert page.persona == "committee"
        assert "2025" in page.path  # the last financial year the generated data covers whole
        assert len({size.queries(page) for size in bench.sizes}) == 1
        assert bench.queries_flat()[page.label]


def test_report_generation_takes_time_and_the_same_queries_at_every_size(bench: BenchResult):
    runs = [size.report_generation for size in bench.sizes]
    assert all(runs)
    for run in runs:
        assert run is not None
        assert len(run.seconds) == len(run.queries) == REPORT_RUNS
        assert all(seconds > 0 for seconds in run.seconds)
        assert min(run.queries) > 0
        assert min(run.docx_bytes, run.pdf_bytes, run.xlsx_bytes) > 0
        # Real figures for the period: a cohort, reviews and arrests in it.
        assert set(run.figures) == set(REPORT_FIGURES)
        assert run.figures["cohort_size"][0] not in ("0", "–")
    small, large = runs
    assert small is not None and large is not None
    # Queries do not grow with the data.
    assert set(small.queries) == set(large.queries)
    assert bench.report_queries_flat()
    markdown = render_markdown(bench)
    assert "## Report generation" in markdown
    assert "Report generation queries: the same for every run at every size." in markdown


def test_the_access_log_cost_is_measured_with_it_on_and_off(bench: BenchResult):
    """Each list page with the per-person log on writes a row per person in one more
    query; with it off, none; and the report says so at each size."""
    for size in bench.sizes:
        assert [cost.page for cost in size.logging_cost] == list(LOGGED_PAGES)
        for cost in size.logging_cost:
            assert len(cost.on_ms) == len(cost.off_ms) == REPEAT
            assert cost.people_logged > 0
            assert cost.rows_on == cost.rows_off + cost.people_logged
            assert cost.queries_on == cost.queries_off + 1
            assert cost.ratio > 0 and math.isfinite(cost.difference_ms)
    markdown = render_markdown(bench)
    assert "## The cost of naming each person read in the access log" in markdown
    for page in LOGGED_PAGES:
        assert f"| {page.label} |" in markdown


def test_the_switch_exists_only_while_asked_for():
    from accounts import api, audit
    from offenders.views import search

    real = audit.log_access_many
    with per_person_logging_off() as swapped:
        assert swapped >= 3
        assert search.log_access_many is not real and api.log_access_many is not real
    assert search.log_access_many is real and api.log_access_many is real


def test_the_access_log_section_replaces_its_own_and_leaves_the_rest(tmp_path: Path):
    report = "# Benchmarks\n\nfull run\n\n## Interpretation\n\nwords\n"
    first = merge_logging_section(report, f"{LOGGING_HEADING} (1 May)\n\nold figures\n")
    assert first.index("old figures") < first.index("## Interpretation")
    second = merge_logging_section(first, f"{LOGGING_HEADING} (2 May)\n\nnew figures\n")
    assert "old figures" not in second and "new figures" in second
    assert second.count(LOGGING_HEADING) == 1
    assert "full run" in second and "words" in second


def test_command_measures_only_the_access_log_when_asked(
    django_db_blocker, as_database_owner, tmp_path: Path
):
    output = tmp_path / "benchmarks.md"
    output.write_text("# Benchmarks\n\nthe full run\n\n## Interpretation\n\nwords\n")
    with django_db_blocker.unblock(), as_database_owner():
        call_command(
            "run_bench",
            "--sizes",
            "100",
            "--repeat",
            "1",
            "--access-log-only",
            f"--output={output}",
            stdout=StringIO(),
        )
    text = output.read_text()
    assert "the full run" in text and "words" in text
    assert "--repeat 1 --access-log-only" in text
    assert "| Cohort tracker, 50 members |" in text
    assert "| Dashboard |" not in text
