"""CSV import of people: check every row first, then write all of it or nothing.

The import is atomic and idempotent (see :mod:`culturegap.csvimport` for the file format and the
error report). Header ``email,name,team,team_kind,role,manager_email``:

- keyed by e-mail (lower-cased) within the company; people not in the file are left alone; an
  e-mail registered to another organisation is refused (without naming it);
- a listed person's name, team, manager and roles become exactly what the row says (roles are
  ``;``-separated codes of :class:`Role`; a role missing from the row is taken away);
- teams are matched by name, case-insensitively; a missing team is created with the row's kind,
  an existing team's kind is changed to the row's; empty team and team_kind mean no team;
- ``manager_email`` may name someone earlier or later in the file, or someone already in the
  company; nobody may manage themselves and the result may not contain a management cycle;
- new people get an unusable password: they choose one through the "forgotten password" link.
"""

import secrets
from dataclasses import dataclass

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from culturegap.csvimport import (
    BATCH_SIZE,
    UPDATE_BATCH_SIZE,
    ImportResult,
    Progress,
    Row,
    RowError,
    changed_meanwhile,
    chunks,
    in_batches,
    read_rows,
    sorted_errors,
    ticker,
)
from culturegap.org.models import ROLE_FIELDS, Company, Person, Role, Team, TeamKind

PEOPLE_COLUMNS = ("email", "name", "team", "team_kind", "role", "manager_email")

# The field lengths of the models, checked here because SQLite does not enforce them.
EMAIL_MAX = Person._meta.get_field("email").max_length
PERSON_NAME_MAX = Person._meta.get_field("name").max_length
TEAM_NAME_MAX = Team._meta.get_field("name").max_length

ROLE_FIELD_NAMES = tuple(ROLE_FIELDS[role] for role in Role)
# What a people file sets on a person, in the order compared and written.
_PERSON_FIELDS = ("email", "name", "team_id", "manager_id", *ROLE_FIELD_NAMES)
ROLE_CODES = ", ".join(Role.values)
TEAM_KIND_CODES = ", ".join(TeamKind.values)


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
        return ImportResult(errors=sorted_errors(errors, PEOPLE_COLUMNS))
    people, row_errors = _read_people(rows, progress=progress)
    errors += row_errors
    try:
        with transaction.atomic():
            existing = _existing_people(company=company)
            errors += _check_people_against_database(
                company=company, people=people, existing=existing
            )
            if errors:
                return ImportResult(errors=sorted_errors(errors, PEOPLE_COLUMNS))
            return _write_people(
                company=company, people=people, existing=existing, progress=progress
            )
    except IntegrityError:
        return changed_meanwhile()


def _is_email(value: str) -> bool:
    if len(value) > EMAIL_MAX:
        return False
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


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


def _read_people(
    rows: list[Row], *, progress: Progress | None
) -> tuple[_PeopleFile, list[RowError]]:
    errors: list[RowError] = []
    tick = ticker(progress, "checking", len(rows))
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
    for batch in chunks(newcomers):
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
    tick = ticker(progress, "writing", len(newcomers) + len(changed))

    # Insert managers before their reports, level by level, so every new person is written
    # once with their manager already known (the checks ruled out cycles).
    done = 0
    waiting = newcomers
    while waiting:
        ready = [p for p in waiting if not p.manager_email or p.manager_email in ids]
        waiting = [p for p in waiting if p.manager_email and p.manager_email not in ids]
        if not ready:
            raise RuntimeError("a management cycle among new people got past the checks")
        for batch in in_batches(ready, tick=tick, done=done):
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

    for batch in in_batches(changed, tick=tick, done=done):
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
