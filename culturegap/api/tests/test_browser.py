"""A person creates an API token in the browser, copies it once, uses it, and revokes it; the
interactive API docs load from the site itself."""

import os
from pathlib import Path

import pytest

from culturegap.tests.browser import follow_menu, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("CULTUREGAP_SCREENSHOTS", "/tmp/culturegap-screenshots"))


def test_create_use_and_revoke_a_token(page, page_errors, staff, client, live_server):
    width = page.viewport_size["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, "sales@acme.test")
    follow_menu(page, "API tokens")
    page.get_by_role("heading", name="API tokens", level=1).wait_for()
    page.get_by_label("Name").fill("Quote generator")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_role("textbox", name="Your token").input_value()
    assert secret.startswith("cg_")
    page.screenshot(path=SCREENSHOTS / f"api-token-created-{width}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert me.status_code == 200

    page.goto("/tokens/")
    assert secret not in page.content()
    page.get_by_role("button", name="Revoke Quote generator").click()
    page.get_by_text("revoked").first.wait_for()
    page.screenshot(path=SCREENSHOTS / f"api-token-revoked-{width}.png", full_page=True)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert page_errors == []


def test_the_api_docs_render_offline(page, page_errors, live_server):
    width = page.viewport_size["width"]
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/v1/docs")
    page.get_by_text("culturegap API").first.wait_for()
    page.locator(".opblock").first.wait_for()
    page.screenshot(path=SCREENSHOTS / f"api-docs-{width}.png")
    assert page.locator(".opblock").count() >= 20
    # Nothing is fetched from anywhere but the site itself (data: URLs are inline images).
    assert [url for url in requested if not url.startswith((live_server.url, "data:"))] == []
    assert page_errors == []
