"""Template filters shared by every app: ``{% load culturegap %}``."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from culturegap.org.figures import (
    COUNT,
    NPS,
    PERCENT,
    format_cell,
    format_money,
    format_number,
)
from culturegap.text import reading_minutes, render_markdown

register = template.Library()


@register.filter
def markdown(text: str):
    return render_markdown(text)


@register.filter
def minutes_to_read(text: str) -> int:
    return reading_minutes(text)


def _currency(company_or_code) -> str:
    return getattr(company_or_code, "currency", company_or_code) or ""


@register.filter
def money(value, company):
    """``{{ 4800|money:company }} a year`` → "£4,800 a year": whole units of the company's
    currency (or of a currency code given instead of the company)."""
    if value in (None, ""):
        return "–"
    return format_money(value, _currency(company))


@register.filter
def money_exact(value, company):
    """As ``money``, with pence when the amount has any: "£4,800", "£4,800.50"."""
    if value in (None, ""):
        return "–"
    return format_money(value, _currency(company), decimals=None)


@register.filter
def count(value):
    """A count: "1,904,500"."""
    return "–" if value in (None, "") else format_number(value, COUNT)


@register.filter
def nps(value):
    """An NPS, to one decimal: "-3.2"."""
    return "–" if value in (None, "") else format_number(value, NPS)


@register.filter
def percent(value):
    """A percentage (0–100), to one decimal: "96.6 %"."""
    return "–" if value in (None, "") else f"{format_number(value, PERCENT)} %"


@register.filter
def share(value):
    """A fraction (0–1) as a percentage to one decimal: 0.966 → "96.6 %"."""
    return "–" if value in (None, "") else percent(100 * value)


@register.filter
def figure(value):
    """A figure of unknown kind as a table writes it: whole numbers grouped ("20,200"), other
    numbers with the decimals they were rounded to, text as it is."""
    return "–" if value in (None, "") else format_cell(value, None)


@register.filter
def number(value, decimals=0):
    """Any other figure with ``decimals`` decimals and thousands separated: "2.25". A negative
    ``decimals`` (as for ``floatformat``) writes the decimals only when the number needs them:
    20.0 → "20", 20.5 → "20.5"."""
    if value in (None, ""):
        return "–"
    decimals = int(decimals)
    if decimals < 0:
        decimals = 0 if round(value, -decimals) == int(value) else -decimals
    return format_number(value, decimals)


@register.simple_tag
def figure_rows(table):
    """The body rows of a figures table (``culturegap.org.figures.Table``): the first
    cell of each row as its row header, the others as right-aligned numbers written as the
    table's ``formats`` say (thousands separated; money in the table's currency). A page of a
    large company shows thousands of cells, so they are written here in one pass, escaped."""
    specs = [table.column_format(index) for index in range(len(table.headers))]
    currency = table.currency
    rows = []
    for head, *cells in table.rows:
        numbers = "".join(
            f'<td class="num">{escape(format_cell(cell, spec, currency))}</td>'
            for cell, spec in zip(cells, specs[1:] + [None] * len(cells), strict=False)
        )
        rows.append(f'<tr><th scope="row">{escape(format_cell(head, None))}</th>{numbers}</tr>')
    return mark_safe("\n".join(rows))  # noqa: S308 - every cell is escaped above
