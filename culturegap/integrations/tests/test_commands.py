import csv
import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from culturegap.org.tests.factories import CustomerFactory, CustomerServiceFactory, ServiceFactory


@pytest.fixture
def purchases(company):
    service = ServiceFactory(company=company, code="TAX")
    customer = CustomerFactory(company=company, external_id="C-1", name="@Risky Name")
    return [
        CustomerServiceFactory(customer=customer, service=service, started_on=day)
        for day in (datetime.date(2024, 1, 1), datetime.date(2024, 6, 1))
    ]


def test_export_table_writes_the_rows(company, purchases, tmp_path, capsys):
    target = tmp_path / "purchases.csv"
    call_command("export_table", "purchases", str(target), "--company", "acme")
    with target.open(newline="") as file:
        rows = list(csv.reader(file))
    assert rows[1:] == [
        [str(p.pk), "C-1", "'@Risky Name", "TAX", p.started_on.isoformat(), ""] for p in purchases
    ]
    assert "2 row(s) of purchases" in capsys.readouterr().err


def test_export_table_date_range(company, purchases, tmp_path):
    target = tmp_path / "purchases.csv"
    call_command("export_table", "purchases", str(target), "--from", "2024-03-01")
    with target.open(newline="") as file:
        rows = list(csv.reader(file))
    assert [row[4] for row in rows[1:]] == ["2024-06-01"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nonsense", "x.csv"], "No table"),
        (["people", "x.csv", "--from", "June"], "is not a date"),
        (["people", "x.csv", "--from", "2024-02-01", "--to", "2024-01-01"], "--to comes before"),
        (["people", "x.csv", "--company", "nobody"], "No company with slug"),
    ],
)
def test_export_table_bad_arguments(company, tmp_path, monkeypatch, arguments, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match=message):
        call_command("export_table", *arguments)
