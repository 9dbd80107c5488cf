"""CSV export of every main table of a company, row by row, for spreadsheets and warehouses.

Each feature describes its tables in its own ``exports.py``; this module gathers them (the names
the exports page and the ``export_table`` command know) and streams their rows.

Each table is a plain ``values_list`` query over one model (no model instances, so 300,000 rows
stream in constant memory), ordered by id, filtered by the company and — for tables that have
one — by a date range on the table's own date. Datetimes are written in UTC as ISO 8601
(``2025-01-06T09:30:00Z``), dates as ``YYYY-MM-DD``, yes/no as ``true``/``false``.

Who sees what: program admins and executives export the whole company. Managers export the
tables about people, limited to their reporting line (themselves and everyone below them):
teams, people, enrollments, lesson progress, assessments, reviews, observations,
opportunities (found by or owned by someone in the line) and loyalty responses (customers
served by the line's teams). Services, customers and purchases are about the company's whole
customer base, not a reporting line: a manager gets 403 for them (``ManagerNotAllowed``).
"""

import datetime
from collections.abc import Iterator

from culturegap.coaching import exports as coaching
from culturegap.csvexport import in_period, plain_cell, utc_iso
from culturegap.loyalty import exports as loyalty
from culturegap.opportunities import exports as opportunities
from culturegap.org import exports as org
from culturegap.org.exports_support import ExportTable, filename, may_export
from culturegap.org.models import Company, Person
from culturegap.org.scope import company_zone, sees_whole_company
from culturegap.reinforcement import exports as reinforcement
from culturegap.training import exports as training

# Re-exported for the exports page, the command and the integrations that write moments.
__all__ = [
    "CHUNK_SIZE",
    "TABLES",
    "ExportTable",
    "ManagerNotAllowed",
    "filename",
    "may_export",
    "table_rows",
    "utc_iso",
]

CHUNK_SIZE = 2000

# In this order on the exports page.
TABLES: dict[str, ExportTable] = {
    table.slug: table
    for feature in (org, training, reinforcement, coaching, opportunities, loyalty)
    for table in feature.TABLES
}


class ManagerNotAllowed(PermissionError):
    """This table cannot be limited to a reporting line, so managers may not export it."""


def table_rows(
    table: ExportTable,
    *,
    company: Company,
    viewer: Person | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> Iterator[tuple]:
    """The CSV cells of every row of ``table`` for ``company`` (as ``viewer`` may see it; the
    whole company when no viewer is given, as for the command line), oldest id first.

    ``date_from``/``date_to`` are inclusive dates on the table's date; for a moment in time
    they are days in the company's time zone. Raises ``ManagerNotAllowed`` for a table a
    manager may not export."""
    rows = table.rows(company)
    if viewer is not None:
        if viewer.company_id != company.pk or not may_export(table, viewer):
            raise ManagerNotAllowed(table.slug)
        if not (sees_whole_company(viewer)):
            rows = table.for_manager(rows, viewer)
    if table.date_field is not None:
        rows = in_period(
            rows,
            table.date_field,
            zone=company_zone(company),
            date_from=date_from,
            date_to=date_to,
        )
    paths = [path for _header, path in table.columns]
    for values in rows.order_by("pk").values_list(*paths).iterator(chunk_size=CHUNK_SIZE):
        cells = tuple(plain_cell(value) for value in values)
        yield table.shape(cells) if table.shape else cells
