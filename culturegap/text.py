"""Markdown written by authors, rendered to HTML that is safe to show (no scripts, no handlers)."""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "code", "pre",
    "hr", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def render_markdown(text: str) -> SafeString:
    """Markdown → sanitised HTML. Raw HTML in the source is escaped by the parser and anything
    that slips through is removed by nh3, so a lesson with a script tag never runs it."""
    html = _markdown.render(text or "")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)  # nh3 has removed everything unsafe


def reading_minutes(text: str, words_per_minute: int = 200) -> int:
    """Estimated reading time in whole minutes (at least one)."""
    return max(1, round(len((text or "").split()) / words_per_minute))
