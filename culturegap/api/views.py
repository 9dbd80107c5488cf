"""Pages where a person creates and revokes their personal API tokens."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from culturegap.api import services
from culturegap.api.auth import RATE_LIMIT_PER_MINUTE
from culturegap.api.forms import TokenForm
from culturegap.org.access import ANY_ROLE, roles_required


def _page(request, form, *, created=None, status=200):
    context = {
        "form": form,
        "tokens": services.tokens_of(person=request.user),
        "created": created,
        "rate_limit": RATE_LIMIT_PER_MINUTE,
    }
    return render(request, "api/tokens.html", context, status=status)


@roles_required(*ANY_ROLE)
@never_cache
@require_http_methods(["GET", "POST"])
def token_list(request):
    """The person's tokens and a form for a new one; the new token's secret is shown on the
    answer to the POST only (it is not stored, so it cannot be shown again)."""
    if request.method != "POST":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            created = services.create_token(person=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            return _page(request, TokenForm(), created=created, status=201)
    return _page(request, form, status=400)


@roles_required(*ANY_ROLE)
@require_http_methods(["GET", "POST"])
def token_revoke(request, pk: int):
    token = get_object_or_404(services.tokens_of(person=request.user), pk=pk)
    if request.method != "POST":
        return redirect("tokens:list")
    services.revoke_token(token=token, actor=request.user)
    messages.success(request, f"Token “{token.name}” revoked: it no longer opens the API.")
    return redirect("tokens:list")
