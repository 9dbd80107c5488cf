"""CSV files for spreadsheets: cells that cannot run as formulas, streamed row by row.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets (CSV injection). Names, needs and survey reasons are typed
by people — and by customers, through surveys — so every text cell goes through ``safe_cell``,
which puts a ``'`` in front of such a value. Numbers are left alone: ``-3`` stays a number, and
so does a number already written as text, such as ``"-5.8"`` or ``"+3"``, which a spreadsheet
reads as that number. Only plain decimals pass: ``"-1e3"`` or ``"-2+3"`` get the ``'``.
"""

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import IO

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
