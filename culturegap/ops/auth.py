"""Login throttling: django-axes counts failed sign-ins per e-mail and address."""

from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses sign-ins while their e-mail and address are locked out.

    Every sign-in over HTTP passes the request, so every one is counted. ``authenticate()``
    called without a request (Django's test client ``login()``, scripts) has no address to
    count and is left to the next backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_username(request, credentials) -> str | None:
    """The e-mail the attempt was for, as stored (lower case), so ``Ann@x`` and ``ann@x``
    count as one."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username")
    return username.strip().lower() if isinstance(username, str) else username
