"""Backups of the whole database, their restore, and a checksum to compare two databases.

SQLite is copied with sqlite3's online backup API (consistent while the site runs); PostgreSQL
with ``pg_dump -Fc`` and ``pg_restore --clean``, which must be the server's major version.
``table_checksums`` reads every table in primary-key order, so a database restored from a
backup has the same row counts and checksums as the one backed up.
"""

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import connections

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"


class BackupError(Exception):
    """A backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class TableChecksum:
    table: str
    rows: int
    checksum: str


def _connection(alias: str):
    return connections[alias]


def backup(path: Path, *, alias: str = "default") -> None:
    """Write a backup of the database to ``path`` (replacing it)."""
    connection = _connection(alias)
    path = Path(path)
    if connection.vendor == "sqlite":
        _sqlite_backup(connection, path)
    elif connection.vendor == "postgresql":
        _pg_run("pg_dump", connection, ["--format=custom", "--no-owner", f"--file={path}"])
    else:
        raise BackupError(f"Backups of {connection.vendor} databases are not supported.")


def restore(path: Path, *, alias: str = "default") -> None:
    """Replace the database's content with the backup in ``path``."""
    connection = _connection(alias)
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    header = path.read_bytes()[:16]
    if connection.vendor == "sqlite":
        if header != SQLITE_HEADER:
            raise BackupError(f"{path} is not a SQLite backup (made by `culturegap backup`).")
        _sqlite_restore(connection, path)
    elif connection.vendor == "postgresql":
        if not header.startswith(PG_CUSTOM_HEADER):
            raise BackupError(
                f"{path} is not a PostgreSQL backup in pg_dump's custom format "
                "(made by `culturegap backup`)."
            )
        connection.close()
        _pg_run(
            "pg_restore",
            connection,
            ["--clean", "--if-exists", "--no-owner", "--single-transaction", str(path)],
            database_flag=True,
        )
    else:
        raise BackupError(f"Restoring {connection.vendor} databases is not supported.")


def _sqlite_backup(connection, path: Path) -> None:
    connection.ensure_connection()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    target = sqlite3.connect(partial)
    try:
        connection.connection.backup(target)
        # One self-contained file: no -wal/-shm files appear beside it when it is read.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
    os.replace(partial, path)


def _sqlite_restore(connection, path: Path) -> None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()


def _pg_major(version_text: str) -> int | None:
    match = re.search(r"\b(\d+)(?:\.\d+)?", version_text)
    return int(match.group(1)) if match else None


def _pg_run(program: str, connection, arguments: list[str], *, database_flag=False) -> None:
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            f"{program} is not installed: install the PostgreSQL client of the server's version "
            f"(e.g. apt-get install postgresql-client-{connection.pg_version // 10000})."
        )
    tool_version = subprocess.run(
        [executable, "--version"], capture_output=True, text=True, check=False
    ).stdout
    tool_major, server_major = _pg_major(tool_version), connection.pg_version // 10000
    if tool_major != server_major:
        raise BackupError(
            f"{program} is version {tool_major} but the server is PostgreSQL {server_major}: "
            f"use the {program} of PostgreSQL {server_major} (put it first on PATH)."
        )
    settings = connection.settings_dict
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    target = ["--dbname", settings["NAME"]]
    if settings.get("HOST"):
        target += ["--host", settings["HOST"]]
    if settings.get("PORT"):
        target += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        target += ["--username", settings["USER"]]
    result = subprocess.run(
        [executable, *target, "--no-password", *arguments],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip()}")


def table_checksums(*, alias: str = "default") -> list[TableChecksum]:
    """Every table's row count and the SHA-256 of its rows read in primary-key order."""
    connection = _connection(alias)
    results = []
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        for table in tables:
            order = connection.introspection.get_primary_key_columns(cursor, table) or [
                column.name
                for column in connection.introspection.get_table_description(cursor, table)
            ]
            quote = connection.ops.quote_name
            cursor.execute(
                f"SELECT * FROM {quote(table)} ORDER BY {', '.join(quote(c) for c in order)}"
            )
            digest = hashlib.sha256()
            rows = 0
            while batch := cursor.fetchmany(2000):
                for row in batch:
                    digest.update(repr(tuple(_plain(value) for value in row)).encode())
                    digest.update(b"\n")
                rows += len(batch)
            results.append(TableChecksum(table=table, rows=rows, checksum=digest.hexdigest()))
    return results


def _plain(value):
    """Values as the same text whichever driver type holds them (memoryview, bytes)."""
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def overall_checksum(tables: list[TableChecksum]) -> str:
    """One SHA-256 over every table's name, row count and checksum."""
    lines = "".join(f"{t.table}:{t.rows}:{t.checksum}\n" for t in tables)
    return hashlib.sha256(lines.encode()).hexdigest()
