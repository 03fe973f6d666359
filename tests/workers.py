"""A real Celery worker for the tests that send tasks through real Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def redis_or_fail() -> None:
    """Fail in CI (never skip) when Redis is not there; skip on a laptop without it."""
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis at {settings.REDIS_URL} is required in CI: {error}")
        pytest.skip(f"Redis is not running at {settings.REDIS_URL}")


@contextmanager
def real_worker(queue: str | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """A `celery worker` process on a private queue, on the test database: (queue, process).

    Pass the queue of an earlier worker to start a successor that takes over its messages."""
    redis_or_fail()
    queue = queue or f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield queue, worker
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def wait_for(
    condition: Callable[[], bool], *, worker: subprocess.Popen | None, seconds: float, what: str
) -> None:
    """Poll `condition` until it holds; fail with `what` after `seconds`, or at once with the
    worker's output if the worker has died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if worker is not None:
            assert worker.poll() is None, worker.stdout.read().decode()  # type: ignore[union-attr]
        time.sleep(0.1)
    pytest.fail(f"{what} within {seconds} seconds")
