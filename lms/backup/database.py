"""The database part of a backup, in each vendor's own exact format.

SQLite: SQLite's online backup API copies the database page by page (a consistent
snapshot even while the site runs) and, on restore, copies the archived file back into
the live database in one write transaction: all of it or, on any error, none of it.

PostgreSQL: `pg_dump --format=custom` of the database Django is connected to; on restore
`pg_restore` turns it into SQL that `psql` runs in ONE transaction after dropping every
table, view and sequence of the schema, so the database ends up exactly as archived
(tables a newer migration added are gone too) or, on any error, unchanged.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from lms.backup.errors import BackupError
from lms.exceptions import ErrorItem

MEMBER_NAMES = {"sqlite": "database/db.sqlite3", "postgresql": "database/db.pgdump"}
# libpq's environment variables for Django's connection OPTIONS (passwords go through the
# environment, never the command line).
_PG_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}
# Run before the archived SQL, in the same transaction: drop every relation of the schema
# (their indexes, constraints and owned sequences go with them).
_PG_CLEAR_SCHEMA = """
DO $lms_restore$
DECLARE
  item record;
BEGIN
  FOR item IN
    SELECT c.relname, c.relkind FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    -- tables first: the sequences of their identity columns go with them
    ORDER BY c.relkind NOT IN ('r', 'p'), c.relkind = 'S'
  LOOP
    EXECUTE format(
      'DROP %s IF EXISTS %I.%I CASCADE',
      CASE item.relkind
        WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
        WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE'
      END,
      current_schema(),
      item.relname
    );
  END LOOP;
END
$lms_restore$;
"""
_IN_USE = (
    "the database is in use by another connection: stop the web server and the task "
    "worker, then run the restore again"
)


def vendor() -> str:
    if connection.vendor not in MEMBER_NAMES:
        raise BackupError(
            f"Backups support SQLite and PostgreSQL; this site's database is "
            f"{connection.vendor} (DATABASE_URL)."
        )
    return connection.vendor


def database_label() -> str:
    """The database this site uses, for messages ("PostgreSQL lms on db:5432")."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite {settings['NAME']}"
    where = f"{settings.get('HOST') or 'localhost'}:{settings.get('PORT') or 5432}"
    return f"PostgreSQL {settings['NAME']} on {where}"


# --- Migrations --------------------------------------------------------------------------
def applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def migrations_compare(applied: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """(migrations the archive has that this code lacks, this code's migrations the
    archive lacks): the first means the archive comes from newer code."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    archived = {(app, name) for app, names in applied.items() for name in names}
    unknown = sorted(f"{app}.{name}" for app, name in archived - set(loader.disk_migrations))
    pending = []
    for key in sorted(loader.graph.nodes):
        if key in archived:
            continue
        replaced = loader.replacements.get(key)
        if replaced is not None and all(r in archived for r in replaced.replaces):
            continue
        pending.append(f"{key[0]}.{key[1]}")
    return unknown, pending


# --- Dump --------------------------------------------------------------------------------
def dump(path: Path) -> dict:
    """Write the database to `path`; returns what the manifest records about it."""
    if vendor() == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
            # A self-contained file: no -wal/-shm companions needed to read it.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
        return {"vendor": "sqlite", "sqlite_version": sqlite3.sqlite_version}
    pg_dump = _pg_tool("pg_dump", server_major=_pg_server_major())
    result = subprocess.run(  # noqa: S603 - a fixed tool and arguments
        [pg_dump, "--format=custom", "--no-password", f"--file={path}"],
        env=_pg_env(),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed on {database_label()}: {result.stderr.strip()}")
    return {
        "vendor": "postgresql",
        "server_version": connection.pg_version,
        "tool": _tool_version(pg_dump),
    }


# --- Restore -----------------------------------------------------------------------------
def check_dump(path: Path, member: str, archive: Path) -> None:
    """Refuse a database file that its own tools cannot read (before anything changes)."""
    if vendor() == "sqlite":
        try:
            source = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
            try:
                verdict = source.execute("PRAGMA integrity_check").fetchall()
            finally:
                source.close()
        except sqlite3.DatabaseError as error:
            verdict = [(str(error),)]
        if verdict != [("ok",)]:
            raise BackupError(
                f"{archive}: its database is damaged (nothing was changed):",
                [ErrorItem(field=member, message="; ".join(str(row[0]) for row in verdict[:5]))],
            )
        return
    pg_restore = _pg_tool("pg_restore")
    result = subprocess.run(  # noqa: S603
        [pg_restore, "--list", str(path)], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BackupError(
            f"{archive}: pg_restore cannot read its database (nothing was changed):",
            [ErrorItem(field=member, message=result.stderr.strip())],
        )


def restore(path: Path, *, lock_timeout: float) -> None:
    """Replace the database with the archived one: all or nothing."""
    if connection.in_atomic_block:
        raise BackupError("A restore cannot run inside a transaction.")
    if vendor() == "sqlite":
        _sqlite_restore(path, lock_timeout=lock_timeout)
    else:
        _pg_restore(path, lock_timeout=lock_timeout)


def _sqlite_restore(path: Path, *, lock_timeout: float) -> None:
    connection.ensure_connection()
    target = connection.connection
    busy_timeout = target.execute("PRAGMA busy_timeout").fetchone()[0]
    source = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    deadline = time.monotonic() + lock_timeout

    def waiting(status: int, remaining: int, total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and (time.monotonic() > deadline):
            raise BackupError(f"{database_label()}: {_IN_USE}.")

    try:
        target.execute("PRAGMA busy_timeout = 200")
        # pages=-1: every page in one step, in one write transaction of the target.
        source.backup(target, pages=-1, progress=waiting)
    except sqlite3.Error as error:
        if "locked" in str(error) or "busy" in str(error):
            raise BackupError(f"{database_label()}: {_IN_USE} ({error}).") from None
        raise BackupError(
            f"SQLite could not restore {database_label()} (nothing was changed): {error}"
        ) from None
    finally:
        source.close()
        target.execute(f"PRAGMA busy_timeout = {int(busy_timeout)}")


def _pg_restore(path: Path, *, lock_timeout: float) -> None:
    pg_restore, psql = _pg_tool("pg_restore"), _pg_tool("psql")
    connection.close()  # this process holds no lock on what is about to be dropped
    env = _pg_env()
    preamble = (
        f"BEGIN;\nSET client_min_messages = warning;\n"
        f"SET lock_timeout = '{int(lock_timeout * 1000)}ms';\n{_PG_CLEAR_SCHEMA}"
    )
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
        runner = subprocess.Popen(  # noqa: S603
            [psql, "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_err,
            env=env,
        )
        producer = subprocess.Popen(  # noqa: S603
            [pg_restore, "--no-owner", "--no-privileges", "--file=-", str(path)],
            stdout=subprocess.PIPE,
            stderr=restore_err,
            env=env,
        )
        produced = False
        try:
            runner.stdin.write(preamble.encode())
            while chunk := producer.stdout.read(1 << 16):
                runner.stdin.write(chunk)
            # COMMIT only once pg_restore has written everything: without it psql ends
            # with the transaction open and PostgreSQL rolls it back.
            if producer.wait() == 0:
                runner.stdin.write(b"\nCOMMIT;\n")
                produced = True
        except BrokenPipeError:
            pass  # psql stopped at an error: reported below
        finally:
            if producer.poll() is None:
                producer.kill()
            producer.wait()
            producer.stdout.close()
            with contextlib.suppress(BrokenPipeError):
                runner.stdin.close()
            runner.wait()
        if runner.returncode != 0:
            psql_err.seek(0)
            message = psql_err.read().decode(errors="replace").strip()
            if "lock timeout" in message:
                raise BackupError(f"{database_label()}: {_IN_USE}. ({message})")
            raise BackupError(
                f"psql could not restore {database_label()} (nothing was changed): {message}"
            )
        if not produced:
            restore_err.seek(0)
            message = restore_err.read().decode(errors="replace").strip()
            raise BackupError(
                f"pg_restore failed (nothing was changed in {database_label()}): {message}"
            )


# --- PostgreSQL tools --------------------------------------------------------------------
def _pg_env() -> dict[str, str]:
    settings = connection.settings_dict
    env = dict(os.environ)
    for key, variable in (
        ("NAME", "PGDATABASE"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
    ):
        if settings.get(key):
            env[variable] = str(settings[key])
    for option, variable in _PG_OPTIONS.items():
        value = (settings.get("OPTIONS") or {}).get(option)
        if value:
            env[variable] = str(value)
    return env


def _pg_server_major() -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


def _tool_version(tool: str) -> str:
    result = subprocess.run([tool, "--version"], capture_output=True, text=True)  # noqa: S603
    match = re.search(r"\)\s*(\d+(?:\.\d+)?)", result.stdout)
    return match.group(1) if match else result.stdout.strip()


def _pg_tool(name: str, *, server_major: int | None = None) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed: backups of a PostgreSQL database need the PostgreSQL "
            "client tools (Debian: apt-get install postgresql-client)."
        )
    if server_major is not None:
        version = _tool_version(path)
        tool_major = int(version.split(".")[0]) if version[:1].isdigit() else 0
        if tool_major < server_major:
            raise BackupError(
                f"{path} is version {tool_major}, older than the PostgreSQL {server_major} "
                f"server of {database_label()}: install postgresql-client-{server_major} "
                "(or newer)."
            )
    return path
