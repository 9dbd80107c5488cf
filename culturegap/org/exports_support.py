"""What every feature's CSV export table is made of: the table's description, who may export
it, and how a manager's export is narrowed to their reporting line."""

import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

from django.db.models import Q, QuerySet

from culturegap.org.models import Company, Person
from culturegap.org.scope import people_visible_to, sees_whole_company, teams_visible_to


@dataclass(frozen=True)
class ExportTable:
    slug: str
    title: str
    about: str
    columns: tuple[tuple[str, str], ...]  # (CSV header, values_list path)
    rows: Callable[[Company], QuerySet]
    date_field: str | None = None
    # Narrows the company's rows to a manager's reporting line; None: managers get 403.
    for_manager: Callable[[QuerySet, Person], QuerySet] | None = None
    # Turns the raw values of a row into the CSV cells (e.g. role flags into one column), and
    # the CSV header that goes with it.
    shape: Callable[[tuple], tuple] | None = None
    shaped_header: tuple[str, ...] = ()
    # Columns of money: the cells stay plain numbers for spreadsheets, the header names the
    # company's currency ("value (GBP)").
    money_columns: frozenset[str] = frozenset()

    @property
    def header(self) -> list[str]:
        if self.shape is None:
            return [header for header, _path in self.columns]
        return list(self.shaped_header)

    def header_for(self, company: Company) -> list[str]:
        """The CSV header, money columns named with ``company``'s currency."""
        return [
            f"{header} ({company.currency})" if header in self.money_columns else header
            for header in self.header
        ]


def line_ids(viewer: Person) -> QuerySet:
    return people_visible_to(viewer=viewer).values("pk")


def team_ids(viewer: Person) -> QuerySet:
    return teams_visible_to(viewer=viewer).values("pk")


def in_line(
    *paths: str, ids: Callable[[Person], QuerySet] = line_ids
) -> Callable[[QuerySet, Person], QuerySet]:
    """A ``for_manager`` that keeps the rows whose ``paths`` (any of them) point into the
    viewer's reporting line — or, with ``ids=team_ids``, to the line's teams."""

    def for_manager(rows: QuerySet, viewer: Person) -> QuerySet:
        matches = [Q(**{f"{path}__in": ids(viewer)}) for path in paths]
        return rows.filter(reduce(operator.or_, matches))

    return for_manager


def may_export(table: ExportTable, viewer: Person) -> bool:
    if sees_whole_company(viewer):
        return True
    return viewer.is_manager and table.for_manager is not None


def filename(table: ExportTable, *, company: Company, date_from=None, date_to=None) -> str:
    span = ""
    if date_from or date_to:
        span = f"-{date_from or 'start'}-to-{date_to or 'today'}"
    return f"{company.slug}-{table.slug}{span}.csv"
