"""The issue's "done when": a script using only the API and a token imports customers, creates
an opportunity and reads the NPS — docs/api_client_example.py, run against a live server."""

import importlib.util
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from culturegap.api.services import create_token
from culturegap.loyalty.tests.factories import SurveyCampaignFactory, SurveyResponseFactory
from culturegap.opportunities.models import Opportunity
from culturegap.org.models import Customer
from culturegap.org.tests.factories import PersonFactory, ServiceFactory

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "api_client_example.py"


def _example():
    spec = importlib.util.spec_from_file_location("api_client_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def admin_who_manages(company, staff):
    return PersonFactory(
        company=company,
        team=staff["crp"].team,
        email="lead@acme.test",
        name="Lena Lead",
        is_crp=False,
        is_program_admin=True,
        is_manager=True,
    )


@pytest.mark.django_db(transaction=True)
def test_the_example_client_imports_records_and_reads_nps(live_server, company, admin_who_manages):
    ServiceFactory(company=company, code="ACC", name="Year-end accounts")
    campaign = SurveyCampaignFactory(company=company)
    for score in (10, 6):  # one promoter, one detractor: NPS 100 × (1 − 1) / 2 = 0
        SurveyResponseFactory(campaign=campaign, score=score)
    secret = create_token(person=admin_who_manages, name="example").secret

    out = io.StringIO()
    result = _example().run(live_server.url, secret, out=out)

    assert result["imported"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert set(Customer.objects.values_list("external_id", flat=True)) >= {"EX-1001", "EX-1002"}
    opportunity = Opportunity.objects.get(pk=result["opportunity"]["id"])
    assert opportunity.customer.external_id == "EX-1001"
    assert opportunity.found_by == admin_who_manages
    assert result["nps"]["responses"] == 2 and result["nps"]["nps"] == 0.0
    assert "Customers: 2 created" in out.getvalue() and "NPS" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_example_script_reports_refusals(live_server, company, staff, tmp_path):
    """Run as a program: a CRP's token may not import customers; the script says why and
    exits with status 1."""
    secret = create_token(person=staff["crp"], name="example").secret
    customers = tmp_path / "customers.json"
    customers.write_text(json.dumps([{"external_id": "X", "name": "X", "since": "2024-01-01"}]))
    finished = subprocess.run(
        [sys.executable, str(EXAMPLE), live_server.url, secret, "--customers", str(customers)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 1
    assert "403" in finished.stderr and "roles" in finished.stderr
    assert not Customer.objects.exists()
