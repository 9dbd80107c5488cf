"""Template tags of the culture app: whether the menu offers the open survey."""

from django import template

from culturegap.culture.selectors import open_wave_for_viewer

register = template.Library()


@register.simple_tag(takes_context=True)
def culture_open_wave(context):
    """The open wave the signed-in person has not answered yet, or None."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.company_id:
        return None
    return open_wave_for_viewer(user)
