"""CSV imports of people and customers, from ``people.py`` until the module is split by subject."""

from culturegap.org.imports.people import (
    _ISO_DATE,
    CUSTOMER_COLUMNS,
    PEOPLE_COLUMNS,
    UPDATE_BATCH_SIZE,
    ImportResult,
    Progress,
    RowError,
    UnknownCompany,
    _changed_meanwhile,
    _in_batches,
    _sorted,
    _ticker,
    company_for_import,
    import_customers,
    import_people,
    read_rows,
)

__all__ = [
    "CUSTOMER_COLUMNS",
    "PEOPLE_COLUMNS",
    "UPDATE_BATCH_SIZE",
    "ImportResult",
    "Progress",
    "RowError",
    "UnknownCompany",
    "_ISO_DATE",
    "_changed_meanwhile",
    "_in_batches",
    "_sorted",
    "_ticker",
    "company_for_import",
    "import_customers",
    "import_people",
    "read_rows",
]
