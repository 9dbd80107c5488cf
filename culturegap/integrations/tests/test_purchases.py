import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from culturegap.integrations.purchases import import_purchases
from culturegap.org.models import CustomerService
from culturegap.org.tests.factories import CustomerFactory, CustomerServiceFactory, ServiceFactory

HEADER = "customer_external_id,service_code,started_on,ended_on\n"


@pytest.fixture
def catalog(company):
    return {
        "tax": ServiceFactory(company=company, code="TAX"),
        "pay": ServiceFactory(company=company, code="PAY"),
        "c1": CustomerFactory(company=company, external_id="C-1"),
        "c2": CustomerFactory(company=company, external_id="C-2"),
    }


def _snapshot(company):
    return sorted(
        CustomerService.objects.filter(company=company).values_list(
            "customer__external_id", "service__code", "started_on", "ended_on"
        )
    )


def _run(company, text: str):
    return import_purchases(company=company, data=text.encode())


def test_a_good_file_creates_the_purchases(company, catalog):
    result = _run(
        company,
        HEADER + "C-1,TAX,2023-01-01,2023-12-31\nC-1,pay,2024-01-01,\nC-2,TAX,2024-05-01,\n",
    )
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert _snapshot(company) == [
        ("C-1", "PAY", datetime.date(2024, 1, 1), None),
        ("C-1", "TAX", datetime.date(2023, 1, 1), datetime.date(2023, 12, 31)),
        ("C-2", "TAX", datetime.date(2024, 5, 1), None),
    ]


def test_reimport_changes_nothing(company, catalog):
    text = HEADER + "C-1,TAX,2023-01-01,2023-12-31\nC-2,PAY,2024-01-01,\n"
    assert _run(company, text).ok
    before = list(CustomerService.objects.order_by("pk").values())
    again = _run(company, text)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert list(CustomerService.objects.order_by("pk").values()) == before


def test_a_new_end_date_updates_the_same_purchase(company, catalog):
    assert _run(company, HEADER + "C-1,TAX,2023-01-01,\n").ok
    result = _run(company, HEADER + "C-1,TAX,2023-01-01,2024-06-30\n")
    assert (result.created, result.updated) == (0, 1)
    assert _snapshot(company) == [
        ("C-1", "TAX", datetime.date(2023, 1, 1), datetime.date(2024, 6, 30))
    ]


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ("NOPE,TAX,2024-01-01,", "customer_external_id", "no customer with id NOPE"),
        (",TAX,2024-01-01,", "customer_external_id", "empty"),
        ("C-1,GOLF,2024-01-01,", "service_code", "unknown service code GOLF"),
        ("C-1,TAX,01/02/2024,", "started_on", "is not a date like 2024-03-31"),
        ("C-1,TAX,2024-02-30,", "started_on", "not a date in the calendar"),
        ("C-1,TAX,,", "started_on", "empty"),
        ("C-1,TAX,2024-01-01,soon", "ended_on", "is not a date like"),
        ("C-1,TAX,2024-03-01,2024-02-01", "ended_on", "before the purchase started"),
    ],
)
def test_each_kind_of_bad_row_is_named_and_nothing_is_written(company, catalog, row, field, words):
    text = HEADER + "C-2,TAX,2024-01-01,\n" + row + "\n"
    result = _run(company, text)
    assert not result.ok
    assert [(error.line, error.field) for error in result.errors] == [(3, field)]
    assert words in result.errors[0].message
    assert _snapshot(company) == []


def test_a_duplicate_row_names_both_lines(company, catalog):
    result = _run(company, HEADER + "C-1,TAX,2024-01-01,\nC-1,tax,2024-01-01,2024-02-01\n")
    assert [(e.line, e.field) for e in result.errors] == [(3, "row")]
    assert "also on line 2" in result.errors[0].message
    assert _snapshot(company) == []


def test_overlapping_periods_are_refused(company, catalog):
    CustomerServiceFactory(
        customer=catalog["c1"], service=catalog["tax"], started_on=datetime.date(2020, 1, 1)
    )
    # The recorded purchase is still open, so a new one in 2024 overlaps it ...
    result = _run(company, HEADER + "C-1,TAX,2024-01-01,\n")
    assert [(e.line, e.field) for e in result.errors] == [(2, "started_on")]
    assert "already recorded" in result.errors[0].message
    # ... unless the file closes the recorded one first: back to back is fine.
    result = _run(company, HEADER + "C-1,TAX,2020-01-01,2024-01-01\nC-1,TAX,2024-01-01,\n")
    assert result.ok, result.errors
    assert len(_snapshot(company)) == 2


def test_all_problems_are_listed_in_line_order(company, catalog):
    text = HEADER + "C-1,TAX,2024-01-01,\nNOPE,TAX,2024-01-01,\nC-1,GOLF,bad,\n"
    result = _run(company, text)
    assert [(e.line, e.field) for e in result.errors] == [
        (3, "customer_external_id"),
        (4, "service_code"),
        (4, "started_on"),
    ]
    assert _snapshot(company) == []


def test_bad_header_is_reported_on_line_one(company, catalog):
    result = _run(company, "customer,service\nC-1,TAX\n")
    assert result.errors[0].line == 1 and result.errors[0].field == "header"


def test_another_company_customers_are_unknown(company, other_company, catalog):
    CustomerFactory(company=other_company, external_id="THEIRS")
    result = _run(company, HEADER + "THEIRS,TAX,2024-01-01,\n")
    assert result.errors[0].field == "customer_external_id"


def test_atomic_when_the_write_fails(company, catalog, monkeypatch):
    """A failure while writing (after the checks) leaves nothing half-written."""
    from django.db import IntegrityError

    calls = {"n": 0}
    real = CustomerService.objects.bulk_update

    def failing_update(*args, **kwargs):
        calls["n"] += 1
        raise IntegrityError("simulated")

    assert _run(company, HEADER + "C-1,TAX,2023-01-01,\n").ok
    monkeypatch.setattr(CustomerService.objects, "bulk_update", failing_update)
    result = _run(company, HEADER + "C-2,PAY,2024-01-01,\nC-1,TAX,2023-01-01,2023-06-30\n")
    assert calls["n"] == 1 and not result.ok
    assert "nothing was written" in result.errors[0].message
    monkeypatch.setattr(CustomerService.objects, "bulk_update", real)
    # The new C-2 purchase, created before the failing update, was rolled back.
    assert _snapshot(company) == [("C-1", "TAX", datetime.date(2023, 1, 1), None)]


def test_upload_page_imports_and_reports(client, company, staff, catalog):
    client.force_login(staff["admin"])
    url = reverse("integrations:import_purchases")
    assert client.get(url).status_code == 200
    example = client.get(url, {"example": 1})
    assert example.content.decode().startswith(HEADER.strip())

    bad = SimpleUploadedFile("p.csv", (HEADER + "C-1,GOLF,2024-01-01,\n").encode())
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    assert "unknown service code GOLF" in response.content.decode()
    assert _snapshot(company) == []

    good = SimpleUploadedFile("p.csv", (HEADER + "C-1,TAX,2024-01-01,\n").encode())
    response = client.post(url, {"file": good}, follow=True)
    assert "1 created, 0 updated, 0 unchanged" in response.content.decode()

    not_csv = SimpleUploadedFile("p.xlsx", b"PK\x03\x04")
    response = client.post(url, {"file": not_csv})
    assert response.status_code == 400 and "is not a .csv file" in response.content.decode()
    assert client.post(url, {}).status_code == 400


def test_command_imports_and_exits_1_on_errors(company, catalog, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "C-1,TAX,2024-01-01,\n")
    call_command("import_purchases", str(good), "--company", "acme", "--no-progress")
    assert "1 created" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "C-9,TAX,2024-01-01,\n")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_purchases", str(bad), "--no-progress")
    assert "line 2, customer_external_id" in capsys.readouterr().err
    assert len(_snapshot(company)) == 1
