"""Loyalty measures against values worked out by hand."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from culturegap import measures
from culturegap.measures.loyalty import MONTH, QUARTER, window_period_label

D = datetime.date


def test_score_categories_at_their_edges():
    assert [measures.score_category(s) for s in (0, 6, 7, 8, 9, 10)] == [
        "detractor",
        "detractor",
        "passive",
        "passive",
        "promoter",
        "promoter",
    ]


@pytest.mark.parametrize("bad", [-1, 11, 7.5, "9", None, True])
def test_a_score_outside_0_to_10_is_refused(bad):
    with pytest.raises(ValueError):
        measures.score_category(bad)


def test_nps_of_a_mixed_set():
    # 10 answers: promoters 9, 10, 10, 9 (4); passives 7, 8 (2); detractors 0, 3, 6, 6 (4).
    # 100 × 4/10 − 100 × 4/10 = 0. Add one promoter: 5/11 − 4/11 = 1/11 = 9.0909…
    scores = [9, 10, 10, 9, 7, 8, 0, 3, 6, 6]
    assert measures.nps(scores) == pytest.approx(0)
    assert measures.nps([*scores, 10]) == pytest.approx(100 / 11)


def test_nps_summary_counts_each_category():
    # 3 promoters, 1 passive, 1 detractor of 5: 60 % − 20 % = 40.
    summary = measures.nps_summary([10, 9, 9, 8, 2])
    assert summary == measures.NpsSummary(
        responses=5, promoters=3, passives=1, detractors=1, nps=pytest.approx(40)
    )


def test_nps_without_responses_is_none():
    assert measures.nps([]) is None
    assert measures.nps_summary([]).responses == 0


def test_nps_of_all_passives_is_zero():
    assert measures.nps([7, 8, 8, 7]) == 0


def test_nps_of_all_promoters_is_100_and_of_all_detractors_minus_100():
    assert measures.nps([9, 10, 10]) == 100
    assert measures.nps([0, 6, 5]) == -100


def test_nps_refuses_a_bad_score():
    with pytest.raises(ValueError):
        measures.nps([9, 12])


def test_nps_by_group():
    # Tax: 10, 9, 3 → 2/3 − 1/3 = 33.33…; Audit: 7, 8 → 0; Payroll: 2 → −100.
    pairs = [("Tax", 10), ("Audit", 7), ("Tax", 9), ("Payroll", 2), ("Audit", 8), ("Tax", 3)]
    groups = measures.nps_by_group(pairs)
    assert list(groups) == ["Tax", "Audit", "Payroll"]
    assert groups["Tax"].nps == pytest.approx(100 / 3)
    assert groups["Tax"].responses == 3
    assert groups["Audit"].nps == 0
    assert groups["Payroll"].nps == -100
    assert measures.nps_by_group([]) == {}


def test_period_start_and_label():
    assert measures.period_start(D(2025, 8, 17), QUARTER) == D(2025, 7, 1)
    assert measures.period_start(D(2025, 12, 31), QUARTER) == D(2025, 10, 1)
    assert measures.period_start(D(2025, 1, 1), QUARTER) == D(2025, 1, 1)
    assert measures.period_start(D(2025, 8, 17), MONTH) == D(2025, 8, 1)
    assert measures.period_label(D(2025, 7, 1), QUARTER) == "2025 Q3"
    assert measures.period_label(D(2025, 8, 1), MONTH) == "Aug 2025"
    with pytest.raises(ValueError):
        measures.period_start(D(2025, 1, 1), "week")


def test_periods_between_cross_a_year_end():
    assert measures.periods_between(D(2024, 11, 15), D(2025, 4, 2), QUARTER) == [
        D(2024, 10, 1),
        D(2025, 1, 1),
        D(2025, 4, 1),
    ]
    assert measures.periods_between(D(2024, 11, 15), D(2025, 1, 2), MONTH) == [
        D(2024, 11, 1),
        D(2024, 12, 1),
        D(2025, 1, 1),
    ]


def test_nps_trend_by_quarter_and_month():
    answers = [
        (D(2025, 1, 5), 10),  # Q1: 10, 4 → 50 % − 50 % = 0
        (D(2025, 3, 31), 4),
        (D(2025, 4, 1), 9),  # Q2: 9, 9, 8 → 2/3 − 0 = 66.67
        (D(2025, 6, 30), 9),
        (D(2025, 5, 10), 8),
        # Q3 has no answers and is left out; Q4: 0 → −100
        (D(2025, 11, 11), 0),
    ]
    trend = measures.nps_trend(answers, QUARTER)
    assert [start for start, _ in trend] == [D(2025, 1, 1), D(2025, 4, 1), D(2025, 10, 1)]
    assert [summary.nps for _, summary in trend] == [0, pytest.approx(200 / 3), -100]
    # By month, March holds the 4 alone (−100) and January the 10 alone (+100).
    monthly = dict(measures.nps_trend(answers, MONTH))
    assert monthly[D(2025, 1, 1)].nps == 100
    assert monthly[D(2025, 3, 1)].nps == -100
    assert measures.nps_trend([], QUARTER) == []


# Four customers' services (customer, started_on, ended_on):
SPANS = [
    ("a", D(2020, 1, 1), None),  # a: one service throughout
    ("b", D(2020, 1, 1), None),  # b: two services, the second from mid-2024
    ("b", D(2024, 6, 1), None),
    ("c", D(2020, 1, 1), D(2024, 9, 1)),  # c: leaves on 1 Sep 2024
    ("d", D(2024, 3, 1), None),  # d: joins on 1 Mar 2024
    ("e", D(2021, 1, 1), D(2024, 2, 1)),  # e: drops one service but keeps another
    ("e", D(2021, 1, 1), None),
    ("f", D(2021, 1, 1), D(2024, 2, 1)),  # f: leaves, then comes back in November
    ("f", D(2024, 11, 1), None),
]


def test_a_service_is_active_from_its_start_until_the_day_before_its_end():
    assert measures.is_active_on(D(2024, 1, 1), None, D(2024, 1, 1))
    assert not measures.is_active_on(D(2024, 1, 2), None, D(2024, 1, 1))
    assert measures.is_active_on(D(2024, 1, 1), D(2024, 2, 1), D(2024, 1, 31))
    assert not measures.is_active_on(D(2024, 1, 1), D(2024, 2, 1), D(2024, 2, 1))


def test_services_per_customer_on_a_date():
    # On 1 Jan 2024: a 1, b 1, c 1, e 2, f 1 (d not yet) → 6 services / 5 customers = 1.2.
    assert measures.services_per_customer_on(SPANS, D(2024, 1, 1)) == pytest.approx(1.2)
    # On 1 Dec 2024: a 1, b 2, d 1, e 1, f 1 (c gone) → 6 / 5 = 1.2 again, by other customers.
    assert measures.services_per_customer_on(SPANS, D(2024, 12, 1)) == pytest.approx(1.2)
    # On 1 Jul 2024: a 1, b 2, c 1, d 1, e 1 (f away) → 6 / 5 = 1.2; on 1 Oct: a 1, b 2, d 1,
    # e 1 → 5 / 4 = 1.25.
    assert measures.services_per_customer_on(SPANS, D(2024, 10, 1)) == pytest.approx(1.25)
    assert measures.services_per_customer_on(SPANS, D(2019, 1, 1)) is None


def test_services_per_customer_trend():
    days = [D(2019, 1, 1), D(2024, 1, 1), D(2024, 10, 1)]
    assert measures.services_per_customer_trend(SPANS, days) == [
        (D(2019, 1, 1), None),
        (D(2024, 1, 1), pytest.approx(1.2)),
        (D(2024, 10, 1), pytest.approx(1.25)),
    ]


def test_retention_and_churn_over_a_year():
    # Active on 1 Jan 2024: a, b, c, e, f (5). Active on 31 Dec 2024: a, b, d, e, f.
    # Kept: a, b, e, f = 4 (d joined during the year and does not count; f came back).
    # Retention 4/5 = 0.8, churn 0.2.
    result = measures.retention(SPANS, D(2024, 1, 1), D(2024, 12, 31))
    assert (result.at_start, result.kept) == (5, 4)
    assert result.retention == pytest.approx(0.8)
    assert result.churn == pytest.approx(0.2)


def test_retention_over_a_shorter_period_sees_a_gap():
    # 1 Jan → 1 Oct 2024: at start a, b, c, e, f (5); on 1 Oct a, b, d, e → kept a, b, e = 3.
    result = measures.retention(SPANS, D(2024, 1, 1), D(2024, 10, 1))
    assert result.retention == pytest.approx(3 / 5)
    assert result.churn == pytest.approx(2 / 5)


def test_retention_without_customers_at_the_start_is_none():
    result = measures.retention(SPANS, D(2019, 1, 1), D(2024, 1, 1))
    assert result.at_start == 0
    assert result.retention is None and result.churn is None
    with pytest.raises(ValueError):
        measures.retention(SPANS, D(2024, 1, 2), D(2024, 1, 1))


def test_loyalty_segments():
    # (score, active services): promoters buying one: 10/1, 9/1 (2); promoters buying several:
    # 9/3 (1); passive one: 8/1 (1); detractor several: 2/2 (1); 10/0 bought nothing → left out.
    segments = measures.loyalty_segments([(10, 1), (9, 1), (9, 3), (8, 1), (2, 2), (10, 0)])
    assert segments == {
        ("promoter", "one"): 2,
        ("promoter", "several"): 1,
        ("passive", "one"): 1,
        ("passive", "several"): 0,
        ("detractor", "one"): 0,
        ("detractor", "several"): 1,
    }
    assert measures.loyalty_segment(10, 1) == ("promoter", "one")
    assert measures.loyalty_segment(5, 0) is None


def test_response_rate():
    assert measures.response_rate(8, 3) == pytest.approx(0.375)
    assert measures.response_rate(0, 0) is None


def test_profit_impact_by_hand():
    # 1,000 customers, 90 % retention: 1,000 × 10 / 100 = 100 lost a year.
    # A 2-point gain keeps 1,000 × 2 / 100 = 20 more.
    # Retention profit: 20 × 3,000 × 25 % + 20 × 1,500 = 15,000 + 30,000 = 45,000.
    # One more service each at 1,200 and 25 % margin: 1,000 × 1 × 1,200 × 0.25 = 300,000.
    result = measures.profit_impact(
        customers=1000,
        revenue_per_customer=3000,
        margin_percent=25,
        retention_percent=90,
        acquisition_cost=1500,
        retention_gain_points=2,
        extra_services_per_customer=1,
        service_value=1200,
    )
    assert result.customers_lost_now == pytest.approx(100)
    assert result.extra_customers_kept == pytest.approx(20)
    assert result.profit_from_retention == pytest.approx(45_000)
    assert result.profit_from_services == pytest.approx(300_000)
    assert result.total == pytest.approx(345_000)
    assert not result.gain_capped


def test_profit_impact_cannot_keep_more_customers_than_are_lost():
    # 98 % retention loses 2 of 100; a 5-point gain keeps at most those 2.
    result = measures.profit_impact(
        customers=100,
        revenue_per_customer=1000,
        margin_percent=10,
        retention_percent=98,
        acquisition_cost=0,
        retention_gain_points=5,
        extra_services_per_customer=0.5,
        service_value=400,
    )
    assert result.extra_customers_kept == pytest.approx(2)
    assert result.gain_capped
    # 2 × 1,000 × 10 % = 200; services 100 × 0.5 × 400 × 10 % = 2,000.
    assert result.profit_from_retention == pytest.approx(200)
    assert result.profit_from_services == pytest.approx(2000)


_days = st.dates(min_value=D(2020, 1, 1), max_value=D(2020, 3, 1))


@st.composite
def _spans(draw):
    spans = []
    for _ in range(draw(st.integers(0, 25))):
        started_on = draw(_days)
        ended_on = draw(
            st.one_of(st.none(), st.dates(min_value=started_on, max_value=D(2020, 3, 1)))
        )
        spans.append((draw(st.integers(0, 6)), started_on, ended_on))
    return spans


# No deadline: a loaded CI machine must not turn slowness into a failure.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spans=_spans(), days=st.lists(_days, max_size=6))
def test_the_trend_sweep_agrees_with_counting_each_day(spans, days):
    # The trend is computed in one sweep; it must equal the plain per-day definition.
    expected = [(day, measures.services_per_customer_on(spans, day)) for day in days]
    assert measures.services_per_customer_trend(spans, days) == expected


def test_a_period_cut_by_the_window_says_where():
    first, last = D(2025, 12, 4), D(2026, 12, 4)
    # Q4 2025 runs 1 Oct – 31 Dec; the window opens on 4 Dec.
    assert window_period_label(D(2025, 10, 1), QUARTER, first_day=first, last_day=last) == (
        "2025 Q4, from 4 Dec"
    )
    # Q1 2026 lies wholly inside: no note.
    assert window_period_label(D(2026, 1, 1), QUARTER, first_day=first, last_day=last) == "2026 Q1"
    # December 2026 runs to the 31st; the window ends on the 4th.
    assert window_period_label(D(2026, 12, 1), MONTH, first_day=first, last_day=last) == (
        "Dec 2026, to 4 Dec"
    )
    # A window inside one month cuts both ends.
    assert window_period_label(
        D(2026, 2, 1), MONTH, first_day=D(2026, 2, 3), last_day=D(2026, 2, 20)
    ) == ("Feb 2026, 3 Feb to 20 Feb")
    # A window ending on a quarter's last day leaves it whole.
    assert window_period_label(
        D(2026, 7, 1), QUARTER, first_day=D(2026, 7, 1), last_day=D(2026, 9, 30)
    ) == ("2026 Q3")
