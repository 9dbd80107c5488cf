"""Tests of the CSV import machinery: reading, error order, dates, batches, progress."""

import datetime
import io

from culturegap.csvimport import (
    BATCH_SIZE,
    PROGRESS_FROM_ROWS,
    ImportResult,
    ProgressBars,
    RowError,
    in_batches,
    parse_date,
    read_rows,
    sorted_errors,
    ticker,
)

COLUMNS = ("code", "name")


def test_columns_in_any_order_with_a_bom_become_rows_with_their_line_numbers():
    data = '\ufeffName,CODE\n Ann ,a1\n\n"Bo\nb",b2\nCy,c3\n'.encode()

    rows, errors = read_rows(data, columns=COLUMNS)

    assert errors == []
    assert rows == [
        (2, {"code": "a1", "name": "Ann"}),
        (4, {"code": "b2", "name": "Bo\nb"}),
        (6, {"code": "c3", "name": "Cy"}),
    ]


def test_a_header_with_missing_unexpected_and_repeated_columns_is_reported_on_line_1():
    rows, errors = read_rows(b"code,code,colour\n1,2,3\n", columns=COLUMNS)

    assert rows is None
    assert [(error.line, error.field) for error in errors] == [(1, "header")] * 3
    assert "missing column(s) name" in errors[0].message
    assert "unexpected column(s) colour" in errors[1].message
    assert "given twice: code" in errors[2].message


def test_an_empty_file_and_a_file_that_is_not_utf8_cannot_be_read():
    rows, errors = read_rows(b"  \n", columns=COLUMNS)
    assert rows is None and errors[0].message.startswith("the file is empty")

    rows, errors = read_rows(b"code,name\nok,fine\nx,caf\xe9\n", columns=COLUMNS)
    assert rows is None
    assert errors == [RowError(3, "file", errors[0].message)]
    assert "byte 6 of this line is not UTF-8" in errors[0].message


def test_a_row_of_the_wrong_width_is_an_error_and_the_other_rows_are_still_read():
    rows, errors = read_rows(b"code,name\na,Ann,extra\nb,Bo\n", columns=COLUMNS)

    assert rows == [(3, {"code": "b", "name": "Bo"})]
    assert [(error.line, error.field) for error in errors] == [(2, "row")]


def test_errors_are_sorted_by_line_then_by_column_order():
    errors = [RowError(3, "name", "n"), RowError(3, "code", "c"), RowError(2, "row", "r")]

    assert [(e.line, e.field) for e in sorted_errors(errors, COLUMNS)] == [
        (2, "row"),
        (3, "code"),
        (3, "name"),
    ]


def test_a_date_must_be_written_yyyy_mm_dd_and_exist():
    errors = []

    assert parse_date("2024-02-29", line=2, field="since", errors=errors) == datetime.date(
        2024, 2, 29
    )
    assert parse_date("29/02/2024", line=3, field="since", errors=errors) is None
    assert parse_date("2023-02-29", line=4, field="since", errors=errors) is None
    assert [str(error) for error in errors] == [
        "line 3, since: “29/02/2024” is not a date like 2024-03-31",
        "line 4, since: 2023-02-29 is not a date in the calendar",
    ]


def test_the_summary_counts_created_updated_and_unchanged():
    result = ImportResult(created=3, updated=1, unchanged=7)

    assert result.ok
    assert result.summary() == "3 created, 1 updated, 7 unchanged"
    assert not ImportResult(errors=[RowError(1, "file", "x")]).ok


def test_batches_report_progress_every_thousand_rows_and_at_the_end():
    calls = []
    items = list(range(2 * BATCH_SIZE + 5))
    tick = ticker(lambda *args: calls.append(args), "writing", len(items) + 10)

    batches = list(in_batches(items, tick=tick, done=10))

    assert [len(batch) for batch in batches] == [BATCH_SIZE, BATCH_SIZE, 5]
    assert calls == [
        ("writing", 0, len(items) + 10),
        ("writing", BATCH_SIZE + 10, len(items) + 10),
        ("writing", 2 * BATCH_SIZE + 10, len(items) + 10),
        ("writing", len(items) + 10, len(items) + 10),
    ]


def test_progress_bars_only_for_large_imports():
    stream = io.StringIO()
    bars = ProgressBars(stream)

    bars("checking", 10, PROGRESS_FROM_ROWS - 1)
    assert stream.getvalue() == ""

    bars("checking", PROGRESS_FROM_ROWS, PROGRESS_FROM_ROWS)
    bars.close()
    assert f"{PROGRESS_FROM_ROWS}/{PROGRESS_FROM_ROWS}" in stream.getvalue()
