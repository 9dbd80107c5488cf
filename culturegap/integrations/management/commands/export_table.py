"""``culturegap export_table TABLE FILE``: one table of a company as a CSV file."""

import datetime
import sys

from django.core.management.base import BaseCommand, CommandError

from culturegap.csvexport import write_csv
from culturegap.integrations import exports
from culturegap.org.imports import UnknownCompany, company_for_import


def iso_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"“{text}” is not a date like 2025-01-31.") from None


class Command(BaseCommand):
    help = (
        "Write one table of a company as CSV (the same file as the Exports page gives program "
        f"admins). Tables: {', '.join(exports.TABLES)}."
    )

    def add_arguments(self, parser):
        parser.add_argument("table", help=f"one of: {', '.join(exports.TABLES)}")
        parser.add_argument("file", help="where to write the CSV file, or - for standard output")
        parser.add_argument(
            "--company", metavar="SLUG", help="the company's slug; optional if there is only one"
        )
        parser.add_argument(
            "--from", dest="date_from", metavar="DATE", help="first day (YYYY-MM-DD)"
        )
        parser.add_argument("--to", dest="date_to", metavar="DATE", help="last day (YYYY-MM-DD)")

    def handle(self, *args, **options):
        table = exports.TABLES.get(options["table"])
        if table is None:
            raise CommandError(
                f"No table “{options['table']}”. Tables: {', '.join(exports.TABLES)}."
            )
        try:
            company = company_for_import(slug=options["company"])
        except UnknownCompany as error:
            raise CommandError(str(error)) from error
        date_from = iso_date(options["date_from"]) if options["date_from"] else None
        date_to = iso_date(options["date_to"]) if options["date_to"] else None
        if date_from and date_to and date_to < date_from:
            raise CommandError("--to comes before --from.")
        rows = exports.table_rows(table, company=company, date_from=date_from, date_to=date_to)
        if options["file"] == "-":
            count = write_csv(sys.stdout, table.header_for(company), rows)
        else:
            try:
                with open(options["file"], "w", encoding="utf-8", newline="") as file:
                    count = write_csv(file, table.header_for(company), rows)
            except OSError as error:
                raise CommandError(f"Cannot write {options['file']}: {error.strerror}") from error
        self.stderr.write(f"{company.name}: {count} row(s) of {table.slug}.")
