"""Template filters shared by every app: ``{% load culturegap %}``."""

from django import template
from django.conf import settings
from django.utils.formats import get_format, localize
from django.utils.html import escape
from django.utils.safestring import mark_safe

from culturegap.text import reading_minutes, render_markdown

register = template.Library()


@register.filter
def markdown(text: str):
    return render_markdown(text)


@register.filter
def minutes_to_read(text: str) -> int:
    return reading_minutes(text)


def _figure_text(value, decimal: str) -> str:
    """A table cell as ``{{ value|default_if_none:"–" }}`` shows it, without the template
    engine's per-cell lookups: numbers as Django's number format writes them without grouping
    (``str`` with the locale's decimal separator), everything else localised."""
    if value is None:
        return "–"
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = str(value)
        if "e" not in text and "n" not in text:  # not 1e+16, nan or inf
            return text.replace(".", decimal)
    return str(localize(value))


@register.simple_tag
def figure_rows(table):
    """The body rows of a figures table (``culturegap.org.figures.Table``): the first
    cell of each row as its row header, the others as right-aligned numbers. A page of a large
    company shows thousands of cells, so they are written here in one pass, escaped."""
    if settings.USE_THOUSAND_SEPARATOR:

        def text(value):
            return "–" if value is None else str(localize(value))

    else:
        decimal = get_format("DECIMAL_SEPARATOR")

        def text(value):
            return _figure_text(value, decimal)

    rows = []
    for head, *cells in table.rows:
        numbers = "".join(f'<td class="num">{escape(text(cell))}</td>' for cell in cells)
        rows.append(f'<tr><th scope="row">{escape(text(head))}</th>{numbers}</tr>')
    return mark_safe("\n".join(rows))  # noqa: S308 - every cell is escaped above
