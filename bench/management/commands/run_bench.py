"""Benchmark the main pages against a trivial view; the work is in bench.runner."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from bench.actions import DOCX_HEADING, measure_docx_export
from bench.crossref import MILLION
from bench.import_quality import PEOPLE as QUALITY_PEOPLE
from bench.import_quality import ROWS as QUALITY_ROWS
from bench.import_quality import load_figures, merge_section, report_lines, save_figures
from bench.load.scenario import LOAD_HEADING
from bench.runner import (
    budget_lines,
    merge_crossref_section,
    merge_logging_section,
    render_crossref_section,
    render_docx_section,
    render_logging_section,
    render_markdown,
    run_benchmarks,
)
from bench.visibility import (
    VISIBILITY_HEADING,
    render_visibility_section,
    run_visibility_benchmark,
)


def _sizes(value: str) -> list[int]:
    sizes = [int(part) for part in value.split(",") if part.strip()]
    if not sizes or min(sizes) < 1:
        raise ValueError(value)
    return sizes


def _keep_section(existing: str, markdown: str, heading: str) -> str:
    """`markdown` with the section under `heading` taken from `existing`, if it has one."""
    lines = existing.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(heading)), None)
    if start is None:
        return markdown
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return merge_logging_section(markdown, "\n".join(lines[start:end]), heading=heading)


def _path(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else Path(settings.BASE_DIR) / path


class Command(BaseCommand):
    help = (
        "For each size, build a fresh synthetic dataset in a scratch database and report "
        "each page's median and p95 time as ratios to a trivial view, its queries, and "
        "how often a mistyped name finds its person; then cross-referencing: our matching "
        "engine, splink and recordlinkage side by side on FEBRL4 and on generated data at "
        "each size, and the monthly job end to end; and monthly-list matching with "
        "agency-style typing (typos, initials, reversed names, ages only)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--sizes", type=_sizes, default=[10_000, 100_000], help="10000,100000 (nominals)"
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--repeat", type=int, default=200, help="Timed requests per page.")
        parser.add_argument(
            "--probes", type=int, default=1000, help="Search-quality probes per size."
        )
        parser.add_argument(
            "--import-rows", type=int, default=5000, help="Rows in the monthly list imported."
        )
        parser.add_argument(
            "--crossref-million",
            action="store_true",
            help="Also run the cross-referencing benchmarks at 1,000,000 nominals.",
        )
        parser.add_argument(
            "--no-crossref",
            action="store_true",
            help="Leave out the cross-referencing benchmarks (FEBRL4, generated, end to end).",
        )
        parser.add_argument(
            "--access-log-only",
            action="store_true",
            help=(
                "Measure only what naming each person read in the access log costs (the "
                "cohort tracker, search and other lists, with it on and off), and replace "
                "that section of --output, leaving the rest of the file as it is."
            ),
        )
        parser.add_argument(
            "--import-quality-people",
            type=int,
            default=QUALITY_PEOPLE,
            help="People on record for the monthly-list matching measure (at most 3000).",
        )
        parser.add_argument(
            "--import-quality-rows",
            type=int,
            default=QUALITY_ROWS,
            help="Rows of the agency-typed monthly list; 0 leaves the measure out.",
        )
        parser.add_argument(
            "--import-quality-only",
            action="store_true",
            help=(
                "Measure only monthly-list matching with agency-style typing, and replace "
                "that section of --output, leaving the rest of the file as it is."
            ),
        )
        parser.add_argument(
            "--import-quality-previous",
            default="",
            help="Figures of an earlier run (a file --import-quality-save wrote), shown beside.",
        )
        parser.add_argument(
            "--import-quality-save",
            default="",
            help="Write this run's monthly-list matching figures to this file (JSON).",
        )
        parser.add_argument(
            "--crossref-only",
            action="store_true",
            help=(
                "Run only the cross-referencing benchmarks (FEBRL4, the generated and "
                "agency-typed sets at each size, the job end to end) and replace that "
                "section of --output, leaving the rest of the file as it is."
            ),
        )
        parser.add_argument(
            "--visibility-only",
            action="store_true",
            help=(
                "Measure only what a borough user's pages cost at 10,000 and at 1,000,000 "
                "nominals (the register padded with people they may not see), and replace "
                "that section of --output, leaving the rest of the file as it is."
            ),
        )
        parser.add_argument(
            "--docx-only",
            action="store_true",
            help=(
                "Time only the action plan's Word export at 150, 600 and 2,400 steps, in the "
                "configured database (everything made is rolled back), and replace that "
                "section of --output, leaving the rest of the file as it is."
            ),
        )
        parser.add_argument("--output", default="docs/benchmarks.md")

    def handle(
        self,
        *args,
        sizes: list[int],
        seed: int,
        repeat: int,
        probes: int,
        import_rows: int,
        output: str,
        crossref_million: bool,
        no_crossref: bool,
        access_log_only: bool,
        import_quality_people: int,
        import_quality_rows: int,
        import_quality_only: bool,
        import_quality_previous: str,
        import_quality_save: str,
        crossref_only: bool,
        visibility_only: bool,
        docx_only: bool,
        **options,
    ):
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        if visibility_only:
            self._visibility_only(seed=seed, repeat=repeat, output=output)
            return
        if docx_only:
            self._docx_only(repeat=repeat, output=output)
            return
        if probes < 1:
            raise CommandError("--probes must be at least 1.")
        command = (
            f"python manage.py run_bench --sizes {','.join(map(str, sizes))} "
            f"--seed {seed} --repeat {repeat} --probes {probes} --import-rows {import_rows}"
            + (" --crossref-million" if crossref_million else "")
            + (" --no-crossref" if no_crossref else "")
            + (" --access-log-only" if access_log_only else "")
            + f" --output {output}"
        )
        if import_quality_only:
            self._import_quality_only(
                seed=seed,
                people=import_quality_people,
                rows=import_quality_rows,
                previous=import_quality_previous,
                save=import_quality_save,
                output=output,
            )
            return
        if import_quality_rows:
            command += (
                f" --import-quality-people {import_quality_people}"
                f" --import-quality-rows {import_quality_rows}"
                + (
                    f" --import-quality-previous {import_quality_previous}"
                    if import_quality_previous
                    else ""
                )
            )
        else:
            command += " --import-quality-rows 0"
        if access_log_only:
            command = (
                f"python manage.py run_bench --sizes {','.join(map(str, sizes))} "
                f"--seed {seed} --repeat {repeat} --access-log-only --output {output}"
            )
        if crossref_only:
            command = (
                f"python manage.py run_bench --sizes {','.join(map(str, sizes))} "
                f"--seed {seed} --crossref-only"
                + (" --crossref-million" if crossref_million else "")
                + f" --output {output}"
            )
        crossref_sizes = (
            []
            if no_crossref or access_log_only
            else sorted({*sizes, *([MILLION] * crossref_million)})
        )
        result = run_benchmarks(
            sizes=sizes,
            seed=seed,
            repeat=repeat,
            command=command,
            quality_probes=probes,
            import_rows=import_rows,
            log=self.stdout.write,
            crossref_sizes=crossref_sizes,
            access_log_only=access_log_only,
            import_quality_people=import_quality_people,
            import_quality_rows=0 if access_log_only or crossref_only else import_quality_rows,
            crossref_only=crossref_only,
        )
        if import_quality_previous:
            result.import_quality_previous = load_figures(_path(import_quality_previous))
            result.import_quality_previous_source = import_quality_previous
        if import_quality_save and result.import_quality:
            save_figures(result.import_quality, _path(import_quality_save))
        target = Path(output)
        if not target.is_absolute():
            target = Path(settings.BASE_DIR) / target
        target.parent.mkdir(parents=True, exist_ok=True)
        if crossref_only:
            section = render_crossref_section(result)
            existing = target.read_text() if target.exists() else ""
            target.write_text(merge_crossref_section(existing, section))
            self.stdout.write(section)
            self.stdout.write(self.style.SUCCESS(f"Section written to {target}"))
            return
        if access_log_only:
            section = render_logging_section(result)
            existing = target.read_text() if target.exists() else ""
            target.write_text(merge_logging_section(existing, section))
            self.stdout.write(section)
            self.stdout.write(self.style.SUCCESS(f"Section written to {target}"))
            return
        markdown = render_markdown(result)
        if target.exists():
            # `make load` writes a section of its own into the same file: keep it.
            markdown = _keep_section(target.read_text(), markdown, LOAD_HEADING)
        target.write_text(markdown)
        self.stdout.write(markdown)
        for line in budget_lines(result):
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Written to {target}"))

    def _visibility_only(self, *, seed: int, repeat: int, output: str) -> None:
        command = (
            f"python manage.py run_bench --visibility-only --seed {seed} --repeat {repeat} "
            f"--output {output}"
        )
        result = run_visibility_benchmark(seed=seed, repeat=repeat, log=self.stdout.write)
        section = render_visibility_section(result, command=command)
        target = _path(output)
        existing = target.read_text() if target.exists() else ""
        target.write_text(merge_logging_section(existing, section, heading=VISIBILITY_HEADING))
        self.stdout.write(section)
        self.stdout.write(self.style.SUCCESS(f"Section written to {target}"))

    def _docx_only(self, *, repeat: int, output: str) -> None:
        command = f"python manage.py run_bench --docx-only --repeat {repeat} --output {output}"
        started = timezone.now()
        load_before = os.getloadavg()
        timings = measure_docx_export(repeat=repeat, log=self.stdout.write)
        section = render_docx_section(
            timings,
            command=command,
            started=started,
            repeat=repeat,
            load_before=load_before,
            load_after=os.getloadavg(),
        )
        target = _path(output)
        existing = target.read_text() if target.exists() else ""
        target.write_text(merge_logging_section(existing, section, heading=DOCX_HEADING))
        self.stdout.write(section)
        self.stdout.write(self.style.SUCCESS(f"Section written to {target}"))

    def _import_quality_only(
        self, *, seed: int, people: int, rows: int, previous: str, save: str, output: str
    ) -> None:
        if rows < 1:
            raise CommandError(
                "--import-quality-rows must be at least 1 with --import-quality-only."
            )
        command = (
            f"python manage.py run_bench --import-quality-only --seed {seed} "
            f"--import-quality-people {people} --import-quality-rows {rows}"
            + (f" --import-quality-previous {previous}" if previous else "")
            + (f" --import-quality-save {save}" if save else "")
            + f" --output {output}"
        )
        result = run_benchmarks(
            sizes=[],
            seed=seed,
            repeat=1,
            command=command,
            log=self.stdout.write,
            import_quality_people=people,
            import_quality_rows=rows,
        )
        if save:
            save_figures(result.import_quality, _path(save))
        section = "\n".join(
            report_lines(
                result.import_quality,
                command=command,
                seed=seed,
                previous=load_figures(_path(previous)) if previous else None,
                previous_source=previous,
            )
        )
        target = _path(output)
        target.parent.mkdir(parents=True, exist_ok=True)
        existing = target.read_text() if target.exists() else ""
        target.write_text(merge_section(existing, section))
        self.stdout.write(section)
        self.stdout.write(self.style.SUCCESS(f"Section written to {target}"))
