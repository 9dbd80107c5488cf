"""A program admin works through the integrations pages in the browser, on a desktop and a
phone: exports, the purchases import, a webhook endpoint and its log, the xAPI page."""

import os
from pathlib import Path

import pytest

from culturegap.integrations import webhooks
from culturegap.integrations.models import WebhookEndpoint
from culturegap.org.tests.factories import CustomerFactory, ServiceFactory
from culturegap.tests.browser import follow_menu, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("CULTUREGAP_SCREENSHOTS", "/tmp/culturegap-screenshots"))


def _shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=SCREENSHOTS / f"integrations-{name}-{width}.png", full_page=True)


def test_an_admin_uses_the_integrations_pages(page, page_errors, company, staff, tmp_path):
    ServiceFactory(company=company, code="TAX", name="Tax return")
    CustomerFactory(company=company, external_id="C-1", name="Zephyr Joinery")
    sign_in(page, staff["admin"].email)
    follow_menu(page, "Integrations")
    page.get_by_role("heading", name="Integrations", exact=True).wait_for()
    _shot(page, "home")

    page.get_by_role("link", name="Export data").click()
    page.get_by_role("heading", name="Exports").wait_for()
    _shot(page, "exports")
    with page.expect_download() as download:
        page.get_by_role("link", name="people.csv").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0] == "id,email,name,team,manager_email,active,joined_at,roles"
    assert len(lines) == 1 + len(staff)

    page.goto("/integrations/import/purchases/")
    upload = tmp_path / "purchases.csv"
    upload.write_text(
        "customer_external_id,service_code,started_on,ended_on\nC-1,GOLF,2024-01-01,\n"
    )
    page.get_by_label("CSV file").set_input_files(str(upload))
    page.get_by_role("button", name="Import").click()
    page.get_by_role("heading", name="1 problem found: nothing was imported").wait_for()
    _shot(page, "import-errors")
    upload.write_text(
        "customer_external_id,service_code,started_on,ended_on\nC-1,TAX,2024-01-01,\n"
    )
    page.get_by_label("CSV file").set_input_files(str(upload))
    page.get_by_role("button", name="Import").click()
    page.get_by_text("1 created, 0 updated, 0 unchanged").wait_for()

    page.goto("/integrations/webhooks/")
    page.get_by_label("Endpoint URL").fill("ftp://crm.example/hook")
    page.get_by_label("Opportunity won").check()
    page.get_by_role("button", name="Add endpoint").click()
    page.get_by_text("Give an http:// or https:// address.").wait_for()
    _shot(page, "webhook-error")
    page.get_by_label("Endpoint URL").fill("https://crm.example/hook")
    page.get_by_role("button", name="Add endpoint").click()
    page.get_by_role("heading", name="Endpoint added").wait_for()
    endpoint = WebhookEndpoint.objects.get(company=company)
    assert page.get_by_label("Signing secret").input_value() == endpoint.secret
    _shot(page, "webhook-secret")

    webhooks.emit(company=company, event="opportunity.won", data={})
    page.goto("/integrations/webhooks/deliveries/")
    page.get_by_role("cell", name="https://crm.example/hook").first.wait_for()
    _shot(page, "deliveries")

    page.goto("/integrations/xapi/")
    page.get_by_role("heading", name="xAPI learning records").wait_for()
    _shot(page, "xapi")
    # The two refused forms answered 400 on purpose; anything else is a real error.
    unexpected = [error for error in page_errors if "status of 400" not in error]
    assert unexpected == [] and len(page_errors) == 2, page_errors
