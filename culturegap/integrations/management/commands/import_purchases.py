"""``culturegap import_purchases FILE``: record the services customers bought from a CSV file."""

from culturegap.csvimport import ImportResult
from culturegap.integrations.purchases import PURCHASE_COLUMNS, import_purchases
from culturegap.org.imports.command import CsvImportCommand


class Command(CsvImportCommand):
    help = (
        f"Import purchases from a CSV file with the header {','.join(PURCHASE_COLUMNS)}. "
        "Every row is checked first: all rows or none are written. Re-running the same file "
        "changes nothing."
    )

    def run_import(self, **kwargs) -> ImportResult:
        return import_purchases(**kwargs)
