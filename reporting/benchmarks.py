"""Page benchmarks (DESIGN.md section 7): `manage.py run_bench`, and a URLconf for it.

For each size the runner builds a fresh database (cloned from one migrated template, all
named after this process and dropped at the end, so runs and the test database never
meet), fills it with `sharing.synthetic.generate`, then asks each page as a signed-in user
through Django's test client: warm-up, one request under CaptureQueriesContext to count
queries, then `repeat` timed requests, each paired with a request to a trivial view that
goes through the whole middleware stack (alternating which goes first). Each page is
compared with its own paired baseline, measured at the same moments: ratios cancel the
machine's speed and drift, and a heavy page's garbage collection cannot leak into the
baseline of the others.

Speed is never asserted here or in tests; the smoke test only checks the report's shape
and that query counts do not grow with the data.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import psycopg
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, connections
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import include, path
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from panels.models import Panel, PanelGroupObjectPermission, PanelKind
from sharing.access import recompute_panel_access
from sharing.models import AccessLog, Agency, InformationSharingAgreement, User
from sharing.synthetic import generate
from sharing.two_factor import LAST_SEEN, SIGNED_IN_AT

# --------------------------------------------------------------------------- URLconf


def trivial(request: HttpRequest) -> HttpResponse:
    """The baseline: no query or template of its own, behind the same middleware as pages."""
    return HttpResponse("ok")


TRIVIAL_PATH = "/bench/trivial/"
# The runner sets ROOT_URLCONF to this module: the site, plus the trivial view.
urlpatterns = [path(TRIVIAL_PATH.strip("/") + "/", trivial), path("", include("config.urls"))]

# Production settings, except: a fast hasher (hundreds of synthetic accounts), static
# files without the collectstatic manifest, and the test client's host allowed.
BENCH_SETTINGS = {
    "ROOT_URLCONF": __name__,
    "DEBUG": False,
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "STORAGES": {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
}

# --------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class Page:
    label: str
    path: str  # may hold "{panel}": the first borough's IOM panel
    persona: str = "coordinator"  # a synthetic account of the first borough, b00-<persona>
    rows_grow: str = ""  # why the page's rows grow with the data, for pages where they do


TRIVIAL = Page("Trivial view (baseline)", TRIVIAL_PATH)
PAGES = (
    Page("Dashboard", "/"),
    Page("Panel list", "/panels/"),
    Page("Panel detail", "/panels/{panel}/"),
    Page("Agreements list", "/sharing/"),
    Page("API panel list", "/api/v1/panels/"),
    # A system administrator sees every borough's agreements: rows grow with the data.
    Page(
        "Agreements list, all boroughs",
        "/sharing/",
        persona="sysadmin",
        rows_grow="a system administrator's list shows every borough's agreements, 50 a page",
    ),
)


@dataclass
class PageResult:
    page: Page
    samples_ms: list[float] = field(default_factory=list)
    queries: int = 0
    baseline: PageResult | None = None  # the trivial requests paired with this page's

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95_ms(self) -> float:
        if len(self.samples_ms) < 2:
            return self.samples_ms[0]
        return statistics.quantiles(self.samples_ms, n=100, method="inclusive")[94]


@dataclass
class SizeResult:
    nominals: int
    boroughs: int
    counts: dict[str, int]
    generate_seconds: float
    recompute_seconds: float  # median of a few no-change recomputations
    rebuild_seconds: float  # recomputation from no grants at all
    trivial: PageResult
    pages: list[PageResult]

    def ratio(self, result: PageResult) -> tuple[float, float]:
        """(median ratio, p95 ratio) to the trivial requests paired with the page's."""
        base = result.baseline or self.trivial
        return result.median_ms / base.median_ms, result.p95_ms / base.p95_ms


@dataclass
class BenchResult:
    command: str
    seed: int
    repeat: int
    warm_up: int
    started: datetime
    sizes: list[SizeResult]
    machine: str
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]

    def queries_flat(self) -> dict[str, bool]:
        """Per page: the same number of queries at every size."""
        return {
            page.label: len({size.pages[i].queries for size in self.sizes}) == 1
            for i, page in enumerate(PAGES)
        }


# --------------------------------------------------------------------------- databases


def _admin_execute(sql: str) -> None:
    """Run one statement on the server's maintenance database (CREATE/DROP DATABASE)."""
    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    params.pop("cursor_factory", None)  # a Django cursor class; plain psycopg here
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(sql)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _use_database(name: str) -> None:
    """Point the default connection at another database of the same server."""
    connection.close()
    connection.settings_dict["NAME"] = name
    settings.DATABASES["default"]["NAME"] = name
    # Content type ids are per database and Django caches them per process.
    ContentType.objects.clear_cache()


@contextmanager
def scratch_databases(prefix: str) -> Iterator[Callable[[str], str]]:
    """Yield `fresh(suffix)`: a new database cloned from a migrated template, now in use.

    Everything created is dropped on the way out and the original database restored.
    """
    original = connection.settings_dict["NAME"]
    template = f"{prefix}_template"
    made: list[str] = []

    def create(name: str, clone_of: str | None = None) -> None:
        _admin_execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")
        clone = f" TEMPLATE {_quote(clone_of)}" if clone_of else ""
        _admin_execute(f"CREATE DATABASE {_quote(name)}{clone}")
        made.append(name)

    def fresh(suffix: str) -> str:
        name = f"{prefix}_{suffix}"
        connection.close()  # a template must have no connections while it is copied
        create(name, clone_of=template)
        _use_database(name)
        return name

    try:
        create(template)
        _use_database(template)
        call_command("migrate", interactive=False, verbosity=0)
        yield fresh
    finally:
        _use_database(original)
        for name in reversed(made):
            _admin_execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")


# --------------------------------------------------------------------------- measuring


def signed_in_client(user: User) -> Client:
    """A client signed in with both factors, as the sign-in pages leave it (as in tests)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session[SIGNED_IN_AT] = session[LAST_SEEN] = int(time.time())
    session.save()
    return client


def _get(client: Client, path: str) -> float:
    """Milliseconds for one request; anything but 200 stops the run."""
    started = time.perf_counter_ns()
    # secure=True: an https request, as behind the load balancer, so the production
    # settings' HTTPS redirect and secure cookies apply unchanged.
    response = client.get(path, secure=True)
    elapsed = (time.perf_counter_ns() - started) / 1e6
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}, not 200")
    return elapsed


def _measure_pages(repeat: int, warm_up: int) -> tuple[PageResult, list[PageResult]]:
    """(the trivial view, with every paired baseline pooled; each page with its own)."""
    panel = Panel.objects.get(coordinating_agency__code="b00-council", kind=PanelKind.IOM)
    clients = {
        persona: signed_in_client(User.objects.get(username=f"b00-{persona}"))
        for persona in {page.persona for page in (TRIVIAL, *PAGES)}
    }
    trivial = PageResult(TRIVIAL)
    pages = [PageResult(page, baseline=PageResult(TRIVIAL)) for page in PAGES]
    paths = {page: page.path.format(panel=panel.pk) for page in (TRIVIAL, *PAGES)}

    for result in (trivial, *pages):
        client, page_path = clients[result.page.persona], paths[result.page]
        for _ in range(warm_up):
            _get(client, page_path)
        with CaptureQueriesContext(connection) as captured:
            _get(client, page_path)
        result.queries = len(captured.captured_queries)

    baseline_client = clients[TRIVIAL.persona]
    for result in pages:
        client, page_path = clients[result.page.persona], paths[result.page]
        gc.collect()  # start each page from the same heap, not the previous page's garbage
        for round_number in range(repeat):
            # Alternate which goes first, so neither always follows the other.
            pair = [(result, client, page_path), (result.baseline, baseline_client, TRIVIAL_PATH)]
            for measured, who, where in pair if round_number % 2 else reversed(pair):
                measured.samples_ms.append(_get(who, where))
        trivial.samples_ms += result.baseline.samples_ms
    return trivial, pages


def _counts() -> dict[str, int]:
    return {
        "agencies": Agency.objects.count(),
        "panels": Panel.objects.count(),
        "staff": User.objects.count(),
        "agreements": InformationSharingAgreement.objects.count(),
        "grants": PanelGroupObjectPermission.objects.count(),
        "access log": AccessLog.objects.count(),
    }


def _time_recomputation(runs: int = 5) -> tuple[float, float]:
    """(median no-change recomputation, one rebuild from no grants), in seconds."""
    no_change = []
    for _ in range(runs):
        started = time.perf_counter()
        recompute_panel_access(actor=None)
        no_change.append(time.perf_counter() - started)
    grants = PanelGroupObjectPermission.objects.count()
    PanelGroupObjectPermission.objects.all().delete()
    started = time.perf_counter()
    result = recompute_panel_access(actor=None)
    rebuild = time.perf_counter() - started
    if result.granted != grants or result.revoked:
        raise RuntimeError(f"Rebuilt grants ({result}) differ from the {grants} generated.")
    return statistics.median(no_change), rebuild


def _measure_size(nominals: int, seed: int, repeat: int, warm_up: int) -> SizeResult:
    report = generate(nominals=nominals, seed=seed, password="bench-password-not-secret")  # noqa: S106
    with connection.cursor() as cursor:
        # Planner statistics and a vacuumed table, as autovacuum leaves a live database; and
        # no autovacuum of the fresh rows starting in the middle of the timings.
        cursor.execute("VACUUM ANALYZE")
    counts = _counts()  # before the pages add their own access log rows
    recompute, rebuild = _time_recomputation()
    trivial_result, pages = _measure_pages(repeat, warm_up)
    return SizeResult(
        nominals=nominals,
        boroughs=len(report.boroughs),
        counts=counts,
        generate_seconds=report.seconds,
        recompute_seconds=recompute,
        rebuild_seconds=rebuild,
        trivial=trivial_result,
        pages=pages,
    )


def run_benchmarks(
    *,
    sizes: list[int],
    seed: int,
    repeat: int,
    command: str,
    warm_up: int = 10,
    log: Callable[[str], None] = lambda _line: None,
) -> BenchResult:
    started = timezone.now()
    load_before = os.getloadavg()
    allowed_hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    results = []
    prefix = f"tandem_bench_{os.getpid()}"
    with (
        override_settings(**BENCH_SETTINGS, ALLOWED_HOSTS=allowed_hosts),
        scratch_databases(prefix) as fresh,
        warnings.catch_warnings(),
    ):
        # WhiteNoise warns that collectstatic has not run; the pages link assets, never load them.
        warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
        for nominals in sizes:
            name = fresh(str(nominals))
            log(f"{nominals} nominals: generating into {name}, then {repeat} rounds")
            results.append(_measure_size(nominals, seed, repeat, warm_up))
            log(f"{nominals} nominals: done")
        machine = _machine()
        connections.close_all()
    return BenchResult(
        command=command,
        seed=seed,
        repeat=repeat,
        warm_up=warm_up,
        started=started,
        sizes=results,
        machine=machine,
        load_before=load_before,
        load_after=os.getloadavg(),
    )


# --------------------------------------------------------------------------- report


def _machine() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    return (
        f"{os.cpu_count()} CPU cores ({platform.machine()}, {platform.system()} "
        f"{platform.release()}), Python {platform.python_version()}, PostgreSQL {pg_version} "
        "on the same machine, Django's test client in one process (no network, no web server)."
    )


def _table(size: SizeResult) -> list[str]:
    lines = [
        "| page | median ms | p95 ms | paired trivial median ms "
        "| median ÷ trivial | p95 ÷ trivial | queries |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in (size.trivial, *size.pages):
        median_ratio, p95_ratio = size.ratio(result)
        base = result.baseline or size.trivial
        lines.append(
            f"| {result.page.label} | {result.median_ms:.2f} | {result.p95_ms:.2f} "
            f"| {base.median_ms:.2f} | {median_ratio:.2f} | {p95_ratio:.2f} | {result.queries} |"
        )
    return lines


# A page whose rows do not grow should keep its ratio within this factor across sizes.
STEADY_LIMIT = 1.25


def _interpretation(result: BenchResult) -> str:
    flat = result.queries_flat()
    small, large = result.sizes[0], result.sizes[-1]
    growing = [label for label, same in flat.items() if not same]
    parts = [
        "Every page asks the same number of queries at every size, so none loops over rows."
        if not growing
        else f"Queries grow with the data on: {', '.join(growing)}; look for an N+1 there."
    ]
    slowest = max(large.pages, key=lambda r: large.ratio(r)[0])
    parts.append(
        f"The slowest page at {large.nominals:,} nominals is {slowest.page.label.lower()}, "
        f"at {large.ratio(slowest)[0]:.1f}× the trivial view's median."
    )
    if len(result.sizes) > 1:
        change = {
            lp.page: large.ratio(lp)[0] / small.ratio(sp)[0]
            for lp, sp in zip(large.pages, small.pages, strict=True)
        }
        steady = [c for page, c in change.items() if not page.rows_grow]
        shift_ms = [
            lp.median_ms - sp.median_ms
            for lp, sp in zip(large.pages, small.pages, strict=True)
            if not lp.page.rows_grow
        ]
        verdict = (
            "bigger tables alone do not slow them"
            if max(steady) <= STEADY_LIMIT
            else f"a change over {STEADY_LIMIT}× is worth investigating"
        )
        parts.append(
            f"From {small.nominals:,} to {large.nominals:,} nominals ({small.boroughs} to "
            f"{large.boroughs} boroughs, {small.counts['access log']:,} to "
            f"{large.counts['access log']:,} access-log rows), the pages that show the same "
            f"rows at every size (one borough's, to its coordinator) moved by "
            f"{min(steady):.2f}× to {max(steady):.2f}× in median ratio, and by "
            f"{min(shift_ms):+.2f} to {max(shift_ms):+.2f} ms in median, while the trivial "
            f"view moved by {large.trivial.median_ms - small.trivial.median_ms:+.2f} ms: "
            f"{verdict}."
        )
        for page, c in change.items():
            if page.rows_grow:
                parts.append(
                    f"{page.label} moved by {c:.2f}× with the same queries: {page.rows_grow}, "
                    "so its time follows its rows."
                )
    return " ".join(parts)


NOTES = """\
How to read this: a ratio is the page's time over that of the trivial requests paired with
it; the trivial view already pays for the session, the user, the second factor and every
middleware, so a ratio of 3 means the page costs twice a bare signed-in request on top of
it. The test client calls Django in-process: no network, no web server, no
per-request connection health check. Python's garbage collector stays on, as in production,
so p95 includes its pauses, which grow with the objects a page builds. The database runs on
the same 2 cores, and other work on the machine shows in the load average above: compare
ratios within a run, not milliseconds across runs.
"""


def render_markdown(result: BenchResult) -> str:
    flat = result.queries_flat()
    sizes = result.sizes
    lines = [
        "# Benchmarks",
        "",
        "Generated by `manage.py run_bench` (reporting/benchmarks.py); re-run to refresh.",
        "Timings are from one machine and one run: compare ratios, not milliseconds.",
        "",
        f"- Command: `make bench`, which runs `{result.command}`",
        f"- Date: {timezone.localtime(result.started):%Y-%m-%d %H:%M %Z}",
        f"- Machine: {result.machine}",
        f"- Load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in result.load_before)}; "
        f"after: {', '.join(f'{x:.2f}' for x in result.load_after)}",
        f"- Each page: {result.warm_up} warm-up requests, then {result.repeat} timed requests, "
        "each paired with a trivial-view request (alternating which goes first), signed in "
        "as the first borough's coordinator (system administrator for the last row) with "
        "both factors. The trivial row pools every page's paired baseline.",
        "",
        "## Data and set-up times",
        "",
        "| nominals | boroughs | agencies | panels | staff | agreements | grants "
        "| access log rows | generate_data s | recompute s | rebuild grants s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in sizes:
        c = size.counts
        lines.append(
            f"| {size.nominals:,} | {size.boroughs} | {c['agencies']} | {c['panels']} "
            f"| {c['staff']} | {c['agreements']} | {c['grants']} | {c['access log']:,} "
            f"| {size.generate_seconds:.1f} | {size.recompute_seconds:.3f} "
            f"| {size.rebuild_seconds:.3f} |"
        )
    lines += [
        "",
        "Recompute is `recompute_panel_access` on the full data when nothing has changed "
        "(median of 5); rebuild is the same after deleting every grant.",
        "",
    ]
    for size in sizes:
        lines += [f"## Pages at {size.nominals:,} nominals", "", *_table(size), ""]
    header = " | ".join(f"queries at {size.nominals:,}" for size in sizes)
    lines += [
        "## Queries per request",
        "",
        f"| page | {header} | flat |",
        f"| --- | {' | '.join('---:' for _ in sizes)} | --- |",
    ]
    for i, page in enumerate(PAGES):
        counts = " | ".join(str(size.pages[i].queries) for size in sizes)
        lines.append(f"| {page.label} | {counts} | {'yes' if flat[page.label] else 'NO'} |")
    lines += ["", "## Interpretation", "", _interpretation(result), "", NOTES]
    return "\n".join(lines)
