"""The staff pages of loyalty: dashboard, CSV exports, opportunity pool, campaigns, estimator."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from culturegap.loyalty.models import SurveyCampaign, SurveyInvitation
from culturegap.loyalty.tests.conftest import LINK, answer
from culturegap.loyalty.views import SEND_FROM_PAGE_LIMIT
from culturegap.org.scope import company_today
from culturegap.org.tests.factories import PersonFactory
from culturegap.tests.html import assert_export_is_the_page, html_table

PERIOD = {"start": "2025-01-01", "end": "2025-12-31"}
TABLES = ["nps_trend", "nps_by_team", "nps_by_service", "services_trend", "retention", "segments"]


def csv_table(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def executive(client, staff):
    client.force_login(staff["executive"])
    return client


def test_the_dashboard_shows_the_figures_of_the_period(executive, history):
    response = executive.get(reverse("loyalty:dashboard"), PERIOD)
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.overall.nps == 0 and figures.overall.responses == 5
    page = response.content.decode()
    assert 'data-figure="' in page  # the charts
    assert "vendor/plotly.min.js" in page
    assert html_table(page, "nps_by_team")[1:] == [
        ["Client Service", "4", "2", "1", "1", "25.0"],
        ["Tax", "1", "0", "0", "1", "-100.0"],
    ]


@pytest.mark.parametrize("table", TABLES)
def test_each_csv_export_equals_the_table_on_the_page(executive, history, table):
    page = executive.get(reverse("loyalty:dashboard"), PERIOD).content.decode()
    shown = html_table(page, table)
    exported = executive.get(reverse("loyalty:export"), {"table": table, **PERIOD})
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("text/csv")
    assert "attachment" in exported["Content-Disposition"]
    rows = csv_table(exported)
    assert len(rows) > 1
    # The page shows a dash where the CSV leaves the cell empty, and writes numbers with
    # separators and the measure's decimals where the CSV keeps them plain.
    assert_export_is_the_page(rows, shown)


def test_a_csv_cell_that_looks_like_a_formula_is_neutralised(executive, history, staff):
    # Team names are typed by people: "=HYPERLINK(...)" must reach a spreadsheet as text.
    team = staff["crp"].team
    team.name = '=HYPERLINK("http://evil.test","x")'
    team.save()
    rows = csv_table(executive.get(reverse("loyalty:export"), {"table": "nps_by_team", **PERIOD}))
    names = [row[0] for row in rows[1:]]
    assert "'" + team.name in names and team.name not in names


def test_the_pool_page_and_its_csv_list_promoters_buying_one_service(executive, history):
    response = executive.get(reverse("loyalty:pool"), PERIOD)
    assert response.status_code == 200
    shown = html_table(response.content.decode(), "pool")
    assert shown[1] == [
        "Zephyr Joinery",
        history.book.zephyr.external_id,
        "9",
        "2025-08-01",
        "Year-end accounts",
        "Sam Sales",
    ]
    assert len(shown) == 2
    assert csv_table(executive.get(reverse("loyalty:export"), {"table": "pool", **PERIOD})) == shown


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "not-a-date"}, "start"),
        ({"end": "2025-02-30"}, "end"),
        ({"start": "2025-06-01", "end": "2025-01-01"}, "start"),
        ({"start": "1900-01-01", "end": "2025-01-01"}, "start"),
        ({"team": "999999"}, "team"),
        ({"team": "abc"}, "team"),
        ({"by": "week"}, "by"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_field(executive, history, query, field):
    for name in ("loyalty:dashboard", "loyalty:pool"):
        response = executive.get(reverse(name), query)
        if field == "by" and name == "loyalty:pool":
            continue  # the pool has no trend
        assert response.status_code == 400, name
        assert f'id="{field}-error"' in response.content.decode()
    exported = executive.get(reverse("loyalty:export"), {"table": "nps_trend", **query})
    assert exported.status_code == 400
    assert field in exported.content.decode()


def test_another_companys_team_is_not_a_filter(executive, history, other_company):
    from culturegap.org.tests.factories import TeamFactory

    theirs = TeamFactory(company=other_company, name="Their team")
    response = executive.get(reverse("loyalty:dashboard"), {"team": theirs.pk})
    assert response.status_code == 400


def test_an_unknown_table_is_a_404(executive, history):
    assert executive.get(reverse("loyalty:export"), {"table": "secrets"}).status_code == 404


def test_the_team_filter_narrows_the_page(executive, history):
    response = executive.get(reverse("loyalty:dashboard"), {"team": history.tax_team.pk, **PERIOD})
    assert response.context["figures"].overall.nps == -100
    assert "Zephyr" not in response.content.decode()


def test_a_salesperson_sees_their_own_customers_only(client, staff, history):
    client.force_login(staff["sales"])
    response = client.get(reverse("loyalty:dashboard"), PERIOD)
    assert response.context["figures"].overall.nps == 100
    teams = html_table(
        client.get(reverse("loyalty:dashboard"), PERIOD).content.decode(), "nps_by_team"
    )
    assert [row[0] for row in teams[1:]] == ["Client Service"]
    assert teams[1][1] == "2"


def test_another_company_sees_none_of_our_answers(client, history, other_company):
    outsider = PersonFactory(company=other_company, is_executive=True)
    client.force_login(outsider)
    for name in ("loyalty:dashboard", "loyalty:pool"):
        page = client.get(reverse(name), PERIOD).content.decode()
        for secret in ("Zephyr", "Client Service", "Year-end accounts", "Tax", "Sam Sales"):
            assert secret not in page, (name, secret)
    for table in [*TABLES, "pool"]:
        body = client.get(reverse("loyalty:export"), {"table": table, **PERIOD}).content
        assert b"Zephyr" not in body and b"Client Service" not in body and b"accounts" not in body


def test_the_home_page_shows_the_nps_and_the_survey_task(client, staff, book):
    campaign = SurveyCampaign.objects.create(
        company=staff["executive"].company,
        name="Now",
        opens_on=timezone.localdate() - datetime.timedelta(days=2),
        closes_on=timezone.localdate() + datetime.timedelta(days=2),
    )
    answer(campaign, book.zephyr, 10, timezone.localdate() - datetime.timedelta(days=1))
    answer(campaign, book.yew, 0, timezone.localdate() - datetime.timedelta(days=1))
    answer(campaign, book.yew, 7, timezone.localdate() - datetime.timedelta(days=1))
    client.force_login(staff["executive"])
    page = client.get(reverse("today")).content.decode()
    # 10, 0, 7 → 1/3 − 1/3 = 0.
    assert "<dt>NPS (last 12 months)</dt><dd>0</dd>" in page
    client.force_login(staff["admin"])
    page = client.get(reverse("today")).content.decode()
    assert "Run a loyalty survey" in page


def test_an_admin_runs_a_survey_from_the_page(client, staff, book):
    client.force_login(staff["admin"])
    form = client.get(reverse("loyalty:campaign_create"))
    assert form.status_code == 200
    today = timezone.localdate()
    # Date inputs need ISO dates to show their initial value.
    opens = company_today(staff["admin"].company).isoformat()
    assert f'type="date" name="opens_on" value="{opens}"' in form.content.decode()
    response = client.post(
        reverse("loyalty:campaign_create"),
        {
            "name": "Winter survey",
            "opens_on": today.isoformat(),
            "closes_on": (today + datetime.timedelta(days=14)).isoformat(),
            "audience": "all",
            "question": "How likely are you to recommend {company} to a friend?",
            "reason_question": "Why?",
            "services_question": "Anything else?",
        },
    )
    campaign = SurveyCampaign.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("loyalty:campaign_detail", args=[campaign.pk])
    assert campaign.created_by == staff["admin"]
    # Zephyr and Yew each have one contact; Gone Bakery buys nothing.
    assert len(mail.outbox) == 2
    token = LINK.search(mail.outbox[0].body).group(1)
    survey = client.get(reverse("loyalty:survey", args=[token]))
    assert "How likely are you to recommend Acme Advisers to a friend?" in survey.content.decode()
    client.post(reverse("loyalty:survey", args=[token]), {"score": "9"})
    listing = client.get(reverse("loyalty:campaign_list")).content.decode()
    assert "Winter survey" in listing and "50.0 %" in listing


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"closes_on": "2000-01-01"}, "closes_on"),
        ({"opens_on": "tomorrow"}, "opens_on"),
        ({"audience": "service"}, "service"),
        ({"audience": "service", "service": "999999"}, "service"),
        ({"question": ""}, "question"),
    ],
)
def test_a_bad_campaign_is_a_400_naming_the_field(client, staff, book, changes, field):
    client.force_login(staff["admin"])
    today = timezone.localdate()
    data = {
        "name": "Winter survey",
        "opens_on": today.isoformat(),
        "closes_on": (today + datetime.timedelta(days=14)).isoformat(),
        "audience": "all",
        "question": "Q?",
        "reason_question": "Why?",
        "services_question": "Else?",
    } | changes
    response = client.post(reverse("loyalty:campaign_create"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not SurveyCampaign.objects.exists()
    assert not mail.outbox


def test_a_survey_for_one_service_line(client, staff, book):
    client.force_login(staff["admin"])
    today = timezone.localdate()
    client.post(
        reverse("loyalty:campaign_create"),
        {
            "name": "Payroll survey",
            "opens_on": today.isoformat(),
            "closes_on": (today + datetime.timedelta(days=14)).isoformat(),
            "audience": "service",
            "service": book.payroll.pk,
            "question": "Q?",
            "reason_question": "Why?",
            "services_question": "Else?",
        },
    )
    assert [m.to[0] for m in mail.outbox] == [book.yew.contacts.get().email]


def test_the_campaign_page_sends_what_is_left(client, staff, book, company):
    from culturegap.loyalty import services

    campaign = services.create_campaign(
        company=company,
        created_by=staff["admin"],
        name="Later",
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    client.force_login(staff["executive"])
    page = client.get(reverse("loyalty:campaign_detail", args=[campaign.pk]))
    assert page.status_code == 200
    assert "Send the next" not in page.content.decode()  # executives look, admins send
    assert client.post(reverse("loyalty:campaign_detail", args=[campaign.pk])).status_code == 403
    client.force_login(staff["admin"])
    page = client.get(reverse("loyalty:campaign_detail", args=[campaign.pk])).content.decode()
    assert f"Send the next {SEND_FROM_PAGE_LIMIT:,}" in page
    response = client.post(reverse("loyalty:campaign_detail", args=[campaign.pk]))
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    assert not SurveyInvitation.objects.filter(sent_at=None).exists()


def test_the_estimator_starts_from_the_companys_figures(executive, book):
    book.accounts.annual_value = Decimal("1000")
    book.accounts.save()
    book.payroll.annual_value = Decimal("500")
    book.payroll.save()
    response = executive.get(reverse("loyalty:estimator"))
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert initial["customers"] == 2
    assert initial["revenue_per_customer"] == Decimal("1250.00")
    assert initial["service_value"] == Decimal("833.33")
    assert initial["retention_percent"] == Decimal("66.7")
    page = response.content.decode()
    assert 'value="1250.00"' in page
    assert "= customers × (100 − retention %) / 100" in page


def test_the_estimator_shows_each_result_beside_its_formula(executive, db):
    # The worked example of the measure's test: 1,000 customers, 90 % retention, 2 points,
    # 3,000 revenue, 25 % margin, 1,500 to win a customer, one more service at 1,200.
    response = executive.get(
        reverse("loyalty:estimator"),
        {
            "customers": "1000",
            "revenue_per_customer": "3000",
            "margin_percent": "25",
            "retention_percent": "90",
            "acquisition_cost": "1500",
            "retention_gain_points": "2",
            "extra_services_per_customer": "1",
            "service_value": "1200",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    # Money in the company's currency (GBP, the default), whole pounds.
    assert "<strong>£45,000</strong>" in page
    assert "<strong>£300,000</strong>" in page
    assert "<strong>£345,000</strong>" in page
    assert "= 1,000 × 2 / 100" in page
    assert "= 20 × £3,000 × 25 / 100 + 20 × £1,500" in page
    assert "= 1,000 × 1 × £1,200 × 25 / 100" in page


@pytest.mark.parametrize(
    ("changes", "label"),
    [
        ({"margin_percent": "150"}, "Profit margin (%)"),
        ({"customers": "abc"}, "Customers"),
        ({"customers": "-5"}, "Customers"),
        ({"retention_percent": ""}, "Customer retention per year (%)"),
        ({"service_value": "1e400"}, "Yearly value of one service"),
    ],
)
def test_bad_estimator_input_is_a_400_naming_the_field(executive, db, changes, label):
    data = {
        "customers": "1000",
        "revenue_per_customer": "3000",
        "margin_percent": "25",
        "retention_percent": "90",
        "acquisition_cost": "1500",
        "retention_gain_points": "2",
        "extra_services_per_customer": "1",
        "service_value": "1200",
    } | changes
    response = executive.get(reverse("loyalty:estimator"), data)
    assert response.status_code == 400
    errors = response.content.decode().split('role="alert"')[1].split("</div>")[0]
    assert label in errors
    assert response.context["result"] is None
