"""CSV imports of the org layer: people, customers, and which company an import goes to."""

from culturegap.csvimport import ImportResult, Progress, RowError
from culturegap.org.imports.company import UnknownCompany, company_for_import
from culturegap.org.imports.customers import CUSTOMER_COLUMNS, import_customers
from culturegap.org.imports.people import PEOPLE_COLUMNS, import_people

__all__ = [
    "CUSTOMER_COLUMNS",
    "PEOPLE_COLUMNS",
    "ImportResult",
    "Progress",
    "RowError",
    "UnknownCompany",
    "company_for_import",
    "import_customers",
    "import_people",
]
