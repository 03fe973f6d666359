"""Synthetic data at pan-London scale, for benchmarks and for trying audit pages on volume.

`generate(nominals=N, seed=S)` plans max(1, ceil(N / 3000)) fictional boroughs and builds
each one through a fixed list of steps (`STEPS`), every step deterministic from the seed
and idempotent: it finds what an earlier run with the same arguments made and adds only
what is missing. A borough is one transaction, so an interrupted run leaves whole boroughs.

Steps today: the borough's partnership (`sharing.demo.ensure_borough`: agencies, panels,
agreements, staff, all through the services) and an access log of about
`ACCESS_LOG_PER_NOMINAL` reads per nominal-equivalent. The nominals themselves come later
(offenders/): a nominal step slots into `STEPS` between the two, takes its count from
`BoroughPlan.nominals` and its randomness from `plan.rng("nominals")`.

Each step draws from its own random stream, seeded by (seed, borough code, step name), so
adding a step does not change what the other steps generate, and a stream yields the same
first k rows whatever the total. A larger N on an existing dataset only appends what the
larger plan lacks (the access log is append-only), so it can end with more rows in the
first boroughs than a dataset made at that N in one go; benchmarks use fresh databases.
"""

# The random streams are seeded on purpose, for reproducible data; none makes a secret.
# ruff: noqa: S311

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.test.utils import override_settings

from panels.models import PanelGroupObjectPermission
from sharing.access import VIEW_PANEL, recompute_panel_access
from sharing.demo import Borough, ensure_borough
from sharing.models import AccessLog, AccessOutcome, Agency, Purpose, User

NOMINALS_PER_BOROUGH = 3000
ACCESS_LOG_PER_NOMINAL = 5
# Synthetic reads fall between the demo agreements' signing and a fixed end, so the data
# is the same whenever it is generated and real reads made later never fall inside it.
LOG_WINDOW_START = datetime(2026, 4, 1, tzinfo=UTC)
LOG_WINDOW_END = datetime(2026, 11, 1, tzinfo=UTC)
# Of the synthetic reads, this share are refused attempts on a panel the agency cannot see.
DENIED_SHARE = 0.02
# The synthetic accounts' password unless --password or SYNTHETIC_PASSWORD says otherwise.
DEFAULT_PASSWORD = "synthetic-data-password"  # noqa: S105
_FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"

# Fictional borough names: every pairing of these, shuffled by the seed. "Kingsmere" is
# the demo borough's name and is left out, so synthetic data can sit beside the demo.
_NAME_STARTS = (
    "Ash Brack Bram Cald Chal Cold Dun Elm Fair Fen Gold Hale Hart Hol Kings Lang Lark Mill "
    "Nor Oak Red Rush Stan Thorn Wal West Whit Wood"
).split()
_NAME_ENDS = "bury by combe dale field ford ham hurst ley mere stead ton well wick worth".split()

# The demo's staff who read case data, and what they mostly read for.
_READERS = ("coordinator", "mappa", "police", "probation", "drugs", "housing", "health")
_PURPOSES = (
    Purpose.PANEL_PREPARATION,
    Purpose.CASE_MANAGEMENT,
    Purpose.CASE_MANAGEMENT,
    Purpose.SAFEGUARDING,
    Purpose.ENFORCEMENT,
    "",
)


@dataclass(frozen=True)
class BoroughPlan:
    index: int
    code: str
    name: str
    nominals: int
    seed: int

    def rng(self, step: str) -> random.Random:
        """This borough's random stream for one step (str seeds hash the same every run)."""
        return random.Random(f"{self.seed}:{self.code}:{step}")


@dataclass
class StepResult:
    step: str
    created: int = 0
    seconds: float = 0.0


@dataclass
class GenerationReport:
    boroughs: list[BoroughPlan]
    steps: dict[str, StepResult] = field(default_factory=dict)
    recompute_seconds: float = 0.0
    seconds: float = 0.0

    def add(self, step: str, created: int, seconds: float) -> None:
        result = self.steps.setdefault(step, StepResult(step))
        result.created += created
        result.seconds += seconds


def borough_names(seed: int, count: int) -> list[str]:
    """`count` distinct fictional borough names, the same for the same seed."""
    pool = [start + end for start in _NAME_STARTS for end in _NAME_ENDS]
    pool = [name for name in pool if name != "Kingsmere"]
    random.Random(f"{seed}:borough-names").shuffle(pool)
    # Past the pool (over 1.2 million nominals), names repeat with a number after them.
    return [
        pool[i % len(pool)] + (f" {i // len(pool) + 1}" if i >= len(pool) else "")
        for i in range(count)
    ]


def plan_partnership(nominals: int, seed: int) -> list[BoroughPlan]:
    """Split N nominal-equivalents over max(1, ceil(N / 3000)) boroughs, as evenly as can be."""
    count = max(1, math.ceil(nominals / NOMINALS_PER_BOROUGH))
    base, extra = divmod(nominals, count)
    return [
        BoroughPlan(index=i, code=f"b{i:02d}", name=name, nominals=base + (i < extra), seed=seed)
        for i, name in enumerate(borough_names(seed, count))
    ]


# --------------------------------------------------------------------------- steps


@contextmanager
def _one_password_hash(password: str) -> Iterator[None]:
    """Hash the shared synthetic password once instead of once per account.

    ensure_borough sets each account's password, and Argon2 takes ~0.2 s a time: over a
    minute for 34 boroughs. Accounts are made with a fast hasher, then given one hash made
    with the configured one (same password, so one salt for all is harmless here).
    """
    if settings.PASSWORD_HASHERS[0] == _FAST_HASHER:
        yield
        return
    real_hash = make_password(password)
    with override_settings(PASSWORD_HASHERS=[_FAST_HASHER]):
        yield
    fast_hashed = User.objects.filter(
        password__startswith="md5$",  # noqa: S106 (a hash prefix, not a password)
        username__regex=r"^b[0-9]+-",
    )
    fast_hashed.update(password=real_hash)


def _check_same_borough(plan: BoroughPlan) -> None:
    """A code made by another seed names another borough: refuse rather than mix them."""
    council = Agency.objects.filter(code=f"{plan.code}-council").first()
    if council is not None and not council.name.startswith(f"{plan.name} "):
        raise ValueError(
            f"Borough {plan.code} already exists as {council.name!r}, not {plan.name}: "
            "it was generated with another seed. Use a fresh database or the same seed."
        )


def partnership_step(plan: BoroughPlan, context: BoroughContext) -> int:
    """Agencies, panels, agreements and staff, through the services (idempotent)."""
    _check_same_borough(plan)
    before = User.objects.filter(username__startswith=f"{plan.code}-").count()
    context.borough = ensure_borough(
        borough=plan.name, code=plan.code, password=context.password, with_devices=True
    )
    return len(context.borough.staff) - before


# Columns written by COPY, in the order `_access_log_rows` yields them.
_ACCESS_LOG_COLUMNS = (
    "at",
    "user_id",
    "agency_id",
    "outcome",
    "object_type",
    "object_id",
    "endpoint",
    "purpose",
)
AccessLogRow = tuple[datetime, int, int, str, str, str, str, str]


def _access_log_rows(plan: BoroughPlan, borough: Borough) -> Iterator[AccessLogRow]:
    """An endless, deterministic stream of plausible reads of panels by the borough's staff.

    The queries run here, before the stream is returned: the stream is consumed inside a
    COPY, during which the connection can run nothing else.
    """
    panels = sorted(panel.pk for panel in borough.panels.values())
    grants = PanelGroupObjectPermission.objects.filter(
        content_object_id__in=panels, permission__codename=VIEW_PANEL
    ).values_list("group_id", "content_object_id")
    visible: dict[int, set[int]] = {}
    for group_id, panel_id in grants:
        visible.setdefault(group_id, set()).add(panel_id)
    group_of = {agency.pk: agency.group_id for agency in borough.agencies.values()}
    # (reader, panels they see, panels they do not); staff who see nothing do not read.
    readers = []
    for name in _READERS:
        user = borough.staff[name]
        seen = visible.get(group_of[user.agency_id], set())
        if seen:
            readers.append((user, sorted(seen), [pk for pk in panels if pk not in seen]))
    span = int((LOG_WINDOW_END - LOG_WINDOW_START).total_seconds())
    rng = plan.rng("access-log")

    def stream() -> Iterator[AccessLogRow]:
        while True:
            user, seen, unseen = rng.choice(readers)
            denied = bool(unseen) and rng.random() < DENIED_SHARE
            panel_id = rng.choice(unseen if denied else seen)
            api = rng.random() < 0.1
            yield (
                LOG_WINDOW_START + timedelta(seconds=rng.randrange(span)),
                user.pk,
                user.agency_id,
                AccessOutcome.DENIED.value if denied else AccessOutcome.ALLOWED.value,
                "panels.panel",
                str(panel_id),
                f"/api/v1/panels/{panel_id}/" if api else f"/panels/{panel_id}/",
                "" if denied else str(rng.choice(_PURPOSES)),
            )

    return stream()


def access_log_step(plan: BoroughPlan, context: BoroughContext) -> int:
    """ACCESS_LOG_PER_NOMINAL reads per nominal, appended with COPY (an INSERT: the table
    refuses UPDATE and DELETE): 500,000 rows in ~4 s, against ~35 s with bulk_create."""
    wanted = plan.nominals * ACCESS_LOG_PER_NOMINAL
    existing = AccessLog.objects.filter(
        user__in=[user.pk for user in context.borough.staff.values()],
        at__gte=LOG_WINDOW_START,
        at__lt=LOG_WINDOW_END,
    ).count()
    if existing >= wanted:
        return 0
    # The stream is the same each run, so rows [existing:wanted] are exactly the missing ones.
    rows = islice(_access_log_rows(plan, context.borough), existing, wanted)
    table = connection.ops.quote_name(AccessLog._meta.db_table)
    copy_sql = f"COPY {table} ({', '.join(_ACCESS_LOG_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        for row in rows:
            copy.write_row(row)
    return wanted - existing


@dataclass
class BoroughContext:
    """What one borough's steps share: the password, and what earlier steps built."""

    password: str
    borough: Borough = field(init=False)


Step = Callable[[BoroughPlan, BoroughContext], int]
STEPS: list[tuple[str, Step]] = [
    ("partnership (staff accounts created)", partnership_step),
    # A nominals step goes here, so that the access log can read nominals too.
    ("access log rows", access_log_step),
]


def generate(
    *,
    nominals: int,
    seed: int,
    password: str,
    progress: Callable[[str], None] = lambda _line: None,
) -> GenerationReport:
    """Build (or complete) the synthetic partnership for N nominals; see the module doc."""
    started = time.perf_counter()
    report = GenerationReport(boroughs=plan_partnership(nominals, seed))
    with _one_password_hash(password):
        for plan in report.boroughs:
            with transaction.atomic():
                context = BoroughContext(password=password)
                for step_name, step in STEPS:
                    step_started = time.perf_counter()
                    created = step(plan, context)
                    report.add(step_name, created, time.perf_counter() - step_started)
            progress(f"{plan.code} {plan.name}: {plan.nominals} nominal-equivalents")

    # Every service call above recomputed access already, so this must change nothing; it
    # is the check that the data obeys the rules, and the time of one full recomputation.
    recompute_started = time.perf_counter()
    result = recompute_panel_access(actor=None)
    report.recompute_seconds = time.perf_counter() - recompute_started
    if result.changed:
        raise RuntimeError(f"Generated grants differ from the access rules: {result}")
    report.seconds = time.perf_counter() - started
    return report
