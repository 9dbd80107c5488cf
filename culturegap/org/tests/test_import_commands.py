"""Tests of the import_people and import_customers management commands."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from culturegap.cli import main
from culturegap.org.models import Customer, Person
from culturegap.org.tests.factories import CompanyFactory, ServiceFactory

PEOPLE = (
    "email,name,team,team_kind,role,manager_email\n"
    "al@acme.test,Al Agent,Help Desk,support,crp,mo@acme.test\n"
    "mo@acme.test,Mo Manager,Help Desk,support,manager,\n"
)
BAD_PEOPLE = (
    "email,name,team,team_kind,role,manager_email\n"
    "al@acme.test,Al Agent,Help Desk,support,crp,ghost@acme.test\n"
    "mo@acme.test,,Help Desk,support,manager,\n"
)
CUSTOMERS = (
    "external_id,name,sales_owner_email,services,since\n"
    "C-1,Harbour Bakery,sales@acme.test,AUDIT,2019-04-01\n"
)


@pytest.fixture
def csv_file(tmp_path):
    def write(text: str, name: str = "import.csv"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_people_succeeds_and_reports_counts(company, csv_file):
    out, _ = run("import_people", csv_file(PEOPLE), "--company", "acme")

    assert "Acme Advisers: 2 created, 0 updated, 0 unchanged." in out
    assert Person.objects.get(email="al@acme.test").manager.email == "mo@acme.test"

    out, _ = run("import_people", csv_file(PEOPLE), "--company", "acme")
    assert "0 created, 0 updated, 2 unchanged" in out


def test_import_people_lists_every_error_and_writes_nothing(company, csv_file):
    err = io.StringIO()

    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_people", csv_file(BAD_PEOPLE), stdout=io.StringIO(), stderr=err)

    assert "line 2, manager_email: no person with e-mail ghost@acme.test" in err.getvalue()
    assert "line 3, name: empty" in err.getvalue()
    assert Person.objects.count() == 0


def test_command_line_exits_with_status_1_on_errors(company, csv_file, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["culturegap", "import_people", csv_file(BAD_PEOPLE), "--no-progress"])

    assert exited.value.code == 1
    assert "line 3, name: empty" in capsys.readouterr().err


def test_command_line_exits_with_status_0_on_success(company, csv_file, capsys):
    main(["culturegap", "import_people", csv_file(PEOPLE)])  # returns: status 0

    assert "2 created" in capsys.readouterr().out


def test_company_may_be_omitted_only_when_there_is_one(company, csv_file):
    CompanyFactory(slug="second")

    with pytest.raises(CommandError, match="more than one company.*--company"):
        run("import_people", csv_file(PEOPLE))


def test_unknown_company_slug_is_refused(company, csv_file):
    with pytest.raises(CommandError, match="No company with slug 'nope'. Known: acme"):
        run("import_people", csv_file(PEOPLE), "--company", "nope")


def test_no_company_at_all_is_refused(db, csv_file):
    with pytest.raises(CommandError, match="no company yet"):
        run("import_people", csv_file(PEOPLE))


def test_missing_file_is_refused(company, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_people", str(tmp_path / "missing.csv"))


def test_import_goes_to_the_named_company(company, other_company, csv_file):
    run("import_people", csv_file(PEOPLE), "--company", "other")

    assert set(Person.objects.values_list("company__slug", flat=True)) == {"other"}


def test_import_customers_succeeds_and_fails(company, staff, csv_file):
    ServiceFactory(company=company, code="AUDIT")

    out, _ = run("import_customers", csv_file(CUSTOMERS))
    assert "1 created, 0 updated, 0 unchanged" in out
    assert Customer.objects.get(external_id="C-1").services.count() == 1

    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_customers",
            csv_file(CUSTOMERS.replace("AUDIT", "LEGAL")),
            stdout=io.StringIO(),
            stderr=err,
        )
    assert "line 2, services: unknown service code(s) LEGAL" in err.getvalue()
    assert Customer.objects.get(external_id="C-1").services.get().service.code == "AUDIT"


def test_progress_is_shown_on_stderr_for_a_large_file(company, csv_file):
    rows = "".join(f"p{n}@acme.test,Person {n},Help Desk,support,crp,\n" for n in range(5000))
    path = csv_file("email,name,team,team_kind,role,manager_email\n" + rows)

    out, err = run("import_people", path)

    assert "5000 created" in out
    assert "checking" in err and "writing" in err and "5000/5000" in err
