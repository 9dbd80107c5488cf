"""Template filters shared by every app: ``{% load culturegap %}``."""

from django import template

from culturegap.text import reading_minutes, render_markdown

register = template.Library()


@register.filter
def markdown(text: str):
    return render_markdown(text)


@register.filter
def minutes_to_read(text: str) -> int:
    return reading_minutes(text)
