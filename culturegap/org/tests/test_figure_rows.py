"""The figures-table rows written in one pass read exactly as the template loop wrote them."""

import decimal

from django.template import Context, Template
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from culturegap.loyalty.selectors import Table
from culturegap.org.templatetags.culturegap import figure_rows

# The loop the tag replaces, cell for cell.
LOOP = Template(
    "{% for row in table.rows %}<tr>{% for cell in row %}{% if forloop.first %}"
    '<th scope="row">{{ cell|default_if_none:"–" }}</th>{% else %}'
    '<td class="num">{{ cell|default_if_none:"–" }}</td>{% endif %}{% endfor %}</tr>'
    "{% if not forloop.last %}\n{% endif %}{% endfor %}"
)


def _loop(rows) -> str:
    return LOOP.render(Context({"table": Table("t", "T", ["a"], rows)}))


def _tag(rows) -> str:
    return str(figure_rows(Table("t", "T", ["a"], rows)))


def test_cells_read_as_the_template_wrote_them():
    rows = [
        ["Client <Service> & co", 12, 45.0, None, -5.8, 0.125, 1e16, decimal.Decimal("3.50")],
        ['=HYPERLINK("x")', 0, -0.0, float("nan"), True, "text", 123456789, 2.5e-7],
    ]
    assert _tag(rows) == _loop(rows)
    assert "&lt;Service&gt; &amp; co" in _tag(rows)


@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_grouped_numbers_read_as_the_template_wrote_them():
    rows = [["Tax", 1234567, 98765.4321, None, -1500.5]]
    assert _tag(rows) == _loop(rows)
    assert "1,234,567" in _tag(rows)


cells = st.one_of(
    st.none(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)


@given(st.lists(st.lists(cells, min_size=1, max_size=6), max_size=4))
def test_any_cells_read_as_the_template_wrote_them(rows):
    assert _tag(rows) == _loop(rows)
