"""The base of the CSV import commands: read the file, pick the company, report the outcome."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from culturegap.csvimport import ImportResult, ProgressBars
from culturegap.org.imports.company import UnknownCompany, company_for_import


class CsvImportCommand(BaseCommand):
    """What every import command shares (each subclass says which import it runs): read the
    file, pick the company, show progress on stderr, print the errors and exit with status 1 on
    any."""

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
