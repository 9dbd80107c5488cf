"""The dashboard page and its CSV exports: filters, scoping, exports equal to the page."""

import csv
import io
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from culturegap.tests.html import assert_export_is_the_page, html_table

TABLES = [
    "training_by_team",
    "opportunities_by_team",
    "nps_trend",
    "loyalty_by_team",
    "impact",
    "impact_events",
]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def executive(client, staff):
    client.force_login(staff["executive"])
    return client


def test_the_page_shows_every_section_with_charts(executive, hand_built, company):
    zone = zoneinfo.ZoneInfo(company.time_zone)
    before = timezone.localtime(timezone=zone)
    response = executive.get(reverse("dashboard:index"))
    after = timezone.localtime(timezone=zone)
    assert response.status_code == 200
    page = response.content.decode()
    for heading in ("Culture gap", "Training, retention and readiness", "Opportunities found"):
        assert heading in page
    assert "vendor/plotly.min.js" in page and 'data-figure="' in page
    assert html_table(page, "opportunities_by_team")[1:] == [
        ["Client Service", "3", "1", "1", "1", "50.0", "£1,000"],
        ["Tax", "1", "0", "1", "0", "100.0", "£500"],
    ]
    # Two teams are too few to estimate an impact: the page says so rather than show a number.
    assert "No number shown" in page
    assert "at least 5 are needed" in page
    # The figures kept for ten minutes say when they were computed, in the company's time.
    assert page.count("as of ") == 2
    assert any(
        f"retention as of {moment:%H:%M} (recomputed every 10 minutes)" in page
        for moment in (before, after)
    )


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("query", [{}, {"period": "24m"}])
def test_each_csv_export_equals_the_table_on_the_page(executive, hand_built, table, query):
    page = executive.get(reverse("dashboard:index"), query).content.decode()
    shown = html_table(page, table)
    exported = executive.get(reverse("dashboard:export"), {"table": table, **query})
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("text/csv")
    assert "attachment" in exported["Content-Disposition"]
    rows = csv_rows(exported)
    # The page shows a dash where the CSV leaves the cell empty; an empty table shows one note.
    if len(shown) == 2 and len(shown[1]) == 1:
        assert rows == shown[:1]
    else:
        assert len(rows) > 1
        assert_export_is_the_page(rows, shown)


def test_a_team_name_cannot_become_a_spreadsheet_formula(executive, hand_built):
    tax = hand_built["tax"]
    tax.name = "=HYPERLINK(1)"
    tax.save()
    rows = csv_rows(executive.get(reverse("dashboard:export"), {"table": "training_by_team"}))
    assert ["'=HYPERLINK(1)"] == [row[0] for row in rows if "HYPERLINK" in row[0]]
    # Negative numbers stay numbers.
    rows = csv_rows(executive.get(reverse("dashboard:export"), {"table": "loyalty_by_team"}))
    assert "-100.0" in [row[2] for row in rows]


def test_an_unknown_table_is_not_found(executive, hand_built):
    assert executive.get(reverse("dashboard:export"), {"table": "people"}).status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [({"period": "forever"}, "period"), ({"team": "abc"}, "team"), ({"team": "1.5"}, "team")],
)
def test_a_bad_filter_is_a_400_naming_the_parameter(executive, hand_built, query, field):
    response = executive.get(reverse("dashboard:index"), query)
    assert response.status_code == 400
    assert f"<strong>{field}</strong>" in response.content.decode()
    exported = executive.get(reverse("dashboard:export"), {"table": "impact", **query})
    assert exported.status_code == 400
    assert exported.content.decode().startswith(f"Bad filter: {field}:")


def test_a_manager_cannot_widen_the_page_to_another_team(client, staff, hand_built):
    client.force_login(staff["manager"])
    tax = hand_built["tax"].pk
    assert client.get(reverse("dashboard:index"), {"team": tax}).status_code == 404
    export = client.get(reverse("dashboard:export"), {"table": "training_by_team", "team": tax})
    assert export.status_code == 404
    page = client.get(reverse("dashboard:index")).content.decode()
    assert "Tom Tax" not in page
    assert [row[0] for row in html_table(page, "training_by_team")[1:]] == ["Client Service"]
    own = client.get(reverse("dashboard:index"), {"team": hand_built["service_team"].pk})
    assert own.status_code == 200


@pytest.mark.parametrize("role", ["crp", "sales"])
def test_crps_and_salespeople_may_not_open_it(client, staff, role):
    client.force_login(staff[role])
    assert client.get(reverse("dashboard:index")).status_code == 403
    assert client.get(reverse("dashboard:export"), {"table": "impact"}).status_code == 403


@pytest.mark.parametrize("role", ["executive", "admin", "manager"])
def test_the_menu_links_to_the_dashboard_for_those_who_may_open_it(client, staff, role):
    client.force_login(staff[role])
    page = client.get(reverse("today")).content.decode()
    assert f'href="{reverse("dashboard:index")}"' in page


def test_the_menu_has_no_dashboard_for_a_crp(client, staff):
    client.force_login(staff["crp"])
    page = client.get(reverse("today")).content.decode()
    assert f'href="{reverse("dashboard:index")}"' not in page
