"""Many signed-in staff at once against gunicorn as in production; the work is in bench.load."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from bench.synthetic import DEFAULT_PASSWORD


def _counts(value: str) -> list[int]:
    counts = [int(part) for part in value.split(",") if part.strip()]
    if not counts or min(counts) < 1:
        raise ValueError(value)
    return counts


class Command(BaseCommand):
    help = (
        "Build (or reuse) a database of synthetic boroughs, serve it with gunicorn as the "
        "Dockerfile runs it on a loopback port, and run locust against it: borough staff "
        "signing in with both factors and browsing with 2 to 5 seconds of thought, at each "
        "number of users in turn, then the heavy pages alone. Writes its section of "
        "--output (requests/s, p50/p95/p99 per page, failures, the CPU of the web workers "
        "and of PostgreSQL, the trivial view at the same load)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--nominals", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--users", type=_counts, default=[50, 100, 200], help="Steps, e.g. 50,100,200."
        )
        parser.add_argument(
            "--ramp", type=int, default=30, help="Seconds over which each step's users start."
        )
        parser.add_argument(
            "--duration",
            type=int,
            default=60,
            help="Seconds measured at each step, once every user has started.",
        )
        parser.add_argument(
            "--heavy-users",
            type=int,
            default=5,
            help="Users of the heavy pages alone (agenda builder, tracker, DOCX); 0: none.",
        )
        parser.add_argument("--heavy-duration", type=int, default=60)
        parser.add_argument(
            "--database",
            default="",
            help="The load database (default: the configured database's name + _load).",
        )
        parser.add_argument(
            "--rebuild", action="store_true", help="Build the load database afresh."
        )
        parser.add_argument(
            "--prepare-only", action="store_true", help="Build or check the database, then stop."
        )
        parser.add_argument("--port", type=int, default=0, help="gunicorn's port (0: any free).")
        parser.add_argument("--output", default="docs/benchmarks.md")

    def handle(self, *args, **options) -> None:
        from bench.load.prepare import prepare

        if options["nominals"] < 1 or options["duration"] < 1 or options["ramp"] < 0:
            raise CommandError("--nominals and --duration must be positive, --ramp not negative")
        database = options["database"] or f"{connection.settings_dict['NAME']}_load"
        password = os.environ.get("SYNTHETIC_PASSWORD", DEFAULT_PASSWORD)
        data = prepare(
            database=database,
            nominals=options["nominals"],
            seed=options["seed"],
            password=password,
            rebuild=options["rebuild"],
            log=self.stdout.write,
        )
        if options["prepare_only"]:
            return
        from bench.load.runner import LoadPlan, run_load

        output = Path(options["output"])
        if not output.is_absolute():
            output = Path(settings.BASE_DIR) / output
        plan = LoadPlan(
            users=options["users"],
            ramp=options["ramp"],
            duration=options["duration"],
            heavy_users=options["heavy_users"],
            heavy_duration=options["heavy_duration"],
            port=options["port"],
            password=password,
            command=(
                f"python manage.py run_load --nominals {options['nominals']} "
                f"--seed {options['seed']} --users {','.join(map(str, options['users']))} "
                f"--ramp {options['ramp']} --duration {options['duration']} "
                f"--heavy-users {options['heavy_users']} "
                f"--heavy-duration {options['heavy_duration']} --output {options['output']}"
            ),
        )
        section = run_load(data, plan, output=output, log=self.stdout.write)
        self.stdout.write(section)
        self.stdout.write(self.style.SUCCESS(f"Section written to {output}"))
