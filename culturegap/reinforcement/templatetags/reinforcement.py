"""Template filters of the reinforcement pages."""

from django import template

register = template.Library()


@register.filter
def percent(value) -> str:
    """0.834 → "83 %"; None → "–" (no cards yet, which is not the same as 0 %)."""
    if value is None or value == "":
        return "–"
    return f"{float(value):.0%}"
