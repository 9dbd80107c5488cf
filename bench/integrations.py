"""Benchmark: the purchases CSV at scale — streamed export, import, re-import.

    .venv/bin/python bench/integrations.py                    # 300,000 purchases
    .venv/bin/python bench/integrations.py --purchases 50000  # a smaller run
    .venv/bin/python bench/integrations.py --database-url postgres://postgres@127.0.0.1:5432/test_integrations_bench

Without ``--database-url`` it runs on a throw-away SQLite file (never the project's database);
with it, the database given is EMPTIED first (its public schema is dropped and rebuilt). One
company with 12 services and ``--purchases / 3`` customers is created; each customer bought
three services over the years.

Prints:
- the purchases export through the Exports page's view (streamed, ``values_list`` rows):
  time, rows/s and peak Python memory (tracemalloc), against the same CSV built the usual way
  (model instances with ``select_related`` into one ``HttpResponse``) in the same run;
- the purchases import of the exported rows into an empty table (every row checked, then bulk
  inserted), and the re-import of the same file (nothing changes): time and rows/s.
"""

import argparse
import datetime
import os
import time
import tracemalloc

from _common import django_for_bench, fresh_schema


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--purchases", type=int, default=300_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    with django_for_bench(args.database_url):
        run(args)


def _measure(work):
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    work()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak


def run(args) -> None:
    import csv

    from django.db import connection
    from django.http import HttpResponse
    from django.test import RequestFactory

    from culturegap.integrations import views
    from culturegap.integrations.purchases import import_purchases
    from culturegap.org.models import Company, Customer, CustomerService, Person, Service

    print(f"Database: {connection.vendor}. Migrating…", flush=True)
    fresh_schema()

    company = Company.objects.create(name="Bench Partners", slug="bench")
    admin = Person.objects.create_user(
        "admin@bench.example", "a-long-bench-password", company=company, is_program_admin=True
    )
    services = Service.objects.bulk_create(
        Service(company=company, code=f"S{n:02d}", name=f"Service {n}", annual_value=1000)
        for n in range(12)
    )
    customer_count = max(1, args.purchases // 3)
    print(f"Creating {customer_count:,} customers and {args.purchases:,} purchases…", flush=True)
    Customer.objects.bulk_create(
        (
            Customer(
                company=company,
                external_id=f"C{n:07d}",
                name=f"Customer {n}",
                since=datetime.date(2015, 1, 1),
            )
            for n in range(customer_count)
        ),
        batch_size=5000,
    )
    customer_ids = list(Customer.objects.filter(company=company).values_list("id", flat=True))
    purchases = []
    for index in range(args.purchases):
        customer = customer_ids[index % customer_count]
        third = index // customer_count
        start = datetime.date(2016 + 2 * third, 1 + index % 12, 1)
        purchases.append(
            CustomerService(
                company=company,
                customer_id=customer,
                service=services[(index + third) % 12],
                started_on=start,
                ended_on=start + datetime.timedelta(days=500) if third < 2 else None,
            )
        )
    CustomerService.objects.bulk_create(purchases, batch_size=5000)
    del purchases

    request = RequestFactory().get("/integrations/exports/download/", {"table": "purchases"})
    request.user = admin

    def streamed() -> int:
        """Reads the download the way a client does, line by line, keeping none of it."""
        response = views.export_table(request)
        return sum(1 for _line in response.streaming_content) - 1

    def usual() -> int:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response)
        writer.writerow(["id", "customer_external_id", "customer_name", "service_code", "s", "e"])
        for purchase in list(
            CustomerService.objects.filter(company=company)
            .select_related("customer", "service")
            .order_by("pk")
        ):
            writer.writerow(
                [
                    purchase.pk,
                    purchase.customer.external_id,
                    purchase.customer.name,
                    purchase.service.code,
                    purchase.started_on,
                    purchase.ended_on or "",
                ]
            )
        return len(response.content)

    print("Exporting…", flush=True)
    rows, seconds, peak = _measure(streamed)
    _size, base_seconds, base_peak = _measure(usual)
    print(
        f"Export, streamed:   {rows:,} rows in {seconds:.2f} s ({rows / seconds:,.0f} rows/s), "
        f"peak Python memory {peak / 2**20:.1f} MiB"
    )
    print(
        f"Export, baseline:   same rows as model instances into one response in "
        f"{base_seconds:.2f} s ({rows / base_seconds:,.0f} rows/s), "
        f"peak {base_peak / 2**20:.1f} MiB  → streamed uses {peak / base_peak:.1%} of the memory"
    )

    # The import file: the export's business columns, written the import's way.
    body = b"".join(views.export_table(request).streaming_content)
    lines = ["customer_external_id,service_code,started_on,ended_on"]
    for record in csv.reader(body.decode().splitlines()[1:]):
        lines.append(f"{record[1]},{record[3]},{record[4]},{record[5]}")
    data = ("\n".join(lines) + "\n").encode()
    CustomerService.objects.filter(company=company).delete()

    started = time.perf_counter()
    result = import_purchases(company=company, data=data)
    seconds = time.perf_counter() - started
    assert result.ok and result.created == rows, result.errors[:5]
    print(
        f"Import:             {rows:,} new rows in {seconds:.2f} s ({rows / seconds:,.0f} rows/s)"
    )
    started = time.perf_counter()
    result = import_purchases(company=company, data=data)
    seconds = time.perf_counter() - started
    assert result.ok and result.unchanged == rows
    print(
        f"Re-import:          {rows:,} unchanged in {seconds:.2f} s ({rows / seconds:,.0f} rows/s)"
    )
    print(f"Load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
