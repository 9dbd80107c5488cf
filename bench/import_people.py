"""Benchmark of the people CSV import: first import, re-import, and a bare csv.reader baseline.

Usage: .venv/bin/python bench/import_people.py [--rows 100000] [--keep]

Runs against a throwaway SQLite database in a temporary directory and prints the figures.
"""

import argparse
import csv
import io
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TEAM_KINDS = ["service"] * 4 + ["support"] * 3 + ["sales"] * 2 + ["marketing", "professional"]
FIRST = "Ada Ben Cara Dan Eve Finn Gia Hugo Ines Jon Kim Lea Max Nia Omar Pia Raj Sara Tom Uma"
LAST = "Adams Baker Chen Diaz Evans Fox Garcia Hill Ito Jones Khan Lopez Moore Ng Okafor Patel"


def people_csv(rows: int, *, seed: int = 7) -> bytes:
    """A company of ``rows`` people: executives, directors, one manager per team of ~12, members
    reporting to their team's manager; rows shuffled so many managers come after their reports."""
    rng = random.Random(seed)
    first, last = FIRST.split(), LAST.split()
    lines = []

    def person(index: int, team: str, kind: str, roles: str, manager: str) -> str:
        name = f"{rng.choice(first)} {rng.choice(last)}"
        email = f"{name.replace(' ', '.').lower()}.{index}@example.com"
        lines.append([email, name, team, kind, roles, manager])
        return email

    executives = [
        person(i, "Leadership", "other", "executive;admin" if i == 0 else "executive", "")
        for i in range(min(5, rows))
    ]
    index = len(executives)
    directors = []
    while index < rows and len(directors) < max(1, rows // 1000):
        directors.append(person(index, "Leadership", "other", "manager", rng.choice(executives)))
        index += 1
    team_number = 0
    while index < rows:
        team_number += 1
        kind = rng.choice(TEAM_KINDS)
        team = f"{kind.title()} team {team_number}"
        member_role = "sales" if kind == "sales" else "crp"
        manager = person(index, team, kind, f"manager;{member_role}", rng.choice(directors))
        index += 1
        for _ in range(rng.randint(8, 15)):
            if index >= rows:
                break
            person(index, team, kind, member_role, manager)
            index += 1
    rng.shuffle(lines)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["email", "name", "team", "team_kind", "role", "manager_email"])
    writer.writerows(lines)
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="culturegap-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "culturegap.settings"
    os.environ["DEBUG"] = "1"
    os.environ["CULTUREGAP_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from culturegap.csvimport import ProgressBars
    from culturegap.org.imports import import_people
    from culturegap.org.models import Company, Person, Team

    try:
        call_command("migrate", verbosity=0)
        company = Company.objects.create(name="Bench Ltd", slug="bench")
        data = people_csv(args.rows)

        started = time.perf_counter()
        for _ in csv.reader(io.StringIO(data.decode("utf-8"), newline="")):
            pass
        baseline = time.perf_counter() - started

        figures = []
        for label in ("first import", "re-import"):
            progress = ProgressBars()
            started = time.perf_counter()
            result = import_people(company=company, data=data, progress=progress)
            seconds = time.perf_counter() - started
            progress.close()
            if result.errors:
                raise SystemExit(f"{label} failed: {result.errors[:5]}")
            figures.append((label, seconds, result))

        (_, first, created), (_, again, reimported) = figures
        assert created.created == args.rows, created
        assert reimported.created == reimported.updated == 0, reimported
        print(f"rows                  {args.rows:>12,}")
        print(f"file size             {len(data) / 1e6:>12.1f} MB")
        print(f"people / teams in db  {Person.objects.count():>12,} / {Team.objects.count():,}")
        print(f"first import          {first:>12.2f} s   {args.rows / first:>10,.0f} rows/s")
        print(f"  result              {created.summary()}")
        print(f"re-import             {again:>12.2f} s   {args.rows / again:>10,.0f} rows/s")
        print(f"  result              {reimported.summary()}")
        print(f"csv.reader baseline   {baseline:>12.3f} s   {args.rows / baseline:>10,.0f} rows/s")
        print(f"first import / csv    {first / baseline:>12.0f} ×")
        print(f"re-import / csv       {again / baseline:>12.0f} ×")
    finally:
        if args.keep:
            print(f"database kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
