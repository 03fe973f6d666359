"""What naming each person read costs: the pages that list people, timed with the
per-person access log on (as in production) and off (a switch that exists only here).

Every list that shows people writes one AccessLog row per person shown, in one bulk
insert (accounts.audit.log_access_many). To see what that costs, each page below is asked
in pairs: once as it is, once with `per_person_logging_off`, which swaps every module's
reference to `log_access_many` for one that writes nothing, for the length of one request.
Nothing in the application reads a setting or a flag for this: production cannot turn it
off. The count row a list writes (`log_access`) stays in both, so the difference is the
per-person rows alone: building them and the one INSERT.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from accounts import audit
from accounts.models import AccessLog, ObjectType, User
from offenders.selectors import nominals_for


@dataclass(frozen=True)
class LoggedPage:
    label: str
    # As bench.runner.Page: may hold the runner's target names ("{cohort_50}", "{search}").
    path: str
    form: tuple[tuple[str, str], ...] = ()
    expect: str = ""


# The cohort tracker and search, as the issue asks, and the API list and a group of the
# agenda builder's suggestions, which name the most people a request (the builder itself
# names only the people on the agenda).
LOGGED_PAGES = (
    LoggedPage(
        "Nominal search (POST, name with a typo)",
        "/nominals/",
        form=(("name", "{search}"),),
        expect='href="/nominals/{found}/"',
    ),
    # A name many share: a first page of up to 20 results, each person on it logged.
    LoggedPage(
        "Nominal search, a common family name (POST, a page of up to 20)",
        "/nominals/",
        form=(("name", "{common_family_name}"),),
        expect="People found, page 1 of",
    ),
    LoggedPage("Cohort tracker, 50 members", "/panels/{cohort_50}/cohort/"),
    LoggedPage("Cohort tracker, 1,000 members", "/panels/{cohort_1000}/cohort/"),
    LoggedPage("API nominal list", "/api/v1/nominals/", expect='"count":'),
    LoggedPage(
        "Agenda builder, first page of a group (review due)",
        "/panels/meetings/{meeting}/agenda/suggested/review_due/",
    ),
)


@contextmanager
def per_person_logging_off() -> Iterator[int]:
    """Bench only: no per-person access-log rows while inside. Yields how many module
    references were swapped (none would mean the measurement measures nothing)."""
    real = audit.log_access_many

    def write_nothing(**_kwargs: object) -> int:
        return 0

    holders = [
        module
        for module in list(sys.modules.values())
        if module is not None and vars(module).get("log_access_many") is real
    ]
    for module in holders:
        module.log_access_many = write_nothing  # type: ignore[attr-defined]
    try:
        yield len(holders)
    finally:
        for module in holders:
            module.log_access_many = real  # type: ignore[attr-defined]


@dataclass
class LoggingCost:
    page: LoggedPage
    on_ms: list[float] = field(default_factory=list)
    off_ms: list[float] = field(default_factory=list)
    queries_on: int = 0
    queries_off: int = 0
    people_logged: int = 0  # per-person rows one request writes with logging on
    rows_on: int = 0  # every access-log row one request writes, on
    rows_off: int = 0  # and off (the count row and the like)

    @property
    def median_on_ms(self) -> float:
        return statistics.median(self.on_ms)

    @property
    def median_off_ms(self) -> float:
        return statistics.median(self.off_ms)

    @property
    def difference_ms(self) -> float:
        """The median of the paired differences (each round's on minus its off)."""
        return statistics.median(on - off for on, off in zip(self.on_ms, self.off_ms, strict=True))

    @property
    def ratio(self) -> float:
        return self.median_on_ms / self.median_off_ms


Request = Callable[[Client, str, dict[str, str], str], float]

# How many people `log_access_many` is timed naming on its own, outside any page.
INSERT_SIZES = (1, 20, 50, 1000)


def common_family_name(user: User) -> str:
    """The family name most of the people `user` sees share."""
    row = (
        nominals_for(user)
        .values("family_name")
        .annotate(people=Count("pk"))
        .order_by("-people", "family_name")
        .first()
    )
    if row is None:
        raise RuntimeError("The user sees nobody: there is no name to search for.")
    return row["family_name"]


def time_inserts(user: User, *, repeat: int) -> dict[int, float]:
    """Median milliseconds of `log_access_many` alone (building the rows and the one
    INSERT) for each of INSERT_SIZES people, as `user`, outside any page."""
    request = RequestFactory().get("/bench/insert/")
    request.user = user
    ids = list(nominals_for(user).order_by("pk").values_list("pk", flat=True)[: max(INSERT_SIZES)])
    medians = {}
    for size in INSERT_SIZES:
        samples = []
        for _ in range(repeat):
            started = time.perf_counter_ns()
            audit.log_access_many(
                request=request, object_type=ObjectType.NOMINAL, object_ids=ids[:size]
            )
            samples.append((time.perf_counter_ns() - started) / 1e6)
        medians[min(size, len(ids))] = statistics.median(samples)
    return medians


def _rows_written(ask: Callable[[], float]) -> tuple[int, int, int]:
    """(every access-log row, per-person rows, queries) one request writes and asks."""
    rows = AccessLog.objects.count()
    people = AccessLog.objects.filter(object_type=ObjectType.NOMINAL).count()
    with CaptureQueriesContext(connection) as captured:
        ask()
    return (
        AccessLog.objects.count() - rows,
        AccessLog.objects.filter(object_type=ObjectType.NOMINAL).count() - people,
        len(captured.captured_queries),
    )


def measure_logging_cost(
    client: Client,
    fill: Callable[[str], str],
    request: Request,
    *,
    repeat: int,
    warm_up: int,
    prepare: Callable[[], None] = lambda: None,
) -> list[LoggingCost]:
    """Each page `repeat` times with the per-person log and `repeat` times without, in
    pairs (alternating which goes first), after `warm_up` of each."""
    results = []
    for page in LOGGED_PAGES:
        path, expect = fill(page.path), fill(page.expect)
        form = {key: fill(value) for key, value in page.form}

        def ask(path: str = path, form: dict[str, str] = form, expect: str = expect) -> float:
            return request(client, path, form, expect)

        result = LoggingCost(page)
        prepare()
        for _ in range(warm_up):
            ask()
            with per_person_logging_off():
                ask()
        result.rows_on, result.people_logged, result.queries_on = _rows_written(ask)
        with per_person_logging_off() as swapped:
            if not swapped:
                raise RuntimeError("No log_access_many to switch off: nothing would be measured.")
            result.rows_off, people_off, result.queries_off = _rows_written(ask)
        if people_off:
            raise RuntimeError(f"{page.label} logged {people_off} people with logging off.")
        gc.collect()
        for round_number in range(repeat):
            prepare()
            for logging_on in (True, False) if round_number % 2 else (False, True):
                if logging_on:
                    result.on_ms.append(ask())
                else:
                    with per_person_logging_off():
                        result.off_ms.append(ask())
        results.append(result)
    return results


def logging_cost_lines(
    sizes: list[tuple[int, list[LoggingCost], dict[int, float]]], *, repeat: int
) -> list[str]:
    """The section of the report: a table a size, then how to read it."""
    if not sizes:
        return []
    lines = [
        "## The cost of naming each person read in the access log",
        "",
        "Every page or API list that shows people writes one access-log row per person "
        'shown, in one bulk insert, so each person\'s "who has viewed" page is complete. '
        f"Each page below was asked {repeat} times as it is and {repeat} times with the "
        "per-person rows switched off (`bench.access_log.per_person_logging_off`, which "
        "exists only in the benchmark: no setting turns it off in production), in pairs, "
        "alternating which goes first, as the first borough's coordinator. Rows are the "
        "access-log rows one request writes: per person, and in all (with the count row "
        "the page writes either way). Difference is the median of each pair's difference.",
        "",
    ]
    for nominals, results, inserts in sizes:
        lines += [
            f"### {nominals:,} nominals",
            "",
            "| page | people logged a view | rows on | rows off | queries on | queries off "
            "| median ms on | median ms off | difference ms | on ÷ off |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in results:
            lines.append(
                f"| {r.page.label} | {r.people_logged:,} | {r.rows_on:,} | {r.rows_off:,} "
                f"| {r.queries_on} | {r.queries_off} | {r.median_on_ms:.2f} "
                f"| {r.median_off_ms:.2f} | {r.difference_ms:+.2f} | {r.ratio:.2f} |"
            )
        lines.append("")
        if inserts:
            lines += [
                f"`log_access_many` on its own at {nominals:,} nominals (building the rows and "
                f"the one INSERT, no page; median of {repeat}): "
                + ", ".join(
                    f"{people:,} {'person' if people == 1 else 'people'} {ms:.2f} ms"
                    for people, ms in inserts.items()
                )
                + ".",
                "",
            ]
    lines += [
        "Queries on are queries off plus one at most: the per-person rows go in one INSERT "
        "however many people a page shows (none when it shows nobody). The cost follows the "
        "people a request names, not the data's size: compare the difference with the "
        "insert alone for as many people. Milliseconds are from one machine shared with "
        "other work (load average above): read the difference and the ratio, which pair "
        "each request with its counterpart asked at the same moment.",
        "",
    ]
    return lines
