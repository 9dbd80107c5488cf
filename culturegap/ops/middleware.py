"""Security headers that Django 5.2 does not set by itself, and a clean answer while the
database is unreachable."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse

logger = logging.getLogger(__name__)

# Pages load scripts and styles from the site only and carry no inline scripts. Inline styles
# stay allowed: plotly draws charts with style attributes and htmx adds its indicator style.
DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    """Adds ``Content-Security-Policy`` to every response that has none."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class DatabaseUnavailableMiddleware:
    """A request that fails because the database cannot be reached (restarting, failing over)
    answers 503 with ``Retry-After`` and a short page, not a 500: the client may retry, and
    the next request reconnects (``CONN_HEALTH_CHECKS``)."""

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable for %s: %s", request.path, exception)
        response = HttpResponse(
            "<!doctype html><title>Back in a moment</title>"
            "<h1>Back in a moment</h1><p>The service is briefly unavailable. "
            "Please try again in a few seconds.</p>",
            status=503,
        )
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response
