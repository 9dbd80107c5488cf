"""``{% ecoach_unseen as n %}``: how many coach answers the signed-in person has not read."""

from django import template

from culturegap.ecoach.selectors import unseen_answers

register = template.Library()


@register.simple_tag(takes_context=True)
def ecoach_unseen(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.company_id:
        return 0
    cached = getattr(request, "_ecoach_unseen", None)
    if cached is None:
        cached = request._ecoach_unseen = unseen_answers(person=user)
    return cached
