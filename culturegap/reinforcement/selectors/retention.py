"""Read queries of retention: predicted recall now and over time per person, skill and team,
and who falls below the company's alert threshold."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from culturegap import measures
from culturegap.org.models import Company, Person
from culturegap.reinforcement.models import Card, Review
from culturegap.reinforcement.scheduling import retrievability, scheduler_for
from culturegap.reinforcement.selectors.drills import not_suspended, settings_for


@dataclass
class PersonRetention:
    person_id: int
    value: float | None
    by_skill: dict[str, float]
    cards: int


@dataclass
class GroupRetention:
    value: float | None
    by_skill: dict[str, float]
    people: dict[int, PersonRetention] = field(default_factory=dict)


def retention_of_people(*, company: Company, person_ids, now: datetime.datetime) -> GroupRetention:
    """Predicted retention now of each person, of each skill and of the group (see
    ``culturegap.measures.recall`` for the means). One query over the people's cards."""
    scheduler = scheduler_for(settings_for(company))
    per_person: dict[int, list[tuple[str, float]]] = defaultdict(list)
    rows = Card.objects.filter(company=company, person_id__in=person_ids).values_list(
        "person_id", "skill", "stability", "last_review"
    )
    for person_id, skill, stability, last_review in rows.iterator(chunk_size=5000):
        value = retrievability(scheduler, stability=stability, last_review=last_review, at=now)
        per_person[person_id].append((skill, value))
    people = {
        person_id: PersonRetention(
            person_id=person_id,
            value=measures.person_retention(value for _, value in cards),
            by_skill=measures.retention_by_skill(cards),
            cards=len(cards),
        )
        for person_id, cards in per_person.items()
    }
    return GroupRetention(
        value=measures.team_retention(p.value for p in people.values()),
        by_skill=measures.team_retention_by_skill(p.by_skill for p in people.values()),
        people=people,
    )


def retention_of(*, person: Person, now: datetime.datetime) -> PersonRetention:
    group = retention_of_people(company=person.company, person_ids=[person.pk], now=now)
    return group.people.get(person.pk) or PersonRetention(person.pk, None, {}, 0)


def weekly_points(now: datetime.datetime, weeks: int) -> list[datetime.datetime]:
    """``weeks`` + 1 moments a week apart, ending at ``now``."""
    return [now - datetime.timedelta(weeks=weeks - i) for i in range(weeks + 1)]


def retention_series(
    *, company: Company, person_ids, now: datetime.datetime, weeks: int = 12
) -> tuple[list[datetime.datetime], list[float | None]]:
    """Retention at weekly points over the last ``weeks`` weeks, recomputed from the review
    history: each review stored the card's stability after it, so a card's retrievability at a
    past moment is the forgetting curve from its last review before that moment. For one person
    it is their retention; for several, the team mean over people."""
    scheduler = scheduler_for(settings_for(company))
    points = weekly_points(now, weeks)
    histories: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    rows = (
        Review.objects.filter(company=company, person_id__in=person_ids, answered_at__lte=now)
        .order_by("answered_at", "pk")
        .values_list("person_id", "card_id", "answered_at", "stability_after")
    )
    for person_id, card_id, answered_at, stability in rows.iterator(chunk_size=5000):
        histories[person_id][card_id].append((answered_at, stability))

    def curve(stability: float, days: int) -> float:
        at = now  # any moment: only the elapsed days matter
        return retrievability(
            scheduler,
            stability=stability,
            last_review=at - datetime.timedelta(days=days),
            at=at,
        )

    people = [list(cards.values()) for cards in histories.values()]
    return points, measures.team_retention_series(people, points, curve)


def confidently_wrong(*, person_ids, company: Company, since: datetime.datetime) -> dict[int, int]:
    """Per person, wrong answers given as "sure" since ``since``: the most urgent gaps."""
    rows = (
        Review.objects.filter(
            company=company,
            person_id__in=person_ids,
            answered_at__gte=since,
            correct=False,
            confident=True,
        )
        .values("person_id")
        .annotate(n=Count("pk"))
    )
    return {row["person_id"]: row["n"] for row in rows}


def due_counts(*, company: Company, person_ids, now: datetime.datetime) -> dict[int, int]:
    """Per person, the cards due now and not on hold."""
    rows = (
        Card.objects.filter(not_suspended(now), company=company, person_id__in=person_ids)
        .filter(due__lte=now)
        .values("person_id")
        .annotate(n=Count("pk"))
    )
    return {row["person_id"]: row["n"] for row in rows}


def skill_names(*, company: Company) -> dict[str, str]:
    """Skill key → the name of its communication-model step in the published playbook."""
    from culturegap.language.models import CommunicationStep, PlaybookStatus

    steps = CommunicationStep.objects.filter(
        playbook__company=company, playbook__status=PlaybookStatus.PUBLISHED
    )
    return dict(steps.values_list("key", "name"))


def skill_label(skill: str, names: dict[str, str]) -> str:
    return names.get(skill) or skill.replace("-", " ").replace("_", " ").capitalize()


@dataclass
class TeamRow:
    team: object
    people: int
    retention: float | None
    below_threshold: int


def team_overview(*, viewer: Person, now: datetime.datetime) -> list[TeamRow]:
    """The teams ``viewer`` may see, each with its people (those ``viewer`` may see), its
    retention and how many of them are below the company's alert threshold."""
    from culturegap.org import scope as org_scope

    company = viewer.company
    teams = list(org_scope.teams_visible_to(viewer=viewer).order_by("name"))
    visible = org_scope.people_visible_to(viewer=viewer).filter(team__in=teams)
    team_of = dict(visible.values_list("pk", "team_id"))
    group = retention_of_people(company=company, person_ids=list(team_of), now=now)
    threshold = settings_for(company).alert_threshold
    rows = []
    for team in teams:
        members = [pk for pk, team_id in team_of.items() if team_id == team.pk]
        values = {pk: group.people[pk].value for pk in members if pk in group.people}
        rows.append(
            TeamRow(
                team=team,
                people=len(members),
                retention=measures.team_retention(values.values()),
                below_threshold=len(measures.below_threshold(values, threshold)),
            )
        )
    return rows


def people_below_threshold(*, manager: Person, now: datetime.datetime) -> list[Person]:
    """People in ``manager``'s reporting line whose predicted retention is below the company's
    alert threshold (people without cards are not counted)."""
    from culturegap.org import scope as org_scope

    ids = org_scope.reporting_line_ids(manager=manager)
    if not ids:
        return []
    group = retention_of_people(company=manager.company, person_ids=ids, now=now)
    threshold = settings_for(manager.company).alert_threshold
    below = measures.below_threshold({pk: p.value for pk, p in group.people.items()}, threshold)
    return list(Person.objects.filter(pk__in=below, is_active=True).order_by("name"))
