"""Shared pytest fixtures: a company with one person per role, and a second company."""

import pytest

from culturegap.org.tests.factories import CompanyFactory, PersonFactory, TeamFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashers cost ~0.3 s per password by design; tests need none of that strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
