"""Tandem's two PostgreSQL roles, and setting them up on a server we administer.

- ``tandem_owner`` owns the database and every table in it; migrations run as it.
- ``tandem_app`` is what the web, worker and beat processes connect as. It owns nothing and
  is no superuser; the migrations (``accounts`` 0004) grant it SELECT, INSERT, UPDATE and
  DELETE on the tables, USAGE on the sequences, and only SELECT and INSERT on the audit
  trail and the access log (and, by ``retention`` 0002, the deletion log), so it cannot
  change, delete, truncate or alter audit rows.

Production creates the roles once, as the server's superuser (``docker/postgres-init`` for
docker-compose). The local commands (``config/local.py``) and the test run
(``tests/database_roles.py``) call :func:`provision` with a superuser connection, to make
the same two roles in the embedded cluster or in CI's PostgreSQL.

No Django here: ``config/local.py`` uses this before any settings exist.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

OWNER_ROLE = "tandem_owner"
APP_ROLE = "tandem_app"

# Neither role may administer the server; only the owner may create databases (the tests
# make their own test database, and the benchmarks their scratch ones).
_OWNER_ATTRIBUTES = "LOGIN CREATEDB NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS"
_APP_ATTRIBUTES = "LOGIN NOCREATEDB NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS"


def url_as(url: str, user: str) -> str:
    """The same database URL, for another user (the password, if any, is kept)."""
    parts = urlsplit(url)
    password = f":{quote(parts.password, safe='')}" if parts.password else ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    netloc = f"{quote(user, safe='')}{password}@{host}{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def is_superuser(conninfo: dict[str, Any]) -> bool:
    """Whether these connection parameters log in as a superuser."""
    import psycopg  # imported here so importing this module needs no driver

    with psycopg.connect(**conninfo, autocommit=True) as conn:
        row = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
    return bool(row and row[0])


# An arbitrary constant naming this advisory lock on the server.
_PROVISION_LOCK = 7_301_746


def provision(
    admin: dict[str, Any],
    *,
    database: str | None = None,
    adopt_objects: bool = False,
    test_database: str | None = None,
) -> None:
    """Create or correct the two roles, as the superuser `admin` (psycopg parameters).

    `database`: also create it, owned by the owner role, if missing (and give it to the
    owner if someone else owns it). `adopt_objects`: also give the owner the tables,
    sequences and functions in its public schema that another role owns (a local database
    made before the roles existed). `test_database`: drop it if another role owns it, so
    the owner can create it afresh (a kept test database from before the roles existed).
    The roles get the admin's password, if it has one, so the same sign-in works for them.
    """
    import psycopg
    from psycopg import errors, sql

    password = admin.get("password")
    server = {**admin, "dbname": "postgres"}
    with psycopg.connect(**server, autocommit=True) as conn:
        # One provisioning at a time on this server (parallel test workers each start one):
        # concurrent ALTER ROLE on the same role fails with "tuple concurrently updated".
        # The lock is the session's, released when the connection closes.
        conn.execute("SELECT pg_advisory_lock(%s)", [_PROVISION_LOCK])
        for role, attributes in ((OWNER_ROLE, _OWNER_ATTRIBUTES), (APP_ROLE, _APP_ATTRIBUTES)):
            name = sql.Identifier(role)
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
                try:
                    conn.execute(sql.SQL("CREATE ROLE {} " + attributes).format(name))
                except (errors.DuplicateObject, errors.UniqueViolation):
                    pass  # another run made it meanwhile
            conn.execute(sql.SQL("ALTER ROLE {} " + attributes).format(name))
            if password:
                conn.execute(
                    sql.SQL("ALTER ROLE {} PASSWORD {}").format(name, sql.Literal(password))
                )
        # The app role must not be able to become the owner (SET ROLE, inherited rights).
        if conn.execute(
            "SELECT 1 FROM pg_auth_members WHERE roleid = %s::regrole AND member = %s::regrole",
            [OWNER_ROLE, APP_ROLE],
        ).fetchone():
            conn.execute(
                sql.SQL("REVOKE {} FROM {}").format(
                    sql.Identifier(OWNER_ROLE), sql.Identifier(APP_ROLE)
                )
            )
        if test_database:
            owner = _database_owner(conn, test_database)
            if owner is not None and owner != OWNER_ROLE:
                conn.execute(
                    sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(test_database))
                )
        if database:
            owner = _database_owner(conn, database)
            if owner is None:
                try:
                    conn.execute(
                        sql.SQL("CREATE DATABASE {} OWNER {}").format(
                            sql.Identifier(database), sql.Identifier(OWNER_ROLE)
                        )
                    )
                except errors.DuplicateDatabase:
                    pass
            elif owner != OWNER_ROLE:
                conn.execute(
                    sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                        sql.Identifier(database), sql.Identifier(OWNER_ROLE)
                    )
                )
    if database and adopt_objects:
        with psycopg.connect(**{**admin, "dbname": database}, autocommit=True) as conn:
            for (statement,) in conn.execute(_ADOPT, {"owner": OWNER_ROLE}).fetchall():
                conn.execute(statement)


def _database_owner(conn: Any, name: str) -> str | None:
    row = conn.execute(
        "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [name]
    ).fetchone()
    return None if row is None else str(row[0])


# ALTER ... OWNER statements for what another role owns in the public schema (`%%` is a
# literal % for psycopg). Extensions' members stay theirs, and a sequence that belongs to a
# column follows its table.
_ADOPT = """
SELECT format('ALTER %%s %%s OWNER TO %%I',
              CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                             WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
              c.oid::regclass, %(owner)s::text)
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace
  AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
  AND c.relowner <> %(owner)s::regrole
  AND NOT EXISTS (
      SELECT 1 FROM pg_depend d
      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i')
  )
UNION ALL
SELECT format('ALTER ROUTINE %%s OWNER TO %%I', p.oid::regprocedure, %(owner)s::text)
FROM pg_proc p
WHERE p.pronamespace = 'public'::regnamespace
  AND p.proowner <> %(owner)s::regrole
  AND NOT EXISTS (
      SELECT 1 FROM pg_depend d
      WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  )
"""
