"""Coaching's part of the executive dashboard: the behaviour managers observed per person, their
observations per team, and the readiness index that joins knowledge, recall and behaviour."""

import datetime
from dataclasses import dataclass

from django.db.models import Avg, Count, FloatField

from culturegap.coaching.models import Observation, ObservationKind, ObservationRating
from culturegap.coaching.selectors import BEHAVIOUR_WINDOW_DAYS
from culturegap.measures.readiness import rating_percent, readiness_index
from culturegap.org.figures import Scope, in_scope


@dataclass
class BehaviourFigures:
    # person id → mean rating of their manager observations, 0–100
    behaviour: dict[int, float]
    # person id → team id, for everyone with a rating
    team_of: dict[int, int | None]
    # team id → manager observations
    observations: dict[int | None, int]


def _avg(name):
    return Avg(name, output_field=FloatField())


def behaviour_figures(scope: Scope) -> BehaviourFigures:
    """Manager observations of the last BEHAVIOUR_WINDOW_DAYS up to the scope's end: each
    person's mean rating as a percent, and the observations counted per team."""
    company = scope.company
    since = scope.end - datetime.timedelta(days=BEHAVIOUR_WINDOW_DAYS)
    ratings = in_scope(
        ObservationRating.objects.filter(
            observation__company=company,
            observation__kind=ObservationKind.MANAGER,
            observation__observed_on__gte=since,
            rating__isnull=False,
        ),
        scope,
        "observation__person__team_id",
    )
    behaviour = {}
    team_of = {}
    for person, team, mean_rating in ratings.values_list(
        "observation__person_id", "observation__person__team_id"
    ).annotate(mean=_avg("rating")):
        behaviour[person] = rating_percent(mean_rating)
        team_of[person] = team
    observations = dict(
        in_scope(
            Observation.objects.filter(
                company=company, kind=ObservationKind.MANAGER, observed_on__gte=since
            ),
            scope,
            "person__team_id",
        )
        .values_list("person__team_id")
        .annotate(n=Count("pk"))
        .values_list("person__team_id", "n")
    )
    return BehaviourFigures(behaviour=behaviour, team_of=team_of, observations=observations)


def readiness_by_person(
    *,
    knowledge: dict[int, float | None],
    recall: dict[int, float],
    behaviour: dict[int, float],
) -> dict[int, float | None]:
    """person id → ``measures.readiness_index`` of their knowledge, recall and behaviour, for
    everyone with at least one of them."""
    return {
        person: readiness_index(
            knowledge=knowledge.get(person),
            retention=recall.get(person),
            behaviour=behaviour.get(person),
        ).value
        for person in set(knowledge) | set(recall) | set(behaviour)
    }
