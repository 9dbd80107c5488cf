"""Tests of the people and customer CSV imports: results in the database, every kind of bad row."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from culturegap.org.imports import (
    CUSTOMER_COLUMNS,
    PEOPLE_COLUMNS,
    ImportResult,
    import_customers,
    import_people,
)
from culturegap.org.models import Customer, CustomerService, Person, Team, TeamKind
from culturegap.org.tests.factories import (
    CustomerFactory,
    CustomerServiceFactory,
    PersonFactory,
    ServiceFactory,
    TeamFactory,
)

PEOPLE_HEADER = ",".join(PEOPLE_COLUMNS)
CUSTOMER_HEADER = ",".join(CUSTOMER_COLUMNS)
TODAY = datetime.date(2025, 6, 30)


def people_csv(*rows: str, header: str = PEOPLE_HEADER) -> bytes:
    return "\n".join([header, *rows, ""]).encode()


def customers_csv(*rows: str, header: str = CUSTOMER_HEADER) -> bytes:
    return "\n".join([header, *rows, ""]).encode()


def snapshot():
    """Every row of every table an import writes to, to prove that nothing was written."""
    return (
        list(Person.objects.order_by("id").values()),
        list(Team.objects.order_by("id").values()),
        list(Customer.objects.order_by("id").values()),
        list(CustomerService.objects.order_by("id").values()),
    )


def where(result: ImportResult) -> set[tuple[int, str]]:
    return {(error.line, error.field) for error in result.errors}


def message_at(result: ImportResult, line: int, field: str) -> str:
    return next(e.message for e in result.errors if (e.line, e.field) == (line, field))


GOOD_PEOPLE = people_csv(
    "Boss@Acme.test,Bea Boss,Leadership,other,executive;admin,",
    # Managed by someone defined further down the file.
    "al@acme.test,Al Agent,Help Desk,support,crp,mo@acme.test",
    "mo@acme.test,Mo Manager,Help Desk,support,manager; crp,boss@acme.test",
    '"sue@acme.test","Sue Seller, Jr.",Field Sales,sales,sales,boss@acme.test',
    "",  # a blank line is skipped
    "ed@acme.test,Ed External,,,executive,",
)


# --- people: a good file ------------------------------------------------------------------------


def test_good_people_file_creates_people_teams_and_managers(company):
    result = import_people(company=company, data=GOOD_PEOPLE)

    assert result == ImportResult(created=5, updated=0, unchanged=0, errors=[])
    people = {p.email: p for p in Person.objects.filter(company=company).select_related("team")}
    assert set(people) == {
        "boss@acme.test",
        "al@acme.test",
        "mo@acme.test",
        "sue@acme.test",
        "ed@acme.test",
    }
    boss, al, mo, sue = (people[f"{name}@acme.test"] for name in ("boss", "al", "mo", "sue"))
    assert boss.roles == ["executive", "admin"]
    assert boss.manager is None
    assert al.manager == mo and mo.manager == boss and sue.manager == boss
    assert mo.roles == ["manager", "crp"]
    assert sue.name == "Sue Seller, Jr."
    assert al.team.name == "Help Desk" and al.team.kind == TeamKind.SUPPORT
    assert sue.team.kind == TeamKind.SALES
    assert people["ed@acme.test"].team is None
    assert Team.objects.filter(company=company).count() == 3
    assert all(not p.has_usable_password() for p in people.values())
    assert len({p.password for p in people.values()}) == 5


def test_reimport_changes_nothing(company):
    import_people(company=company, data=GOOD_PEOPLE)
    before = snapshot()

    result = import_people(company=company, data=GOOD_PEOPLE)

    assert result == ImportResult(created=0, updated=0, unchanged=5)
    assert snapshot() == before


def test_update_of_name_team_roles_and_manager_is_applied(company, staff):
    result = import_people(
        company=company,
        data=people_csv(
            "crp@acme.test,Cara Renamed,Business Development,sales,sales;manager,exec@acme.test",
            "manager@acme.test,Max Manager,Client Service,service,manager,exec@acme.test",
        ),
    )

    assert result == ImportResult(created=0, updated=1, unchanged=1)
    crp = Person.objects.get(email="crp@acme.test")
    assert crp.name == "Cara Renamed"
    assert crp.team == staff["sales"].team
    assert crp.roles == ["manager", "sales"]
    assert crp.manager == staff["executive"]
    assert crp.check_password("a-long-test-password"), "an update keeps the password"


def test_people_not_in_the_file_are_left_alone(company, staff):
    before = list(Person.objects.exclude(email="crp@acme.test").order_by("id").values())

    import_people(
        company=company,
        data=people_csv("crp@acme.test,Cara CRP,New Team,marketing,crp,"),
    )

    assert list(Person.objects.exclude(email="crp@acme.test").order_by("id").values()) == before


def test_existing_team_takes_the_kind_in_the_file(company):
    team = TeamFactory(company=company, name="Help Desk", kind=TeamKind.SERVICE)

    import_people(company=company, data=people_csv("al@acme.test,Al,help desk,support,crp,"))

    team.refresh_from_db()
    assert team.kind == TeamKind.SUPPORT
    assert Person.objects.get(email="al@acme.test").team == team
    assert Team.objects.filter(company=company).count() == 1


def test_email_is_matched_whatever_its_case_and_stored_lower_case(company, staff):
    result = import_people(
        company=company,
        data=people_csv("CRP@ACME.TEST,Cara CRP,Client Service,service,crp,MANAGER@acme.test"),
    )

    assert result == ImportResult(created=0, updated=0, unchanged=1)


def test_manager_may_already_be_in_the_database(company, staff):
    result = import_people(
        company=company,
        data=people_csv("new@acme.test,Nina New,Client Service,service,crp,manager@acme.test"),
    )

    assert result.created == 1
    assert Person.objects.get(email="new@acme.test").manager == staff["manager"]


def test_existing_person_can_report_to_someone_new_in_the_file(company, staff):
    result = import_people(
        company=company,
        data=people_csv(
            "crp@acme.test,Cara CRP,Client Service,service,crp,lead@acme.test",
            "lead@acme.test,Lee Lead,Client Service,service,manager,manager@acme.test",
        ),
    )

    assert result == ImportResult(created=1, updated=1, unchanged=0)
    assert Person.objects.get(email="crp@acme.test").manager.email == "lead@acme.test"


def test_columns_in_another_order_and_case_with_a_bom_are_accepted(company):
    data = b"\xef\xbb\xbf" + people_csv(
        "al@acme.test,Al,crp,,,",
        header="Email , NAME,role,team,team_kind,manager_email",
    )

    result = import_people(company=company, data=data)

    assert result.created == 1
    assert Person.objects.get(email="al@acme.test").roles == ["crp"]


def test_header_only_is_nothing_to_do(company):
    assert import_people(company=company, data=people_csv()) == ImportResult()
    assert import_customers(company=company, data=customers_csv()) == ImportResult()


# --- people: bad rows ---------------------------------------------------------------------------

GOOD_ROW = "ok@acme.test,Olga Okay,Help Desk,support,crp,"
LAST_GOOD_ROW = "fine@acme.test,Fred Fine,Help Desk,support,crp,ok@acme.test"


@pytest.mark.parametrize(
    ("bad_row", "field", "says"),
    [
        ("not-an-email,Nobody,Help Desk,support,crp,", "email", "not an e-mail address"),
        (",Nobody,Help Desk,support,crp,", "email", "empty"),
        ("x@acme.test,,Help Desk,support,crp,", "name", "empty"),
        ("x@acme.test," + "n" * 201 + ",Help Desk,support,crp,", "name", "longer than 200"),
        ("x@acme.test,X,Help Desk,helpdesk,crp,", "team_kind", "unknown team kind “helpdesk”"),
        ("x@acme.test,X,Help Desk,,crp,", "team_kind", "empty"),
        ("x@acme.test,X,,support,crp,", "team_kind", "without a team"),
        ("x@acme.test,X,Help Desk,support,,", "role", "empty"),
        ("x@acme.test,X,Help Desk,support, ; ,", "role", "empty"),
        ("x@acme.test,X,Help Desk,support,crp;boss,", "role", "unknown role(s) boss"),
        ("x@acme.test,X,Help Desk,support,crp,ghost@acme.test", "manager_email", "ghost@acme.test"),
        ("x@acme.test,X,Help Desk,support,crp,X@acme.test", "manager_email", "their own manager"),
        ("OK@acme.test,Olga Again,Help Desk,support,crp,", "email", "also on line 2"),
        ("x@acme.test,X,Help Desk,sales,crp,", "team_kind", "support on line 2"),
        ("x@acme.test,X,Help Desk,support,crp", "row", "5 values where the header has 6"),
        ("x@acme.test,X,Help Desk,support,crp,,", "row", "7 values"),
    ],
)
def test_a_bad_person_row_is_reported_and_nothing_is_written(company, staff, bad_row, field, says):
    before = snapshot()

    result = import_people(company=company, data=people_csv(GOOD_ROW, bad_row, LAST_GOOD_ROW))

    assert (3, field) in where(result)
    assert says in message_at(result, 3, field)
    assert result.created == result.updated == result.unchanged == 0
    assert snapshot() == before


def test_every_bad_row_is_listed(company):
    result = import_people(
        company=company,
        data=people_csv(
            "a@acme.test,,T,other,crp,",
            GOOD_ROW,
            "b@acme.test,B,T,other,boss,",
            "c@acme.test,C,T,other,crp,nobody@acme.test",
            "d@acme.test,D,T,other",
            "e@acme.test,E,T,other,crp,e@acme.test",
        ),
    )

    assert where(result) == {
        (2, "name"),
        (4, "role"),
        (5, "manager_email"),
        (6, "row"),
        (7, "manager_email"),
    }
    assert str(result.errors[2]) == (
        "line 5, manager_email: no person with e-mail nobody@acme.test in this file or in "
        "Acme Advisers"
    )
    assert Person.objects.count() == 0


def test_management_cycle_in_the_file_is_reported_on_each_row(company):
    result = import_people(
        company=company,
        data=people_csv(
            GOOD_ROW,
            "a@acme.test,A,T,other,manager,b@acme.test",
            "b@acme.test,B,T,other,manager,c@acme.test",
            "c@acme.test,C,T,other,manager,a@acme.test",
        ),
    )

    assert where(result) == {(3, "manager_email"), (4, "manager_email"), (5, "manager_email")}
    assert "management cycle" in message_at(result, 4, "manager_email")
    assert Person.objects.count() == 0


def test_management_cycle_through_the_database_is_reported(company, staff):
    before = snapshot()

    # The manager already reports to the executive, so this closes a loop.
    result = import_people(
        company=company,
        data=people_csv("exec@acme.test,Eve Exec,Leadership,other,executive,manager@acme.test"),
    )

    assert where(result) == {(2, "manager_email")}
    assert "exec@acme.test → manager@acme.test → exec@acme.test" in result.errors[0].message
    assert snapshot() == before


def test_email_of_another_company_is_refused_without_naming_it(company, other_company):
    PersonFactory(company=other_company, email="taken@other.test")
    before = snapshot()

    result = import_people(
        company=company, data=people_csv(GOOD_ROW, "Taken@Other.test,T,T,other,crp,")
    )

    assert where(result) == {(3, "email")}
    assert "registered to another organisation" in result.errors[0].message
    assert "Other Firm" not in result.errors[0].message
    assert snapshot() == before


def test_a_conflict_at_write_time_is_an_error_and_writes_nothing(
    company, other_company, monkeypatch
):
    # Stands for another request taking the e-mail between the checks and the writes.
    PersonFactory(company=other_company, email="taken@other.test")
    monkeypatch.setattr(
        "culturegap.org.imports.people._check_people_against_database", lambda **kwargs: []
    )
    before = snapshot()

    result = import_people(
        company=company, data=people_csv(GOOD_ROW, "taken@other.test,T,New Team,other,crp,")
    )

    assert where(result) == {(1, "file")}
    assert "nothing was written" in result.errors[0].message
    assert snapshot() == before


def test_manager_from_another_company_is_unknown(company, other_company):
    PersonFactory(company=other_company, email="boss@other.test")

    result = import_people(
        company=company, data=people_csv("a@acme.test,A,T,other,crp,boss@other.test")
    )

    assert where(result) == {(2, "manager_email")}
    assert "Other Firm" not in result.errors[0].message


# --- the file itself ----------------------------------------------------------------------------


def test_wrong_header_names_the_missing_and_unexpected_columns(company):
    result = import_people(
        company=company, data=people_csv(GOOD_ROW, header="email,name,tem,team_kind,role")
    )

    assert where(result) == {(1, "header")}
    messages = " | ".join(error.message for error in result.errors)
    assert "missing column(s) team, manager_email" in messages
    assert "unexpected column(s) tem" in messages
    assert Person.objects.count() == 0


def test_repeated_column_is_refused(company):
    result = import_people(company=company, data=people_csv(header=PEOPLE_HEADER + ",email"))

    assert "given twice: email" in message_at(result, 1, "header")


@pytest.mark.parametrize("data", [b"", b"  \n\n", b"\xef\xbb\xbf"])
def test_empty_file_is_refused(company, data):
    people = import_people(company=company, data=data)
    customers = import_customers(company=company, data=data)

    assert where(people) == where(customers) == {(1, "header")}
    assert "empty" in people.errors[0].message


def test_non_utf8_bytes_are_reported_with_their_line(company):
    data = people_csv(GOOD_ROW) + "josé@acme.test,José,T,other,crp,\n".encode("latin-1")

    result = import_people(company=company, data=data)

    assert where(result) == {(3, "file")}
    assert "UTF-8" in result.errors[0].message
    assert Person.objects.count() == 0


def test_nul_character_is_refused(company):
    result = import_people(company=company, data=people_csv(GOOD_ROW, "a@acme.test,A\x00,,,crp,"))

    assert where(result) == {(3, "file")}


def test_line_numbers_count_lines_of_a_quoted_value_spanning_two(company):
    result = import_people(
        company=company,
        data=people_csv('a@acme.test,"Two\nLines",T,other,crp,', "b@acme.test,B,T,other,boss,"),
    )

    assert where(result) == {(4, "role")}


# --- customers ----------------------------------------------------------------------------------


@pytest.fixture
def catalog(company):
    return {
        code: ServiceFactory(company=company, code=code, name=code.title())
        for code in ("AUDIT", "TAX", "Payroll")
    }


GOOD_CUSTOMERS = customers_csv(
    "C-1,Harbour Bakery,sales@acme.test,audit;TAX,2019-04-01",
    'C-2,"Mills & Daughters, Opticians",,payroll,2022-11-15',
    "C-3,Quiet Client,SALES@acme.test,,2025-06-30",
)


def test_good_customer_file_creates_customers_and_their_services(company, staff, catalog):
    result = import_customers(company=company, data=GOOD_CUSTOMERS, today=TODAY)

    assert result == ImportResult(created=3, updated=0, unchanged=0)
    bakery = Customer.objects.get(company=company, external_id="C-1")
    assert bakery.name == "Harbour Bakery"
    assert bakery.sales_owner == staff["sales"]
    assert bakery.since == datetime.date(2019, 4, 1)
    services = {(s.service.code, s.started_on, s.ended_on) for s in bakery.services.all()}
    assert services == {
        ("AUDIT", datetime.date(2019, 4, 1), None),
        ("TAX", datetime.date(2019, 4, 1), None),
    }
    mills = Customer.objects.get(external_id="C-2")
    assert mills.name == "Mills & Daughters, Opticians"
    assert mills.sales_owner is None
    assert [s.service.code for s in mills.services.all()] == ["Payroll"]
    assert Customer.objects.get(external_id="C-3").services.count() == 0


def test_customer_reimport_changes_nothing(company, staff, catalog):
    import_customers(company=company, data=GOOD_CUSTOMERS, today=TODAY)
    before = snapshot()

    result = import_customers(company=company, data=GOOD_CUSTOMERS, today=TODAY)

    assert result == ImportResult(created=0, updated=0, unchanged=3)
    assert snapshot() == before


def test_customer_update_starts_new_services_and_ends_unlisted_ones(company, staff, catalog):
    import_customers(company=company, data=GOOD_CUSTOMERS, today=TODAY)

    result = import_customers(
        company=company,
        data=customers_csv(
            "C-1,Harbour Bakery,sales@acme.test,audit;payroll,2019-04-01",
            'C-2,"Mills & Daughters, Opticians",,payroll,2022-11-15',
            "C-3,Quiet Client Renamed,,,2025-06-30",
        ),
        today=TODAY,
    )

    assert result == ImportResult(created=0, updated=2, unchanged=1)
    bakery = Customer.objects.get(external_id="C-1")
    services = {(s.service.code, s.started_on, s.ended_on) for s in bakery.services.all()}
    assert services == {
        ("AUDIT", datetime.date(2019, 4, 1), None),
        ("TAX", datetime.date(2019, 4, 1), TODAY),
        ("Payroll", datetime.date(2019, 4, 1), None),
    }
    quiet = Customer.objects.get(external_id="C-3")
    assert quiet.name == "Quiet Client Renamed" and quiet.sales_owner is None
    # The ended service stays ended on a re-run, and nothing else moves.
    again = import_customers(
        company=company,
        data=customers_csv(
            "C-1,Harbour Bakery,sales@acme.test,audit;payroll,2019-04-01",
            'C-2,"Mills & Daughters, Opticians",,payroll,2022-11-15',
            "C-3,Quiet Client Renamed,,,2025-06-30",
        ),
        today=TODAY,
    )
    assert again == ImportResult(created=0, updated=0, unchanged=3)


def test_a_service_set_to_start_later_is_ended_on_its_start(company, staff, catalog):
    customer = CustomerFactory(company=company, external_id="C-9", name="Later", since=TODAY)
    later = CustomerServiceFactory(
        customer=customer, service=catalog["TAX"], started_on=datetime.date(2025, 9, 1)
    )

    import_customers(company=company, data=customers_csv("C-9,Later,,,2025-06-30"), today=TODAY)

    later.refresh_from_db()
    assert later.ended_on == later.started_on


def test_customers_not_in_the_file_are_left_alone(company, catalog):
    other = CustomerServiceFactory(
        customer=CustomerFactory(company=company), service=catalog["TAX"]
    )
    before = CustomerService.objects.filter(pk=other.pk).values().get()

    import_customers(company=company, data=GOOD_CUSTOMERS.replace(b"sales@acme.test", b""))

    assert CustomerService.objects.filter(pk=other.pk).values().get() == before


GOOD_CUSTOMER_ROW = "C-1,Harbour Bakery,sales@acme.test,audit,2019-04-01"
LAST_GOOD_CUSTOMER_ROW = "C-3,Quiet Client,,,2020-01-01"


@pytest.mark.parametrize(
    ("bad_row", "field", "says"),
    [
        ("C-2,Mills,,audit;LEGAL;xx,2020-01-01", "services", "unknown service code(s) LEGAL, xx"),
        ("C-2,Mills,,,01/02/2020", "since", "not a date like"),
        ("C-2,Mills,,,2023-02-29", "since", "not a date in the calendar"),
        ("C-2,Mills,,,", "since", "not a date like"),
        ("C-2,Mills,,,2025-07-01", "since", "in the future"),
        ("C-2,Mills,ghost@acme.test,,2020-01-01", "sales_owner_email", "no person with e-mail"),
        ("C-2,Mills,crp@acme.test,,2020-01-01", "sales_owner_email", "salesperson role"),
        ("C-1,Mills,,,2020-01-01", "external_id", "also on line 2"),
        (",Mills,,,2020-01-01", "external_id", "empty"),
        ("C-2,,,,2020-01-01", "name", "empty"),
        ("C-2,Mills,,2020-01-01", "row", "4 values where the header has 5"),
    ],
)
def test_a_bad_customer_row_is_reported_and_nothing_is_written(
    company, staff, catalog, bad_row, field, says
):
    before = snapshot()

    result = import_customers(
        company=company,
        data=customers_csv(GOOD_CUSTOMER_ROW, bad_row, LAST_GOOD_CUSTOMER_ROW),
        today=TODAY,
    )

    assert (3, field) in where(result)
    assert says in message_at(result, 3, field)
    assert snapshot() == before


def test_sales_owner_of_another_company_is_unknown(company, other_company, catalog):
    PersonFactory(company=other_company, email="seller@other.test", is_salesperson=True)

    result = import_customers(
        company=company, data=customers_csv("C-1,Bakery,seller@other.test,,2020-01-01")
    )

    assert where(result) == {(2, "sales_owner_email")}
    assert Customer.objects.count() == 0


def test_services_are_those_of_the_company_catalog(company, other_company, catalog):
    ServiceFactory(company=other_company, code="LEGAL")

    result = import_customers(company=company, data=customers_csv("C-1,Bakery,,legal,2020-01-01"))

    assert "unknown service code(s) legal" in message_at(result, 2, "services")
    assert "AUDIT, Payroll, TAX" in message_at(result, 2, "services")


def test_same_external_id_in_two_companies_are_two_customers(company, other_company, catalog):
    CustomerFactory(company=other_company, external_id="C-1", name="Theirs")

    result = import_customers(company=company, data=customers_csv("C-1,Ours,,,2020-01-01"))

    assert result.created == 1
    assert Customer.objects.get(company=other_company).name == "Theirs"


def test_customer_file_with_wrong_header_is_refused(company):
    result = import_customers(
        company=company, data=customers_csv(header="id,name,sales_owner_email,services,since")
    )

    assert "missing column(s) external_id" in message_at(result, 1, "header")


# --- robustness ---------------------------------------------------------------------------------

_row_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)


def _csv_like(header: str):
    """Bytes that start like a real file, so the checks of each row get exercised too."""
    cell = st.one_of(_row_text, st.sampled_from(["a@b.test", "crp", "sales", "2020-01-01", ""]))
    row = st.lists(cell, min_size=4, max_size=7).map(",".join)
    return st.lists(row, max_size=5).map(lambda rows: "\n".join([header, *rows]).encode())


@settings(
    max_examples=100,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.one_of(
        st.binary(max_size=300),
        _csv_like(PEOPLE_HEADER),
        _csv_like(CUSTOMER_HEADER),
        st.binary(max_size=200).map(lambda b: PEOPLE_HEADER.encode() + b"\n" + b),
        st.binary(max_size=200).map(lambda b: CUSTOMER_HEADER.encode() + b"\n" + b),
    )
)
def test_arbitrary_bytes_never_raise(company, data):
    for run in (import_people, import_customers):
        result = run(company=company, data=data)
        assert isinstance(result, ImportResult)
        for error in result.errors:
            assert error.line >= 1 and error.field and error.message
