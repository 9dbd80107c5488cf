"""``culturegap import_people FILE``: create or update a company's people from a CSV file."""

from culturegap.csvimport import ImportResult
from culturegap.org.imports import PEOPLE_COLUMNS, import_people
from culturegap.org.imports.command import CsvImportCommand


class Command(CsvImportCommand):
    help = (
        f"Import people from a CSV file with the header {','.join(PEOPLE_COLUMNS)}. "
        "Every row is checked first: all rows or none are written. Re-running the same file "
        "changes nothing."
    )

    def run_import(self, **kwargs) -> ImportResult:
        return import_people(**kwargs)
