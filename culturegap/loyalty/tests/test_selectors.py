"""The loyalty figures of a small book of customers, worked by hand.

2025 (see the ``history`` fixture): Zephyr (accounts; Client Service; owned by Sam Sales) scores
10 in February and 9 in August; Yew (accounts and payroll; Client Service; no owner) 6 in
February and 8 in May; Oak (accounts until 30 June; Tax) 3 in March. Yew's 0 on 31 Dec 2024
falls before the period. Gone Bakery left in June 2024.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from culturegap.loyalty import selectors
from culturegap.loyalty.tests.conftest import answer
from culturegap.loyalty.tests.factories import SurveyCampaignFactory
from culturegap.org.tests.factories import (
    CustomerFactory,
    CustomerServiceFactory,
    PersonFactory,
    ServiceFactory,
)


def _figures(viewer, history, **kwargs):
    return selectors.loyalty_figures(viewer=viewer, start=history.start, end=history.end, **kwargs)


def test_nps_overall_and_by_quarter(staff, history):
    figures = _figures(staff["executive"], history)
    # 10, 9, 6, 8, 3: promoters 2, passives 1, detractors 2 → 40 % − 40 % = 0.
    assert figures.overall.responses == 5
    assert figures.overall.nps == 0
    # Q1: 10, 6, 3 → 1/3 − 2/3 = −33.3; Q2: 8 → 0; Q3: 9 → 100; Q4 has no answer.
    assert [(label, summary.nps) for label, summary in figures.trend] == [
        ("2025 Q1", pytest.approx(-100 / 3)),
        ("2025 Q2", 0),
        ("2025 Q3", 100),
    ]
    assert figures.tables["nps_trend"].rows[0] == ["2025 Q1", 3, 1, 0, 2, -33.3]


def test_periods_cut_by_the_window_say_so(staff, history):
    figures = selectors.loyalty_figures(
        viewer=staff["executive"], start=datetime.date(2025, 2, 15), end=datetime.date(2025, 8, 1)
    )
    # From 15 Feb: Q1 keeps 6 (20 Feb) and 3 (1 Mar) → 0 − 100 = −100; Q2 8 → 0; Q3 to 1 Aug:
    # 9 → 100. The first and last quarters are partial and say so.
    assert [row[0] for row in figures.tables["nps_trend"].rows] == [
        "2025 Q1, from 15 Feb",
        "2025 Q2",
        "2025 Q3, to 1 Aug",
    ]
    assert [row[-1] for row in figures.tables["nps_trend"].rows] == [-100.0, 0.0, 100.0]
    by_month = selectors.loyalty_figures(
        viewer=staff["executive"],
        start=datetime.date(2025, 2, 15),
        end=datetime.date(2025, 8, 1),
        granularity="month",
    )
    assert [label for label, _ in by_month.trend] == [
        "Feb 2025, from 15 Feb",
        "Mar 2025",
        "May 2025",
        "Aug 2025, to 1 Aug",
    ]


def test_the_page_writes_figures_per_measure(client, staff, history):
    client.force_login(staff["executive"])
    page = client.get(
        reverse("loyalty:dashboard"), {"start": "2025-01-01", "end": "2025-12-31"}
    ).content.decode()
    # 5 answers, NPS 0 to one decimal; services per customer to two decimals.
    assert "<dt>NPS</dt><dd>0.0</dd>" in page
    assert "<dt>Answers</dt><dd>5</dd>" in page


def test_nps_by_team_uses_the_team_that_served_when_answering(staff, history):
    # Client Service: 10, 9, 6, 8 → 2/4 − 1/4 = 25; Tax: 3 → −100.
    history.book.zephyr.serving_team = history.tax_team
    history.book.zephyr.save()  # a later move changes nothing in the past answers
    rows = _figures(staff["executive"], history).tables["nps_by_team"].rows
    assert rows == [["Client Service", 4, 2, 1, 1, 25.0], ["Tax", 1, 0, 0, 1, -100.0]]


def test_nps_by_service_line_counts_an_answer_in_every_line_bought_that_day(staff, history):
    # Accounts: all five (10, 9, 6, 8, 3) → 0. Payroll: Yew's 6 and 8 → 0 − 50 % = −50.
    rows = _figures(staff["executive"], history).tables["nps_by_service"].rows
    assert rows == [["Payroll", 2, 0, 1, 1, -50.0], ["Year-end accounts", 5, 2, 1, 2, 0.0]]


def test_services_per_customer_and_retention_over_the_period(staff, history):
    figures = _figures(staff["executive"], history)
    # 1 Jan 2025: Zephyr 1, Yew 2, Oak 1 → 4/3. 31 Dec: Zephyr 1, Yew 2 → 1.5.
    assert figures.services_trend[0] == (history.start, pytest.approx(4 / 3))
    assert figures.services_now == pytest.approx(1.5)
    assert [day for day, _ in figures.services_trend] == [
        datetime.date(2025, 1, 1),
        datetime.date(2025, 4, 1),
        datetime.date(2025, 7, 1),
        datetime.date(2025, 10, 1),
        datetime.date(2025, 12, 31),
    ]
    # Active on 1 Jan: Zephyr, Yew, Oak; on 31 Dec: Zephyr, Yew → 2/3 kept, 1/3 churned.
    assert (figures.retention.at_start, figures.retention.kept) == (3, 2)
    assert figures.retention.retention == pytest.approx(2 / 3)
    assert figures.tables["retention"].rows == [["2025-01-01", "2025-12-31", 3, 2, 66.7, 33.3]]


def test_segments_use_each_customers_latest_answer(staff, history):
    # Zephyr's latest is 9 with one service → promoter/one; Yew's 8 with two → passive/several;
    # Oak buys nothing on 31 Dec and is left out.
    figures = _figures(staff["executive"], history)
    assert figures.segments[("promoter", "one")] == 1
    assert figures.segments[("passive", "several")] == 1
    assert sum(figures.segments.values()) == 2
    assert figures.tables["segments"].rows == [
        ["Promoters", 1, 0, 1],
        ["Passives", 0, 1, 1],
        ["Detractors", 0, 0, 0],
    ]


def test_the_opportunity_pool_is_promoters_buying_one_service(staff, history):
    pool = selectors.opportunity_pool(
        viewer=staff["executive"], start=history.start, end=history.end
    )
    assert [row[0] for row in pool.rows] == ["Zephyr Joinery"]
    assert pool.rows[0][2:] == [9, "2025-08-01", "Year-end accounts", "Sam Sales"]


def test_a_salesperson_sees_only_their_own_customers(staff, history):
    figures = _figures(staff["sales"], history)
    # Zephyr alone: 10 and 9 → 100.
    assert figures.overall.responses == 2 and figures.overall.nps == 100
    assert figures.retention.at_start == 1


def test_a_manager_sees_the_customers_their_teams_serve(staff, history):
    figures = _figures(staff["manager"], history)
    # Client Service's answers: 10, 9, 6, 8 → 25; Oak (Tax) is not theirs.
    assert figures.overall.responses == 4 and figures.overall.nps == 25
    assert [row[0] for row in figures.tables["nps_by_team"].rows] == ["Client Service"]


def test_a_team_filter_narrows_every_figure(staff, history):
    figures = _figures(staff["executive"], history, team=history.tax_team)
    assert figures.overall.nps == -100
    assert (figures.retention.at_start, figures.retention.kept) == (1, 0)


def test_another_company_never_counts(staff, history, other_company):
    theirs = CustomerFactory(company=other_company)
    campaign = SurveyCampaignFactory(company=other_company)
    answer(campaign, theirs, 0, datetime.date(2025, 5, 5))
    outsider = PersonFactory(company=other_company, is_executive=True)
    assert _figures(staff["executive"], history).overall.responses == 5
    figures = _figures(outsider, history)
    assert figures.overall.responses == 1
    assert figures.tables["nps_by_service"].rows == []


def test_company_figures_prefill_the_estimator(company, book):
    book.accounts.annual_value = Decimal("1000")
    book.accounts.save()
    book.payroll.annual_value = Decimal("500")
    book.payroll.save()
    # Today Zephyr buys accounts (1,000) and Yew accounts and payroll (1,500): 2 customers,
    # 2,500 / 2 = 1,250 each, 2,500 / 3 services = 833.33 a service. Over the last 12 months
    # Gone Bakery (ended 300 days ago) left: 2 of 3 kept → 66.7 %.
    figures = selectors.company_figures(company=company)
    assert figures.customers == 2
    assert figures.revenue_per_customer == pytest.approx(1250)
    assert figures.service_value == pytest.approx(2500 / 3)
    assert figures.retention_percent == 66.7


def test_company_nps_counts_the_last_twelve_months(company, book):
    today = datetime.date.today()
    campaign = SurveyCampaignFactory(company=company)
    answer(campaign, book.zephyr, 10, today)
    answer(campaign, book.yew, 2, today - datetime.timedelta(days=400))
    assert selectors.company_nps(company=company).nps == 100


def test_services_offered_are_the_ones_not_bought(company, book, other_company):
    ServiceFactory(company=other_company, name="Elsewhere")
    offered = selectors.services_offered_to(customer=book.yew)
    assert list(offered.values_list("name", flat=True)) == ["Statutory audit"]
    CustomerServiceFactory(customer=book.yew, service=book.audit)
    assert not selectors.services_offered_to(customer=book.yew).exists()
