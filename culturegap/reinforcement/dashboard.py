"""Reinforcement's part of the executive dashboard: each person's predicted recall now, computed
by the database and kept a few minutes."""

import datetime

from django.db import connection

from culturegap.org.figures import Kept, Scope, kept, scope_key
from culturegap.org.models import Person
from culturegap.reinforcement.models import Card
from culturegap.reinforcement.scheduling import scheduler_for
from culturegap.reinforcement.selectors import settings_for


def _retention_sql() -> str:
    """Mean FSRS retrievability per person, computed by the database:
    R = (1 + FACTOR × elapsed whole days / stability) ^ DECAY, 0 for a card never reviewed —
    the formula of ``fsrs.Scheduler.get_card_retrievability``."""
    card, person = Card._meta.db_table, Person._meta.db_table
    if connection.vendor == "postgresql":
        # date_part and float8 throughout: EXTRACT and numeric arithmetic double the cost.
        days = (
            "GREATEST(0::float8, FLOOR(date_part('epoch', %s::timestamptz - c.last_review) "
            "/ 86400.0::float8))"
        )
        one = "1.0::float8"
    else:
        days = "MAX(0, CAST(julianday(%s) - julianday(c.last_review) AS INTEGER))"
        one = "1.0"
    # Averaged per person first and joined to the people after: the join then meets one row
    # per person instead of one per card.
    return (
        f"SELECT per_person.person_id, p.team_id, per_person.recall FROM (SELECT c.person_id, "
        f"AVG(CASE WHEN c.stability IS NULL OR c.last_review IS NULL OR c.stability <= 0 "
        f"THEN 0.0 ELSE POWER({one} + %s * {days} / c.stability, %s) END) AS recall "
        f"FROM {card} c WHERE c.company_id = %s {{teams}} GROUP BY c.person_id) per_person "
        f"JOIN {person} p ON p.id = per_person.person_id"
    )


def retention_by_person(
    scope: Scope, now: datetime.datetime
) -> dict[int, tuple[int | None, float]]:
    """person id → (team id, mean predicted recall of their cards now)."""
    scheduler = scheduler_for(settings_for(scope.company))
    sql = _retention_sql()
    params: list = [scheduler._FACTOR, now, scheduler._DECAY, scope.company.pk]
    teams = ""
    if scope.team_ids is not None:
        if not scope.team_ids:
            return {}
        teams = (
            f"AND c.person_id IN (SELECT id FROM {Person._meta.db_table} "
            f"WHERE team_id IN ({', '.join(['%s'] * len(scope.team_ids))}))"
        )
        params += sorted(scope.team_ids)
    if connection.vendor != "postgresql":
        now = now.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(sep=" ")
        params[1] = now
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{teams}", teams), params)
        return {person: (team, float(value)) for person, team, value in cursor.fetchall()}


def kept_retention(scope: Scope, now: datetime.datetime, *, cached: bool = True) -> Kept:
    """``retention_by_person``, kept SLOW_FIGURES_SECONDS per scope (``cached=False``: afresh)."""
    return kept(
        scope_key("recall", scope), now, lambda: retention_by_person(scope, now), cached=cached
    )
