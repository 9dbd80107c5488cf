"""Who may open which page: every view declares the roles it serves.

``roles_required("admin", "manager")`` lets in a signed-in member of a company who holds any of
those roles; others get 403, anonymous visitors go to the login page. ``public`` marks a view
anyone may open (login, survey links). The permission-matrix test walks the URL conf and fails
on any view that declares neither, so a new page cannot be left unguarded.

Company isolation is not decided here: views fetch objects through selectors that filter by
``request.user.company``, so another company's object is a 404.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from culturegap.org.models import ROLE_FIELDS, Role

ANY_ROLE = tuple(Role.values)


def roles_required(*roles: str) -> Callable:
    unknown = set(roles) - set(Role.values)
    if unknown or not roles:
        raise ValueError(f"Unknown roles: {sorted(unknown)}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.company_id is None or not any(user.has_role(role) for role in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)
        return wrapped

    return decorator


def public(view: Callable) -> Callable:
    view.allowed_roles = None
    view.is_public = True
    return view


def roles_context(request: HttpRequest) -> dict:
    """Template flags such as ``role.admin`` for menus; empty for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.company_id is None:
        return {"role": {}}
    return {"role": {role: getattr(user, field) for role, field in ROLE_FIELDS.items()}}
