"""Measures of customer loyalty: NPS, services per customer over time, retention, segments and
the profit-impact estimate. Pure functions over plain values; the queries live in
``culturegap.loyalty.selectors``.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from culturegap.measures.customers import services_per_customer

PROMOTER = "promoter"
PASSIVE = "passive"
DETRACTOR = "detractor"
CATEGORIES = (PROMOTER, PASSIVE, DETRACTOR)

ONE_SERVICE = "one"
SEVERAL_SERVICES = "several"

MONTH = "month"
QUARTER = "quarter"
GRANULARITIES = (MONTH, QUARTER)


def score_category(score: int) -> str:
    """Promoter for 9–10, passive for 7–8, detractor for 0–6; ValueError outside 0–10."""
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 10:
        raise ValueError(f"A likelihood-to-recommend score is a whole number 0–10, not {score!r}.")
    if score >= 9:
        return PROMOTER
    if score >= 7:
        return PASSIVE
    return DETRACTOR


@dataclass(frozen=True)
class NpsSummary:
    """How many answered, how many in each category, and the NPS (None without answers)."""

    responses: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None


def nps_summary(scores: Iterable[int]) -> NpsSummary:
    """Net Promoter Score of 0–10 answers.

    NPS = 100 × promoters / responses − 100 × detractors / responses, where promoters score
    9–10 and detractors 0–6 (passives, 7–8, count only in the denominator). It runs from −100
    (all detractors) to +100 (all promoters); all passives give 0; no responses give None.
    """
    counts = Counter(score_category(score) for score in scores)
    responses = sum(counts.values())
    value = None
    if responses:
        value = 100 * (counts[PROMOTER] - counts[DETRACTOR]) / responses
    return NpsSummary(
        responses=responses,
        promoters=counts[PROMOTER],
        passives=counts[PASSIVE],
        detractors=counts[DETRACTOR],
        nps=value,
    )


def nps(scores: Iterable[int]) -> float | None:
    """NPS = % promoters (9–10) − % detractors (0–6); None without responses. See nps_summary."""
    return nps_summary(scores).nps


def nps_by_group(pairs: Iterable[tuple[Hashable, int]]) -> dict[Hashable, NpsSummary]:
    """NPS per group from (group, score) pairs: the NPS formula applied to each group's scores
    alone. A response that belongs to several groups (a customer buying two service lines) is
    passed once per group. Groups come back in the order of their first pair."""
    scores: dict[Hashable, list[int]] = defaultdict(list)
    for group, score in pairs:
        scores[group].append(score)
    return {group: nps_summary(group_scores) for group, group_scores in scores.items()}


def period_start(day: datetime.date, granularity: str = QUARTER) -> datetime.date:
    """The first day of the calendar month or quarter holding ``day``."""
    if granularity == MONTH:
        return day.replace(day=1)
    if granularity == QUARTER:
        return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(f"Unknown period {granularity!r}: use one of {GRANULARITIES}.")


def period_label(start: datetime.date, granularity: str = QUARTER) -> str:
    """ "2025 Q3" for a quarter, "Jul 2025" for a month."""
    if granularity == QUARTER:
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    return start.strftime("%b %Y")


def period_end(start: datetime.date, granularity: str = QUARTER) -> datetime.date:
    """The last day of the calendar month or quarter that begins on ``start``."""
    months = 1 if granularity == MONTH else 3
    month = start.month - 1 + months
    return datetime.date(start.year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)


def window_period_label(
    start: datetime.date,
    granularity: str = QUARTER,
    *,
    first_day: datetime.date,
    last_day: datetime.date,
) -> str:
    """``period_label`` of the month or quarter beginning on ``start``, saying when the window
    [first_day, last_day] covers only part of it: "2025 Q4, from 4 Dec" for the first quarter
    of a window opening on 4 December, "Dec 2026, to 4 Dec" for the current month, "Dec 2026,
    4 Dec to 20 Dec" when both ends cut it."""
    label = period_label(start, granularity)
    cut_start = first_day > start
    cut_end = last_day < period_end(start, granularity)
    first, last = _day_month(first_day), _day_month(last_day)
    if cut_start and cut_end:
        return f"{label}, {first} to {last}"
    if cut_start:
        return f"{label}, from {first}"
    if cut_end:
        return f"{label}, to {last}"
    return label


def _day_month(day: datetime.date) -> str:
    return f"{day.day} {day:%b}"


def periods_between(
    start: datetime.date, end: datetime.date, granularity: str = QUARTER
) -> list[datetime.date]:
    """First days of every month or quarter that overlaps [start, end], in order."""
    current, last = period_start(start, granularity), period_start(end, granularity)
    found = []
    while current <= last:
        found.append(current)
        step = 1 if granularity == MONTH else 3
        month = current.month - 1 + step
        current = datetime.date(current.year + month // 12, month % 12 + 1, 1)
    return found


def nps_trend(
    dated_scores: Iterable[tuple[datetime.date, int]], granularity: str = QUARTER
) -> list[tuple[datetime.date, NpsSummary]]:
    """NPS per calendar month or quarter from (answer date, score) pairs, oldest first; only
    periods with at least one answer appear (a trend line skips empty periods rather than
    drawing a fake zero)."""
    by_period = nps_by_group((period_start(day, granularity), score) for day, score in dated_scores)
    return sorted(by_period.items())


def is_active_on(started_on: datetime.date, ended_on: datetime.date | None, day) -> bool:
    """A service is bought on ``day`` when it started on or before that day and has not ended
    by then: started_on ≤ day < ended_on (an open service has no end). The end date is the
    first day without the service, as for ``CustomerService.is_active``."""
    return started_on <= day and (ended_on is None or ended_on > day)


ServiceSpan = tuple[Hashable, datetime.date, datetime.date | None]


def active_service_counts_on(spans: Iterable[ServiceSpan], day: datetime.date) -> dict:
    """Customer → number of services active on ``day``, from (customer, started_on, ended_on)
    spans; customers with none that day are left out."""
    counts: dict = {}
    for customer, started_on, ended_on in spans:
        # is_active_on, inlined: this loop runs over every service of a large customer base.
        if started_on <= day and (ended_on is None or ended_on > day):
            counts[customer] = counts.get(customer, 0) + 1
    return counts


def services_per_customer_on(spans: Iterable[ServiceSpan], day: datetime.date) -> float | None:
    """Services per customer on ``day``: services active that day / customers with at least one
    active that day (``services_per_customer`` applied to that day's counts)."""
    return services_per_customer(active_service_counts_on(spans, day).values())


def services_per_customer_trend(
    spans: Iterable[ServiceSpan], days: Iterable[datetime.date]
) -> list[tuple[datetime.date, float | None]]:
    """Services per customer on each of ``days`` (see services_per_customer_on).

    Computed in one sweep through the start and end dates rather than one pass over every
    service per day; the result is the same.
    """
    days = list(days)
    spans = list(spans)
    starts = sorted(((started_on, customer) for customer, started_on, _ in spans), key=_first)
    ends = sorted(
        ((ended_on, customer) for customer, _, ended_on in spans if ended_on is not None),
        key=_first,
    )
    counts: dict = defaultdict(int)
    services = customers = started = ended = 0
    values = {}
    for day in sorted(set(days)):
        # A service counts from its start date until the day before its end date.
        while started < len(starts) and starts[started][0] <= day:
            customer = starts[started][1]
            customers += counts[customer] == 0
            counts[customer] += 1
            services += 1
            started += 1
        while ended < len(ends) and ends[ended][0] <= day:
            customer = ends[ended][1]
            counts[customer] -= 1
            customers -= counts[customer] == 0
            services -= 1
            ended += 1
        values[day] = services / customers if customers else None
    return [(day, values[day]) for day in days]


def _first(pair):
    return pair[0]


@dataclass(frozen=True)
class Retention:
    """Customers active at the start of a period and how many of them still were at its end."""

    start: datetime.date
    end: datetime.date
    at_start: int
    kept: int
    retention: float | None
    churn: float | None


def retention(spans: Iterable[ServiceSpan], start: datetime.date, end: datetime.date) -> Retention:
    """Customer retention and churn over [start, end], from service start and end dates.

    A customer is active on a day when at least one of their services is (see is_active_on).
    retention = customers active on ``start`` who are also active on ``end``
                / customers active on ``start``;
    churn = 1 − retention. Customers won during the period count in neither; a customer who
    dropped one service but kept another is retained; one who left and came back before ``end``
    is retained too. Both are None when nobody was active on ``start``.
    """
    if end < start:
        raise ValueError("The period ends before it starts.")
    spans = list(spans)
    at_start = set(active_service_counts_on(spans, start))
    at_end = set(active_service_counts_on(spans, end))
    kept = len(at_start & at_end)
    rate = kept / len(at_start) if at_start else None
    return Retention(
        start=start,
        end=end,
        at_start=len(at_start),
        kept=kept,
        retention=rate,
        churn=None if rate is None else 1 - rate,
    )


def loyalty_segment(score: int, active_services: int) -> tuple[str, str] | None:
    """(promoter/passive/detractor, "one"/"several") for a customer's score and the number of
    services they buy; None for someone who buys nothing any more."""
    if active_services <= 0:
        return None
    breadth = ONE_SERVICE if active_services == 1 else SEVERAL_SERVICES
    return score_category(score), breadth


def loyalty_segments(customers: Iterable[tuple[int, int]]) -> dict[tuple[str, str], int]:
    """Customers per segment from (score, active services) pairs, one pair per customer.

    Every one of the six segments (3 categories × buys one / several services) is present, zero
    when empty. Customers buying nothing are left out. ("promoter", "one") is the opportunity
    pool: customers who would recommend the company but buy one service only.
    """
    counts = {
        (category, breadth): 0
        for category in CATEGORIES
        for breadth in (ONE_SERVICE, SEVERAL_SERVICES)
    }
    for score, active_services in customers:
        segment = loyalty_segment(score, active_services)
        if segment is not None:
            counts[segment] += 1
    return counts


def response_rate(invited: int, answered: int) -> float | None:
    """answered / invited, as a fraction 0–1; None when nobody was invited."""
    return answered / invited if invited else None


@dataclass(frozen=True)
class ProfitImpact:
    """The profit-impact estimate; money in the company's currency, per year."""

    customers_lost_now: float
    extra_customers_kept: float
    profit_from_retention: float
    profit_from_services: float
    # True when the gain asked for would keep more customers than are lost now.
    gain_capped: bool = False

    @property
    def total(self) -> float:
        return self.profit_from_retention + self.profit_from_services


def profit_impact(
    *,
    customers: float,
    revenue_per_customer: float,
    margin_percent: float,
    retention_percent: float,
    acquisition_cost: float,
    retention_gain_points: float,
    extra_services_per_customer: float,
    service_value: float,
) -> ProfitImpact:
    """Yearly profit from keeping more customers and from selling them more services.

    customers lost now   = customers × (100 − retention %) / 100
    extra customers kept = customers × retention gain (points) / 100, at most the customers
                           lost now (retention cannot pass 100 %)
    profit from retention = extra kept × revenue per customer × margin % / 100
                            + extra kept × cost to acquire a customer
                            (each customer kept is one the company need not win again)
    profit from services  = customers × extra services per customer × average service value
                            × margin % / 100
    """
    lost_now = customers * (100 - retention_percent) / 100
    asked = customers * retention_gain_points / 100
    kept = min(asked, lost_now)
    margin = margin_percent / 100
    return ProfitImpact(
        customers_lost_now=lost_now,
        extra_customers_kept=kept,
        gain_capped=asked > lost_now,
        profit_from_retention=kept * revenue_per_customer * margin + kept * acquisition_cost,
        profit_from_services=customers * extra_services_per_customer * service_value * margin,
    )
