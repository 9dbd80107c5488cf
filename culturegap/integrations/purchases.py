"""CSV import of the services customers bought: one row per purchase, all of it or nothing.

Header ``customer_external_id,service_code,started_on,ended_on``, read by
:mod:`culturegap.csvimport` like the people and customer imports (any column order, same decoding,
header checks, line numbers and error report).

- A purchase is keyed by (customer, service, ``started_on``). A key already recorded gets the
  row's ``ended_on`` (updated, or unchanged when it is the same); a new key is created. So
  importing the same file twice changes nothing. Purchases not in the file are left alone.
- ``customer_external_id`` must be a customer of the company, ``service_code`` a code of its
  catalog (any case), ``started_on`` a date ``YYYY-MM-DD``; ``ended_on`` is empty (still
  bought) or a date not before ``started_on``.
- The same key twice in the file is an error, and so is a purchase that overlaps another of the
  same service for the same customer (in the file or already recorded): a customer buys a
  service once at a time, or "services per customer" would count it twice. A purchase may
  start on the day the previous one ended.

Every row is checked before anything is written; any problem means nothing is written and every
problem is listed with its line and column.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from culturegap.csvimport import (
    UPDATE_BATCH_SIZE,
    ImportResult,
    Progress,
    Row,
    RowError,
    changed_meanwhile,
    in_batches,
    parse_date,
    read_rows,
    sorted_errors,
    ticker,
)
from culturegap.org.models import Company, Customer, CustomerService, Service

PURCHASE_COLUMNS = ("customer_external_id", "service_code", "started_on", "ended_on")


@dataclass
class _PurchaseRow:
    line: int
    customer_id: int | None
    service_id: int | None
    started_on: datetime.date | None
    ended_on: datetime.date | None


def import_purchases(
    *, company: Company, data: bytes, progress: Progress | None = None
) -> ImportResult:
    """Create or update the company's purchases from a purchases CSV file, or write nothing."""
    rows, errors = read_rows(data, columns=PURCHASE_COLUMNS)
    if rows is None:
        return ImportResult(errors=sorted_errors(errors, PURCHASE_COLUMNS))
    try:
        with transaction.atomic():
            purchases, row_errors = _check_rows(company=company, rows=rows, progress=progress)
            errors += row_errors
            recorded = _recorded(company=company)
            errors += _overlaps(purchases=purchases, recorded=recorded)
            if errors:
                return ImportResult(errors=sorted_errors(errors, PURCHASE_COLUMNS))
            return _write(
                company=company, purchases=purchases, recorded=recorded, progress=progress
            )
    except IntegrityError:
        return changed_meanwhile()


def _check_rows(
    *, company: Company, rows: list[Row], progress: Progress | None
) -> tuple[list[_PurchaseRow], list[RowError]]:
    errors: list[RowError] = []
    tick = ticker(progress, "checking", len(rows))
    customers = dict(Customer.objects.filter(company=company).values_list("external_id", "id"))
    codes = list(Service.objects.filter(company=company).values_list("code", "id"))
    catalog = {code.casefold(): pk for code, pk in codes}
    catalog_codes = ", ".join(sorted(code for code, _pk in codes)) or "no services yet"
    purchases: list[_PurchaseRow] = []
    line_of_key: dict[tuple, int] = {}
    for done, (line, cells) in enumerate(rows, start=1):
        tick(done)
        external_id = cells["customer_external_id"]
        customer_id = customers.get(external_id)
        if not external_id:
            errors.append(RowError(line, "customer_external_id", "empty: give the customer's id"))
        elif customer_id is None:
            errors.append(
                RowError(
                    line,
                    "customer_external_id",
                    f"no customer with id {external_id} in {company.name}",
                )
            )

        code = cells["service_code"]
        service_id = catalog.get(code.casefold())
        if not code:
            errors.append(RowError(line, "service_code", "empty: give a service code"))
        elif service_id is None:
            errors.append(
                RowError(
                    line,
                    "service_code",
                    f"unknown service code {code}; the catalog has: {catalog_codes}",
                )
            )

        started_on = ended_on = None
        if not cells["started_on"]:
            errors.append(RowError(line, "started_on", "empty: give the date the purchase began"))
        else:
            started_on = parse_date(
                cells["started_on"], line=line, field="started_on", errors=errors
            )
        if cells["ended_on"]:
            ended_on = parse_date(cells["ended_on"], line=line, field="ended_on", errors=errors)
        if started_on and ended_on and ended_on < started_on:
            errors.append(
                RowError(
                    line,
                    "ended_on",
                    f"{ended_on} is before the purchase started ({started_on})",
                )
            )
            ended_on = None

        if customer_id and service_id and started_on:
            key = (customer_id, service_id, started_on)
            if key in line_of_key:
                errors.append(
                    RowError(
                        line,
                        "row",
                        f"the same purchase ({external_id}, {code}, {started_on}) "
                        f"is also on line {line_of_key[key]}",
                    )
                )
                continue
            line_of_key[key] = line
            purchases.append(_PurchaseRow(line, customer_id, service_id, started_on, ended_on))
    return purchases, errors


def _recorded(*, company: Company) -> dict[tuple, tuple[int, datetime.date | None]]:
    """The company's purchases: (customer id, service id, started_on) → (id, ended_on)."""
    recorded = {}
    for pk, customer_id, service_id, started_on, ended_on in (
        CustomerService.objects.filter(company=company)
        .order_by("pk")
        .values_list("id", "customer_id", "service_id", "started_on", "ended_on")
        .iterator(chunk_size=5000)
    ):
        recorded.setdefault((customer_id, service_id, started_on), (pk, ended_on))
    return recorded


def _overlaps(
    *, purchases: list[_PurchaseRow], recorded: dict[tuple, tuple[int, datetime.date | None]]
) -> list[RowError]:
    """One error per file row whose period overlaps another of the same customer and service.

    The file's rows replace the recorded purchases with the same key; two recorded purchases
    that already overlap are not the file's problem."""
    in_file = {(p.customer_id, p.service_id) for p in purchases}
    periods: dict[tuple, dict[datetime.date, tuple]] = defaultdict(dict)
    for (customer_id, service_id, started_on), (_pk, ended_on) in recorded.items():
        if (customer_id, service_id) in in_file:
            periods[(customer_id, service_id)][started_on] = (ended_on, None)
    for purchase in purchases:
        periods[(purchase.customer_id, purchase.service_id)][purchase.started_on] = (
            purchase.ended_on,
            purchase.line,
        )
    errors = []
    for spans in periods.values():
        ordered = sorted(spans.items())
        for (start, (end, line)), (next_start, (_next_end, next_line)) in zip(
            ordered, ordered[1:], strict=False
        ):
            if end is not None and next_start >= end:
                continue
            until = f"until {end}" if end else "with no end"
            if next_line is not None:
                where = f"line {line}" if line is not None else "already recorded"
                errors.append(
                    RowError(
                        next_line,
                        "started_on",
                        f"overlaps the same service bought from {start} {until} ({where})",
                    )
                )
            elif line is not None:
                errors.append(
                    RowError(
                        line,
                        "ended_on",
                        f"{'no end' if end is None else end} overlaps the same service "
                        f"bought again from {next_start} (already recorded)",
                    )
                )
    return errors


def _write(
    *,
    company: Company,
    purchases: list[_PurchaseRow],
    recorded: dict[tuple, tuple[int, datetime.date | None]],
    progress: Progress | None,
) -> ImportResult:
    new, changed = [], []
    for purchase in purchases:
        found = recorded.get((purchase.customer_id, purchase.service_id, purchase.started_on))
        if found is None:
            new.append(purchase)
        elif found[1] != purchase.ended_on:
            changed.append(CustomerService(id=found[0], ended_on=purchase.ended_on))
    tick = ticker(progress, "writing", len(new) + len(changed))
    for batch in in_batches(new, tick=tick, done=0):
        CustomerService.objects.bulk_create(
            CustomerService(
                company=company,
                customer_id=purchase.customer_id,
                service_id=purchase.service_id,
                started_on=purchase.started_on,
                ended_on=purchase.ended_on,
            )
            for purchase in batch
        )
    for batch in in_batches(changed, tick=tick, done=len(new)):
        CustomerService.objects.bulk_update(batch, ["ended_on"], batch_size=UPDATE_BATCH_SIZE)
    return ImportResult(
        created=len(new),
        updated=len(changed),
        unchanged=len(purchases) - len(new) - len(changed),
    )
