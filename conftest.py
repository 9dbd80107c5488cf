"""Shared pytest fixtures: a company with one person per role, and a second company."""

import os

import pytest
from hypothesis import settings as hypothesis_settings

from culturegap.org.tests.factories import CompanyFactory, PersonFactory, TeamFactory

# Property tests judge results, not speed: on a busy machine (parallel workers, CI) an example
# may take longer than hypothesis's default 200 ms deadline, which would fail a correct test.
hypothesis_settings.register_profile("culturegap", deadline=None)
hypothesis_settings.load_profile("culturegap")

# ``api`` and ``tokens``, for the API tests of every app.
pytest_plugins = ["culturegap.api.tests.fixtures"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashers cost ~0.3 s per password by design; tests need none of that strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: kept dashboard figures, API rate counters."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def company(db):
    return CompanyFactory(name="Acme Advisers", slug="acme")


@pytest.fixture
def other_company(db):
    return CompanyFactory(name="Other Firm", slug="other")


@pytest.fixture
def staff(company):
    """One person per role in ``company``: a manager leading a CRP team with one CRP, and a
    salesperson in a sales team."""
    service_team = TeamFactory(company=company, name="Client Service", kind="service")
    sales_team = TeamFactory(company=company, name="Business Development", kind="sales")
    exec_team = TeamFactory(company=company, name="Leadership", kind="other")
    executive = PersonFactory(
        company=company,
        team=exec_team,
        email="exec@acme.test",
        name="Eve Exec",
        is_crp=False,
        is_executive=True,
    )
    admin = PersonFactory(
        company=company,
        team=exec_team,
        email="admin@acme.test",
        name="Ada Admin",
        is_crp=False,
        is_program_admin=True,
    )
    manager = PersonFactory(
        company=company,
        team=service_team,
        email="manager@acme.test",
        name="Max Manager",
        is_crp=False,
        is_manager=True,
        manager=executive,
    )
    crp = PersonFactory(
        company=company,
        team=service_team,
        email="crp@acme.test",
        name="Cara CRP",
        manager=manager,
    )
    sales = PersonFactory(
        company=company,
        team=sales_team,
        email="sales@acme.test",
        name="Sam Sales",
        is_crp=False,
        is_salesperson=True,
        manager=executive,
    )
    return {"executive": executive, "admin": admin, "manager": manager, "crp": crp, "sales": sales}


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright; never a downloaded browser.

    Skipped where Chromium is missing, unless CULTUREGAP_REQUIRE_BROWSER=1 (as in CI).
    """
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CULTUREGAP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; the ORM calls made by fixtures here are
    # still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page_errors():
    return []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps whether the test itself failed, for fixtures whose teardown checks more."""
    report = yield
    if report.when == "call":
        item.test_body_failed = report.failed
    return report


@pytest.fixture(
    params=[{"width": 1280, "height": 900}, {"width": 375, "height": 740}], ids=["desktop", "phone"]
)
def page(chromium, live_server, page_errors, request):
    """A fresh browser page on the live server, at a desktop and a phone viewport; console
    errors are collected in ``page_errors``.

    The test fails if it ends while a request to the server is unanswered: the test did not
    wait for what it set off (an htmx search typed into a box, say). Either way the server has
    finished every request before the test's database is torn down."""
    from culturegap.tests.browser import (
        BrowserRequests,
        ServerRequests,
        close_without_requests_in_flight,
    )

    server = ServerRequests.install(live_server)
    context = chromium.new_context(viewport=request.param, base_url=live_server.url)
    browser = BrowserRequests(context, live_server.url)
    browser_page = context.new_page()
    browser_page.on(
        "console", lambda msg: page_errors.append(msg.text) if msg.type == "error" else None
    )
    browser_page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    yield browser_page
    in_flight, stuck = close_without_requests_in_flight(context, browser, server)
    if stuck:
        pytest.fail(f"The live server was still answering {stuck} long after the test ended.")
    if in_flight and not getattr(request.node, "test_body_failed", False):
        pytest.fail(
            f"The test ended with requests in flight: {in_flight}. Wait for their answers "
            "before it ends (an element the answer draws, page.expect_response(...), or "
            'page.wait_for_load_state("networkidle")).'
        )
