"""What a borough user's pages cost as the register grows around them.

A partnership of four boroughs (10,000 nominals, `bench.synthetic.generate`) is measured as
the first borough's coordinator sees it; then the register is padded to 1,000,000 nominals
with copies of the other three boroughs' records (owned by their agencies, on their panels:
people the coordinator may not see) and the same pages are measured again. What the
coordinator can see is the same at both sizes, so their pages should cost the same.

Each page is timed with the trivial view alongside (the same pairing as the main page
benchmark), with its database time taken from the queries it runs. The 1,000,000 register is
also measured with PostgreSQL's JIT compiler on for the session, to show what the setting
in config/settings.py saves.
"""

from __future__ import annotations

import os
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, connections, models
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from accounts.models import Agency, Purpose, User
from accounts.two_factor import LAST_SEEN
from bench.synthetic import generate, generated_nominal_ids, plan_partnership
from offenders.models import Nominal
from offenders.views.profile import PURPOSES_KEY
from panels.models import CohortMembership, Panel, PanelKind
from tests.signing_in import signed_in_client

SMALL = 10_000
LARGE = 1_000_000
PERSONA = "b00-coordinator"


@dataclass(frozen=True)
class VisibilityPage:
    label: str
    path: str
    form: tuple[tuple[str, str], ...] = ()


def _pages(panel: int, nominal: int, name: str) -> tuple[VisibilityPage, ...]:
    return (
        VisibilityPage("Trivial view (baseline)", "/bench/trivial/"),
        VisibilityPage("Dashboard", "/"),
        VisibilityPage("API nominal list", "/api/v1/nominals/"),
        VisibilityPage("Nominal search (POST)", "/nominals/", form=(("name", name),)),
        VisibilityPage("Nominal profile", f"/nominals/{nominal}/"),
        VisibilityPage("Panel detail", f"/panels/{panel}/"),
        VisibilityPage("Cohort tracker", f"/panels/{panel}/cohort/"),
    )


@dataclass
class PageCost:
    label: str
    median_ms: float
    p95_ms: float
    sql_ms: float  # median database time of one request, from the queries it ran
    queries: int


@dataclass
class SizeCost:
    nominals: int
    visible: int
    jit: bool
    pages: list[PageCost] = field(default_factory=list)

    def page(self, label: str) -> PageCost:
        return next(page for page in self.pages if page.label == label)


@dataclass
class VisibilityResult:
    sizes: list[SizeCost]
    pad_seconds: float


def _get(client: Client, page: VisibilityPage) -> None:
    if page.form:
        response = client.post(page.path, dict(page.form), secure=True)
    else:
        response = client.get(page.path, secure=True)
    if response.status_code != 200:
        raise RuntimeError(f"{page.path} answered {response.status_code}, not 200")


def _refresh(client: Client, nominal: int) -> None:
    """Seen just now, and the profile's purpose of access given today."""
    session = client.session
    session[LAST_SEEN] = int(time.time())
    session[PURPOSES_KEY] = {
        str(nominal): [Purpose.CASE_MANAGEMENT.value, time.strftime("%Y-%m-%d")]
    }
    session.save()


def _measure(
    client: Client, pages: tuple[VisibilityPage, ...], nominal: int, repeat: int
) -> list[PageCost]:
    costs = []
    for page in pages:
        _refresh(client, nominal)
        for _ in range(3):  # warm caches and connections
            _get(client, page)
        samples, sql, queries = [], [], 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter_ns()
                _get(client, page)
                samples.append((time.perf_counter_ns() - started) / 1e6)
            queries = len(captured.captured_queries)
            sql.append(sum(float(query["time"]) for query in captured.captured_queries) * 1000)
        samples.sort()
        costs.append(
            PageCost(
                label=page.label,
                median_ms=statistics.median(samples),
                p95_ms=samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))],
                sql_ms=statistics.median(sql),
                queries=queries,
            )
        )
    return costs


def _set_jit(on: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET jit = {'on' if on else 'off'}")


def _columns(model: type[models.Model], *, leave_out: tuple[str, ...]) -> list[str]:
    quote = connection.ops.quote_name
    return [quote(f.column) for f in model._meta.concrete_fields if f.name not in leave_out]


def pad_register(*, to: int, keep_agency_ids: list[int]) -> float:
    """Copy the other boroughs' nominals (and their cohort memberships) until the register
    holds `to` nominals; seconds taken. Copies of the kept agencies' records are not made, so
    what their staff can see does not change."""
    started = time.perf_counter()
    nominal_columns = ", ".join(_columns(Nominal, leave_out=("id",)))
    membership_columns = _columns(CohortMembership, leave_out=("id", "nominal"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM offenders_nominal WHERE NOT owning_agency_id = ANY(%s) ORDER BY id",
            [keep_agency_ids],
        )
        sources = [row[0] for row in cursor.fetchall()]
        missing = to - Nominal.objects.count()
        rounds = -(-missing // len(sources))
        cursor.execute("CREATE TEMP TABLE pad_map (source bigint, copy bigint)")
        # Column names from the models' own metadata, quoted; the values are parameters.
        cursor.execute(
            f"""
            WITH picked AS (
                SELECT n.*, r.round FROM offenders_nominal n
                CROSS JOIN generate_series(1, %s) AS r(round)
                WHERE n.id = ANY(%s)
                ORDER BY r.round, n.id LIMIT %s
            ), copied AS (
                INSERT INTO offenders_nominal ({nominal_columns})
                SELECT {nominal_columns} FROM picked
                RETURNING id
            )
            SELECT 1
            """,  # noqa: S608
            [rounds, sources, missing],
        )
        # Copies get memberships like their source's, on the same (other borough's) panels.
        cursor.execute(
            """
            INSERT INTO pad_map (source, copy)
            SELECT s.id, c.id FROM (
                SELECT id, row_number() OVER (ORDER BY id) AS n FROM offenders_nominal
                WHERE id > (SELECT max(id) FROM unnest(%s::bigint[]) AS id)
                  AND NOT owning_agency_id = ANY(%s)
            ) c JOIN (
                SELECT id, row_number() OVER (ORDER BY id) AS n
                FROM unnest(%s::bigint[]) AS id
            ) s ON s.n = 1 + (c.n - 1) %% %s
            """,
            [sources, keep_agency_ids, sources, len(sources)],
        )
        cursor.execute(
            f"""
            INSERT INTO panels_cohortmembership (nominal_id, {", ".join(membership_columns)})
            SELECT m.copy, {", ".join(f"cm.{column}" for column in membership_columns)}
            FROM pad_map m JOIN panels_cohortmembership cm ON cm.nominal_id = m.source
            """  # noqa: S608
        )
        cursor.execute("DROP TABLE pad_map")
        # Fresh planner statistics, as autovacuum would leave them (VACUUM cannot run inside
        # a transaction, as in the benchmark's own tests: ANALYZE alone there).
        verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        for table in ("offenders_nominal", "panels_cohortmembership"):
            cursor.execute(f"{verb} {table}")
    return time.perf_counter() - started


def run_visibility_benchmark(
    *, seed: int, repeat: int, log: Callable[[str], None]
) -> VisibilityResult:
    """The benchmark in a scratch database of its own, with the page benchmark's settings."""
    from bench.runner import BENCH_SETTINGS, scratch_databases

    allowed_hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    prefix = f"tandem_bench_{os.getpid()}"
    with (
        # The agreements' "ready to sign" e-mails of the generated partnership kept in memory.
        override_settings(
            **BENCH_SETTINGS,
            ALLOWED_HOSTS=allowed_hosts,
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ),
        scratch_databases(prefix) as fresh,
        warnings.catch_warnings(),
    ):
        warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
        fresh("visibility")
        result = _run(seed=seed, repeat=repeat, log=log)
        connections.close_all()
    return result


def _run(*, seed: int, repeat: int, log: Callable[[str], None]) -> VisibilityResult:
    generate(nominals=SMALL, seed=seed, password="bench-password-not-secret")  # noqa: S106
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    user = User.objects.get(username=PERSONA)
    plan = plan_partnership(SMALL, seed)[0]
    nominal = Nominal.objects.get(pk=generated_nominal_ids(plan)[0])
    panel = Panel.objects.get(coordinating_agency=user.agency, kind=PanelKind.IOM)
    pages = _pages(panel.pk, nominal.pk, f"{nominal.given_names} {nominal.family_name}")
    client = signed_in_client(user)
    visible = Nominal.objects.visible_to(user).count()

    log(f"visibility: {SMALL} nominals, {visible} visible to {PERSONA}")
    _set_jit(False)
    sizes = [SizeCost(SMALL, visible, jit=False, pages=_measure(client, pages, nominal.pk, repeat))]

    borough_agencies = list(
        Agency.objects.filter(code__startswith="b00-").values_list("pk", flat=True)
    )
    pad_seconds = pad_register(to=LARGE, keep_agency_ids=borough_agencies)
    log(f"visibility: padded to {Nominal.objects.count()} nominals in {pad_seconds:.0f} s")
    visible_large = Nominal.objects.visible_to(user).count()
    if visible_large != visible:
        raise RuntimeError(f"Padding changed what {PERSONA} sees: {visible} -> {visible_large}")
    for jit in (False, True):
        _set_jit(jit)
        costs = _measure(client, pages, nominal.pk, repeat)
        sizes.append(SizeCost(Nominal.objects.count(), visible, jit=jit, pages=costs))
    _set_jit(False)
    return VisibilityResult(sizes=sizes, pad_seconds=pad_seconds)


VISIBILITY_HEADING = "## Visibility and the planner"


def render_visibility_section(result: VisibilityResult, *, command: str) -> str:
    small, large, large_jit = result.sizes
    trivial = "Trivial view (baseline)"
    lines = [
        VISIBILITY_HEADING,
        "",
        f"- Command: `{command}`",
        f"- The first borough's coordinator sees {small.visible:,} people at both sizes. The "
        f"register was padded from {small.nominals:,} to {large.nominals:,} nominals with "
        "copies of the other boroughs' records and their cohort memberships "
        f"({result.pad_seconds:.0f} s), people this coordinator may not see.",
        "- Median and 95th percentile of whole requests through Django's test client; "
        "database time is the median of the time the request's queries took. Ratio: the "
        "page's median at 1,000,000 over its median at 10,000 (1.0 = no growth).",
        "",
        "| page | queries | median at 10k (ms) | median at 1M (ms) | ratio | p95 at 1M (ms) "
        "| database at 10k (ms) | database at 1M (ms) | database at 1M, JIT on (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page in small.pages:
        big, jit = large.page(page.label), large_jit.page(page.label)
        lines.append(
            f"| {page.label} | {page.queries} | {page.median_ms:.1f} | {big.median_ms:.1f} "
            f"| {big.median_ms / page.median_ms:.2f} | {big.p95_ms:.1f} | {page.sql_ms:.1f} "
            f"| {big.sql_ms:.1f} | {jit.sql_ms:.1f} |"
        )
    base_small, base_large = small.page(trivial), large.page(trivial)
    lines += [
        "",
        f"The trivial view's median was {base_small.median_ms:.1f} ms at 10,000 and "
        f"{base_large.median_ms:.1f} ms at 1,000,000 in the same run.",
        "",
    ]
    return "\n".join(lines)
