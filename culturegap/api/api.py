"""The JSON API under /api/v1/: one NinjaAPI with a router per capability."""

from pathlib import Path

import ninja
from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger

from culturegap.api.auth import TokenAuth, TokenRateThrottle
from culturegap.org.access import public
from culturegap.org.api_support import ApiError

NINJA_STATIC = Path(ninja.__file__).parent / "static" / "ninja"
# The files the interactive docs load, served from the installed django-ninja package so the
# page works without internet access and nothing is copied into the repository.
DOCS_ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "favicon.png": "image/png",
}


class LocalSwagger(Swagger):
    """Swagger UI from this site, never from a CDN."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {"swagger_settings": self.settings, "api": api}
        return render(request, "api/swagger.html", context)


@public
@cache_control(max_age=86400, public=True)
def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in DOCS_ASSETS:
        raise Http404
    return FileResponse(open(NINJA_STATIC / name, "rb"), content_type=DOCS_ASSETS[name])


class CulturegapAPI(NinjaAPI):
    """The NinjaAPI whose operation ids stay those it was published with."""

    def get_openapi_operation_id(self, operation) -> str:
        # Clients generated from the schema name their functions after the operation ids, which
        # ninja derives from the view's module: the routers used to live in
        # culturegap.api.routers.<app>, and the ids keep that name now that each app owns its
        # router in culturegap.<app>.api.
        module = operation.view_func.__module__
        app = module.removeprefix("culturegap.").removesuffix(".api")
        if module == f"culturegap.{app}.api" and "." not in app:
            return f"culturegap_api_routers_{app}_{operation.view_func.__name__}"
        return super().get_openapi_operation_id(operation)


api = CulturegapAPI(
    title="culturegap API",
    version="1",
    description=(
        "Teams, people, customers, training, reinforcement, coaching, opportunities, loyalty "
        "and the culture survey of one company. Authenticate with a personal token: "
        "`Authorization: Bearer <token>` (create one under *API tokens*). See docs/api.md."
    ),
    auth=TokenAuth(),
    throttle=[TokenRateThrottle()],
    urls_namespace="api",
    docs=LocalSwagger(),
    docs_url="docs",
    openapi_url="openapi.json",
)


def _error(request, status: int, detail: str, errors: dict | list | None = None):
    if isinstance(errors, dict):
        errors = [{"field": field, "message": message} for field, message in errors.items()]
    return api.create_response(request, {"detail": detail, "errors": errors or []}, status=status)


def _location(loc) -> str:
    """``("body", "payload", "customers", 2, "since")`` → ``customers.2.since``; query and path
    parameters keep their own name."""
    parts = [str(part) for part in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        where, parts = parts[0], parts[1:]
        if where == "body" and parts:
            parts = parts[1:]  # the operation's name for the body
        return ".".join(parts) or where
    return ".".join(parts) or "body"


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc: NinjaValidationError):
    errors = []
    for error in exc.errors:
        message = error.get("msg", "is not valid")
        # pydantic prefixes messages of custom validators with "Value error, ".
        message = message.removeprefix("Value error, ")
        errors.append({"field": _location(error.get("loc", ())), "message": message})
    fields = ", ".join(dict.fromkeys(error["field"] for error in errors))
    return _error(request, 400, f"Some fields are not valid: {fields}.", errors)


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return _error(request, exc.status, exc.detail, exc.errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = _error(
        request, 401, "Authentication required: send Authorization: Bearer <token>, a valid token."
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    detail = str(exc)
    if exc.status_code == 429:
        detail = "Too many requests for this token: wait for the time in Retry-After."
    return _error(request, exc.status_code, detail)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, "Not found.")


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _error(request, 403, str(exc) or "Your roles do not allow this operation.")


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _error(
        request, 400, f"The request body is larger than {limit:,} bytes: send fewer items."
    )


@api.exception_handler(DjangoValidationError)
def _rule_broken(request, exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        errors = {field: " ".join(messages) for field, messages in exc.message_dict.items()}
        return _error(request, 400, "Some fields are not valid.", errors)
    return _error(request, 400, " ".join(exc.messages))


def _register_routers() -> None:
    from culturegap.coaching.api import router as coaching
    from culturegap.culture.api import router as culture
    from culturegap.dashboard.api import router as dashboard
    from culturegap.loyalty.api import router as loyalty
    from culturegap.opportunities.api import router as opportunities
    from culturegap.org.api import router as org
    from culturegap.reinforcement.api import router as reinforcement
    from culturegap.training.api import router as training

    # The routers' order is the order of the operations in the schema and the docs.
    for router in (
        org,
        training,
        reinforcement,
        coaching,
        opportunities,
        loyalty,
        culture,
        dashboard,
    ):
        api.add_router("", router)


_register_routers()
