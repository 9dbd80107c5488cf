"""The machinery every CSV import shares: reading the file, row errors, batches and progress.

Every import built on it behaves the same way. The file is UTF-8 (a BOM is fine) with a header
line; columns may come in any order and their names are matched case-insensitively. Line numbers
count physical lines of the file: the header is line 1, the first data row line 2; blank lines
are skipped. An import checks every row before it writes anything, collects every problem as a
:class:`RowError` (line, column, plain message) and, if there is any, writes nothing. Its
:class:`ImportResult` says "N created, M updated, K unchanged".
"""

import codecs
import csv
import datetime
import io
import logging
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from tqdm import tqdm

logger = logging.getLogger(__name__)

# Rows per INSERT/UPDATE statement, and values per IN (...) lookup: well below the bound-variable
# limits of SQLite and PostgreSQL, large enough that 100,000 rows take a few hundred statements.
BATCH_SIZE = 1000
# bulk_update writes one CASE per column, so its statements grow fast: keep them smaller.
UPDATE_BATCH_SIZE = 500

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# progress(stage, done, total): stage is "checking" or "writing".
Progress = Callable[[str, int, int], None]

# (line, {column: stripped value})
Row = tuple[int, dict[str, str]]

# Below this many rows an import takes about a second: a progress bar would only flicker.
PROGRESS_FROM_ROWS = 5000

T = TypeVar("T")


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


# ---------------------------------------------------------------------------------------------
# Reading the file


def read_rows(data: bytes, *, columns: tuple[str, ...]) -> tuple[list[Row] | None, list[RowError]]:
    """Decode a CSV file and split it into ``(line, {column: stripped value})`` rows.

    Returns the rows that have the header's width and the problems of the file itself. The rows
    are None when the file cannot be read at all (encoding, empty, header); a row of the wrong
    width is an error but the others are still returned, so that their problems are listed too.
    Columns may come in any order; their names are matched case-insensitively.
    """
    text, errors = _decode(data)
    if errors:
        return None, errors
    expected = ",".join(columns)
    if not text.strip():
        return None, [
            RowError(1, "header", f"the file is empty: its first line must be {expected}")
        ]
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[Row] = []
    end_of_previous = 0
    try:
        header = [cell.strip().lower() for cell in next(reader)]
        errors = _check_header(header, columns=columns)
        if errors:
            return None, errors
        positions = [(column, header.index(column)) for column in columns]
        width = len(header)
        end_of_previous = reader.line_num
        for record in reader:
            # A quoted value may span lines: the row starts just after the previous one ended.
            line = end_of_previous + 1
            end_of_previous = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != width:
                errors.append(
                    RowError(
                        line,
                        "row",
                        f"{len(record)} values where the header has {width} ({expected}); "
                        "a value containing a comma must be in double quotes",
                    )
                )
                continue
            rows.append((line, {column: record[index].strip() for column, index in positions}))
    except csv.Error as error:
        errors.append(RowError(end_of_previous + 1, "row", f"not readable as CSV: {error}"))
    return rows, errors


def _decode(data: bytes) -> tuple[str, list[RowError]]:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # No UTF-8 sequence contains a newline byte, so each line can be decoded on its own.
        errors = []
        for number, raw in enumerate(data.split(b"\n"), start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as error:
                errors.append(
                    RowError(
                        number,
                        "file",
                        f"byte {error.start + 1} of this line is not UTF-8 text; "
                        "save the file as “CSV UTF-8” and upload it again",
                    )
                )
        return "", errors
    if "\x00" in text:
        # PostgreSQL cannot store NUL characters, and no real CSV file contains them.
        return "", [
            RowError(number, "file", "contains a NUL character: this is not a text CSV file")
            for number, line in enumerate(text.split("\n"), start=1)
            if "\x00" in line
        ]
    return text, []


def _check_header(header: list[str], *, columns: tuple[str, ...]) -> list[RowError]:
    expected = ",".join(columns)
    errors = []
    missing = [column for column in columns if column not in header]
    if missing:
        errors.append(
            RowError(1, "header", f"missing column(s) {', '.join(missing)}; expected {expected}")
        )
    unexpected = [name or "(empty)" for name in header if name not in columns]
    if unexpected:
        errors.append(
            RowError(
                1, "header", f"unexpected column(s) {', '.join(unexpected)}; expected {expected}"
            )
        )
    repeated = sorted({name for name in header if name in columns and header.count(name) > 1})
    if repeated:
        errors.append(RowError(1, "header", f"column(s) given twice: {', '.join(repeated)}"))
    return errors


def parse_date(
    written: str, *, line: int, field: str, errors: list[RowError]
) -> datetime.date | None:
    """The ``YYYY-MM-DD`` date ``written`` in ``field`` on ``line``; else None, and the reason
    is appended to ``errors``."""
    if not ISO_DATE.fullmatch(written):
        errors.append(RowError(line, field, f"“{written}” is not a date like 2024-03-31"))
        return None
    try:
        return datetime.date.fromisoformat(written)
    except ValueError:
        errors.append(RowError(line, field, f"{written} is not a date in the calendar"))
        return None


def sorted_errors(errors: Iterable[RowError], columns: tuple[str, ...]) -> list[RowError]:
    """The errors by line, and within a line in the order of ``columns`` (the file's own
    problems, such as a row of the wrong width, first)."""
    order = {column: index for index, column in enumerate(columns)}
    return sorted(errors, key=lambda error: (error.line, order.get(error.field, -1)))


def changed_meanwhile() -> ImportResult:
    """The result of an import whose writes hit an IntegrityError: nothing written, one error."""
    # Only a concurrent change between the checks and the writes can violate a constraint.
    logger.warning("CSV import hit an integrity error", exc_info=True)
    message = (
        "the data changed while the file was being imported; nothing was written, please try again"
    )
    return ImportResult(errors=[RowError(1, "file", message)])


# ---------------------------------------------------------------------------------------------
# Batches and progress


def chunks(items: list[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ticker(progress: Progress | None, stage: str, total: int) -> Callable[[int], None]:
    """A function to call with the number done so far; it reports every thousand or so."""
    if progress is None:
        return lambda done: None
    progress(stage, 0, total)
    reported = 0

    def tick(done: int) -> None:
        nonlocal reported
        if done - reported >= 1000 or done == total:
            progress(stage, done, total)
            reported = done

    return tick


def in_batches(items: list[T], *, tick: Callable[[int], None], done: int) -> Iterator[list[T]]:
    """``items`` in batches of BATCH_SIZE; after each, ``tick`` gets ``done`` plus the items
    handed out so far."""
    for batch in chunks(items):
        yield batch
        done += len(batch)
        tick(done)


class ProgressBars:
    """Turns an import's progress(stage, done, total) calls into one tqdm bar per stage."""

    def __init__(self, stream=None):
        # self.stderr of a command appends a newline to every write, which breaks a bar.
        self.stream = stream or sys.stderr
        self.bar = None
        self.stage = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total < PROGRESS_FROM_ROWS:
            return
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total, desc=stage, unit="rows", file=self.stream)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
