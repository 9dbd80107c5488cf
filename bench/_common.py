"""Setup the benchmarks share: Django on a throw-away SQLite file or on a PostgreSQL database
given by URL, which is emptied first."""

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def django_for_bench(database_url: str | None) -> Iterator[str]:
    """Django set up for a benchmark, inside a temporary data folder (yielded; removed at the
    end): on ``database_url``, or without one on a SQLite file in that folder (never the
    project's database)."""
    with tempfile.TemporaryDirectory(prefix="culturegap-bench-") as data_dir:
        # Settings read these at import time, so they are set before Django is imported. Not in
        # debug mode: it would record every query, which is not what production pays.
        os.environ["DEBUG"] = "0"
        os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
        os.environ["CULTUREGAP_DATA_DIR"] = data_dir
        if database_url:
            os.environ["DATABASE_URL"] = database_url
        else:
            os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "culturegap.settings")
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

        import django

        django.setup()
        yield data_dir


def fresh_schema() -> None:
    """Migrate the benchmark's database from nothing. On PostgreSQL the public schema is
    dropped and built again first: faster than emptying millions of rows, and it also undoes
    a run interrupted in the middle of its load."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
