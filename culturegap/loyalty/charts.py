"""The loyalty dashboard's charts, drawn from figures the selectors already computed."""

import plotly.graph_objects as go

from culturegap.charts import chart, wrap
from culturegap.loyalty.selectors import LoyaltyFigures


def period(label: str) -> str:
    """A period's name on two short lines ("2026<br>Q1"), which stand upright side by side on a
    phone where "2026 Q1" would be turned on its side."""
    return wrap(label, 4)


def nps_trend_chart(figures: LoyaltyFigures):
    labels = [period(label) for label, _ in figures.trend]
    figure = go.Figure(
        go.Scatter(
            x=labels,
            y=[summary.nps for _, summary in figures.trend],
            mode="lines+markers",
            name="NPS",
            customdata=[summary.responses for _, summary in figures.trend],
            hovertemplate="%{x}: NPS %{y:.1f} (%{customdata} answers)<extra></extra>",
        )
    )
    figure.update_layout(title="NPS by period", yaxis={"title": "NPS", "range": [-100, 100]})
    return chart(figure, label="Line chart of the NPS per period")


def team_trend_chart(figures: LoyaltyFigures):
    figure = go.Figure()
    for team, points in figures.team_trends.items():
        figure.add_trace(
            go.Scatter(
                x=[period(label) for label, _ in points],
                y=[value for _, value in points],
                mode="lines+markers",
                name=team,
            )
        )
    # The plot takes the top of the figure and the legend the bottom, clear of the period labels
    # even when a phone wraps the legend onto one line per team.
    title = "NPS by team and period"
    if figures.team_count > len(figures.team_trends):
        title = f"NPS by period of the {len(figures.team_trends)} teams with the most answers"
    figure.update_layout(
        title=title,
        yaxis={"title": "NPS", "range": [-100, 100], "domain": [0.42, 1]},
        legend={"orientation": "h", "y": 0.26, "yanchor": "top"},
    )
    return chart(figure, label="Line chart of the NPS of each team per period", height=480)


def services_trend_chart(figures: LoyaltyFigures):
    figure = go.Figure(
        go.Scatter(
            x=[day.isoformat() for day, _ in figures.services_trend],
            y=[value for _, value in figures.services_trend],
            mode="lines+markers",
            name="services per customer",
        )
    )
    figure.update_layout(
        title="Services per customer", yaxis={"title": "services", "rangemode": "tozero"}
    )
    return chart(figure, label="Line chart of the services bought per customer over time")
