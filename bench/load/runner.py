"""`make load`: gunicorn as the Dockerfile runs it, locust against it, and its report.

gunicorn is started from the Dockerfile's own CMD and ENV (so a change of workers or of
their class there is what is measured here), with docker-compose's settings for plain
HTTP, bound to a loopback port, on the load database (bench/load/prepare.py). locust then
runs headless once per number of users, each run bounded in time: the users start over
`ramp` seconds, the statistics are reset once all have started, and `duration` seconds are
measured. A last run opens the heavy pages alone. While each runs, a sampler reads the CPU
time of the gunicorn workers, of the PostgreSQL backends serving the load database, and of
locust itself, from /proc through psutil; the machine's load average is noted around it,
as other work on the machine shows there.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil
import psycopg
import requests
from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from bench.load.prepare import LoadData
from bench.load.scenario import (
    HEAVY,
    LOAD_HEADING,
    LOCUSTFILE,
    MIX,
    PURPOSE_LABEL,
    TARGETS_ENV,
    THINK_SECONDS,
    TRIVIAL_LABEL,
    Account,
    Targets,
    sign_in,
    write_targets,
)
from bench.load.targets import heavy_account, staff_accounts
from config.dbroles import APP_ROLE, url_as

ROOT = Path(settings.BASE_DIR)
WORK = ROOT / ".data" / "load"
GOAL_USERS = 200
WORKER_TIMEOUT = 120
GOAL_P95_MS = 500
HOST = "127.0.0.1"

# docker-compose.yml's settings for the web service over plain HTTP (its defaults): the
# production settings, with HTTPS left to a proxy in front.
COMPOSE_ENV = {
    "DEBUG": "false",
    "SECURE_COOKIES": "false",
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_HSTS_SECONDS": "0",
    "DATABASE_APP_ROLE": APP_ROLE,
}


@dataclass(frozen=True)
class LoadPlan:
    users: list[int]
    ramp: int
    duration: int
    heavy_users: int
    heavy_duration: int
    port: int
    password: str
    command: str


# --------------------------------------------------------------------------- gunicorn


def dockerfile_gunicorn(dockerfile: Path) -> tuple[list[str], dict[str, str]]:
    """The final stage's CMD and ENV: how production starts the web process."""
    text = dockerfile.read_text()
    stage = text[text.rindex("\nFROM ") :].replace("\\\n", " ")
    env: dict[str, str] = {}
    command: list[str] = []
    for line in stage.splitlines():
        line = line.strip()
        if line.startswith("ENV "):
            for key, value in re.findall(r'(\w+)=("[^"]*"|\S+)', line[4:]):
                env[key] = value.strip('"')
        elif line.startswith("CMD "):
            command = json.loads(line[4:])
    if not command or command[0] != "gunicorn":
        raise ValueError(f"{dockerfile} does not start gunicorn with a CMD [...] line")
    return command, env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _app_database_url(database: str) -> str:
    """The load database as the web processes reach it: as the app role, like production.

    `make load` passes the app role's URL as LOAD_APP_DATABASE_URL where it knows one (the
    embedded PostgreSQL); otherwise, where the configured user is a superuser (CI's and
    this machine's `postgres`) and the app role exists, the app role on the same server."""
    given = os.environ.get("LOAD_APP_DATABASE_URL")
    url = urlunsplit(urlsplit(given or os.environ["DATABASE_URL"])._replace(path=f"/{database}"))
    if given:
        return url
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = bool(cursor.fetchone()[0])
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE])
        app_role = cursor.fetchone() is not None
    return url_as(url, APP_ROLE) if superuser and app_role else url


@dataclass
class Server:
    argv: list[str]
    env: dict[str, str]  # what was set beyond the caller's environment (no secrets)
    url: str
    process: subprocess.Popen


@contextlib.contextmanager
def gunicorn(database: str, port: int, log: Callable[[str], None]) -> Iterator[Server]:
    command, docker_env = dockerfile_gunicorn(ROOT / "Dockerfile")
    port = port or _free_port()
    argv = [str(Path(sys.executable).with_name("gunicorn")), *command[1:]]
    argv[argv.index("--bind") + 1] = f"{HOST}:{port}"
    # gunicorn's control socket defaults to one path in the home folder; in its container
    # that is its own, but here other servers may share the machine.
    argv += ["--control-socket", str(WORK / "gunicorn.ctl")]
    # A worker imports the whole URLconf (the views, matplotlib...) on its first request,
    # about 7 s of CPU; three at once on a machine shared with other work took longer than
    # gunicorn's default 30 s, and were killed before serving anything, over and over.
    argv += ["--timeout", str(WORKER_TIMEOUT)]
    shown = {
        key: value
        for key, value in docker_env.items()
        if key not in {"PATH", "MPLCONFIGDIR", "DJANGO_SETTINGS_MODULE"}
    }
    shown |= COMPOSE_ENV | {
        "ALLOWED_HOSTS": HOST,
        "DJANGO_SETTINGS_MODULE": "bench.load.settings",
    }
    env = {
        **os.environ,
        **shown,
        "DATABASE_URL": _app_database_url(database),
        "MPLCONFIGDIR": str(WORK / "matplotlib"),
    }
    env.pop("LOAD_APP_DATABASE_URL", None)
    WORK.mkdir(parents=True, exist_ok=True)
    log("collecting static files for gunicorn (WhiteNoise serves the collected copy)")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    log(f"starting {' '.join(argv[1:])} with {shown}")
    with (WORK / "gunicorn.log").open("w") as output:
        process = subprocess.Popen(  # noqa: S603 (our own argv)
            argv, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    url = f"http://{HOST}:{port}"
    try:
        _wait_for(f"{url}/health/", process)
        yield Server(argv=argv, env=shown, url=url, process=process)
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(url: str, process: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited ({process.returncode}); see {WORK / 'gunicorn.log'}"
            )
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=WORKER_TIMEOUT) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer {url} in {timeout:.0f} s")


# --------------------------------------------------------------------------- CPU


@dataclass
class CpuWindow:
    """CPU seconds per group over a window, as percentages of one core."""

    seconds: float
    web: float  # gunicorn's workers (and its arbiter)
    postgres: float  # the backends connected to the load database
    locust: float
    machine_busy: float  # every core's busy time, all processes, /2 cores = 200 % at most
    web_workers: int = 0
    postgres_backends: int = 0

    @property
    def others(self) -> float:
        return max(0.0, self.machine_busy - self.web - self.postgres - self.locust)


class CpuSampler:
    """Every second, the cumulative CPU time of each process of each group."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.groups: dict[str, Callable[[], list[int]]] = {}
        self.samples: list[tuple[float, dict[str, dict[int, float]], float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        conninfo = connection.get_connection_params()
        conninfo["dbname"] = "postgres"
        conninfo.pop("cursor_factory", None)
        conninfo.pop("context", None)
        self._conninfo = conninfo

    def track(self, name: str, pids: Callable[[], list[int]]) -> None:
        self.groups[name] = pids

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def backends(self, db: psycopg.Connection) -> list[int]:
        rows = db.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'",
            [self.database],
        ).fetchall()
        return [row[0] for row in rows]

    def _run(self) -> None:
        with psycopg.connect(**self._conninfo, autocommit=True) as db:
            self.groups["postgres"] = lambda: self.backends(db)
            while not self._stop.is_set():
                taken: dict[str, dict[int, float]] = {}
                # A copy: the runner adds each locust process while this runs.
                for name, pids in list(self.groups.items()):
                    taken[name] = {}
                    for pid in pids():
                        with contextlib.suppress(psutil.Error):
                            times = psutil.Process(pid).cpu_times()
                            taken[name][pid] = times.user + times.system
                machine = psutil.cpu_times()
                busy = machine.user + machine.nice + machine.system + machine.irq + machine.softirq
                busy += getattr(machine, "steal", 0.0)
                self.samples.append((time.time(), taken, busy))
                self._stop.wait(1.0)

    def window(self, start: float, end: float) -> CpuWindow:
        inside = [sample for sample in self.samples if start <= sample[0] <= end]
        if len(inside) < 2:
            return CpuWindow(seconds=0.0, web=0.0, postgres=0.0, locust=0.0, machine_busy=0.0)
        first, last = inside[0], inside[-1]
        elapsed = last[0] - first[0]

        def used(name: str) -> float:
            before, after = first[1].get(name, {}), last[1].get(name, {})
            # A process that started inside the window counts from nothing.
            return sum(after[pid] - before.get(pid, 0.0) for pid in after)

        def percent(seconds: float) -> float:
            return 100 * seconds / elapsed

        return CpuWindow(
            seconds=elapsed,
            web=percent(used("web")),
            postgres=percent(used("postgres")),
            locust=percent(used("locust")),
            machine_busy=percent(last[2] - first[2]),
            web_workers=max(0, len(last[1].get("web", {})) - 1),
            postgres_backends=len(last[1].get("postgres", {})),
        )


def _family(pid: int) -> list[int]:
    with contextlib.suppress(psutil.Error):
        parent = psutil.Process(pid)
        return [pid, *(child.pid for child in parent.children(recursive=True))]
    return []


# --------------------------------------------------------------------------- locust


@dataclass
class PageStats:
    label: str
    requests: int
    failures: int
    response_times: dict[int, int]  # locust's rounded milliseconds -> count

    def percentile(self, fraction: float) -> float:
        return _percentile(self.response_times, fraction)


def _percentile(times: dict[int, int], fraction: float) -> float:
    total = sum(times.values())
    if not total:
        return float("nan")
    wanted, seen = fraction * total, 0
    for ms in sorted(times):
        seen += times[ms]
        if seen >= wanted:
            return float(ms)
    return float(max(times))


@dataclass
class RunResult:
    kind: str  # "mix" or "heavy"
    users: int
    measured_seconds: float
    pages: list[PageStats]
    failures: dict[str, int]  # "label: error" -> occurrences
    cpu: CpuWindow
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    sign_ins: int = 0
    worker_timeouts: int = 0  # workers gunicorn killed for a request over its timeout

    def page(self, label: str) -> PageStats | None:
        return next((page for page in self.pages if page.label == label), None)

    def browsing(self) -> PageStats:
        """Every request after the sign-in: what the users waited for while browsing."""
        merged: dict[int, int] = {}
        for page in self.pages:
            if page.label.startswith("Sign-in"):
                continue
            for ms, count in page.response_times.items():
                merged[ms] = merged.get(ms, 0) + count
        return PageStats(
            "All pages",
            sum(p.requests for p in self.pages if not p.label.startswith("Sign-in")),
            sum(p.failures for p in self.pages if not p.label.startswith("Sign-in")),
            merged,
        )

    @property
    def requests_per_second(self) -> float:
        return self.browsing().requests / self.measured_seconds if self.measured_seconds else 0.0

    def held(self) -> bool:
        """p95 of every page together under the goal, and no failure at all."""
        browsing = self.browsing()
        return browsing.percentile(0.95) < GOAL_P95_MS and not self.failures


def _read_locust(prefix: Path) -> tuple[list[PageStats], float, float, dict[str, int]]:
    entries = json.loads(Path(f"{prefix}.json").read_text())
    pages = [
        PageStats(
            label=entry["name"],
            requests=entry["num_requests"],
            failures=entry["num_failures"],
            response_times={int(float(ms)): count for ms, count in entry["response_times"].items()},
        )
        for entry in entries
    ]
    starts = [entry["start_time"] for entry in entries if entry["num_requests"]]
    ends = [entry["last_request_timestamp"] for entry in entries if entry["num_requests"]]
    failures: dict[str, int] = {}
    failures_csv = Path(f"{prefix}_failures.csv")
    if failures_csv.exists():
        with failures_csv.open(newline="") as handle:
            for row in csv.DictReader(handle):
                failures[f"{row['Name']}: {row['Error']}"] = int(row["Occurrences"])
    return pages, min(starts, default=0.0), max(ends, default=0.0), failures


def _worker_timeouts() -> int:
    log = WORK / "gunicorn.log"
    return log.read_text(errors="replace").count("WORKER TIMEOUT") if log.exists() else 0


def _reset_lockouts(usernames: list[str]) -> None:
    """No failed sign-in of an earlier run may lock an account out of this one, nor the
    clock drift django-otp learnt from codes that queued behind a busy server."""
    AccessAttempt.objects.filter(username__in=usernames).delete()
    TOTPDevice.objects.filter(user__username__in=usernames).update(
        drift=0, throttling_failure_count=0, throttling_failure_timestamp=None
    )


def run_locust(
    *,
    kind: str,
    user_class: str,
    users: int,
    ramp: int,
    duration: int,
    server: Server,
    sampler: CpuSampler,
    targets_file: Path,
    usernames: list[str],
    log: Callable[[str], None],
) -> RunResult:
    _reset_lockouts(usernames)
    prefix = WORK / f"{kind}-{users}"
    for stale in WORK.glob(f"{prefix.name}*"):
        stale.unlink()
    argv = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        f"{users / ramp if ramp else users:.3f}",
        "--run-time",
        f"{ramp + duration}s",
        "--host",
        server.url,
        "--reset-stats",
        "--only-summary",
        "--skip-log-setup",
        "--stop-timeout",
        "15",
        "--csv",
        str(prefix),
        "--json-file",
        str(prefix),
        user_class,
    ]
    log(f"{kind}: {users} users, {ramp} s to start them, {duration} s measured")
    timeouts_before = _worker_timeouts()
    load_before = os.getloadavg()
    process = subprocess.Popen(  # noqa: S603 (our own argv)
        argv,
        cwd=ROOT,
        env={**os.environ, TARGETS_ENV: str(targets_file)},
        stdout=subprocess.DEVNULL,
        stderr=(WORK / f"{prefix.name}.log").open("w"),
    )
    sampler.track("locust", lambda: _family(process.pid))
    process.wait()
    load_after = os.getloadavg()
    pages, start, end, failures = _read_locust(prefix)
    sign_ins = sum(p.requests for p in pages if p.label.startswith("Sign-in: code"))
    measured = [page for page in pages if page.requests]
    result = RunResult(
        kind=kind,
        users=users,
        measured_seconds=max(0.0, end - start),
        pages=measured,
        failures=failures,
        cpu=sampler.window(start, end),
        load_before=load_before,
        load_after=load_after,
        sign_ins=sign_ins,
        worker_timeouts=_worker_timeouts() - timeouts_before,
    )
    browsing = result.browsing()
    log(
        f"{kind}: {users} users: {result.requests_per_second:.1f} requests/s, "
        f"p50 {browsing.percentile(0.5):.0f} ms, p95 {browsing.percentile(0.95):.0f} ms, "
        f"p99 {browsing.percentile(0.99):.0f} ms, {browsing.failures} failures; "
        f"CPU web {result.cpu.web:.0f} %, PostgreSQL {result.cpu.postgres:.0f} %"
    )
    return result


# --------------------------------------------------------------------------- sign-in

# Sign-ins before the steps, this many at once (gunicorn's workers, in the Dockerfile).
SIGN_IN_AT_ONCE = 3


@dataclass
class SignIns:
    seconds: list[float]  # each account's sign-in, from the sign-in page to the dashboard
    wall_seconds: float
    refused: list[str]


def sign_in_all(url: str, accounts: list[Account]) -> SignIns:
    """Sign every account in before the steps (a day's sign-ins are spread over the
    morning, not packed into a step's ramp), keeping each session for its locust users."""

    def one(account: Account) -> float | str:
        session = requests.Session()
        started = time.perf_counter()
        try:
            account.token = sign_in(session, account, base=url)
        except ValueError as refused:
            return str(refused)
        account.cookies = session.cookies.get_dict()
        return time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(SIGN_IN_AT_ONCE) as pool:
        outcomes = list(pool.map(one, accounts))
    return SignIns(
        seconds=[o for o in outcomes if isinstance(o, float)],
        wall_seconds=time.perf_counter() - started,
        refused=[o for o in outcomes if isinstance(o, str)],
    )


# --------------------------------------------------------------------------- the run


@dataclass
class LoadResult:
    command: str
    started: datetime
    data: LoadData
    plan: LoadPlan
    server_argv: list[str]
    server_env: dict[str, str]
    accounts: int
    runs: list[RunResult] = field(default_factory=list)
    heavy: RunResult | None = None
    machine: str = ""
    sign_ins: SignIns | None = None

    def most_users_held(self) -> int | None:
        held = [run.users for run in self.runs if run.held()]
        return max(held) if held else None


def _machine() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
    return (
        f"{os.cpu_count()} CPU cores ({platform.machine()}, {platform.system()} "
        f"{platform.release()}), {psutil.virtual_memory().total / 2**30:.0f} GiB, Python "
        f"{platform.python_version()}, PostgreSQL {pg_version} (jit {jit} on the server) on "
        "the same machine; locust on the same machine too"
        + (
            f"; gunicorn and locust ran at nice {psutil.Process().nice()}, behind the "
            "machine's other work (PostgreSQL at its own priority)"
            if psutil.Process().nice()
            else ""
        )
    )


def run_load(data: LoadData, plan: LoadPlan, *, output: Path, log: Callable[[str], None]) -> str:
    """Serve the load database, run every step and the heavy pages, write the section."""
    started = timezone.now()
    accounts = staff_accounts(data.codes, password=plan.password, seed=data.seed)
    coordinator = User.objects.get(username=f"{data.codes[0]}-coordinator")
    heavy = heavy_account(
        coordinator,
        password=plan.password,
        cohort_1000=data.cohort_1000,
        meeting=data.meeting,
        plan_large=data.plan_large,
    )
    targets_file = WORK / "targets.json"
    write_targets(Targets(accounts=accounts, heavy=[heavy]), targets_file)
    usernames = [account.username for account in [*accounts, heavy]]
    log(f"{len(accounts)} borough staff accounts to sign in as")
    machine = _machine()
    # The sampler's own connection is to the maintenance database, so it is not counted.
    sampler = CpuSampler(data.database)
    with gunicorn(data.database, plan.port, log) as server:
        sampler.track("web", lambda: _family(server.process.pid))
        sampler.start()
        try:
            _reset_lockouts(usernames)
            log(f"signing in {len(usernames)} accounts, {SIGN_IN_AT_ONCE} at a time")
            signed = sign_in_all(server.url, [*accounts, heavy])
            write_targets(Targets(accounts=accounts, heavy=[heavy]), targets_file)
            log(
                f"signed in {len(signed.seconds)} in {signed.wall_seconds:.0f} s"
                + (f"; refused: {', '.join(signed.refused)}" if signed.refused else "")
            )
            result = LoadResult(
                command=plan.command,
                started=started,
                data=data,
                server_argv=server.argv,
                server_env=server.env,
                accounts=len(accounts),
                machine=machine,
                plan=plan,
                sign_ins=signed,
            )
            for users in plan.users:
                result.runs.append(
                    run_locust(
                        kind="mix",
                        user_class="StaffUser",
                        users=users,
                        ramp=plan.ramp,
                        duration=plan.duration,
                        server=server,
                        sampler=sampler,
                        targets_file=targets_file,
                        usernames=usernames,
                        log=log,
                    )
                )
            if plan.heavy_users:
                result.heavy = run_locust(
                    kind="heavy",
                    user_class="HeavyPagesUser",
                    users=plan.heavy_users,
                    ramp=min(plan.ramp, 5),
                    duration=plan.heavy_duration,
                    server=server,
                    sampler=sampler,
                    targets_file=targets_file,
                    usernames=usernames,
                    log=log,
                )
        finally:
            sampler.stop()
    section = render_section(result)
    existing = output.read_text() if output.exists() else ""
    output.write_text(merge_section(existing, section))
    return section


# --------------------------------------------------------------------------- report


def _ms(value: float) -> str:
    if value != value:  # NaN: no request
        return "–"
    return f"{value / 1000:.1f} s" if value >= 1000 else f"{value:.0f} ms"


def _cpu(window: CpuWindow) -> str:
    return (
        f"{window.web:.0f} % | {window.postgres:.0f} % | {window.locust:.0f} % | "
        f"{window.others:.0f} %"
    )


def _load(run: RunResult) -> str:
    return f"{run.load_before[0]:.1f} → {run.load_after[0]:.1f}"


def _page_rows(run: RunResult, order: list[str]) -> list[str]:
    rows = []
    known = [run.page(label) for label in order]
    extra = [page for page in run.pages if page.label not in order]
    for page in [*(p for p in known if p is not None), *extra]:
        rate = page.requests / run.measured_seconds if run.measured_seconds else 0.0
        rows.append(
            f"| {page.label} | {page.requests:,} | {rate:.1f} | {_ms(page.percentile(0.5))} "
            f"| {_ms(page.percentile(0.95))} | {_ms(page.percentile(0.99))} | {page.failures} |"
        )
    return rows


PAGE_HEADER = [
    "| page | requests | requests/s | p50 | p95 | p99 | failures |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
]


def render_section(result: LoadResult) -> str:
    plan = result.plan
    held = result.most_users_held()
    mix_order = [task.label for task in MIX] + [PURPOSE_LABEL]
    weights = ", ".join(f"{task.label} {task.weight}" for task in MIX)
    lines = [
        f"{LOAD_HEADING} ({timezone.localtime(result.started):%d %B %Y})",
        "",
        f'- Command: `{result.command}` (`make load ARGS="..."` passes the same options).',
        f"- Date: {timezone.localtime(result.started):%Y-%m-%d %H:%M %Z}",
        f"- Machine: {result.machine}. Shared with other work while it ran: the load "
        "average (1 min) before and after each run is in its row, and the CPU that none of "
        'the measured processes used is in the "others" column.',
        f"- Server: `{' '.join(['gunicorn', *result.server_argv[1:]])}` as the Dockerfile's "
        f"CMD, with {', '.join(f'{k}={v}' for k, v in sorted(result.server_env.items()))} "
        "(the Dockerfile's ENV and docker-compose's plain-HTTP defaults); static files from "
        "WhiteNoise's collected copy (the users do not fetch them: a browser keeps them).",
        f"- Data: `{result.data.database}`, {result.data.nominals:,} nominals made as "
        f"`make bench` makes them (seed {result.data.seed}, {len(result.data.codes)} boroughs, "
        "with the bench's 1,000-member cohort, its meeting and the 150-action plan); "
        + (
            f"built by this run in {result.data.build_seconds:.0f} s."
            if result.data.built
            else "built by an earlier run and reused."
        ),
        f"- Users: {result.accounts} borough casework accounts (every borough's coordinators "
        "and partners who see a panel, borough by borough in turn; users beyond that share a "
        "signed-in session, as a second tab would). Each, signed in with both factors, "
        "browses with "
        f"{THINK_SECONDS[0]:.0f} to {THINK_SECONDS[1]:.0f} s of thought between pages, opens "
        f"by weight: {weights}. A record's first opening of the day POSTs the purpose of "
        "access first. Each page must answer 200 without a redirect.",
        _sign_in_line(result),
        f"- Each step starts its users over {plan.ramp} s, then its statistics are reset and "
        f"{plan.duration} s are measured. Percentiles are locust's (to 2 significant figures "
        "above 100 ms). CPU is per cent of one core (the machine has "
        f"{os.cpu_count()}): the gunicorn workers, the PostgreSQL backends serving the load "
        "database, locust, and the rest of the machine.",
        "",
        "| users | requests/s | p50 | p95 | p99 | failures | trivial view p50 / p95 "
        "| CPU: web workers | PostgreSQL | locust | others | load avg | p95 under "
        f"{GOAL_P95_MS} ms, no failures |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for run in result.runs:
        browsing = run.browsing()
        trivial = run.page(TRIVIAL_LABEL)
        lines.append(
            f"| {run.users} | {run.requests_per_second:.1f} | {_ms(browsing.percentile(0.5))} "
            f"| {_ms(browsing.percentile(0.95))} | {_ms(browsing.percentile(0.99))} "
            f"| {browsing.failures} | "
            + (
                f"{_ms(trivial.percentile(0.5))} / {_ms(trivial.percentile(0.95))}"
                if trivial
                else "–"
            )
            + f" | {_cpu(run.cpu)} | {_load(run)} | {'yes' if run.held() else 'no'} |"
        )
    lines += [
        "",
        (
            f"Most users held with p95 under {GOAL_P95_MS} ms and no failures: **{held}** of "
            f"the steps run (goal: {GOAL_USERS})."
            if held
            else f"No step held p95 under {GOAL_P95_MS} ms with no failures (goal: "
            f"{GOAL_USERS} users)."
        ),
    ]
    starved = [run for run in result.runs if run.cpu.others > 100]
    if starved:
        lines += ["", _starved_line(starved)]
    if result.runs:
        top = result.runs[-1]
        slow = sorted(
            (p for p in top.pages if not p.label.startswith("Sign-in")),
            key=lambda page: page.percentile(0.95),
            reverse=True,
        )
        lines += [
            "",
            f"Where the time goes at {top.users} users, slowest p95 first: "
            + "; ".join(
                f"{page.label} {_ms(page.percentile(0.95))} "
                f"({page.requests / max(1, top.browsing().requests):.0%} of requests)"
                for page in slow[:4]
            )
            + ".",
        ]
    for run in result.runs:
        lines += ["", f"### {run.users} users, page by page", "", *PAGE_HEADER]
        lines += _page_rows(run, mix_order)
        lines += _failure_lines(run)
    if result.heavy:
        run = result.heavy
        lines += [
            "",
            f"### The heavy pages alone, {run.users} users",
            "",
            f"The first borough's coordinator ({run.users} users sharing one session), "
            f"{THINK_SECONDS[0]:.0f} to {THINK_SECONDS[1]:.0f} s between pages, "
            f"{plan.heavy_duration} s measured: {run.requests_per_second:.1f} requests/s; CPU "
            f"web workers {run.cpu.web:.0f} %, PostgreSQL {run.cpu.postgres:.0f} %, locust "
            f"{run.cpu.locust:.0f} %, others {run.cpu.others:.0f} %; load average "
            f"{_load(run)}.",
            "",
            *PAGE_HEADER,
            *_page_rows(run, [task.label for task in HEAVY]),
            *_failure_lines(run),
        ]
    return "\n".join(lines)


def _starved_line(starved: list[RunResult]) -> str:
    """Said when other work on the machine took more than one of its cores."""
    return (
        "Other work on the machine used "
        + ", ".join(f"{run.cpu.others:.0f} %" for run in starved)
        + " of its CPU during the steps of "
        + ", ".join(str(run.users) for run in starved)
        + " users, leaving the web workers and PostgreSQL a fraction of a core between them: "
        "the trivial view waited as long as the pages, so these times are queueing behind "
        "that work, not the pages' own cost. Re-run on a quiet machine before reading them "
        "as the service's capacity."
    )


def _sign_in_line(result: LoadResult) -> str:
    signed = result.sign_ins
    if signed is None or not signed.seconds:
        return "- No account was signed in before the steps."
    times = sorted(signed.seconds)
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    return (
        f"- Before the steps, {len(times)} accounts signed in, {SIGN_IN_AT_ONCE} at a time "
        f"(password, hashed with Argon2, then the code), in {signed.wall_seconds:.0f} s: "
        f"each {_ms(1000 * statistics.median(times))} median, {_ms(1000 * p95)} p95"
        + (f"; refused: {', '.join(signed.refused)}" if signed.refused else "")
        + ". Each locust user resumes its account's session (the users of one account share "
        "it); it signs in afresh only if that session has lapsed."
    )


def _failure_lines(run: RunResult) -> list[str]:
    lines = []
    if run.failures:
        lines += [
            "",
            "Failures: "
            + "; ".join(f"{what} ×{count}" for what, count in sorted(run.failures.items()))
            + ".",
        ]
    if run.worker_timeouts:
        lines += [
            "",
            f"gunicorn killed {run.worker_timeouts} worker(s) for a request over its "
            f"{WORKER_TIMEOUT} s timeout.",
        ]
    return lines


def merge_section(existing: str, section: str) -> str:
    """The report with its load section replaced by `section` (or added before the
    interpretation, or at the end), the rest kept as it is."""
    from bench.runner import merge_logging_section

    return merge_logging_section(existing, section, heading=LOAD_HEADING)
