"""Page benchmarks (DESIGN.md section 7): `manage.py run_bench`, and a URLconf for it.

For each size the runner builds a fresh database (cloned from one migrated template, all
named after this process and dropped at the end, so runs and the test database never
meet), fills it with `sharing.synthetic.generate`, then asks each page as a signed-in user
through Django's test client: warm-up, one request under CaptureQueriesContext to count
queries, then `repeat` timed rounds. Every round also asks a trivial view that goes
through the whole middleware stack, in a rotating order, so each page is compared with
the baseline measured at the same moments: ratios cancel the machine's speed and drift.

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

# Production settings, except: a fast hasher (thousands of synthetic accounts), static
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


TRIVIAL = Page("Trivial view (baseline)", TRIVIAL_PATH)
PAGES = (
    Page("Dashboard", "/"),
    Page("Panel list", "/panels/"),
    Page("Panel detail", "/panels/{panel}/"),
    Page("Agreements list", "/sharing/"),
    Page("API panel list", "/api/v1/panels/"),
    # A system administrator sees every borough's agreements: rows grow with the data.
    Page("Agreements list, all boroughs", "/sharing/", persona="sysadmin"),
)


@dataclass
class PageResult:
    page: Page
    samples_ms: list[float] = field(default_factory=list)
    queries: int = 0

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
        """(median ratio, p95 ratio) to the trivial view measured in the same rounds."""
        return (
            result.median_ms / self.trivial.median_ms,
            result.p95_ms / self.trivial.p95_ms,
        )


@dataclass
class BenchResult:
    command: str
    seed: int
    repeat: int
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
    panel = Panel.objects.get(coordinating_agency__code="b00-council", kind=PanelKind.IOM)
    clients = {
        persona: signed_in_client(User.objects.get(username=f"b00-{persona}"))
        for persona in {page.persona for page in (TRIVIAL, *PAGES)}
    }
    results = [PageResult(page) for page in (TRIVIAL, *PAGES)]
    paths = [page.path.format(panel=panel.pk) for page in (TRIVIAL, *PAGES)]

    for result, page_path in zip(results, paths, strict=True):
        client = clients[result.page.persona]
        for _ in range(warm_up):
            _get(client, page_path)
        with CaptureQueriesContext(connection) as captured:
            _get(client, page_path)
        result.queries = len(captured.captured_queries)

    gc.collect()
    for round_number in range(repeat):
        # Rotate the order every round so no page always follows the same one.
        shift = round_number % len(results)
        for index in [*range(shift, len(results)), *range(shift)]:
            result = results[index]
            result.samples_ms.append(_get(clients[result.page.persona], paths[index]))
    return results[0], results[1:]


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
        cursor.execute("ANALYZE")  # planner statistics, as a live database would have
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
        "| page | median ms | p95 ms | median ÷ trivial | p95 ÷ trivial | queries |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in (size.trivial, *size.pages):
        median_ratio, p95_ratio = size.ratio(result)
        lines.append(
            f"| {result.page.label} | {result.median_ms:.2f} | {result.p95_ms:.2f} "
            f"| {median_ratio:.2f} | {p95_ratio:.2f} | {result.queries} |"
        )
    return lines


def _interpretation(result: BenchResult) -> str:
    flat = result.queries_flat()
    small, large = result.sizes[0], result.sizes[-1]
    growing = [label for label, same in flat.items() if not same]
    queries = (
        "Every page asks the same number of queries at every size, so none loops over rows."
        if not growing
        else f"Queries grow with the data on: {', '.join(growing)}; look for an N+1 there."
    )
    slowest = max(large.pages, key=lambda r: large.ratio(r)[0])
    drift = [
        large.ratio(page)[0] / small.ratio(small_page)[0]
        for page, small_page in zip(large.pages, small.pages, strict=True)
    ]
    return (
        f"{queries} The slowest page at {large.nominals:,} nominals is "
        f"{slowest.page.label.lower()}, at {large.ratio(slowest)[0]:.1f}× the trivial "
        f"view's median. Between {small.nominals:,} and {large.nominals:,} nominals the "
        f"median ratios change by a factor of {min(drift):.2f} to {max(drift):.2f}. The "
        "trivial view is not free: it already pays for the session, the user, the second "
        "factor and every middleware, so a ratio near 1 means a page adds little to what "
        "any signed-in request costs."
    )


def render_markdown(result: BenchResult) -> str:
    flat = result.queries_flat()
    sizes = result.sizes
    lines = [
        "# Benchmarks",
        "",
        "Generated by `manage.py run_bench` (reporting/benchmarks.py); re-run to refresh.",
        "Timings are from one machine and one run: compare ratios, not milliseconds.",
        "",
        f"- Command: `{result.command}`",
        f"- Date: {timezone.localtime(result.started):%Y-%m-%d %H:%M %Z}",
        f"- Machine: {result.machine}",
        f"- Load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in result.load_before)}; "
        f"after: {', '.join(f'{x:.2f}' for x in result.load_after)}",
        f"- Each page: 10 warm-up requests, then {result.repeat} timed requests interleaved "
        "with the trivial view (rotating order), signed in as the first borough's "
        "coordinator (system administrator for the last row) with both factors.",
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
    lines += ["", "## Interpretation", "", _interpretation(result), ""]
    return "\n".join(lines)
