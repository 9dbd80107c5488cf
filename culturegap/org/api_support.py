"""What every feature's API router shares: role checks, the error body, text and date parameters,
and limit/offset pagination."""

import datetime
from collections.abc import Callable
from functools import wraps
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Schema
from pydantic import AfterValidator, create_model

from culturegap.org.figures import PERIODS, period_bounds
from culturegap.org.models import Company, Person, Role

# Pagination: ``limit`` defaults to DEFAULT_LIMIT and may not exceed MAX_LIMIT.
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 10_000_000

# Ids in paths and bodies: the databases' 64-bit keys.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

ANY_ROLE = tuple(Role.values)


# --- errors ------------------------------------------------------------------------------------


class FieldError(Schema):
    field: str = Field(description="The parameter or body field, e.g. `customers.2.since`.")
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = Field(default_factory=list)


class ApiError(Exception):
    """An error answered with ``{"detail": ..., "errors": [...]}``."""

    def __init__(self, status: int, detail: str, errors: dict[str, str] | None = None):
        self.status = status
        self.detail = detail
        self.errors = errors or {}
        super().__init__(detail)


def field_errors(errors: dict[str, str], status: int = 400) -> ApiError:
    problems = "; ".join(f"{field}: {message}" for field, message in errors.items())
    return ApiError(status, f"Some fields are not valid. {problems}", errors)


# Statuses every authenticated operation may answer with.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}


def responses(ok: dict, *extra: int) -> dict:
    """An operation's ``response=``: its success statuses and every error status it may use."""
    return {**ok, **ERRORS, **{status: ErrorOut for status in extra}}


# --- text without characters a database cannot store --------------------------------------------


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains a character that is not valid Unicode text") from None
    return value


def _one_line(value: str) -> str:
    _storable(value)
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise ValueError("contains a control character (such as a line break or tab)")
    return value


Text = Annotated[str, AfterValidator(_storable)]
Line = Annotated[str, AfterValidator(_one_line)]


# --- roles --------------------------------------------------------------------------------------


def person_of(request: HttpRequest) -> Person:
    """The person the request acts for: the API's authentication leaves the token on
    ``request.auth``, and a token acts for its owner."""
    return request.auth.person


def allow(*roles: str) -> Callable:
    """The roles that may call an operation (any one of them); others get 403. The set is kept
    on the function as ``allowed_roles`` for the API's permission matrix."""
    unknown = set(roles) - set(Role.values)
    if unknown or not roles:
        raise ValueError(f"Unknown roles: {sorted(unknown)}")

    def decorator(func: Callable) -> Callable:
        @wraps(func)
        def wrapped(request, *args, **kwargs):
            person = person_of(request)
            if not any(person.has_role(role) for role in roles):
                raise ApiError(403, "Your roles do not allow this operation.")
            return func(request, *args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)
        return wrapped

    return decorator


# --- pagination and dates -----------------------------------------------------------------------


class PageQuery(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")


# Dates outside these bounds are refused: nothing in the data is older, and the day after
# ``until`` (the end of the period) must still be a date.
EARLIEST_DAY = datetime.date(1900, 1, 1)
LATEST_DAY = datetime.date(2999, 12, 31)


PeriodName = Literal[tuple(PERIODS)]  # type: ignore[valid-type]


class PeriodQuery(PageQuery):
    period: PeriodName | None = Field(
        None,
        description=(
            "3m, 6m, 12m or 24m: from the same day that many months ago to today, both "
            "included, in the company's time zone (as on the dashboard); instead of since/until."
        ),
    )
    since: datetime.date | None = Field(
        None, ge=EARLIEST_DAY, le=LATEST_DAY, description="From this day (inclusive)."
    )
    until: datetime.date | None = Field(
        None, ge=EARLIEST_DAY, le=LATEST_DAY, description="Up to this day (inclusive)."
    )


def check_period(since: datetime.date | None, until: datetime.date | None) -> None:
    if since is not None and until is not None and since > until:
        raise field_errors({"until": f"{until} is before since ({since})."})


def resolve_period(query: PeriodQuery, company: Company) -> None:
    """Fills ``query.since``/``query.until`` from ``query.period`` (``period_bounds``, the one
    definition every page and export uses) and checks the days are in order."""
    if query.period is not None:
        if query.since is not None or query.until is not None:
            raise field_errors({"period": "give either period or since/until, not both."})
        query.since, query.until = period_bounds(company, query.period)
    check_period(query.since, query.until)


def page_of(item: type, name: str) -> type[Schema]:
    """The schema of one page of ``item``: ``count`` (all matching), ``limit``, ``offset``,
    ``items``."""
    return create_model(
        name,
        __base__=Schema,
        count=(int, ...),
        limit=(int, ...),
        offset=(int, ...),
        items=(list[item], ...),
    )


def paginate(items, page: PageQuery, *, convert: Callable | None = None) -> dict:
    """One page of a queryset (or list), with the count of all matching items."""
    count = items.count() if hasattr(items, "count") and not isinstance(items, list) else len(items)
    chunk = list(items[page.offset : page.offset + page.limit])
    if convert is not None:
        chunk = convert(chunk)
    return {"count": count, "limit": page.limit, "offset": page.offset, "items": chunk}
