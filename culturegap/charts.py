"""Charts drawn in the browser by the Plotly JavaScript that ships inside the plotly package.

A view builds a figure with plotly's Python API and passes ``chart(figure)`` to its template;
``static/culturegap/charts.js`` draws every ``[data-figure]`` element, so pages carry no inline
scripts and need no internet access.
"""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage
from django.utils.html import format_html

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PLOTLY_STATIC_PATH = "vendor/plotly.min.js"

BRAND_COLOURS = ["#1f5fbf", "#f0b400", "#1b7f4b", "#b3261e", "#6b4fbb", "#0f8b8d", "#5b6478"]


def chart(figure, *, label: str, height: int = 320):
    """The HTML of one chart: a div holding the figure as JSON, and an accessible label."""
    figure.update_layout(
        height=height,
        margin={"l": 40, "r": 16, "t": 24, "b": 40},
        colorway=BRAND_COLOURS,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"family": "system-ui, sans-serif", "size": 13},
    )
    return format_html(
        '<div class="chart" role="img" aria-label="{}" data-figure="{}"></div>',
        label,
        figure.to_json(),
    )


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
