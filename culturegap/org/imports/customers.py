"""CSV import of customers and the services they buy: check every row, then write all or nothing.

The import is atomic and idempotent (see :mod:`culturegap.csvimport` for the file format and the
error report). Header ``external_id,name,sales_owner_email,services,since``:

- keyed by ``external_id`` within the company; customers not in the file are left alone;
- ``sales_owner_email`` is empty (no owner) or a person of the company with the sales role;
- ``services`` are ``;``-separated service codes of the company's catalog (any case). Each listed
  service gets an open :class:`CustomerService` starting on ``since`` unless the customer already
  has an open one for it (no end date, or one after today). **A service the customer has open but
  the row no longer lists is ended today** (``ended_on`` = the company's today), so the file is
  the truth about what each listed customer buys now;
- ``since`` is ``YYYY-MM-DD`` and not in the future.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest

from culturegap.csvimport import (
    UPDATE_BATCH_SIZE,
    ImportResult,
    Progress,
    Row,
    RowError,
    changed_meanwhile,
    chunks,
    in_batches,
    parse_date,
    read_rows,
    sorted_errors,
    ticker,
)
from culturegap.org.models import Company, Customer, CustomerService, Person, Service
from culturegap.org.scope import company_today

CUSTOMER_COLUMNS = ("external_id", "name", "sales_owner_email", "services", "since")

# The field lengths of the models, checked here because SQLite does not enforce them.
EXTERNAL_ID_MAX = Customer._meta.get_field("external_id").max_length
CUSTOMER_NAME_MAX = Customer._meta.get_field("name").max_length


@dataclass
class _CustomerRow:
    line: int
    external_id: str
    name: str
    sales_owner_id: int | None
    service_ids: frozenset[int]
    since: datetime.date | None


def import_customers(
    *,
    company: Company,
    data: bytes,
    progress: Progress | None = None,
    today: datetime.date | None = None,
) -> ImportResult:
    """Create or update the company's customers and the services they buy from a customers CSV
    file, or write nothing at all. ``today`` (default: the company's today) is the date services
    no longer listed are ended on, and the latest acceptable ``since``."""
    rows, errors = read_rows(data, columns=CUSTOMER_COLUMNS)
    if rows is None:
        return ImportResult(errors=sorted_errors(errors, CUSTOMER_COLUMNS))
    today = today or company_today(company)
    try:
        with transaction.atomic():
            customers, row_errors = _check_customers(
                company=company, rows=rows, today=today, progress=progress
            )
            errors += row_errors
            if errors:
                return ImportResult(errors=sorted_errors(errors, CUSTOMER_COLUMNS))
            return _write_customers(
                company=company, customers=customers, today=today, progress=progress
            )
    except IntegrityError:
        return changed_meanwhile()


def _check_customers(
    *, company: Company, rows: list[Row], today: datetime.date, progress: Progress | None
) -> tuple[list[_CustomerRow], list[RowError]]:
    errors: list[RowError] = []
    tick = ticker(progress, "checking", len(rows))
    codes = Service.objects.filter(company=company).values_list("code", "id")
    catalog = {code.casefold(): pk for code, pk in codes}
    catalog_codes = ", ".join(sorted(code for code, _pk in codes))
    people = {
        email.lower(): (pk, is_salesperson)
        for pk, email, is_salesperson in Person.objects.filter(company=company).values_list(
            "id", "email", "is_salesperson"
        )
    }
    customers: list[_CustomerRow] = []
    line_of_id: dict[str, int] = {}

    for done, (line, cells) in enumerate(rows, start=1):
        tick(done)
        external_id = cells["external_id"]
        if not external_id:
            errors.append(RowError(line, "external_id", "empty: every customer needs an id"))
        elif len(external_id) > EXTERNAL_ID_MAX:
            errors.append(
                RowError(line, "external_id", f"longer than {EXTERNAL_ID_MAX} characters")
            )
        elif external_id in line_of_id:
            errors.append(
                RowError(
                    line, "external_id", f"{external_id} is also on line {line_of_id[external_id]}"
                )
            )
        else:
            line_of_id[external_id] = line

        name = cells["name"]
        if not name:
            errors.append(RowError(line, "name", "empty: every customer needs a name"))
        elif len(name) > CUSTOMER_NAME_MAX:
            errors.append(RowError(line, "name", f"longer than {CUSTOMER_NAME_MAX} characters"))

        owner_email = cells["sales_owner_email"].lower()
        owner = people.get(owner_email) if owner_email else (None, True)
        if owner is None:
            errors.append(
                RowError(
                    line,
                    "sales_owner_email",
                    f"no person with e-mail {owner_email} in {company.name}",
                )
            )
        elif not owner[1]:
            errors.append(
                RowError(
                    line,
                    "sales_owner_email",
                    f"{owner_email} does not have the salesperson role",
                )
            )

        codes = {code.strip() for code in cells["services"].split(";")} - {""}
        unknown = sorted(code for code in codes if code.casefold() not in catalog)
        if unknown:
            errors.append(
                RowError(
                    line,
                    "services",
                    f"unknown service code(s) {', '.join(unknown)}; "
                    f"the catalog has: {catalog_codes or 'no services yet'}",
                )
            )

        since = parse_date(cells["since"], line=line, field="since", errors=errors)
        if since is not None and since > today:
            errors.append(RowError(line, "since", f"{cells['since']} is in the future"))

        customers.append(
            _CustomerRow(
                line,
                external_id,
                name,
                owner[0] if owner else None,
                frozenset(catalog[code.casefold()] for code in codes if code not in unknown),
                since,
            )
        )
    return customers, errors


def _write_customers(
    *,
    company: Company,
    customers: list[_CustomerRow],
    today: datetime.date,
    progress: Progress | None,
) -> ImportResult:
    existing = {
        external_id: (pk, name, owner_id, since)
        for pk, external_id, name, owner_id, since in Customer.objects.filter(
            company=company
        ).values_list("id", "external_id", "name", "sales_owner_id", "since")
    }
    # customer id → {service id: ids of its active CustomerService rows}
    active: dict[int, dict[int, list[int]]] = {}
    for pk, customer_id, service_id in (
        CustomerService.objects.filter(company=company)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
        .values_list("id", "customer_id", "service_id")
    ):
        active.setdefault(customer_id, {}).setdefault(service_id, []).append(pk)

    new = [row for row in customers if row.external_id not in existing]
    changed_fields: list[_CustomerRow] = []
    to_end: list[int] = []
    to_start: list[tuple[_CustomerRow, int]] = []
    touched: set[str] = set()
    for row in customers:
        record = existing.get(row.external_id)
        if record is None:
            to_start.extend((row, service_id) for service_id in sorted(row.service_ids))
            continue
        pk = record[0]
        if (row.name, row.sales_owner_id, row.since) != record[1:]:
            changed_fields.append(row)
            touched.add(row.external_id)
        current = active.get(pk, {})
        for service_id in sorted(row.service_ids - current.keys()):
            to_start.append((row, service_id))
            touched.add(row.external_id)
        for service_id in current.keys() - row.service_ids:
            to_end.extend(current[service_id])
            touched.add(row.external_id)

    tick = ticker(progress, "writing", len(new) + len(changed_fields) + len(to_start))
    done = 0
    ids = {external_id: record[0] for external_id, record in existing.items()}
    for batch in in_batches(new, tick=tick, done=done):
        created = Customer.objects.bulk_create(
            [
                Customer(
                    company=company,
                    external_id=row.external_id,
                    name=row.name,
                    sales_owner_id=row.sales_owner_id,
                    since=row.since,
                )
                for row in batch
            ]
        )
        if any(customer.pk is None for customer in created):
            # Databases that cannot return the new keys from a bulk insert: ask for them.
            created = Customer.objects.filter(
                company=company, external_id__in=[row.external_id for row in batch]
            )
        ids.update((customer.external_id, customer.pk) for customer in created)
    done += len(new)
    for batch in in_batches(changed_fields, tick=tick, done=done):
        Customer.objects.bulk_update(
            [
                Customer(
                    id=ids[row.external_id],
                    name=row.name,
                    sales_owner_id=row.sales_owner_id,
                    since=row.since,
                )
                for row in batch
            ],
            ["name", "sales_owner_id", "since"],
            batch_size=UPDATE_BATCH_SIZE,
        )
    done += len(changed_fields)
    for batch in in_batches(to_start, tick=tick, done=done):
        CustomerService.objects.bulk_create(
            [
                CustomerService(
                    company=company,
                    customer_id=ids[row.external_id],
                    service_id=service_id,
                    started_on=row.since,
                )
                for row, service_id in batch
            ]
        )
    for batch in chunks(to_end):
        # A service set to start after today cannot end before it started: end it on its start.
        CustomerService.objects.filter(id__in=batch).update(
            ended_on=Greatest(F("started_on"), Value(today))
        )
    return ImportResult(
        created=len(new), updated=len(touched), unchanged=len(customers) - len(new) - len(touched)
    )
