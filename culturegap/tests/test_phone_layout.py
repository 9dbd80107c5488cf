"""Every role's pages read on a phone and a desk: no sideways scroll of the page, no toolbar over
a chart, a short menu, and a text alternative for every chart."""

import datetime
import os
import random
import re
from pathlib import Path

import pytest

from culturegap.demo.company import DEMO_CHAPTERS
from culturegap.org.tests.factories import (
    CustomerFactory,
    CustomerServiceFactory,
    PersonFactory,
    ServiceFactory,
)
from culturegap.tests.browser import follow_menu, sign_in, wait_for_answers

SCREENSHOTS = Path(os.environ.get("CULTUREGAP_SCREENSHOTS", "/tmp/culturegap-screenshots"))
MAX_TOP_ITEMS = 7

# The Today page and each role's main pages.
TEAM_PAGES = {
    "dashboard": "/dashboard/",
    "loyalty": "/loyalty/",
    "culture": "/culture/results/",
    "drill": "/drill/",
    "retention": "/drill/teams/",
    "coaching": "/coaching/team/",
    "heatmap": "/coaching/team/skills/",
    "opportunities": "/opportunities/",
    "customers": "/org/customers/",
}
PAGES = {
    "executive": {"today": "/", **TEAM_PAGES},
    "admin": {"today": "/", **TEAM_PAGES},
    "manager": {"today": "/", **TEAM_PAGES},
    "crp": {
        "today": "/",
        "drill": "/drill/",
        "retention": "/drill/retention/",
        "coaching": "/coaching/",
        "opportunities": "/opportunities/",
        "customers": "/org/customers/",
    },
    "sales": {
        "today": "/",
        "loyalty": "/loyalty/",
        "drill": "/drill/",
        "opportunities": "/opportunities/",
        "customers": "/org/customers/",
    },
}

TOP_ITEMS = "nav[aria-label=Main] .menu-top > li:not(.menu-more)"
ALL_DRAWN = "[...document.querySelectorAll('[data-figure]')].every(e => e.dataset.drawn)"


@pytest.fixture
def history(company, staff):
    """Acme with a few more CRPs and customers, and every demo chapter's history, so that the
    pages have charts and tables to show."""
    crp, sales = staff["crp"], staff["sales"]
    for number in range(6):
        PersonFactory(
            company=company, team=crp.team, manager=staff["manager"], name=f"Crp {number}"
        )
    services = [ServiceFactory(company=company, name=f"Advisory service {n}") for n in range(4)]
    for number in range(12):
        customer = CustomerFactory(company=company, sales_owner=sales, name=f"Client {number}")
        for service in services[: 1 + number % 3]:
            CustomerServiceFactory(customer=customer, service=service)
    today = datetime.date.today()
    for index, chapter in enumerate(DEMO_CHAPTERS):
        chapter(company=company, rng=random.Random(f"7:{index}"), today=today, progress=False)
    return staff


def check_page(page, *, role: str, name: str, path: str) -> list[str]:
    """The problems of one page, after a screenshot of it."""
    page.goto(path)
    page.wait_for_load_state("load")
    wait_for_answers(page)
    page.wait_for_function(ALL_DRAWN, timeout=15_000)
    width = page.viewport_size["width"]
    # The first screen before the whole page: a full-page shot resizes the window, and the
    # charts redraw for a moment after.
    page.screenshot(path=SCREENSHOTS / f"layout-{role}-{name}-{width}-first-screen.png")
    page.screenshot(path=SCREENSHOTS / f"layout-{role}-{name}-{width}.png", full_page=True)
    problems = []
    if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
        problems.append("the page scrolls sideways")
    if page.locator(".modebar").filter(visible=True).count():
        problems.append("a chart's toolbar is shown")
    if page.locator(TOP_ITEMS).count() > MAX_TOP_ITEMS:
        problems.append(f"{page.locator(TOP_ITEMS).count()} top menu items")
    for number, chart in enumerate(page.locator("[data-figure]").all()):
        chart.screenshot(path=SCREENSHOTS / f"layout-{role}-{name}-{width}-chart-{number}.png")
        if chart.get_attribute("role") != "img" or not (chart.get_attribute("aria-label") or ""):
            problems.append("a chart without a text alternative")
    main_top = page.evaluate("document.querySelector('main').getBoundingClientRect().top")
    if width < 700 and main_top > 160:
        problems.append(f"the content starts {main_top:.0f} px down")
    return [f"{name}: {problem}" for problem in problems]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", sorted(PAGES))
def test_each_role_s_pages_fit_the_screen(page, page_errors, history, role):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, history[role].email)
    problems = []
    for name, path in PAGES[role].items():
        problems += check_page(page, role=role, name=name, path=path)
    assert problems == []
    assert page_errors == [], page_errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_phone_menu_opens_and_more_holds_the_rest(page, page_errors, staff):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, staff["admin"].email)
    width = page.viewport_size["width"]
    if width < 700:
        assert not page.get_by_role("link", name="People", exact=True).is_visible()
    page.get_by_role("navigation", name="Main").locator("summary", has_text="More").first.wait_for(
        state="attached"
    )
    follow_menu(page, "Import")
    page.wait_for_url(re.compile("/org/import/people/"))
    if width < 700:
        page.get_by_role("navigation", name="Main").locator("summary", has_text="Menu").click()
    page.get_by_role("navigation", name="Main").locator("summary", has_text="More").click()
    page.screenshot(path=SCREENSHOTS / f"layout-admin-menu-open-{width}.png", full_page=True)
    assert page.get_by_role("link", name="Culture waves", exact=True).is_visible()
    page.keyboard.press("Escape")
    assert not page.get_by_role("link", name="Culture waves", exact=True).is_visible()
    assert page_errors == [], page_errors


def menu_links(client, person) -> tuple[list[str], list[str]]:
    """The hrefs of the top bar's items and of the "More" list on the Today page."""
    client.force_login(person)
    html = client.get("/").content.decode()
    menu = html[html.index('aria-label="Main"') : html.index("</nav>")]
    top, _, more = menu.partition('class="menu-more"')
    return re.findall(r'href="([^"]+)"', top), re.findall(r'href="([^"]+)"', more)


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(PAGES))
def test_the_menu_offers_only_what_the_role_may_open(client, staff, role):
    top, more = menu_links(client, staff[role])
    assert len(top) <= MAX_TOP_ITEMS
    assert top[0] == "/"
    assert not set(top) & set(more)
    for href in top + more:
        assert client.get(href).status_code in (200, 302), href


@pytest.mark.django_db
def test_the_crp_keeps_api_tokens_out_of_the_top_bar(client, staff):
    top, more = menu_links(client, staff["crp"])
    assert "/tokens/" not in top
    assert "/tokens/" in more


@pytest.mark.django_db
def test_a_person_with_every_role_gets_every_page_once_and_a_short_top_bar(client, staff):
    person = PersonFactory(
        company=staff["crp"].company,
        team=staff["crp"].team,
        is_executive=True,
        is_program_admin=True,
        is_manager=True,
        is_salesperson=True,
    )
    top, more = menu_links(client, person)
    assert len(top) <= MAX_TOP_ITEMS
    assert len(top + more) == len(set(top + more))
    everyone = set()
    for role in PAGES:
        role_top, role_more = menu_links(client, staff[role])
        everyone |= set(role_top + role_more)
    client.force_login(person)
    assert everyone <= set(top + more) | {"/coaching/", "/integrations/exports/"}
