"""The real processes the fault tests start, stop and kill: a throwaway Redis, Celery
workers and beat, and gunicorn, all on this machine's loopback and the test database.

Nothing here touches the machine's own Redis or PostgreSQL server: the Redis started here is
a private one on a free port, and PostgreSQL faults are made by ending one connection."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayRedis:
    """A redis-server of the test's own, without persistence, that can be stopped and started
    again on the same port (its data goes with it, as after a crash)."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is needed for the Redis outage test (apt-get install redis)")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=1).ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.1)
        pytest.fail(f"the throwaway redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def is_down(self) -> bool:
        try:
            redis.Redis.from_url(self.url, socket_connect_timeout=1).ping()
        except redis.exceptions.ConnectionError:
            return True
        return False


@contextmanager
def sending_to(broker_url: str) -> Iterator[None]:
    """This test process sends jobs for real (not eagerly) to `broker_url` while it lasts.

    Pooled connections are dropped, not closed: kombu keeps one pool per broker for the whole
    process, and a closed one would fail every later test that sends to it."""
    from config.celery import app

    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = broker_url, False
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        app._pool = None
        app.amqp._producer_pool = None


def tests_database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def service_env(redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a worker or beat as deployed (config.settings, so Celery is not
    eager), on the test database and the given Redis."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "fault-tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": tests_database_url(),
        "REDIS_URL": redis_url,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        **extra,
    }


@contextmanager
def celery(env: dict[str, str], log: Path, *args: str) -> Iterator[subprocess.Popen]:
    """`celery -A config <args>` (a worker or beat) as a child process writing to `log`;
    stopped at the end, unless the test has killed it already."""
    command = [sys.executable, "-m", "celery", "-A", "config", *args, "--loglevel", "WARNING"]
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def worker_args(queue: str = "celery") -> list[str]:
    """One task at a time, with nothing that needs other workers to answer."""
    return [
        "worker",
        "-Q",
        queue,
        "--pool",
        "solo",
        "--without-heartbeat",
        "--without-mingle",
        "--without-gossip",
    ]


def wait_until(condition, *, seconds: float, what: str, logs: tuple[Path, ...] = ()) -> None:
    """Poll `condition` until it holds; fail with `what` and the processes' logs after
    `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    output = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in logs if log.exists())
    pytest.fail(f"{what} within {seconds} seconds\n{output}")
