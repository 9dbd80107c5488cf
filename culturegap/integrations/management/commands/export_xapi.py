"""``culturegap export_xapi FILE``: a company's learning records as a JSON array of xAPI
statements."""

import datetime
import sys

from django.core.management.base import BaseCommand, CommandError

from culturegap.integrations import xapi
from culturegap.integrations.management.commands.export_table import iso_date
from culturegap.org.imports import UnknownCompany, company_for_import
from culturegap.org.scope import company_zone


class Command(BaseCommand):
    help = (
        "Write a company's lesson completions, answers and assessments as xAPI 1.0.3 "
        "statements (a JSON array)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the JSON file, or - for standard output")
        parser.add_argument(
            "--company", metavar="SLUG", help="the company's slug; optional if there is only one"
        )
        parser.add_argument(
            "--since", metavar="DATE", help="only records from this day on (YYYY-MM-DD)"
        )

    def handle(self, *args, **options):
        try:
            company = company_for_import(slug=options["company"])
        except UnknownCompany as error:
            raise CommandError(str(error)) from error
        since = None
        if options["since"]:
            day = iso_date(options["since"])
            start = datetime.datetime.combine(day, datetime.time.min, tzinfo=company_zone(company))
            since = start - datetime.timedelta(microseconds=1)  # ``since`` is exclusive
        counted = _Counter(xapi.statements(company=company, since=since))
        chunks = xapi.json_array_chunks(counted)
        if options["file"] == "-":
            sys.stdout.writelines(chunks)
        else:
            try:
                with open(options["file"], "w", encoding="utf-8") as file:
                    file.writelines(chunks)
            except OSError as error:
                raise CommandError(f"Cannot write {options['file']}: {error.strerror}") from error
        self.stderr.write(f"{company.name}: {counted.count} statement(s).")


class _Counter:
    def __init__(self, items):
        self.items = items
        self.count = 0

    def __iter__(self):
        for item in self.items:
            self.count += 1
            yield item
