"""One period everywhere: "the last 12 months" counts the same days on the dashboard, the loyalty
page, its CSV export, the API and the Today page's NPS."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from culturegap.dashboard import selectors
from culturegap.loyalty import selectors as loyalty
from culturegap.loyalty.tests.factories import SurveyCampaignFactory, SurveyResponseFactory
from culturegap.org.figures import months_before, period_bounds
from culturegap.org.scope import company_today, company_zone


def _answer(campaign, day: datetime.date, score: int, hour: int = 12):
    at = datetime.datetime.combine(day, datetime.time(hour), company_zone(campaign.company))
    return SurveyResponseFactory(campaign=campaign, score=score, answered_at=at)


@pytest.fixture
def boundary(company):
    """Answers on the days around the period's edges: the day before its first day (outside),
    its first day (12 months ago exactly), the day after, and today."""
    today = company_today(company)
    first = months_before(today, 12)
    campaign = SurveyCampaignFactory(company=company)
    _answer(campaign, first - datetime.timedelta(days=1), 0, hour=23)
    _answer(campaign, first, 10, hour=0)
    _answer(campaign, first + datetime.timedelta(days=1), 9)
    _answer(campaign, today, 3, hour=0)
    return first, today


# Counted: 10, 9, 3 → 2 promoters, 1 detractor of 3 → NPS 100 × (2 − 1) / 3 = 33.3. Starting a
# day later (the loyalty page's old 365-day window) would have counted 9 and 3 only: NPS 0.
COUNTED = 3
NPS = 100 / 3


def test_the_period_is_the_same_day_a_year_ago_to_today(company, boundary):
    first, today = boundary
    assert period_bounds(company, "12m") == (first, today)
    assert first.day == today.day or first.month == 2  # clamped only at the end of February
    assert (first.year, first.month) == (today.year - 1, today.month)


def test_every_surface_counts_the_same_answers(client, api, tokens, staff, company, boundary):
    first, today = boundary
    executive = staff["executive"]

    scope = selectors.scope_for(viewer=executive, params={})
    assert (scope.start, scope.end) == (first, today)
    section = selectors.loyalty_section(scope, timezone.now(), cached=False)
    assert section.nps.responses == COUNTED
    assert section.nps.nps == pytest.approx(NPS)

    client.force_login(executive)
    page = client.get(reverse("loyalty:dashboard"))
    figures = page.context["figures"]
    assert (figures.start, figures.end) == (first, today)
    assert figures.overall.responses == COUNTED
    assert figures.overall.nps == pytest.approx(NPS)

    exported = client.get(reverse("loyalty:export"), {"table": "nps_trend"})
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert sum(int(row["Responses"]) for row in rows) == COUNTED

    body = api(tokens["executive"]).get("/api/v1/loyalty/nps").json()
    assert (body["since"], body["until"]) == (first.isoformat(), today.isoformat())
    assert body["responses"] == COUNTED
    assert body["nps"] == pytest.approx(NPS)
    listed = api(tokens["executive"]).get("/api/v1/loyalty/responses", {"period": "12m"}).json()
    assert listed["count"] == COUNTED
    dashboard = api(tokens["executive"]).get("/api/v1/dashboard").json()
    assert (dashboard["start"], dashboard["end"]) == (first.isoformat(), today.isoformat())
    assert dashboard["loyalty"]["responses"] == COUNTED

    assert loyalty.company_nps(company=company).responses == COUNTED


def test_shorter_periods_count_from_the_same_day_months_back(api, tokens, company, boundary):
    _, today = boundary
    three = months_before(today, 3)
    body = api(tokens["executive"]).get("/api/v1/loyalty/nps", {"period": "3m"}).json()
    assert body["since"] == three.isoformat()
    assert body["responses"] == 1  # today's 3 only
    listed = api(tokens["executive"]).get("/api/v1/loyalty/responses", {"period": "3m"}).json()
    assert listed["count"] == 1


def test_a_period_and_days_together_are_refused(api, tokens, boundary):
    response = api(tokens["executive"]).get(
        "/api/v1/loyalty/responses", {"period": "12m", "since": "2025-01-01"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "period"
    assert api(tokens["executive"]).get("/api/v1/loyalty/nps", {"period": "1y"}).status_code in (
        400,
        422,
    )


def test_the_tables_say_which_periods_are_partial(staff, company, boundary):
    first, today = boundary
    scope = selectors.scope_for(viewer=staff["executive"], params={})
    labels = [row[0] for row in selectors.loyalty_section(scope, timezone.now()).trend_table.rows]
    # The answers fall in the quarter of ``first`` (cut at its start unless it is the quarter's
    # first day) and today's quarter (cut at today unless today is its last day).
    assert len(labels) == 2
    assert labels[0].startswith(f"{first.year} Q{(first.month - 1) // 3 + 1}")
    if first.day != 1 or first.month not in (1, 4, 7, 10):
        assert labels[0].endswith(f", from {first.day} {first:%b}")
    assert labels[1].startswith(f"{today.year} Q{(today.month - 1) // 3 + 1}")
