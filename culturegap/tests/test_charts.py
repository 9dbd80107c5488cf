"""The chart helper: no toolbar, and a text alternative that says what each chart shows."""

import html
import json
import re

import plotly.graph_objects as go

from culturegap.charts import chart, short_labels


def attribute(markup: str, name: str) -> str:
    return html.unescape(re.search(f'{name}="([^"]*)"', markup).group(1))


def test_a_chart_has_no_toolbar_and_a_summary_of_its_values():
    figure = go.Figure(go.Scatter(x=["2026 Q1", "2026 Q2", "2026 Q3"], y=[12, 40, 30], name="NPS"))
    markup = str(chart(figure, label="Line chart of the NPS per quarter"))
    assert json.loads(attribute(markup, "data-config"))["displayModeBar"] is False
    assert 'role="img"' in markup
    assert attribute(markup, "aria-label") == (
        "Line chart of the NPS per quarter. NPS: from 12 (2026 Q1) to 30 (2026 Q3), highest 40."
    )


def test_a_heatmap_is_summed_up_by_its_extent_and_range():
    figure = go.Figure(go.Heatmap(z=[[10, None], [95.5, 40]], x=["Ann", "Bo"], y=["Open", "Close"]))
    markup = str(chart(figure, label="Heatmap of readiness"))
    assert attribute(markup, "aria-label") == (
        "Heatmap of readiness. 2 rows by 2 columns, values from 10 to 96."
    )


def test_short_labels_drop_the_words_all_labels_share_and_wrap():
    assert short_labels(["Culture survey: before the rollout", "Culture survey: now"]) == [
        "before the<br>rollout",
        "now",
    ]
    assert short_labels(["Spring"]) == ["Spring"]


def test_numbers_on_the_value_axis_are_grouped_by_thousands():
    import plotly.graph_objects as go

    from culturegap.charts import chart

    bars = go.Figure(go.Bar(x=["a", "b"], y=[1200, 45000]))
    chart(bars, label="Bars")
    assert bars.layout.yaxis.tickformat == ","
    heatmap = go.Figure(go.Heatmap(z=[[1, 2]], x=["a", "b"], y=["team"]))
    chart(heatmap, label="Heatmap")
    assert heatmap.layout.yaxis.tickformat is None
