"""What every figure page shares: the period (one definition for the dashboard, the loyalty page,
the API and the CSV exports), the scope, the tables pages and CSV exports show, the figures kept
a few minutes, rounding and how numbers are written."""

import datetime
import decimal
import hashlib
import math
from dataclasses import dataclass, field

from django.core.cache import cache
from django.http import Http404

from culturegap.org.models import Company, Person, Team
from culturegap.org.scope import company_today, company_zone, sees_whole_company, teams_visible_to

# Period filter: value → (label, months back from today).
PERIODS = {
    "3m": ("Last 3 months", 3),
    "6m": ("Last 6 months", 6),
    "12m": ("Last 12 months", 12),
    "24m": ("Last 24 months", 24),
}
DEFAULT_PERIOD = "12m"
NO_TEAM = "No team"


class BadFilter(ValueError):
    """A filter parameter that cannot be used; ``field`` names it."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


@dataclass(frozen=True)
class Scope:
    """What the page shows: a company, the teams (None: the whole company) and a period."""

    company: Company
    team_ids: frozenset[int] | None
    team: Team | None
    period: str
    start: datetime.date
    end: datetime.date  # today, included

    @property
    def period_label(self) -> str:
        return PERIODS[self.period][0]


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` months earlier (clamped to the month's last day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def period_bounds(
    company: Company, period: str = DEFAULT_PERIOD, *, today: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """The first and last day of ``period`` ("3m", "6m", "12m", "24m"), both included: from the
    same day N months before the company's today (clamped to the month's last day) to today.
    Every page, export and API answer that says "last 12 months" counts these days."""
    if period not in PERIODS:
        raise BadFilter("period", f"choose one of {', '.join(PERIODS)}, not {period[:40]!r}.")
    last = today or company_today(company)
    return months_before(last, PERIODS[period][1]), last


def scope_for(*, viewer: Person, params, today: datetime.date | None = None) -> Scope:
    """The scope from the page's GET parameters ``team`` and ``period``. A malformed value is a
    BadFilter; a team the viewer may not see (another company's, outside a manager's line) is a
    404, so a manager cannot widen the page by editing the address."""
    period = params.get("period") or DEFAULT_PERIOD
    start, today = period_bounds(viewer.company, period, today=today)
    visible = teams_visible_to(viewer=viewer)
    team_ids = (
        None if sees_whole_company(viewer) else frozenset(visible.values_list("pk", flat=True))
    )
    team = None
    raw_team = params.get("team") or ""
    if raw_team:
        if not raw_team.isascii() or not raw_team.isdigit() or len(raw_team) > 12:
            raise BadFilter("team", f"a team id is a whole number, not {raw_team[:40]!r}.")
        team = visible.filter(pk=int(raw_team)).first()
        if team is None:
            raise Http404("No such team.")
        team_ids = frozenset({team.pk})
    return Scope(viewer.company, team_ids, team, period, start, today)


def in_scope(queryset, scope: Scope, team_field: str):
    """``queryset`` narrowed to the scope's teams through ``team_field``."""
    if scope.team_ids is None:
        return queryset
    return queryset.filter(**{f"{team_field}__in": scope.team_ids})


def day_bounds(scope: Scope) -> tuple[datetime.datetime, datetime.datetime]:
    """The period as instants: from the first day's start to the end of today, company time."""
    zone = company_zone(scope.company)
    since = datetime.datetime.combine(scope.start, datetime.time(), zone)
    until = datetime.datetime.combine(scope.end + datetime.timedelta(days=1), datetime.time(), zone)
    return since, until


def team_names(company: Company) -> dict[int | None, str]:
    """team id → name, with None for the people in no team."""
    names = dict(Team.objects.filter(company=company).values_list("pk", "name"))
    names[None] = NO_TEAM
    return names


def by_name(names: dict, keys) -> list:
    """Team ids in the order of their names, "No team" last."""
    return sorted(keys, key=lambda key: (key is None, names.get(key, "")))


def rounded(value: float | None, digits: int = 1):
    return None if value is None else round(value, digits)


def percent(part: int, whole: int):
    """100 × part / whole to one decimal; None when there is no whole."""
    return None if not whole else round(100 * part / whole, 1)


def mean(values):
    """The mean of the values that are not None; None when there are none."""
    values = [value for value in values if value is not None]
    return sum(values) / len(values) if values else None


# --- how numbers are written ---------------------------------------------------------------------

# How a table column is written on the page: a number of decimals, or MONEY (whole units of the
# company's currency). Counts take 0 decimals, NPS and percentages 1.
COUNT, NPS, PERCENT, RATIO = 0, 1, 1, 2
MONEY = "money"

# Symbols written before the amount; other currencies are written with their code.
CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


def format_number(value, decimals: int = 0) -> str:
    """``1234567.891`` → "1,234,567.9" with ``decimals=1``: thousands separated by commas and
    exactly ``decimals`` decimals, rounded as Python's format rounds; None → "–"; never
    "-0.0"."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]
    return text


def money_decimals(value) -> int:
    """0 for a whole amount, 2 otherwise: "£4,800" but "£4,800.50"."""
    return 0 if value == int(value) else 2


def format_money(value, currency: str, decimals: int | None = 0) -> str:
    """``4800`` in GBP → "£4,800"; in CHF → "CHF 4,800". ``decimals=None``: 0 for a whole
    amount, 2 otherwise. None → "–"."""
    if value is None:
        return "–"
    if decimals is None:
        decimals = money_decimals(value)
    number = format_number(abs(value), decimals)
    sign = "-" if value < 0 and number.strip("0.,") else ""
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{currency} {number}"


def format_cell(value, spec: int | str | None, currency: str | None = None) -> str:
    """A table cell as the page writes it: ``spec`` decimals, MONEY, or None to write a number
    with as many decimals as it was rounded to; text as it is; None as a dash."""
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float | decimal.Decimal):
        return str(value)
    if not isinstance(value, int) and not math.isfinite(value):
        return str(value)
    if spec == MONEY:
        return format_money(value, currency or "")
    if spec is None:
        if isinstance(value, int):
            spec = 0
        else:
            text = str(value)
            if "e" in text or "E" in text:  # too large or small to write out: as it is
                return text
            spec = len(text.partition(".")[2])
    return format_number(value, spec)


@dataclass
class Table:
    """A table of figures: the page and its CSV export show exactly these rows. Cells are
    strings, whole numbers, numbers rounded for reading, or None (shown as a dash, empty in
    CSV). ``formats`` says how the page writes each column (see ``format_cell``; missing: as
    rounded); a table with MONEY columns names its ``currency``, as do those columns'
    headers."""

    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    formats: tuple = ()
    currency: str | None = None

    def column_format(self, index: int):
        return self.formats[index] if index < len(self.formats) else None


# Two figures cost most of the page's queries on a large company and move slowly: each
# person's predicted recall (FSRS retrievability steps once a day per card) and the customers'
# active services (changed by imports). Each scope keeps them this long; the page says when
# they were computed.
SLOW_FIGURES_SECONDS = 600


@dataclass(frozen=True)
class Kept:
    """A figure and the moment it was computed."""

    computed_at: datetime.datetime
    value: object


def kept(key: str, now: datetime.datetime, compute, *, cached: bool = True) -> Kept:
    """The figure under ``key`` if computed less than SLOW_FIGURES_SECONDS ago, else computed
    now (and kept). ``cached=False`` always computes."""
    if not cached:
        return Kept(now, compute())
    found = cache.get(key)
    if found is None:
        found = Kept(now, compute())
        cache.set(key, found, SLOW_FIGURES_SECONDS)
    return found


def scope_key(name: str, scope: Scope, *parts) -> str:
    """The cache key of figure ``name`` for this company, these teams and ``parts``."""
    teams = "all" if scope.team_ids is None else ",".join(map(str, sorted(scope.team_ids)))
    stamp = scope.company.created_at.timestamp()
    text = f"{scope.company.pk}:{stamp}:{teams}:{parts}"
    return f"dashboard:{name}:" + hashlib.sha256(text.encode()).hexdigest()
