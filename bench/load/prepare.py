"""The load database: 100,000 nominals made the benchmark's way, built once and reused.

`make bench` builds its data in scratch databases it drops; a load run needs the same data
for minutes at a time and several runs, so it keeps one database, named after the
configured one with `_load` added. It is built as `make bench` builds a size
(`bench.synthetic.generate`, the runner's heavy record, the 50- and 1,000-member cohorts, a
meeting ahead and the action plans) and, once complete, marked with a comment on the
database saying what it holds. A database without that mark (an interrupted build) or made
for another size or seed is dropped and built again; one with it is migrated and reused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import psycopg
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from bench.synthetic import generate, plan_partnership
from meetings.models import Meeting

MARK = "tandem-load"
# Days ahead of today the heavy pages' meeting is kept, however old the database.
MEETING_AHEAD_DAYS = 10


@dataclass(frozen=True)
class LoadData:
    database: str
    nominals: int
    seed: int
    built: bool  # built by this run (False: reused)
    build_seconds: float
    codes: list[str]  # the boroughs' codes, first borough first
    cohort_1000: int
    meeting: int
    plan_large: int


def _admin(sql: str, params: list[object] | None = None) -> list[tuple]:
    """One statement on the server's maintenance database, as the configured user."""
    conninfo = connection.get_connection_params()
    conninfo["dbname"] = "postgres"
    conninfo.pop("cursor_factory", None)
    conninfo.pop("context", None)
    with psycopg.connect(**conninfo, autocommit=True) as admin:
        cursor = admin.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _mark_of(database: str) -> dict | None:
    rows = _admin(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [database],
    )
    if not rows:
        return None
    comment = rows[0][0] or ""
    if not comment.startswith(MARK + " "):
        return {}
    return json.loads(comment[len(MARK) + 1 :])


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _use(database: str) -> None:
    # bench.runner loads the cross-referencing anchors (splink, pandas): imported only when
    # a load database is prepared, not by whatever imports this module.
    from bench.runner import _use_database

    _use_database(database)


def prepare(
    *,
    database: str,
    nominals: int,
    seed: int,
    password: str,
    rebuild: bool = False,
    log: Callable[[str], None] = lambda _line: None,
) -> LoadData:
    """Build the load database, or reuse it when it holds this size and seed; then leave
    the default connection on it."""
    mark = _mark_of(database)
    wanted = {"nominals": nominals, "seed": seed}
    if mark and not rebuild and {k: mark.get(k) for k in wanted} == wanted:
        log(f"reusing {database} ({nominals:,} nominals, seed {seed}); migrating it")
        _use(database)
        call_command("migrate", interactive=False, verbosity=0)
        _keep_meeting_ahead(mark["meeting"])
        return LoadData(
            database=database, built=False, build_seconds=0.0, **_fields(mark, nominals, seed)
        )
    if mark is not None:
        log(f"{database} is {'incomplete' if not mark else 'for other data'}: building it again")
        connection.close()
        _admin(f"DROP DATABASE IF EXISTS {_quote(database)} WITH (FORCE)")
    started = timezone.now()
    log(f"building {database}: {nominals:,} nominals, seed {seed} (minutes at 100,000)")
    _admin(f"CREATE DATABASE {_quote(database)}")
    _use(database)
    call_command("migrate", interactive=False, verbosity=0)
    # The synthetic accounts get the production password hasher (one hash for all); the
    # agreements' e-mails to their governance leads go nowhere.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        generate(nominals=nominals, seed=seed, password=password, progress=log)
    from bench.runner import _targets, build_heavy_record

    # The same extra records as `make bench`: the heavy record, the 50- and 1,000-member
    # cohorts with a meeting ahead, and the action plans of 15 and 150 actions.
    targets = _targets(nominals, seed, build_heavy_record(seed))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    mark = {
        **wanted,
        "codes": [plan.code for plan in plan_partnership(nominals, seed)],
        "cohort_1000": targets.cohort_1000,
        "meeting": targets.meeting,
        "plan_large": targets.plan_large,
    }
    seconds = (timezone.now() - started).total_seconds()
    text = f"{MARK} {json.dumps(mark)}"
    with connection.cursor() as cursor:
        cursor.execute(f"COMMENT ON DATABASE {_quote(database)} IS %s", [text])
    log(f"{database} built in {seconds:.0f} s")
    return LoadData(
        database=database, built=True, build_seconds=seconds, **_fields(mark, nominals, seed)
    )


def _fields(mark: dict, nominals: int, seed: int) -> dict:
    return {
        "nominals": nominals,
        "seed": seed,
        "codes": list(mark["codes"]),
        "cohort_1000": int(mark["cohort_1000"]),
        "meeting": int(mark["meeting"]),
        "plan_large": int(mark["plan_large"]),
    }


def _keep_meeting_ahead(meeting: int) -> None:
    """The agenda builder is for a meeting still to come: a database built days ago has
    its meeting moved forward again."""
    Meeting.objects.filter(pk=meeting, date__lt=timezone.localdate()).update(
        date=timezone.localdate() + timedelta(days=MEETING_AHEAD_DAYS)
    )
