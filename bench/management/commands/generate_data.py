"""Generate deterministic synthetic data at a given scale; the work is in bench.synthetic."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench.synthetic import DEFAULT_PASSWORD, generate


class Command(BaseCommand):
    help = (
        "Build a synthetic partnership of N nominals (a borough per 3,000) with their case "
        "records, and an access log. Same seed, same data; re-running with the same "
        "arguments adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--nominals", type=int, default=3000, help="Scale (default 3000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--password",
            default=os.environ.get("SYNTHETIC_PASSWORD", DEFAULT_PASSWORD),
            help="Every synthetic account's password (default: $SYNTHETIC_PASSWORD or a fixed one).",
        )

    def handle(self, *args, nominals: int, seed: int, password: str, **options) -> None:
        if nominals < 1:
            raise CommandError("--nominals must be at least 1.")
        verbose = options["verbosity"] > 1
        try:
            report = generate(
                nominals=nominals,
                seed=seed,
                password=password,
                progress=self.stdout.write if verbose else lambda _line: None,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        out = self.stdout
        first, last = report.boroughs[0], report.boroughs[-1]
        out.write(
            f"{len(report.boroughs)} boroughs ({first.code} {first.name} .. "
            f"{last.code} {last.name}) for {nominals} nominals, seed {seed}:"
        )
        for step in report.steps.values():
            out.write(f"  {step.step:<40} {step.created:>9,} new  {step.seconds:8.1f} s")
        out.write(
            f"  {'access recomputation (no change)':<40} {'':>13} {report.recompute_seconds:8.2f} s"
        )
        out.write(self.style.SUCCESS(f"Done in {report.seconds:.1f} s."))
