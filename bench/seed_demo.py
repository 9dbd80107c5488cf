"""Benchmark: how long loading the demo company takes on a fresh SQLite database.

    .venv/bin/python bench/seed_demo.py --people 100000

Runs in a throw-away data directory (never the project's database) and prints the row counts,
the seconds spent and rows written per second.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="culturegap-bench-") as data_dir:
        # Settings read these at import time, so they are set before Django is imported; a
        # DATABASE_URL from the shell must not send the benchmark to a real database.
        os.environ["DEBUG"] = "1"
        os.environ["CULTUREGAP_DATA_DIR"] = data_dir
        os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "culturegap.settings")
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

        import django

        django.setup()
        from django.core.management import call_command

        from culturegap.demo.company import seed_demo_company

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        result = seed_demo_company(
            people=args.people, customers=args.customers, seed=args.seed, progress=True
        )
        seconds = time.perf_counter() - started

        rows = result.teams + result.people + result.customers + result.customer_services
        # The write-ahead log holds what has not been checkpointed into the main file yet.
        size_mb = sum(path.stat().st_size for path in Path(data_dir).glob("culturegap.sqlite3*"))
        size_mb /= 1e6
        print(f"people             {result.people:>10,}")
        print(f"teams              {result.teams:>10,}")
        print(f"customers          {result.customers:>10,}")
        print(f"customer-services  {result.customer_services:>10,}")
        print(f"seconds            {seconds:>10.1f}")
        print(f"rows per second    {rows / seconds:>10,.0f}")
        print(f"database size MB   {size_mb:>10.1f}")


if __name__ == "__main__":
    main()
