"""The figures-table rows: escaped, numbers with thousands separated and the decimals of their
measure, money in the table's currency."""

import decimal

from hypothesis import given
from hypothesis import strategies as st

from culturegap.org.figures import COUNT, MONEY, NPS, RATIO, Table
from culturegap.org.templatetags.culturegap import figure_rows


def _tag(rows, **kwargs) -> str:
    return str(figure_rows(Table("t", "T", ["a", "b", "c", "d", "e"], rows, **kwargs)))


def test_text_is_escaped_and_numbers_are_grouped():
    rows = [["Client <Service> & co", 1904500, 234100.0, None, decimal.Decimal("3.50")]]
    html = _tag(rows)
    assert '<th scope="row">Client &lt;Service&gt; &amp; co</th>' in html
    assert '<td class="num">1,904,500</td>' in html
    assert '<td class="num">234,100.0</td>' in html
    assert '<td class="num">–</td>' in html
    assert '<td class="num">3.50</td>' in html


def test_columns_are_written_as_their_measure():
    rows = [["Tax", 20200, 0.8, 2.5, 234100.0], ["Audit", 7, -3.25, None, 4800.4]]
    html = _tag(rows, formats=(None, COUNT, NPS, RATIO, MONEY), currency="GBP")
    first, second = html.split("\n")
    assert first == (
        '<tr><th scope="row">Tax</th><td class="num">20,200</td><td class="num">0.8</td>'
        '<td class="num">2.50</td><td class="num">£234,100</td></tr>'
    )
    assert second == (
        '<tr><th scope="row">Audit</th><td class="num">7</td><td class="num">-3.2</td>'
        '<td class="num">–</td><td class="num">£4,800</td></tr>'
    )


def test_other_currencies_are_written_with_their_code():
    html = _tag([["Tax", 1234.0]], formats=(None, MONEY), currency="CHF")
    assert '<td class="num">CHF 1,234</td>' in html


def test_odd_values_are_written_as_they_are():
    html = _tag([["x", float("nan"), 1e16, True, -0.0, 2.5e-7]])
    assert '<td class="num">nan</td>' in html
    assert '<td class="num">1e+16</td>' in html
    assert '<td class="num">True</td>' in html
    assert '<td class="num">0.0</td>' in html
    assert '<td class="num">2.5e-07</td>' in html


cells = st.one_of(
    st.none(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)


@given(st.lists(st.lists(cells, min_size=1, max_size=6), max_size=4))
def test_any_cells_make_one_row_each(rows):
    html = _tag(rows)
    assert html.count("<tr>") == len(rows)
    assert "<script" not in html
