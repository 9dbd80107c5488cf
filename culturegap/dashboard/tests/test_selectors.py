"""Every figure of the dashboard against the hand-built company of conftest.py."""

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from culturegap.dashboard import selectors
from culturegap.org import scope as org_scope
from culturegap.org.tests.factories import (
    CustomerFactory,
    CustomerServiceFactory,
    TeamFactory,
)
from culturegap.reinforcement.models import Card, CardState


def _figures(viewer, **params):
    scope = selectors.scope_for(viewer=viewer, params=params)
    return selectors.dashboard(scope, now=timezone.now())


def _quarter_label(moment: datetime.datetime, company) -> str:
    """The label of the quarter of ``moment`` (today), which the period ends inside unless
    today is the quarter's last day: "2026 Q4, to 4 Dec"."""
    day = timezone.localtime(moment, org_scope.company_zone(company)).date()
    label = f"{day.year} Q{(day.month - 1) // 3 + 1}"
    today = org_scope.company_today(company)
    next_quarter = (today.month - 1) // 3 * 3 + 3  # months into the year where it ends
    last_day = datetime.date(today.year + next_quarter // 12, next_quarter % 12 + 1, 1)
    if today != last_day - datetime.timedelta(days=1):
        label += f", to {today.day} {today:%b}"
    return label


def test_training_figures_by_team(staff, hand_built):
    figures = _figures(staff["executive"])
    # Client Service: Cara, enrolled, completed, certified; pre 50, post 90, gain 40;
    # retention mean(0.9, 0) = 45 %; behaviour (4, 2) → mean 3 → (3 − 1) / 3 × 100 = 66.7;
    # readiness 0.4 × 90 + 0.3 × 45 + 0.3 × 66.67 = 36 + 13.5 + 20 = 69.5; one observation.
    # Tax: Tom, enrolled only; pre 60; knowledge 60 is the only component → readiness 60.
    assert figures.training.table.rows == [
        ["Client Service", 1, 1, 1, 100.0, 50.0, 90.0, 40.0, 45.0, 69.5, 66.7, 1],
        ["Tax", 1, 0, 0, 0.0, 60.0, None, None, None, 60.0, None, 0],
    ]
    training = figures.training
    assert (training.enrolled, training.completed, training.certified) == (2, 1, 1)
    assert training.completion == 50.0
    # pre mean (50 + 60) / 2 = 55; post 90; gain only where both: 40.
    assert (training.pre, training.post, training.gain) == (55.0, 90.0, 40.0)
    # retention over people with cards (Cara): 45 %; readiness mean(69.5, 60) = 64.75.
    assert training.retention == 45.0
    assert training.readiness == 64.8
    assert training.behaviour == 66.7


def test_opportunity_figures_by_team_in_the_period(staff, hand_built):
    figures = _figures(staff["executive"], period="12m")
    # Client Service: 3 found (won 1,000, lost, new) → win rate 1 / (1 + 1) = 50 %;
    # Tax: 1 found, won 500 → 100 %. The one of 13 months ago is outside the period.
    assert figures.opportunities.table.rows == [
        ["Client Service", 3, 1, 1, 1, 50.0, 1000.0],
        ["Tax", 1, 0, 1, 0, 100.0, 500.0],
    ]
    opportunities = figures.opportunities
    assert (opportunities.found, opportunities.won, opportunities.lost) == (4, 2, 1)
    assert opportunities.win_rate == 66.7  # 2 / 3
    assert opportunities.revenue == 1500.0
    longer = _figures(staff["executive"], period="24m").opportunities
    assert (longer.found, longer.won, longer.revenue) == (5, 3, 2200.0)


def test_loyalty_figures(staff, hand_built, company):
    loyalty = _figures(staff["executive"]).loyalty
    # 10, 9, 7, 3, 0: promoters 2, passives 1, detractors 2 → NPS 100 × (2 − 2) / 5 = 0.
    assert (loyalty.nps.responses, loyalty.nps.promoters, loyalty.nps.detractors) == (5, 2, 2)
    assert loyalty.nps.nps == 0
    label = _quarter_label(hand_built["answered"], company)
    assert loyalty.trend_table.rows == [[label, 5, 2, 1, 2, 0.0]]
    # Client Service: 10, 9, 7, 3 → (2 − 1) / 4 = 25; Tax: 0 → −100.
    # Active today: A 2 services (Client Service); B 1, C none (Tax) → 2.0 and 1.0; 3 / 2 = 1.5.
    assert loyalty.team_table.rows == [
        ["Client Service", 4, 25.0, 1, 2.0],
        ["Tax", 1, -100.0, 1, 1.0],
    ]
    assert loyalty.services_per_customer == 1.5
    # Active a year ago: A, B, C; still active today: A, B → 2 / 3.
    assert (loyalty.customers_at_start, loyalty.customers_kept) == (3, 2)
    assert loyalty.retention == 66.7


def test_a_manager_sees_only_the_teams_of_their_line(staff, hand_built):
    figures = _figures(staff["manager"])
    assert [row[0] for row in figures.training.table.rows] == ["Client Service"]
    assert figures.opportunities.found == 3
    assert figures.loyalty.nps.responses == 4
    assert figures.loyalty.retention == 100.0  # only A is served by Client Service


def test_the_team_filter_narrows_an_executive_view(staff, hand_built):
    figures = _figures(staff["executive"], team=str(hand_built["tax"].pk))
    assert [row[0] for row in figures.opportunities.table.rows] == ["Tax"]
    assert figures.loyalty.nps.nps == -100


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "1y"}, "period"),
        ({"period": "12m;drop"}, "period"),
        ({"team": "abc"}, "team"),
        ({"team": "-3"}, "team"),
        ({"team": "٣"}, "team"),
        ({"team": "9" * 40}, "team"),
    ],
)
def test_a_malformed_filter_names_its_parameter(staff, params, field):
    with pytest.raises(selectors.BadFilter) as problem:
        selectors.scope_for(viewer=staff["executive"], params=params)
    assert problem.value.field == field


def test_a_team_outside_the_viewers_reach_is_not_found(staff, hand_built, other_company):
    with pytest.raises(Http404):
        selectors.scope_for(viewer=staff["manager"], params={"team": str(hand_built["tax"].pk)})
    elsewhere = TeamFactory(company=other_company)
    with pytest.raises(Http404):
        selectors.scope_for(viewer=staff["executive"], params={"team": str(elsewhere.pk)})


def test_months_before_clamps_to_the_end_of_the_month():
    assert selectors.months_before(datetime.date(2026, 3, 31), 1) == datetime.date(2026, 2, 28)
    assert selectors.months_before(datetime.date(2026, 1, 15), 12) == datetime.date(2025, 1, 15)


def test_nps_of_counts_is_the_nps_of_the_scores():
    from culturegap.measures.loyalty import nps_summary

    counts = {10: 3, 9: 1, 8: 2, 6: 1, 0: 2}
    scores = [score for score, n in counts.items() for _ in range(n)]
    assert selectors.nps_of_counts(counts) == nps_summary(scores)


def test_culture_gap_by_wave(staff, hand_built, company):
    from culturegap.culture.tests.factories import add_answers, make_wave

    wave = make_wave(company)
    sales_team = staff["sales"].team
    add_answers(wave, sales_team, [(4, 3, 5)] * 5)
    add_answers(wave, hand_built["service_team"], [(3, 3, 4)] * 5)
    add_answers(wave, hand_built["tax"], [(1, 1, 1)] * 2)  # below five: left out
    figures = _figures(staff["executive"])
    # Sales means (4, 3, 5), CRP means (3, 3, 4) → gaps |4 − 3| = 1, 0, |5 − 4| = 1; 10 counted.
    assert figures.culture.available
    assert figures.culture.table.rows == [["Spring survey", "2026-03-02", 10, 1.0, 0.0, 1.0]]
    # The manager's line has no sales team: no gap to show, only their own team counted.
    mine = _figures(staff["manager"]).culture.table.rows
    assert mine == [["Spring survey", "2026-03-02", 5, None, None, None]]


def test_the_nps_panel_has_one_weighted_row_per_team_and_quarter(staff, hand_built, company):
    panel = selectors.nps_panel(selectors.scope_for(viewer=staff["executive"], params={}))
    quarter = selectors.quarter_index(
        timezone.localtime(hand_built["answered"], org_scope.company_zone(company)).date()
    )
    started = selectors.quarter_index(timezone.localdate() - datetime.timedelta(days=100))
    rows = sorted(panel.itertuples(index=False), key=lambda row: row.y)
    # Tax: one 0 → NPS −100, weight 1; Client Service: 10, 9, 7, 3 → 25, weight 4.
    assert [(r.team, r.period, r.y, r.start, r.weight) for r in rows] == [
        (hand_built["tax"].pk, quarter, -100.0, started, 1),
        (hand_built["service_team"].pk, quarter, 25.0, started, 4),
    ]


def test_recall_and_customer_figures_are_kept_for_ten_minutes(staff, hand_built, company):
    scope = selectors.scope_for(viewer=staff["executive"], params={})
    first_moment = timezone.now()
    first = selectors.dashboard(scope, now=first_moment)
    assert first.training.retention == 45.0
    # Cara reviews her unreviewed card, and a new customer starts buying.
    Card.objects.filter(person__email=staff["crp"].email, last_review__isnull=True).update(
        state=CardState.REVIEW,
        stability=10.0,
        last_review=first_moment - datetime.timedelta(days=10, hours=1),
    )
    CustomerServiceFactory(
        customer=CustomerFactory(company=company, serving_team=hand_built["tax"]),
        started_on=scope.start - datetime.timedelta(days=1),
    )
    later = first_moment + datetime.timedelta(minutes=5)
    kept = selectors.dashboard(scope, now=later)
    assert kept.training.retention == 45.0
    assert kept.training.retention_as_of == first_moment
    assert kept.loyalty.customers_as_of == first_moment
    assert kept.loyalty.customers_at_start == first.loyalty.customers_at_start
    fresh = selectors.dashboard(scope, now=later, cached=False)
    assert fresh.training.retention == 90.0
    assert fresh.training.retention_as_of == later
    assert fresh.loyalty.customers_at_start == first.loyalty.customers_at_start + 1
    assert fresh.loyalty.customers_kept == first.loyalty.customers_kept + 1
    # Another scope (a team, another period) is computed on its own.
    narrow = selectors.scope_for(viewer=staff["executive"], params={"period": "24m"})
    assert selectors.dashboard(narrow, now=later).loyalty.customers_as_of == later
