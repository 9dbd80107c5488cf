"""The culture results' charts, drawn from figures the selectors already computed."""

import plotly.graph_objects as go

from culturegap.charts import ORANGE_TO_BLUE, chart
from culturegap.culture.selectors import Results
from culturegap.measures import culture as measure

# Short names fit a phone's width; the tables beside the charts use the full ones.
SHORT = {"vision": "Vision", "strategy": "Strategy", "behaviours": "Behaviours"}


def heatmap(results: Results):
    """Teams (rows) × dimensions (columns), coloured by the mean score; only shown teams."""
    shown = [score for score in results.scores if score.shown]
    columns = [SHORT[d] for d in measure.DIMENSIONS]
    z = [[score.means[d] for d in measure.DIMENSIONS] for score in shown]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=columns,
            y=[score.team_name for score in shown],
            zmin=1,
            zmax=5,
            colorscale=ORANGE_TO_BLUE,
            text=[[f"{value:.2f}" for value in row] for row in z],
            texttemplate="%{text}",
            hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
            colorbar={"orientation": "h", "thickness": 10, "y": -0.12, "yanchor": "top"},
        )
    )
    figure.update_layout(yaxis={"autorange": "reversed", "automargin": True})
    height = min(2400, 160 + 34 * len(shown))
    return chart(
        figure,
        label="Heatmap of the mean score of each team on each dimension",
        height=max(height, 260),
    )


def sales_crp_chart(results: Results):
    columns = [SHORT[d] for d in measure.DIMENSIONS]
    current = results.current
    figure = go.Figure(
        [
            go.Bar(x=columns, y=[current.sales_mean[d] for d in measure.DIMENSIONS], name="Sales"),
            go.Bar(x=columns, y=[current.crp_mean[d] for d in measure.DIMENSIONS], name="CRPs"),
            go.Scatter(
                x=columns,
                y=[results.targets[d] for d in measure.DIMENSIONS],
                mode="markers",
                marker={"symbol": "line-ew-open", "size": 40, "line": {"width": 3}},
                name="Target",
            ),
        ]
    )
    figure.update_layout(
        barmode="group",
        yaxis={"title": "mean (1–5)", "range": [1, 5]},
        legend={"orientation": "h", "y": -0.15},
    )
    return chart(figure, label="Bar chart of the mean of sales and CRP teams per dimension")


def trend_chart(results: Results):
    figure = go.Figure()
    for dimension in measure.DIMENSIONS:
        figure.add_trace(
            go.Scatter(
                x=[g.opened_on.isoformat() for g in results.gaps],
                y=[g.gap[dimension] for g in results.gaps],
                customdata=[g.name for g in results.gaps],
                hovertemplate="%{customdata}: gap %{y:.2f}<extra></extra>",
                mode="lines+markers",
                name=SHORT[dimension],
            )
        )
    figure.update_layout(
        xaxis={"type": "date", "tickformat": "%b %Y"},
        yaxis={"title": "gap", "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.2},
    )
    return chart(figure, label="Line chart of the sales/CRP gap per dimension across waves")
