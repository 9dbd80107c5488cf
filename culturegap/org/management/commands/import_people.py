"""``culturegap import_people FILE``: create or update a company's people from a CSV file."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from culturegap.org.imports import (
    PEOPLE_COLUMNS,
    ImportResult,
    UnknownCompany,
    company_for_import,
    import_people,
)

# Below this many rows an import takes about a second: a progress bar would only flicker.
PROGRESS_FROM_ROWS = 5000


class CsvImportCommand(BaseCommand):
    """What both import commands share (import_customers subclasses it): read the file, pick the
    company, show progress on stderr, print the errors and exit with status 1 on any."""

    def run_import(self, **kwargs) -> ImportResult:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file (UTF-8), or - to read standard input")
        parser.add_argument(
            "--company", metavar="SLUG", help="the company's slug; optional if there is only one"
        )
        parser.add_argument("--no-progress", action="store_true", help="show no progress bar")

    def handle(self, *args, **options):
        try:
            company = company_for_import(slug=options["company"])
        except UnknownCompany as error:
            raise CommandError(str(error)) from error
        data = self._read(options["file"])
        progress = None if options["no_progress"] else ProgressBars(options.get("stderr"))
        try:
            result = self.run_import(company=company, data=data, progress=progress)
        finally:
            if progress:
                progress.close()
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            source = "standard input" if options["file"] == "-" else options["file"]
            raise CommandError(
                f"{len(result.errors)} problem(s) in {source}; nothing was imported."
            )
        self.stdout.write(f"{company.name}: {result.summary()}.")

    def _read(self, name: str) -> bytes:
        if name == "-":
            return sys.stdin.buffer.read()
        try:
            return Path(name).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {name}: {error.strerror}") from error


class ProgressBars:
    """Turns the import's progress(stage, done, total) calls into one tqdm bar per stage."""

    def __init__(self, stream=None):
        # self.stderr of a command appends a newline to every write, which breaks a bar.
        self.stream = stream or sys.stderr
        self.bar = None
        self.stage = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total < PROGRESS_FROM_ROWS:
            return
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total, desc=stage, unit="rows", file=self.stream)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class Command(CsvImportCommand):
    help = (
        f"Import people from a CSV file with the header {','.join(PEOPLE_COLUMNS)}. "
        "Every row is checked first: all rows or none are written. Re-running the same file "
        "changes nothing."
    )

    def run_import(self, **kwargs) -> ImportResult:
        return import_people(**kwargs)
