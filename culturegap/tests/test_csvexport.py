"""The spreadsheet-safe cells every CSV export writes (culturegap.csvexport)."""

import pytest

from culturegap.csvexport import safe_cell


@pytest.mark.parametrize("number", ["-5.8", "-12", "+3.5", "0", "42.0"])
def test_a_number_written_as_text_stays_a_number(number):
    assert safe_cell(number) == number


@pytest.mark.parametrize(
    "text", ["=1+1", "-2+3", "@SUM(A1)", "-1e3", "+44 20", "-5.", "-.5", "-", "+", "-٣", "\t5"]
)
def test_anything_else_that_starts_like_a_formula_gets_a_quote(text):
    assert safe_cell(text) == "'" + text


def test_numbers_and_plain_text_are_left_alone_and_none_is_empty():
    assert safe_cell(-5.8) == -5.8
    assert safe_cell("−5.8") == "−5.8"  # a typographic minus is not a formula start
    assert safe_cell("Plain") == "Plain"
    assert safe_cell(None) == ""
