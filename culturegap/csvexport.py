"""CSV files for spreadsheets: cells that cannot run as formulas, streamed row by row.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets (CSV injection). Names, needs and survey reasons are typed
by people — and by customers, through surveys — so every text cell goes through ``safe_cell``,
which puts a ``'`` in front of such a value. Numbers are left alone: ``-3`` stays a number, and
so does a number already written as text, such as ``"-5.8"`` or ``"+3"``, which a spreadsheet
reads as that number. Only plain decimals pass: ``"-1e3"`` or ``"-2+3"`` get the ``'``.
"""

import csv
import datetime
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def safe_cell(value):
    """The value as a spreadsheet will show it, never as a formula; None becomes empty."""
    if value is None:
        return ""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def safe_row(row: Iterable) -> list:
    return [safe_cell(value) for value in row]


class _Echo:
    """A file-like object whose ``write`` hands the line back, for streaming."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The header, then every row, as CSV lines (``\\r\\n``-terminated), one at a time."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(safe_row(row))


def streaming_csv_response(
    header: Sequence[str], rows: Iterable[Iterable], *, filename: str
) -> StreamingHttpResponse:
    """A download that is written while the rows are read: a large table never sits in memory."""
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def write_csv(file: IO[str], header: Sequence[str], rows: Iterable[Iterable]) -> int:
    """Write the CSV to an open text file; returns the number of data rows."""
    lines = 0
    for line in csv_lines(header, rows):
        file.write(line)
        lines += 1
    return lines - 1


# --- cells and periods of the tables exported from the database ----------------------------------


def plain_cell(value):
    """A value read from the database as a cell: moments in UTC as ISO 8601
    (``2025-01-06T09:30:00Z``), dates as ``YYYY-MM-DD``, yes/no as ``true``/``false``, decimals
    as written, floats to four places."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return utc_iso(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return round(value, 4)
    return value


def utc_iso(moment: datetime.datetime) -> str:
    """``2025-01-06T09:30:00Z``: a moment in UTC, to the second."""
    moment = moment.astimezone(datetime.UTC).replace(microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")


def in_period(
    rows: QuerySet,
    date_field: str,
    *,
    zone: datetime.tzinfo,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet:
    """The rows whose ``date_field`` falls from ``date_from`` to ``date_to`` (inclusive days;
    either may be None). For a moment in time, the days are those of ``zone``."""
    field = rows.model._meta.get_field(date_field)
    is_moment = field.get_internal_type() == "DateTimeField"
    if date_from is not None:
        start = (
            datetime.datetime.combine(date_from, datetime.time.min, tzinfo=zone)
            if is_moment
            else date_from
        )
        rows = rows.filter(**{f"{date_field}__gte": start})
    if date_to is not None:
        if is_moment:
            end = datetime.datetime.combine(
                date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
            )
            rows = rows.filter(**{f"{date_field}__lt": end})
        else:
            rows = rows.filter(**{f"{date_field}__lte": date_to})
    return rows
