"""``culturegap import_customers FILE``: create or update a company's customers from a CSV file."""

from culturegap.csvimport import ImportResult
from culturegap.org.imports import CUSTOMER_COLUMNS, import_customers
from culturegap.org.imports.command import CsvImportCommand


class Command(CsvImportCommand):
    help = (
        f"Import customers from a CSV file with the header {','.join(CUSTOMER_COLUMNS)}. "
        "Every row is checked first: all rows or none are written. Re-running the same file "
        "changes nothing. A service a listed customer has but its row no longer lists is ended "
        "today."
    )

    def run_import(self, **kwargs) -> ImportResult:
        return import_customers(**kwargs)
