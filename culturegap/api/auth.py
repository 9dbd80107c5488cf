"""Who may call the API and how often: personal-token authentication and the per-token rate
limit."""

import math
import time

from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from culturegap.api import services
from culturegap.api.models import ApiToken

# Requests one token may make per minute (fixed one-minute windows, counted in the cache).
RATE_LIMIT_PER_MINUTE = 600
RATE_WINDOW_SECONDS = 60


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``. A revoked token, or one whose owner left (inactive or
    without a company), is refused like an unknown one: 401."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        secret = token.strip()
        if not secret:
            return None
        api_token = services.token_for_secret(secret)
        if api_token is None or not api_token.is_active:
            return None
        person = api_token.person
        if not person.is_active or person.company_id != api_token.company_id:
            return None
        services.note_use(api_token)
        request.user = person
        return api_token


class TokenRateThrottle(BaseThrottle):
    """At most RATE_LIMIT_PER_MINUTE requests per token per minute; over it, 429 with
    Retry-After (the seconds left in the minute). Counted in Django's cache, so all server
    processes share the count when the cache is Redis."""

    def allow_request(self, request: HttpRequest) -> bool:
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return True
        window = int(time.time() // RATE_WINDOW_SECONDS)
        key = f"api-rate:{token.secret_hash[:24]}:{window}"
        cache.add(key, 0, timeout=RATE_WINDOW_SECONDS * 2)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=RATE_WINDOW_SECONDS * 2)
            count = 1
        return count <= RATE_LIMIT_PER_MINUTE

    def wait(self) -> float:
        return max(1, math.ceil(RATE_WINDOW_SECONDS - time.time() % RATE_WINDOW_SECONDS))
