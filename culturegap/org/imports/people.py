"""CSV imports of people and customers: check every row first, then write all of it or nothing.

Both imports are atomic and idempotent. Every row is checked before anything is written; if any
row is wrong, the result lists every problem (line, column, plain message) and the database is
left exactly as it was. Importing the same file twice changes nothing the second time.

People — header ``email,name,team,team_kind,role,manager_email``:

- keyed by e-mail (lower-cased) within the company; people not in the file are left alone; an
  e-mail registered to another organisation is refused (without naming it);
- a listed person's name, team, manager and roles become exactly what the row says (roles are
  ``;``-separated codes of :class:`Role`; a role missing from the row is taken away);
- teams are matched by name, case-insensitively; a missing team is created with the row's kind,
  an existing team's kind is changed to the row's; empty team and team_kind mean no team;
- ``manager_email`` may name someone earlier or later in the file, or someone already in the
  company; nobody may manage themselves and the result may not contain a management cycle;
- new people get an unusable password: they choose one through the "forgotten password" link.

Customers — header ``external_id,name,sales_owner_email,services,since``:

- keyed by ``external_id`` within the company; customers not in the file are left alone;
- ``sales_owner_email`` is empty (no owner) or a person of the company with the sales role;
- ``services`` are ``;``-separated service codes of the company's catalog (any case). Each listed
  service gets an open :class:`CustomerService` starting on ``since`` unless the customer already
  has an open one for it (no end date, or one after today). **A service the customer has open but
  the row no longer lists is ended today** (``ended_on`` = the company's today), so the file is
  the truth about what each listed customer buys now;
- ``since`` is ``YYYY-MM-DD`` and not in the future.

Line numbers count physical lines of the file: the header is line 1, the first data row line 2.
Blank lines are skipped.
"""

import codecs
import csv
import datetime
import io
import logging
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest

from culturegap.org.models import (
    ROLE_FIELDS,
    Company,
    Customer,
    CustomerService,
    Person,
    Role,
    Service,
    Team,
    TeamKind,
)
from culturegap.org.scope import company_today

logger = logging.getLogger(__name__)

PEOPLE_COLUMNS = ("email", "name", "team", "team_kind", "role", "manager_email")
CUSTOMER_COLUMNS = ("external_id", "name", "sales_owner_email", "services", "since")

# Rows per INSERT/UPDATE statement, and e-mails per IN (...) lookup: well below the bound-variable
# limits of SQLite and PostgreSQL, large enough that 100,000 rows take a few hundred statements.
BATCH_SIZE = 1000
# bulk_update writes one CASE per column, so its statements grow fast: keep them smaller.
UPDATE_BATCH_SIZE = 500

# The field lengths of the models, checked here because SQLite does not enforce them.
EMAIL_MAX = Person._meta.get_field("email").max_length
PERSON_NAME_MAX = Person._meta.get_field("name").max_length
TEAM_NAME_MAX = Team._meta.get_field("name").max_length
EXTERNAL_ID_MAX = Customer._meta.get_field("external_id").max_length
CUSTOMER_NAME_MAX = Customer._meta.get_field("name").max_length

ROLE_FIELD_NAMES = tuple(ROLE_FIELDS[role] for role in Role)
# What a people file sets on a person, in the order compared and written.
_PERSON_FIELDS = ("email", "name", "team_id", "manager_id", *ROLE_FIELD_NAMES)
ROLE_CODES = ", ".join(Role.values)
TEAM_KIND_CODES = ", ".join(TeamKind.values)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# progress(stage, done, total): stage is "checking" or "writing".
Progress = Callable[[str, int, int], None]

T = TypeVar("T")


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


class UnknownCompany(LookupError):
    """The company an import should go to cannot be decided; the message says why."""


def company_for_import(*, slug: str | None) -> Company:
    """The company named by ``slug``, or the only company when there is exactly one."""
    if slug:
        company = Company.objects.filter(slug=slug).first()
        if company is None:
            known = ", ".join(Company.objects.order_by("slug").values_list("slug", flat=True))
            raise UnknownCompany(f"No company with slug '{slug}'. Known: {known or 'none'}.")
        return company
    companies = list(Company.objects.order_by("slug")[:2])
    if len(companies) == 1:
        return companies[0]
    if not companies:
        raise UnknownCompany("There is no company yet: create one before importing.")
    raise UnknownCompany("There is more than one company: say which with --company SLUG.")


# ---------------------------------------------------------------------------------------------
# Reading the file


def read_rows(
    data: bytes, *, columns: tuple[str, ...]
) -> tuple[list[tuple[int, dict[str, str]]] | None, list[RowError]]:
    """Decode a CSV file and split it into ``(line, {column: stripped value})`` rows.

    Returns the rows that have the header's width and the problems of the file itself. The rows
    are None when the file cannot be read at all (encoding, empty, header); a row of the wrong
    width is an error but the others are still returned, so that their problems are listed too.
    Columns may come in any order; their names are matched case-insensitively.
    """
    text, errors = _decode(data)
    if errors:
        return None, errors
    expected = ",".join(columns)
    if not text.strip():
        return None, [
            RowError(1, "header", f"the file is empty: its first line must be {expected}")
        ]
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, dict[str, str]]] = []
    end_of_previous = 0
    try:
        header = [cell.strip().lower() for cell in next(reader)]
        errors = _check_header(header, columns=columns)
        if errors:
            return None, errors
        positions = [(column, header.index(column)) for column in columns]
        width = len(header)
        end_of_previous = reader.line_num
        for record in reader:
            # A quoted value may span lines: the row starts just after the previous one ended.
            line = end_of_previous + 1
            end_of_previous = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != width:
                errors.append(
                    RowError(
                        line,
                        "row",
                        f"{len(record)} values where the header has {width} ({expected}); "
                        "a value containing a comma must be in double quotes",
                    )
                )
                continue
            rows.append((line, {column: record[index].strip() for column, index in positions}))
    except csv.Error as error:
        errors.append(RowError(end_of_previous + 1, "row", f"not readable as CSV: {error}"))
    return rows, errors


def _decode(data: bytes) -> tuple[str, list[RowError]]:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # No UTF-8 sequence contains a newline byte, so each line can be decoded on its own.
        errors = []
        for number, raw in enumerate(data.split(b"\n"), start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as error:
                errors.append(
                    RowError(
                        number,
                        "file",
                        f"byte {error.start + 1} of this line is not UTF-8 text; "
                        "save the file as “CSV UTF-8” and upload it again",
                    )
                )
        return "", errors
    if "\x00" in text:
        # PostgreSQL cannot store NUL characters, and no real CSV file contains them.
        return "", [
            RowError(number, "file", "contains a NUL character: this is not a text CSV file")
            for number, line in enumerate(text.split("\n"), start=1)
            if "\x00" in line
        ]
    return text, []


def _check_header(header: list[str], *, columns: tuple[str, ...]) -> list[RowError]:
    expected = ",".join(columns)
    errors = []
    missing = [column for column in columns if column not in header]
    if missing:
        errors.append(
            RowError(1, "header", f"missing column(s) {', '.join(missing)}; expected {expected}")
        )
    unexpected = [name or "(empty)" for name in header if name not in columns]
    if unexpected:
        errors.append(
            RowError(
                1, "header", f"unexpected column(s) {', '.join(unexpected)}; expected {expected}"
            )
        )
    repeated = sorted({name for name in header if name in columns and header.count(name) > 1})
    if repeated:
        errors.append(RowError(1, "header", f"column(s) given twice: {', '.join(repeated)}"))
    return errors


def _is_email(value: str) -> bool:
    if len(value) > EMAIL_MAX:
        return False
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _chunks(items: list[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ticker(progress: Progress | None, stage: str, total: int) -> Callable[[int], None]:
    """A function to call with the number done so far; it reports every thousand or so."""
    if progress is None:
        return lambda done: None
    progress(stage, 0, total)
    reported = 0

    def tick(done: int) -> None:
        nonlocal reported
        if done - reported >= 1000 or done == total:
            progress(stage, done, total)
            reported = done

    return tick


def _in_batches(items: list[T], *, tick: Callable[[int], None], done: int) -> Iterator[list[T]]:
    for batch in _chunks(items):
        yield batch
        done += len(batch)
        tick(done)


def _sorted(errors: Iterable[RowError], columns: tuple[str, ...]) -> list[RowError]:
    order = {column: index for index, column in enumerate(columns)}
    return sorted(errors, key=lambda error: (error.line, order.get(error.field, -1)))


def _changed_meanwhile() -> ImportResult:
    # Only a concurrent change between the checks and the writes can violate a constraint.
    logger.warning("CSV import hit an integrity error", exc_info=True)
    message = (
        "the data changed while the file was being imported; nothing was written, please try again"
    )
    return ImportResult(errors=[RowError(1, "file", message)])


# ---------------------------------------------------------------------------------------------
# People


@dataclass
class _PersonRow:
    line: int
    email: str
    name: str
    team: str
    roles: frozenset[str]
    manager_email: str
    valid: bool = True


def import_people(
    *, company: Company, data: bytes, progress: Progress | None = None
) -> ImportResult:
    """Create or update the company's people from a people CSV file, or write nothing at all."""
    rows, errors = read_rows(data, columns=PEOPLE_COLUMNS)
    if rows is None:
        return ImportResult(errors=_sorted(errors, PEOPLE_COLUMNS))
    people, row_errors = _read_people(rows, progress=progress)
    errors += row_errors
    try:
        with transaction.atomic():
            existing = _existing_people(company=company)
            errors += _check_people_against_database(
                company=company, people=people, existing=existing
            )
            if errors:
                return ImportResult(errors=_sorted(errors, PEOPLE_COLUMNS))
            return _write_people(
                company=company, people=people, existing=existing, progress=progress
            )
    except IntegrityError:
        return _changed_meanwhile()


def _existing_people(*, company: Company) -> dict[str, tuple]:
    """The company's people, loaded once: lower-cased e-mail → (id, *_PERSON_FIELDS)."""
    return {
        record[1].lower(): record
        for record in Person.objects.filter(company=company).values_list("id", *_PERSON_FIELDS)
    }


@dataclass
class _PeopleFile:
    """The rows of a people file, read and checked on their own, without the database."""

    rows: list[_PersonRow]
    line_of_email: dict[str, int]
    # team name (case-folded) → (name as first written, kind, line)
    team_kinds: dict[str, tuple[str, str, int]]


def _read_people(rows, *, progress: Progress | None) -> tuple[_PeopleFile, list[RowError]]:
    errors: list[RowError] = []
    tick = _ticker(progress, "checking", len(rows))
    people = _PeopleFile(rows=[], line_of_email={}, team_kinds={})
    line_of_email, team_kinds = people.line_of_email, people.team_kinds
    for done, (line, cells) in enumerate(rows, start=1):
        tick(done)
        before = len(errors)
        email = cells["email"].lower()
        if not email:
            errors.append(RowError(line, "email", "empty: every person needs an e-mail address"))
        elif not _is_email(email):
            errors.append(RowError(line, "email", f"“{cells['email']}” is not an e-mail address"))
        elif email in line_of_email:
            errors.append(
                RowError(line, "email", f"{email} is also on line {line_of_email[email]}")
            )
        else:
            line_of_email[email] = line

        name = cells["name"]
        if not name:
            errors.append(RowError(line, "name", "empty: every person needs a name"))
        elif len(name) > PERSON_NAME_MAX:
            errors.append(RowError(line, "name", f"longer than {PERSON_NAME_MAX} characters"))

        team, kind = cells["team"], cells["team_kind"].lower()
        if team:
            if len(team) > TEAM_NAME_MAX:
                errors.append(RowError(line, "team", f"longer than {TEAM_NAME_MAX} characters"))
            if not kind:
                errors.append(
                    RowError(
                        line, "team_kind", f"empty: give the kind of {team} ({TEAM_KIND_CODES})"
                    )
                )
            elif kind not in TeamKind.values:
                errors.append(
                    RowError(
                        line, "team_kind", f"unknown team kind “{kind}”: use {TEAM_KIND_CODES}"
                    )
                )
            else:
                first = team_kinds.setdefault(team.casefold(), (team, kind, line))
                if first[1] != kind:
                    errors.append(
                        RowError(
                            line,
                            "team_kind",
                            f"team {team} is {kind} here but {first[1]} on line {first[2]}",
                        )
                    )
        elif kind:
            errors.append(
                RowError(line, "team_kind", "given without a team: fill in team or leave it empty")
            )

        roles = frozenset(code.strip().lower() for code in cells["role"].split(";")) - {""}
        unknown = sorted(roles - set(Role.values))
        if not roles:
            errors.append(RowError(line, "role", f"empty: give one or more of {ROLE_CODES}"))
        elif unknown:
            errors.append(
                RowError(
                    line,
                    "role",
                    f"unknown role(s) {', '.join(unknown)}: use {ROLE_CODES}, separated by ;",
                )
            )

        manager_email = cells["manager_email"].lower()
        if manager_email and manager_email == email:
            errors.append(RowError(line, "manager_email", "a person cannot be their own manager"))
            manager_email = ""

        people.rows.append(
            _PersonRow(line, email, name, team, roles, manager_email, valid=len(errors) == before)
        )

    return people, errors


def _check_people_against_database(
    *, company: Company, people: _PeopleFile, existing: dict[str, tuple]
) -> list[RowError]:
    errors = []
    newcomers = [email for email in people.line_of_email if email not in existing]
    for batch in _chunks(newcomers):
        for email in Person.objects.filter(email__in=batch).values_list("email", flat=True):
            errors.append(
                RowError(
                    people.line_of_email[email],
                    "email",
                    f"{email} is registered to another organisation",
                )
            )
    for person in people.rows:
        wanted = person.manager_email
        if wanted and wanted not in people.line_of_email and wanted not in existing:
            errors.append(
                RowError(
                    person.line,
                    "manager_email",
                    f"no person with e-mail {wanted} in this file or in {company.name}",
                )
            )
            person.valid = False
    errors.extend(_management_cycles(people=people.rows, existing=existing))
    return errors


def _management_cycles(*, people: list[_PersonRow], existing: dict[str, tuple]) -> list[RowError]:
    """One error per row of the file that ends up in a chain of managers that loops."""
    email_of_id = {record[0]: email for email, record in existing.items()}
    manager_of = {email: email_of_id.get(record[4]) for email, record in existing.items()}
    line_of = {}
    for person in people:
        if person.valid:
            manager_of[person.email] = person.manager_email or None
            line_of[person.email] = person.line
    errors = []
    finished: set[str] = set()
    for start in line_of:
        path: list[str] = []
        on_path: dict[str, int] = {}
        email = start
        while email is not None and email not in finished and email not in on_path:
            on_path[email] = len(path)
            path.append(email)
            email = manager_of.get(email)
        if email is not None and email in on_path:
            cycle = path[on_path[email] :]
            chain = " → ".join([*cycle, cycle[0]])
            errors.extend(
                RowError(line_of[member], "manager_email", f"management cycle: {chain}")
                for member in cycle
                if member in line_of
            )
        finished.update(path)
    return errors


def _write_people(
    *,
    company: Company,
    people: _PeopleFile,
    existing: dict[str, tuple],
    progress: Progress | None,
) -> ImportResult:
    team_ids = _write_teams(company=company, team_kinds=people.team_kinds)
    rows = people.rows
    ids = {email: record[0] for email, record in existing.items()}

    def wanted(person: _PersonRow) -> tuple:
        return (
            person.email,
            person.name,
            team_ids[person.team.casefold()] if person.team else None,
            ids.get(person.manager_email),
            *(role in person.roles for role in Role.values),
        )

    # A manager who is new in this file has no id yet, so whoever reports to them has changed.
    changed = [
        person
        for person in rows
        if person.email in existing and wanted(person) != existing[person.email][1:]
    ]
    newcomers = [person for person in rows if person.email not in existing]
    tick = _ticker(progress, "writing", len(newcomers) + len(changed))

    # Insert managers before their reports, level by level, so every new person is written
    # once with their manager already known (the checks ruled out cycles).
    done = 0
    waiting = newcomers
    while waiting:
        ready = [p for p in waiting if not p.manager_email or p.manager_email in ids]
        waiting = [p for p in waiting if p.manager_email and p.manager_email not in ids]
        if not ready:
            raise RuntimeError("a management cycle among new people got past the checks")
        for batch in _in_batches(ready, tick=tick, done=done):
            created = Person.objects.bulk_create(
                [
                    Person(
                        company=company,
                        **dict(zip(_PERSON_FIELDS, wanted(person), strict=True)),
                        password=_unusable_password(),
                    )
                    for person in batch
                ]
            )
            ids.update(_ids_by_email(company=company, people=created))
        done += len(ready)

    for batch in _in_batches(changed, tick=tick, done=done):
        # Only the listed fields are written, so a bare instance with the pk is enough.
        Person.objects.bulk_update(
            [
                Person(
                    id=existing[person.email][0],
                    **dict(zip(_PERSON_FIELDS, wanted(person), strict=True)),
                )
                for person in batch
            ],
            _PERSON_FIELDS,
            batch_size=UPDATE_BATCH_SIZE,
        )
    return ImportResult(
        created=len(newcomers),
        updated=len(changed),
        unchanged=len(rows) - len(newcomers) - len(changed),
    )


def _unusable_password() -> str:
    """What ``make_password(None)`` returns (the unusable prefix, then 40 random characters),
    for a tenth of its cost: its per-character ``secrets.choice`` was a third of the import."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def _ids_by_email(*, company: Company, people: list[Person]) -> dict[str, int]:
    if all(person.pk is not None for person in people):
        return {person.email: person.pk for person in people}
    # Databases that cannot return the new keys from a bulk insert: ask for them.
    emails = [person.email for person in people]
    return dict(Person.objects.filter(company=company, email__in=emails).values_list("email", "id"))


def _write_teams(
    *, company: Company, team_kinds: dict[str, tuple[str, str, int]]
) -> dict[str, int]:
    """Create the file's missing teams, set the kinds of existing ones; case-folded name → id."""
    teams = list(Team.objects.filter(company=company))
    exact = {team.name: team for team in teams}
    folded: dict[str, Team] = {}
    for team in teams:
        folded.setdefault(team.name.casefold(), team)
    ids: dict[str, int] = {}
    new, changed = [], []
    for key, (name, kind, _line) in team_kinds.items():
        team = exact.get(name) or folded.get(key)
        if team is None:
            new.append(Team(company=company, name=name, kind=kind))
            continue
        ids[key] = team.pk
        if team.kind != kind:
            team.kind = kind
            changed.append(team)
    Team.objects.bulk_create(new, batch_size=BATCH_SIZE)
    Team.objects.bulk_update(changed, ["kind"], batch_size=UPDATE_BATCH_SIZE)
    if any(team.pk is None for team in new):
        ids.update(
            (name.casefold(), pk)
            for name, pk in Team.objects.filter(
                company=company, name__in=[team.name for team in new]
            ).values_list("name", "id")
        )
    else:
        ids.update((team.name.casefold(), team.pk) for team in new)
    return ids


# ---------------------------------------------------------------------------------------------
# Customers


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
        return ImportResult(errors=_sorted(errors, CUSTOMER_COLUMNS))
    today = today or company_today(company)
    try:
        with transaction.atomic():
            customers, row_errors = _check_customers(
                company=company, rows=rows, today=today, progress=progress
            )
            errors += row_errors
            if errors:
                return ImportResult(errors=_sorted(errors, CUSTOMER_COLUMNS))
            return _write_customers(
                company=company, customers=customers, today=today, progress=progress
            )
    except IntegrityError:
        return _changed_meanwhile()


def _check_customers(
    *, company: Company, rows, today: datetime.date, progress: Progress | None
) -> tuple[list[_CustomerRow], list[RowError]]:
    errors: list[RowError] = []
    tick = _ticker(progress, "checking", len(rows))
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

        since = None
        written = cells["since"]
        if not _ISO_DATE.fullmatch(written):
            errors.append(RowError(line, "since", f"“{written}” is not a date like 2024-03-31"))
        else:
            try:
                since = datetime.date.fromisoformat(written)
            except ValueError:
                errors.append(RowError(line, "since", f"{written} is not a date in the calendar"))
            else:
                if since > today:
                    errors.append(RowError(line, "since", f"{written} is in the future"))

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

    tick = _ticker(progress, "writing", len(new) + len(changed_fields) + len(to_start))
    done = 0
    ids = {external_id: record[0] for external_id, record in existing.items()}
    for batch in _in_batches(new, tick=tick, done=done):
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
    for batch in _in_batches(changed_fields, tick=tick, done=done):
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
    for batch in _in_batches(to_start, tick=tick, done=done):
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
    for batch in _chunks(to_end):
        # A service set to start after today cannot end before it started: end it on its start.
        CustomerService.objects.filter(id__in=batch).update(
            ended_on=Greatest(F("started_on"), Value(today))
        )
    return ImportResult(
        created=len(new), updated=len(touched), unchanged=len(customers) - len(new) - len(touched)
    )
