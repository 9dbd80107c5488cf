"""The executive dashboard's charts, drawn from the figures its selectors computed."""

import math

import plotly.graph_objects as go

from culturegap.charts import chart, short_labels, wrap
from culturegap.dashboard.selectors import (
    CultureSection,
    ImpactResult,
    LoyaltySection,
    OpportunitySection,
)

# Legends above the plot, where a phone's narrow width cannot push them onto the axis labels.
LEGEND_ON_TOP = {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}


def culture_chart(section: CultureSection):
    figure = go.Figure()
    # Wave names short, wrapped and upright: rotated, they took half the plot's height on a phone.
    names = short_labels([wave.name for wave in section.waves])
    for key, label in section.dimensions:
        figure.add_trace(
            go.Scatter(
                x=names,
                y=[wave.gap.get(key) for wave in section.waves],
                mode="lines+markers",
                name=label,
                connectgaps=False,
                customdata=[wave.name for wave in section.waves],
                hovertemplate="%{customdata}: gap %{y:.2f}<extra>" + label + "</extra>",
            )
        )
    figure.update_layout(
        yaxis={"title": "gap, lower is better", "rangemode": "tozero"},
        xaxis={"type": "category", "tickangle": 0},
        legend=LEGEND_ON_TOP,
    )
    return chart(figure, label="Line chart of the sales–CRP gap per dimension and survey wave")


def opportunity_chart(section: OpportunitySection):
    teams = [row[0] for row in section.table.rows]
    figure = go.Figure(
        [
            go.Bar(
                y=teams, x=[row[1] for row in section.table.rows], name="found", orientation="h"
            ),
            go.Bar(y=teams, x=[row[3] for row in section.table.rows], name="won", orientation="h"),
        ]
    )
    figure.update_layout(
        barmode="group",
        yaxis={"autorange": "reversed", "automargin": True},
        legend=LEGEND_ON_TOP,
    )
    height = max(260, 40 + 44 * len(teams))
    return chart(figure, label="Bar chart of opportunities found and won per team", height=height)


def nps_chart(section: LoyaltySection):
    figure = go.Figure(
        go.Scatter(
            # Quarters on two short lines ("2026<br>Q1"), upright side by side on a phone.
            x=[wrap(label, 4) for label, _ in section.trend],
            y=[summary.nps for _, summary in section.trend],
            customdata=[summary.responses for _, summary in section.trend],
            mode="lines+markers",
            name="NPS",
            hovertemplate="%{x}: NPS %{y:.1f} (%{customdata} answers)<extra></extra>",
        )
    )
    figure.update_layout(yaxis={"title": "NPS", "range": [-100, 100]})
    return chart(figure, label="Line chart of the NPS per quarter")


# An interval wider than this many times the largest estimate is cut at the axis rather than
# stretching it: a period with one or two teams can have an interval of 10^20 on the demo's
# data, which would flatten every other point to a line at zero.
EVENT_AXIS_SPAN = 4


def event_axis_range(points) -> list[float]:
    """The event-study chart's y range: every estimate and every interval that fits within
    EVENT_AXIS_SPAN times the largest estimate (at least 1), with a little room around."""
    effects = [point.effect for point in points if math.isfinite(point.effect)]
    limit = EVENT_AXIS_SPAN * max([abs(effect) for effect in effects] + [1.0])
    ends = [0.0, *effects]
    for point in points:
        ends += [end for end in (point.low, point.high) if math.isfinite(end) and abs(end) <= limit]
    low, high = max(min(ends), -limit), min(max(ends), limit)
    room = (high - low) * 0.08 or 1.0
    return [low - room, high + room]


def event_chart(result: ImpactResult):
    points = result.estimate.events
    x = [point.periods_since_start for point in points]
    y = [point.effect for point in points]
    figure = go.Figure(
        go.Scatter(
            x=x,
            y=y,
            mode="markers+lines",
            name="effect",
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [point.high - point.effect for point in points],
                "arrayminus": [point.effect - point.low for point in points],
            },
            hovertemplate="%{x} " + result.period_name + "s: %{y:.2f}<extra></extra>",
        )
    )
    figure.add_hline(y=0, line={"color": "#5b6478", "width": 1})
    figure.add_vline(x=-0.5, line={"color": "#b3261e", "dash": "dot", "width": 1})
    # No title: the card's heading names the outcome and the caption below explains the axes.
    figure.update_layout(
        xaxis={"dtick": 1, "tickangle": 0},
        yaxis={"title": result.short, "range": event_axis_range(points)},
        showlegend=False,
    )
    return chart(
        figure,
        label=f"Event-study chart: estimated effect on {result.outcome} by "
        f"{result.period_name}s since a team's training started, with 95 % intervals",
    )
