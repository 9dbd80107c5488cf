"""Tests of the demo company generator and the seed_demo and demo commands."""

import datetime
import hashlib
import io
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.urls import reverse

from culturegap.demo.company import remove_demo_company, seed_demo_company
from culturegap.demo.management.commands.demo import Command as DemoCommand
from culturegap.org.demo import (
    DEMO_EMAILS,
    DEMO_SLUG,
    MAX_TEAM_SIZE,
    MIN_PEOPLE,
    demo_logins,
    split_team,
    team_sizes,
)
from culturegap.org.models import (
    Company,
    Customer,
    CustomerService,
    Person,
    Role,
    Team,
    TeamKind,
)

TODAY = datetime.date(2026, 6, 30)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # The demo hashes "demo" once, but every sign-in in these tests checks it again.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def small_demo(db):
    return seed_demo_company(people=40, customers=150, today=TODAY)


def _digest(company: Company) -> str:
    """A fingerprint of everything the generator decides (not of database ids)."""
    rows = [
        sorted(Team.objects.filter(company=company).values_list("name", "kind")),
        sorted(
            Person.objects.filter(company=company).values_list(
                "email",
                "name",
                "team__name",
                "manager__email",
                "is_executive",
                "is_program_admin",
                "is_manager",
                "is_crp",
                "is_salesperson",
                "date_joined",
            )
        ),
        sorted(
            Customer.objects.filter(company=company).values_list(
                "external_id", "name", "sales_owner__email", "since"
            )
        ),
        sorted(
            CustomerService.objects.filter(company=company).values_list(
                "customer__external_id", "service__code", "started_on", "ended_on"
            )
        ),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_team_sizes_add_up_and_respect_minimums():
    for people in (MIN_PEOPLE, 40, 200, 1234, 100_000):
        sizes = team_sizes(people)
        assert sum(sizes) == people
        assert min(sizes) >= 1
    assert team_sizes(200) == [6, 10, 8, 36, 38, 20, 36, 26, 12, 8]


def test_big_teams_are_split_into_sub_teams_of_at_most_forty():
    for size in (1, 40, 41, 95, 13_000):
        parts = split_team(size)
        assert sum(parts) == size
        assert max(parts) <= MAX_TEAM_SIZE
        assert max(parts) - min(parts) <= 1


def test_too_few_people_is_refused(db):
    with pytest.raises(ValueError, match=str(MIN_PEOPLE)):
        seed_demo_company(people=MIN_PEOPLE - 1)
    assert not Company.objects.exists()


def test_small_demo_has_every_team_kind(small_demo):
    company = Company.objects.get(slug=DEMO_SLUG)
    assert small_demo.company == company
    assert company.time_zone == "Europe/London"
    kinds = set(Team.objects.filter(company=company).values_list("kind", flat=True))
    assert kinds == set(TeamKind.values)
    assert Person.objects.filter(company=company).count() == small_demo.people == 40
    assert Customer.objects.filter(company=company).count() == small_demo.customers == 150
    assert company.services.count() == small_demo.services == 12


def test_the_five_demo_logins_have_their_roles_and_password_demo(small_demo):
    assert small_demo.logins == demo_logins()
    assert [email for _, email in demo_logins()] == list(DEMO_EMAILS.values())
    people = {
        role: authenticate(username=email, password="demo") for role, email in DEMO_EMAILS.items()
    }
    assert all(people.values())
    assert people[Role.EXECUTIVE].roles == [Role.EXECUTIVE]
    assert people[Role.EXECUTIVE].manager is None
    assert people[Role.ADMIN].roles == [Role.ADMIN]
    assert people[Role.MANAGER].roles == [Role.MANAGER, Role.CRP]
    assert people[Role.MANAGER].team.name == "Client Service"
    assert people[Role.CRP].roles == [Role.CRP]
    assert people[Role.CRP].manager == people[Role.MANAGER]
    assert people[Role.SALES].roles == [Role.SALES]
    assert people[Role.SALES].team.name == "Business Development"
    # Everyone else has a firstname.lastname address; only the five have a role address.
    others = Person.objects.exclude(email__in=DEMO_EMAILS.values()).values_list("email", flat=True)
    assert all(re.fullmatch(r"[a-z-]+\.[a-z-]+\d*@harbourline\.example", e) for e in others)


def test_everyone_but_the_managing_partner_reports_to_someone_in_the_company(small_demo):
    company = small_demo.company
    people = Person.objects.filter(company=company)
    assert list(people.filter(manager=None).values_list("email", flat=True)) == [
        DEMO_EMAILS[Role.EXECUTIVE]
    ]
    assert not people.exclude(manager=None).exclude(manager__company=company).exists()


def test_each_team_has_a_manager_its_members_report_to(small_demo):
    managing_partner = Person.objects.get(email=DEMO_EMAILS[Role.EXECUTIVE])
    for team in Team.objects.filter(company=small_demo.company):
        managers = list(team.members.filter(is_manager=True))
        assert len(managers) == 1, team
        manager = managers[0]
        assert manager.manager == managing_partner
        members = team.members.exclude(pk=manager.pk).exclude(pk=managing_partner.pk)
        assert set(members.values_list("manager", flat=True)) == {manager.pk}, team


def test_roles_follow_the_team_kind(small_demo):
    people = Person.objects.filter(company=small_demo.company)
    assert not people.filter(team__kind=TeamKind.SALES, is_salesperson=False).exists()
    crp_kinds = [TeamKind.PROFESSIONAL, TeamKind.SERVICE, TeamKind.SUPPORT, TeamKind.MARKETING]
    assert not people.filter(team__kind__in=crp_kinds, is_crp=False).exists()
    assert people.filter(is_executive=True).count() == 2
    assert people.filter(is_program_admin=True).exists()


def test_customers_buy_one_to_three_services_with_consistent_dates(small_demo):
    company = small_demo.company
    counts = Customer.objects.filter(company=company).annotate(n=Count("services"))
    assert {customer.n for customer in counts} <= {1, 2, 3}
    services = CustomerService.objects.filter(company=company).select_related("customer")
    assert services.count() == small_demo.customer_services
    ended = 0
    for service in services:
        assert service.started_on >= service.customer.since
        assert service.started_on <= TODAY
        if service.ended_on is not None:
            ended += 1
            assert service.started_on <= service.ended_on < TODAY
            assert service.ended_on >= TODAY - datetime.timedelta(days=730)
    assert ended > 0
    owners = Customer.objects.filter(company=company).exclude(sales_owner=None)
    assert owners.exists()
    assert not owners.exclude(sales_owner__is_salesperson=True).exists()
    assert not owners.exclude(sales_owner__company=company).exists()
    assert Customer.objects.filter(company=company, external_id="HL-000001").exists()


def test_a_bigger_firm_has_numbered_sub_teams_each_with_a_manager(db):
    result = seed_demo_company(people=500, customers=0, today=TODAY)
    tax_teams = Team.objects.filter(company=result.company, name__startswith="Tax")
    assert sorted(tax_teams.values_list("name", flat=True)) == ["Tax 1", "Tax 2", "Tax 3"]
    for team in Team.objects.filter(company=result.company).annotate(n=Count("members")):
        assert team.n <= MAX_TEAM_SIZE
        assert team.members.filter(is_manager=True).count() == 1
    manager = Person.objects.get(email=DEMO_EMAILS[Role.MANAGER])
    assert manager.team.name == "Client Service 1"


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(db):
    first = _digest(seed_demo_company(people=40, customers=150, seed=7, today=TODAY).company)
    assert remove_demo_company()
    again = _digest(seed_demo_company(people=40, customers=150, seed=7, today=TODAY).company)
    assert remove_demo_company()
    other = _digest(seed_demo_company(people=40, customers=150, seed=8, today=TODAY).company)
    assert first == again
    assert other != first


def test_removing_the_demo_company_removes_its_people_and_customers(small_demo):
    assert remove_demo_company()
    assert not Company.objects.filter(slug=DEMO_SLUG).exists()
    assert not Person.objects.exists()
    assert not Customer.objects.exists()
    assert not remove_demo_company()


def test_seed_demo_prints_the_logins(db):
    out = io.StringIO()
    call_command("seed_demo", people=40, customers=100, no_progress=True, stdout=out)
    assert Company.objects.filter(slug=DEMO_SLUG).exists()
    assert "40 people" in out.getvalue()
    for _, email in demo_logins():
        assert email in out.getvalue()


def test_seed_demo_refuses_a_second_run_without_replace(db):
    call_command("seed_demo", people=40, customers=100, no_progress=True, stdout=io.StringIO())
    with pytest.raises(CommandError, match="--replace"):
        call_command("seed_demo", people=40, customers=100, no_progress=True, stdout=io.StringIO())
    call_command(
        "seed_demo", people=50, customers=20, replace=True, no_progress=True, stdout=io.StringIO()
    )
    assert Company.objects.get(slug=DEMO_SLUG).people.count() == 50


def test_seed_demo_refuses_too_few_people(db):
    with pytest.raises(CommandError, match="at least"):
        call_command("seed_demo", people=3, no_progress=True, stdout=io.StringIO())


@pytest.fixture
def served(monkeypatch):
    """Replaces the development server with a record of where it would have listened."""
    calls = []
    monkeypatch.setattr(DemoCommand, "serve", lambda self, addrport: calls.append(addrport))
    return calls


def test_demo_loads_the_company_into_an_empty_database_and_prints_the_logins(db, served):
    out = io.StringIO()
    call_command("demo", port=8123, stdout=out)
    company = Company.objects.get(slug=DEMO_SLUG)
    assert company.people.count() == 200
    assert served == ["127.0.0.1:8123"]
    output = out.getvalue()
    assert "http://127.0.0.1:8123" in output
    for label, email in demo_logins():
        assert re.search(rf"{label}\s+{re.escape(email)}\s+password: demo", output)


def test_demo_leaves_a_database_with_a_company_alone(company, served):
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert list(Company.objects.all()) == [company]
    assert served == ["127.0.0.1:8000"]
    assert "seed_demo" in out.getvalue()


def test_every_demo_login_can_open_its_home_page(small_demo, client):
    titles = {
        Role.EXECUTIVE: "The company at a glance",
        Role.ADMIN: "Set up and run the program",
        Role.MANAGER: "Coach your teams",
        Role.CRP: "Your few minutes today",
        Role.SALES: "Your customers",
    }
    for role, email in DEMO_EMAILS.items():
        assert client.login(username=email, password="demo"), email
        response = client.get(reverse("today"))
        assert response.status_code == 200, email
        assert titles[role] in response.content.decode()
        client.logout()
