"""Markdown is rendered and sanitised."""

from culturegap.text import reading_minutes, render_markdown


def test_markdown_renders_headings_lists_and_emphasis():
    html = render_markdown("## Listen\n\n- **first** point\n- second")
    assert "<h2>Listen</h2>" in html and "<strong>first</strong>" in html and "<li>" in html


def test_script_tags_are_never_rendered_as_html():
    html = render_markdown("Hello <script>alert(1)</script> <img src=x onerror=alert(2)>")
    assert "<script" not in html and "<img" not in html


def test_javascript_links_are_removed():
    html = render_markdown("[click](javascript:alert(1))")
    assert 'href="javascript' not in html and "<a" not in html


def test_reading_minutes():
    assert reading_minutes("word " * 400) == 2
    assert reading_minutes("") == 1
