"""Database plumbing: the web processes' statement time limit, and carrying on when
PostgreSQL drops the connection (a restart, a fail-over, an administrator)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

# Waits between attempts after a lost connection: about half a minute in all, longer than
# PostgreSQL takes to restart.
RECONNECT_WAITS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
LOST_CODES = ("08", "57P")


def limit_web_statements(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """On each new connection of a web process: PostgreSQL cancels any statement that runs
    longer than WEB_STATEMENT_TIMEOUT_SECONDS (0 for no limit). Connected by config/wsgi.py,
    so the Celery workers' long jobs are not limited."""
    seconds = int(settings.WEB_STATEMENT_TIMEOUT_SECONDS)
    if seconds > 0 and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{seconds}s"])


def connection_lost(error: BaseException) -> bool:
    """Whether `error` means the connection to PostgreSQL is gone (rather than a statement
    that failed on a working connection)."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    # A server's own error has a code: 08xxx for a broken connection, 57P01-57P03 for a
    # server shutting down, crashed or starting up. An error without one (the server went
    # away mid-reply) comes from the client library, and is always a connection lost.
    code = getattr(error.__cause__, "sqlstate", None)
    return code is None or code.startswith(LOST_CODES)


def retry_on_lost_connection[T](
    work: Callable[[], T],
    *,
    what: str,
    after_reconnect: Callable[[], None] | None = None,
    waits: tuple[float, ...] = RECONNECT_WAITS,
) -> T:
    """Run `work`; when the connection to PostgreSQL is lost during it, close the broken
    connection, wait, and run it again, up to len(waits) more times. `work` must be safe to
    run again (its writes are in one transaction). `after_reconnect` runs on the new
    connection before `work` is tried again (to take back a session lock, say).

    Outside any transaction only: the broken connection has to be closed."""
    attempt = 0
    while True:
        try:
            return work()
        except (OperationalError, InterfaceError) as error:
            if connection.in_atomic_block or attempt >= len(waits) or not connection_lost(error):
                raise
            logger.warning(
                "Lost the database connection during %s (%s); trying again in %s s",
                what,
                type(error).__name__,
                waits[attempt],
            )
            connection.close()
            time.sleep(waits[attempt])
            attempt += 1
            if after_reconnect is not None:
                try:
                    after_reconnect()
                except (OperationalError, InterfaceError) as again:
                    if not connection_lost(again):
                        raise
                    # Still restarting: the next round of `work` fails the same way and waits
                    # longer.
