"""Charts drawn in the browser by the Plotly JavaScript that ships inside the plotly package.

A view builds a figure with plotly's Python API and passes ``chart(figure)`` to its template;
``static/culturegap/charts.js`` draws every ``[data-figure]`` element, so pages carry no inline
scripts and need no internet access.
"""

import json
import math
import textwrap
from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage
from django.utils.html import format_html

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PLOTLY_STATIC_PATH = "vendor/plotly.min.js"

BRAND_COLOURS = ["#1f5fbf", "#f0b400", "#1b7f4b", "#b3261e", "#6b4fbb", "#0f8b8d", "#5b6478"]

# Low values orange, high values blue, pale in the middle: told apart with any colour vision
# (after ColorBrewer's PuOr), unlike red against green.
ORANGE_TO_BLUE = [
    [0, "#b35806"],
    [0.25, "#f1a340"],
    [0.5, "#f7f7f7"],
    [0.75, "#92c5de"],
    [1, "#2166ac"],
]

# No floating toolbar over the chart (on a phone it covers the plot), no zoom by dragging (on a
# touch screen that traps the finger scrolling the page), and the width of the page.
CONFIG = {"displayModeBar": False, "responsive": True, "scrollZoom": False}

# Legends above the plot, where a phone's narrow width cannot push them onto the axis labels.
LEGEND_ON_TOP = {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}


def wrap(label: str, width: int = 12) -> str:
    """A category label broken onto lines of about ``width`` characters, so that labels stand
    upright side by side on a phone instead of being rotated across the plot."""
    return "<br>".join(textwrap.wrap(str(label), width=width, break_long_words=False)) or ""


def short_labels(labels: list[str], width: int = 12) -> list[str]:
    """Category labels without the words they all start with ("Culture survey: before",
    "Culture survey: after" → "before", "after"), each wrapped by ``wrap``."""
    words = [str(label).split() for label in labels]
    shared = 0
    if len(words) > 1:
        while all(len(w) > shared + 1 and w[shared] == words[0][shared] for w in words):
            shared += 1
    return [wrap(" ".join(w[shared:]), width) for w in words]


def chart(figure, *, label: str, height: int = 320, summary: str | None = None):
    """The HTML of one chart: a div holding the figure as JSON, drawn by charts.js, with a text
    alternative: ``label`` says what the chart is, ``summary`` (by default worked out from the
    figure's data) what it shows."""
    figure.update_layout(
        height=height,
        autosize=True,
        margin={"l": 40, "r": 16, "t": 24, "b": 40},
        colorway=BRAND_COLOURS,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"family": "system-ui, sans-serif", "size": 13},
        dragmode=False,
    )
    figure.update_xaxes(automargin=True, fixedrange=True)
    figure.update_yaxes(automargin=True, fixedrange=True)
    if _numeric_values(figure):
        # The same grouping as the pages' figures: 1,200, not 1200 or 1.2k.
        figure.update_yaxes(tickformat=",", hoverformat=",.4~f", selector={"tickformat": None})
    if figure.layout.title.text:
        figure.update_layout(margin_t=56, title_x=0, title_xanchor="left")
    summary = describe(figure) if summary is None else summary
    alternative = f"{label.rstrip('.')}. {summary}" if summary else label
    return format_html(
        '<div class="chart" role="img" aria-label="{}" data-figure="{}" data-config="{}"></div>',
        alternative,
        figure.to_json(),
        json.dumps(CONFIG),
    )


def describe(figure) -> str:
    """One line on what the figure shows: each series' range, or a heatmap's extent."""
    parts = [part for part in (_describe_trace(trace) for trace in figure.data[:6]) if part]
    if len(figure.data) > 6:
        parts.append(f"and {len(figure.data) - 6} more series")
    return "; ".join(parts) + "." if parts else ""


def _describe_trace(trace) -> str:
    name = getattr(trace, "name", None) or ""
    if trace.type == "heatmap":
        values = [v for row in (trace.z or ()) for v in row if _is_number(v)]
        rows, columns = len(trace.y or ()), len(trace.x or ())
        if not values:
            return f"{rows} rows by {columns} columns, no values yet"
        return (
            f"{rows} rows by {columns} columns, values from {_number(min(values))} "
            f"to {_number(max(values))}"
        )
    horizontal = getattr(trace, "orientation", None) == "h"
    categories, values = (trace.y, trace.x) if horizontal else (trace.x, trace.y)
    pairs = [(c, v) for c, v in zip(categories or (), values or (), strict=False) if _is_number(v)]
    if not pairs:
        return f"{name}: no values yet" if name and categories else ""
    low = min(pairs, key=lambda pair: pair[1])
    high = max(pairs, key=lambda pair: pair[1])
    prefix = f"{name}: " if name else ""
    if len(pairs) == 1:
        return f"{prefix}{_number(high[1])} ({_category(high[0])})"
    if trace.type == "scatter" and not horizontal:
        first, last = pairs[0], pairs[-1]
        return (
            f"{prefix}from {_number(first[1])} ({_category(first[0])}) "
            f"to {_number(last[1])} ({_category(last[0])}), highest {_number(high[1])}"
        )
    return (
        f"{prefix}highest {_number(high[1])} ({_category(high[0])}), "
        f"lowest {_number(low[1])} ({_category(low[0])})"
    )


def _numeric_values(figure) -> bool:
    """Whether every trace plots numbers on its value axis (not categories or dates)."""
    values = [
        value
        for trace in figure.data
        if getattr(trace, "type", "") != "heatmap" and getattr(trace, "orientation", None) != "h"
        for value in (getattr(trace, "y", None) or [])
    ]
    return bool(values) and all(_is_number(value) or value is None for value in values)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _number(value: float) -> str:
    if abs(value) >= 10 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _category(value) -> str:
    return str(value).replace("<br>", " ")


class PlotlyFinder(BaseFinder):
    """Serves plotly.min.js from the installed plotly package as ``vendor/plotly.min.js``,
    without exposing the rest of the package's data files."""

    def __init__(self, *args, **kwargs):
        self.storage = FileSystemStorage(location=str(PLOTLY_JS.parent))

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path == PLOTLY_STATIC_PATH:
            return [str(PLOTLY_JS)] if find_all else str(PLOTLY_JS)
        return []

    def list(self, ignore_patterns):
        yield PLOTLY_JS.name, _PrefixedStorage(self.storage, "vendor")


class _PrefixedStorage:
    """Makes collectstatic copy the file under ``vendor/``."""

    def __init__(self, storage, prefix):
        self._storage, self.prefix = storage, prefix

    def __getattr__(self, name):
        return getattr(self._storage, name)
